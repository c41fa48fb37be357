// Types of http-headers.mjs (plain JavaScript, shared with the .mjs harnesses and vite.config.ts).

/** Content-Type by file ending, for the files a built app (dist/) holds. */
export declare const CONTENT_TYPES: Readonly<Record<string, string>>;

/** The Content-Type for `file` by its ending; application/octet-stream when unknown. */
export declare function contentType(file: string): string;

/** All a static host must send for the page to be cross-origin isolated (e2e proves it). */
export declare const REQUIRED_ISOLATION_HEADERS: Readonly<{
  'Cross-Origin-Opener-Policy': 'same-origin';
  'Cross-Origin-Embedder-Policy': 'require-corp';
}>;

/** What our own servers send: the required two, and CORP, which lets an isolated page load our files. */
export declare const ISOLATION_HEADERS: Readonly<{
  'Cross-Origin-Opener-Policy': 'same-origin';
  'Cross-Origin-Embedder-Policy': 'require-corp';
  'Cross-Origin-Resource-Policy': 'same-origin';
}>;
