// Static hosting without headers: registers public/coi-sw.js (adds COOP/COEP to same-origin
// responses) and reloads once, so the page becomes crossOriginIsolated.
//
// Skipped when the page is isolated already, with `?nosw`, and under automation
// (navigator.webdriver) unless `?sw` is given: tests of the NOT_ISOLATED refusal must see
// the un-isolated page as served, not a page the worker has quietly fixed.
const RELOADED = 'sandpit.coi-reloaded';

export type IsolationStep = 'isolated' | 'skipped' | 'unsupported' | 'failed' | 'reloading';

export async function ensureIsolation(base: string): Promise<IsolationStep> {
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return 'isolated';
  }
  const params = new URLSearchParams(location.search);
  if (params.has('nosw') || (navigator.webdriver && !params.has('sw'))) return 'skipped';
  if (!('serviceWorker' in navigator) || !isSecureContext) return 'unsupported';
  // Reload at most once per tab session: if the worker did not help, say so instead of looping.
  if (sessionStorage.getItem(RELOADED)) return 'failed';
  try {
    await navigator.serviceWorker.register(`${base}coi-sw.js`, { scope: base });
    await navigator.serviceWorker.ready;
  } catch {
    return 'failed';
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return 'reloading';
}
