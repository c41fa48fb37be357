// The e2e servers' URLs. SANDPIT_E2E_PORT moves all three (so several runs can share a
// machine): the app with headers (vite preview), dist/ without headers, dist/ with headers.
const base = Number(process.env.SANDPIT_E2E_PORT ?? 4173);

export const ports = { preview: base, plain: base + 1, isolated: base + 2 };
export const urls = {
  preview: `http://127.0.0.1:${ports.preview}`,
  plain: `http://127.0.0.1:${ports.plain}`,
  isolated: `http://127.0.0.1:${ports.isolated}`,
};
