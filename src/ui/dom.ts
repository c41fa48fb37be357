// Small DOM helpers shared by the panels: an element builder (no innerHTML anywhere),
// byte formatting, downloads and error text.
import { SandboxError } from '../api/index';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;

/** `h('button', { class: 'x', onclick: fn }, 'Label')`; boolean attributes toggle, `on*` listen. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Saves a Blob under `name` through a temporary a[download]. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `CODE: message` for sandbox errors (what #status shows), the message otherwise. */
export function errorText(err: unknown): string {
  if (err instanceof SandboxError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
