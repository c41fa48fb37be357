// The playground driven like a person at a keyboard: completion, history, UTF-8 line editing, Ctrl-D, a
// full-screen program (vi), the skip link and F6; and a second load served from a cache.
import type { Page, Response } from '@playwright/test';
import { test, expect } from './fixtures';
import { hasShell, open, termText, typeLine, waitForPrompt } from './playground-helpers';

/** Lines of the terminal buffer equal to `line`. */
async function countLines(page: Page, line: string): Promise<number> {
  return (await termText(page)).split('\n').filter((l) => l.trimEnd() === line).length;
}

test.describe('playground keys', () => {
  test.skip(!hasShell, 'public/wasm/manifest.json has no `sh` command');

  test.beforeEach(async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('Tab completes a file name', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await typeLine(page, 'echo completed-ok > tabfile-long-name.txt');
    const prompts = await waitForPrompt(page, 2);
    await page.keyboard.type('cat tabfile-');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForPrompt(page, prompts + 1);
    expect(await termText(page)).toContain('cat tabfile-long-name.txt');
    expect(await countLines(page, 'completed-ok')).toBe(1);
  });

  test('Up arrow recalls the last command (history)', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await typeLine(page, 'echo hist-$((40 + 2))');
    const prompts = await waitForPrompt(page, 2);
    expect(await countLines(page, 'hist-42')).toBe(1);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await waitForPrompt(page, prompts + 1);
    expect(await countLines(page, 'hist-42')).toBe(2);
  });

  test('line editing works on characters, not bytes (UTF-8 in readline)', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    // Backspace removes a whole 3-byte character; a 2-byte one is inserted mid-line.
    await page.keyboard.type('echo 日本語✓x');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    await expect.poll(() => countLines(page, '日本語')).toBe(1);
    await page.keyboard.type('x=ab');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('é');
    await page.keyboard.press('End');
    await typeLine(page, '; echo "$x ${#x}"');
    await expect.poll(() => countLines(page, 'aéb 3')).toBe(1);
  });

  test('Ctrl-D at an empty prompt ends the shell; Enter starts a new one', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await page.keyboard.press('Control+D');
    await expect(page.locator('#restart')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => termText(page)).toContain('shell exited with code 0');
    await page.keyboard.press('Enter');
    await expect(page.locator('#restart')).toBeHidden();
    await waitForPrompt(page);
    await typeLine(page, 'echo back-$((1 + 1))');
    await expect.poll(() => countLines(page, 'back-2')).toBe(1);
  });

  test('vi draws a full screen, edits a file and returns to the prompt', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await typeLine(page, 'vi notes.txt');
    // The empty-buffer lines (`~`) fill the screen (vi uses the alternate screen).
    const rows: number = await page.evaluate(() => (globalThis as any).__sandpitTerm.rows);
    await expect.poll(() => countLines(page, '~'), { timeout: 20_000 }).toBeGreaterThanOrEqual(rows - 3);
    await page.keyboard.type('ihello from vi');
    await page.keyboard.press('Escape');
    // A person pauses after Escape; ESC and ':' in one read would look like an Alt key sequence.
    await page.waitForTimeout(500);
    await typeLine(page, ':wq');
    await waitForPrompt(page);
    await expect(page.locator('#files .entry.file', { hasText: 'notes.txt' })).toBeVisible();
    await typeLine(page, 'cat notes.txt');
    await expect.poll(() => countLines(page, 'hello from vi')).toBe(1);
  });

  test('keyboard only: the skip link lands in the terminal, F6 goes round the panes', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    // The terminal has focus after load (Tab there is completion). Start from the top bar (a
    // click on the title only sets where Tab navigation starts); Shift-Tab reaches the link.
    await page.locator('header h1').click();
    await page.keyboard.press('Shift+Tab');
    await expect(page.locator('a.skip')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('#terminal textarea')).toBeFocused();
    await typeLine(page, 'echo kb-$((3 * 3))');
    await expect.poll(() => countLines(page, 'kb-9')).toBe(1);
    await page.keyboard.press('F6');
    await expect(page.locator('#files')).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.locator('#state')).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.locator('#terminal textarea')).toBeFocused();
    await page.keyboard.press('Shift+F6');
    await expect(page.locator('#state')).toBeFocused();
    // From a pane, Tab reaches its controls and Enter uses them: take a snapshot.
    await page.locator('#snapshot-name').focus();
    await page.keyboard.type('by keys');
    await page.keyboard.press('Enter');
    await expect(page.locator('#state .snapshots li', { hasText: 'by keys' })).toBeVisible();
  });

  test('second load: the binaries come from a cache', async ({ page }, testInfo) => {
    // No `blocked` fixture in this test: routing requests turns the browser's HTTP cache off.
    const binaries = (r: Response) => /\/wasm\/[^/]+\.wasm$/.test(r.url());
    const first: Response[] = [];
    const second: Response[] = [];
    let into = first;
    page.on('response', (r) => void (binaries(r) && into.push(r)));
    await open(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    into = second;
    await page.reload();
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await waitForPrompt(page);
    expect(second.length).toBeGreaterThan(0);
    if (testInfo.project.name === 'plain-static') {
      // The isolation service worker keeps every manifest binary by sha256.
      for (const r of second) expect(await r.headerValue('x-sandpit-cache'), r.url()).toBe('hit');
    } else {
      // With headers (vite preview: ETag, no-cache) the HTTP cache revalidates: fewer bytes
      // than the first time. (A headless context's memory cache may not keep the largest.)
      const bytes = async (list: Response[]) => {
        let n = 0;
        for (const r of list) n += Math.max(0, (await r.request().sizes()).responseBodySize);
        return n;
      };
      expect(await bytes(second)).toBeLessThan(await bytes(first));
      expect(await first[0]!.headerValue('etag')).toBeTruthy();
    }
  });
});
