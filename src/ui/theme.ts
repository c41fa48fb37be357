// Dark and light themes: follows prefers-color-scheme until the toggle picks one, which
// is remembered in localStorage. Listeners (the terminal) get the effective theme.
export type Theme = 'dark' | 'light';

const KEY = 'sandpit.theme';
const media = matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<(t: Theme) => void>();

function stored(): Theme | null {
  const v = localStorage.getItem(KEY);
  return v === 'dark' || v === 'light' ? v : null;
}

export function currentTheme(): Theme {
  return stored() ?? (media.matches ? 'dark' : 'light');
}

function apply(): void {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  for (const l of listeners) l(t);
}

export function onThemeChange(fn: (t: Theme) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Wires the toggle button and applies the initial theme. */
export function initTheme(button: HTMLButtonElement): void {
  const label = () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    button.textContent = next === 'light' ? '☀' : '☾';
    button.setAttribute('aria-label', `Switch to ${next} theme`);
    button.title = `Switch to ${next} theme`;
  };
  button.addEventListener('click', () => {
    localStorage.setItem(KEY, currentTheme() === 'dark' ? 'light' : 'dark');
    apply();
    label();
  });
  media.addEventListener('change', () => {
    apply();
    label();
  });
  apply();
  label();
}
