// Shared steps of the playground specs: open the page (through the isolation service worker
// on a header-less server), read the terminal buffer, wait for bash's prompt, type, shoot.
//
// Every test gets a fresh browser context (Playwright's default), so localStorage, IndexedDB,
// OPFS and the service worker registration never leak from one test into the next.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures';

const manifest = JSON.parse(
  readFileSync(fileURLToPath(new URL('../public/wasm/manifest.json', import.meta.url)), 'utf8'),
) as { binaries: { commands: string[] }[] };
export const hasShell = manifest.binaries.some((b) => b.commands.includes('sh'));

export const PROMPT = /\$ $/;

/**
 * Opens the playground. `?sw` lets the page register its isolation service worker even
 * under automation: a no-op where the server sends COOP/COEP (the page is isolated
 * already), the way in on the plain static server (project `plain-static`).
 */
export async function open(page: Page): Promise<void> {
  await page.goto('/?sw');
  await waitIsolated(page);
}

/** Waits out the service worker's one reload (evaluate fails while the page navigates). */
export async function waitIsolated(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => globalThis.crossOriginIsolated).catch(() => false), { timeout: 30_000 })
    .toBe(true);
  await page.waitForLoadState();
}

export function termText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as any).__sandpitTerm?.text ?? '');
}

/** Waits until the terminal's last line is a prompt; returns how many prompts it shows. */
export async function waitForPrompt(page: Page, atLeast = 1): Promise<number> {
  let count = 0;
  await expect
    .poll(
      async () => {
        const text = await termText(page);
        count = text.split('\n').filter((l) => /\$ ?$/.test(l) || /\$ \S/.test(l)).length;
        return PROMPT.test(text) && count >= atLeast;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return count;
}

export async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

export async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
