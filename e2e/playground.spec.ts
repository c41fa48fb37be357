// The playground page end to end: terminal on bash through sb.pty, the live file panel,
// snapshots, export/import, and screenshots at desktop and phone widths.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { urls } from './ports';
import { hasShell, open, shoot, termText, typeLine, waitForPrompt, waitIsolated } from './playground-helpers';

test('without a shell binary the status line says so', async ({ page }) => {
  test.skip(hasShell, 'public/wasm/manifest.json has a shell');
  await open(page);
  await expect(page.locator('#status')).toContainText('NOT_FOUND');
});

test.describe('with bash', () => {
  test.skip(!hasShell, 'public/wasm/manifest.json has no `sh` command yet (bash is being built)');

  test('terminal, live files, Ctrl-C, snapshots, export and import', async ({ page, blocked }, testInfo) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await expect(page.locator('#caps')).toContainText('cross-origin isolated');
    await waitForPrompt(page);

    // The terminal has focus after load; keys go to bash.
    await page.locator('#terminal').click();

    // Ctrl-C interrupts the foreground job, not the shell.
    const before = await waitForPrompt(page);
    await typeLine(page, 'sleep 100');
    await page.waitForTimeout(500);
    await page.keyboard.press('Control+C');
    await waitForPrompt(page, before + 1);

    // Unicode round trip through the pty.
    await typeLine(page, 'echo "héllo wörld ✓"');
    // Once in the echoed command, once as output. (Where: the prompt, on stderr, can
    // interleave with stdout, as the pty keeps two streams.)
    await expect.poll(async () => (await termText(page)).split('héllo wörld ✓').length - 1).toBe(2);

    // What the shell writes shows up in the file panel (files.watch).
    await typeLine(page, 'echo hello > a.txt && ls');
    const file = page.locator('#files .entry.file', { hasText: 'a.txt' });
    await expect(file).toBeVisible();

    // The editor shows the file the shell wrote.
    await file.click();
    await expect(page.locator('#files textarea')).toHaveValue('hello\n');
    await shoot(page, testInfo, 'desktop-1280');

    // Download from the editor; upload through the picker lands in /home/user.
    const [fileDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#files button:has-text("Download")'),
    ]);
    expect(fileDownload.suggestedFilename()).toBe('a.txt');
    await page
      .locator('[data-testid=upload-input]')
      .setInputFiles({ name: 'up.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded\n') });
    await expect(page.locator('#files .entry.file', { hasText: 'up.txt' })).toBeVisible();
    await page.locator('#terminal').click();
    await typeLine(page, 'read -r line < up.txt; echo "got:$line"');
    await expect.poll(() => termText(page)).toContain('got:uploaded');

    // Snapshot, delete the file, see it gone, restore, see it back.
    await page.fill('#snapshot-name', 'with a.txt');
    await page.click('#state button:has-text("Snapshot")');
    await expect(page.locator('#state .snapshots li', { hasText: 'with a.txt' })).toBeVisible();
    await page.click('#files button:has-text("Delete")');
    await expect(file).toHaveCount(0);
    await page.click('#state button[aria-label="Diff with a.txt"]');
    await expect(page.locator('#state .diff')).toContainText('a.txt');
    await page.click('#state button[aria-label="Restore with a.txt"]');
    await expect(file).toBeVisible();

    // Export, reload (memory: a fresh sandbox without a.txt), import, a.txt is back.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#state button:has-text("Export")'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.sandpit$/);
    const saved = testInfo.outputPath('state.sandpit');
    await download.saveAs(saved);
    await page.reload();
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await expect(page.locator('#files .entry.file', { hasText: 'a.txt' })).toHaveCount(0);
    await page.locator('#state input[type=file]').setInputFiles(saved);
    await expect(page.locator('#files .entry.file', { hasText: 'a.txt' })).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('#state .snapshots li', { hasText: 'with a.txt' })).toBeVisible();
    await waitForPrompt(page);
    await typeLine(page, 'cat a.txt');
    await expect.poll(() => termText(page)).toMatch(/cat a\.txt\n[^\n]*hello/);
    expect(blocked).toEqual([]);
  });

  test('ls after a redirection prints in the terminal', async ({ page }) => {
    // Regression: a builtin redirection (`echo x > f`) once left the shell's later children
    // without stdout (exit 71); fixed in compat's dup2 (wasm/compat).
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await typeLine(page, 'echo hello > a.txt && ls');
    await expect.poll(() => termText(page), { timeout: 10_000 }).toMatch(/ls\n(.*\s)?a\.txt/);
  });

  test('narrow screen: usable at 375 px, keyboard focus moves between panes', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await open(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await waitForPrompt(page);
    const cols = await page.evaluate(() => (globalThis as any).__sandpitTerm.cols);
    expect(cols).toBeGreaterThan(20);
    expect(cols).toBeLessThan(60);
    // No horizontal scrolling of the page itself.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // bash starts with the fitted width, so readline wraps where the screen does.
    await typeLine(page, 'echo cols=$COLUMNS');
    await expect.poll(() => termText(page)).toContain(`cols=${cols}`);
    await page.keyboard.press('F6');
    await expect(page.locator('#files')).toBeFocused();
    await shoot(page, testInfo, 'phone-375');
  });

  test('a shell that exits offers a restart', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    await typeLine(page, 'exit 3');
    await expect(page.locator('#restart')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => termText(page)).toContain('shell exited with code 3');
    await page.keyboard.press('Enter');
    await expect(page.locator('#restart')).toBeHidden();
    await waitForPrompt(page);
  });

  /** Narrows the window until the terminal refits; returns the new size. */
  async function narrow(page: Page): Promise<{ cols: number; rows: number }> {
    const size = () =>
      page.evaluate(() => ({
        cols: (globalThis as any).__sandpitTerm.cols as number,
        rows: (globalThis as any).__sandpitTerm.rows as number,
      }));
    const before = await size();
    await page.setViewportSize({ width: 1000, height: 560 });
    await expect.poll(async () => (await size()).cols).not.toBe(before.cols);
    const after = await size();
    await expect(page.locator('#terminal-info')).toHaveText(`bash · ${after.cols}×${after.rows}`);
    return after;
  }

  test('a resized window reaches the pty: stty size in the shell shows the new size', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    const { cols, rows } = await narrow(page);
    // A program started after the resize asks the terminal (TIOCGWINSZ through compat's ioctl).
    // (Spaces may follow the command: readline clears the line with them when it redraws.)
    await typeLine(page, 'stty size');
    await expect.poll(() => termText(page)).toMatch(new RegExp(`stty size *\\n${rows} ${cols}\\n`));
  });

  test("a resized window reaches bash's $COLUMNS before the next line runs", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page);
    await waitForPrompt(page);
    await page.locator('#terminal').click();
    const { cols } = await narrow(page);
    await typeLine(page, 'echo cols=$COLUMNS');
    await expect.poll(() => termText(page), { timeout: 10_000 }).toContain(`cols=${cols}\n`);
  });

  test('dark and light themes follow the toggle', async ({ page }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page);
    await waitForPrompt(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shoot(page, testInfo, 'light-1280');
    await page.click('#theme-toggle');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  });
});

test.describe('with bash, storage and hosting', () => {
  test.skip(!hasShell, 'public/wasm/manifest.json has no `sh` command yet (bash is being built)');

  test('a persisted sandbox is reopened after a reload', async ({ page }) => {
    await open(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await page.selectOption('#persistence', 'indexeddb');
    await expect(page.locator('#notice')).toContainText('indexeddb', { timeout: 30_000 });
    const id = await page.locator('[data-testid=sandbox-id]').getAttribute('title');
    await page.click('#files button:has-text("New file")');
    await page.fill('#files input.path', '/home/user/kept.txt');
    await page.fill('#files textarea', 'still here\n');
    await page.click('#files button:has-text("Save")');
    await expect(page.locator('#files .entry.file', { hasText: 'kept.txt' })).toBeVisible();
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    await page.reload();
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await expect(page.locator('#persistence')).toHaveValue('indexeddb');
    await expect(page.locator('[data-testid=sandbox-id]')).toHaveAttribute('title', id!);
    await expect(page.locator('#files .entry.file', { hasText: 'kept.txt' })).toBeVisible();
    // Reset drops it (two presses: the first arms the button).
    await page.click('#state button:has-text("Reset")');
    await page.click('#state button:has-text("Confirm reset")');
    await expect(page.locator('#notice')).toContainText('fresh sandbox', { timeout: 30_000 });
    await expect(page.locator('#files .entry.file', { hasText: 'kept.txt' })).toHaveCount(0);
    await expect(page.locator('[data-testid=sandbox-id]')).not.toHaveAttribute('title', id!);
  });

  test('a second tab attaches to the persisted sandbox of the first', async ({ page, context }) => {
    await open(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await page.selectOption('#persistence', 'indexeddb');
    await expect(page.locator('#notice')).toContainText('indexeddb', { timeout: 30_000 });
    const id = await page.locator('[data-testid=sandbox-id]').getAttribute('title');
    const second = await context.newPage();
    await open(second);
    await expect(second.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    await expect(second.locator('#notice')).toContainText('another tab');
    await expect(second.locator('[data-testid=sandbox-id]')).toHaveAttribute('title', id!);
    expect(await second.evaluate(() => localStorage.getItem('sandpit.lastId'))).toBe(id!.replace('Sandbox id ', ''));
    // One sandbox, two views: what the second tab's shell writes shows up in the first's files.
    await waitForPrompt(second);
    await second.locator('#terminal').click();
    await typeLine(second, 'echo from-two > two.txt');
    await expect(page.locator('#files .entry.file', { hasText: 'two.txt' })).toBeVisible({ timeout: 20_000 });
  });

  test('first load shows byte progress, then the capability line and the prompt', async ({ page }) => {
    await page.addInitScript(() => {
      const seen: string[] = ((globalThis as any).__statusSeen = []);
      new MutationObserver(() => {
        const t = document.querySelector('#status')?.textContent ?? '';
        if (seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await open(page);
    await waitForPrompt(page);
    const seen: string[] = await page.evaluate(() => (globalThis as any).__statusSeen);
    expect(seen.some((t) => /^Downloading binaries · [\d.]+ (B|KB|MB) \/ [\d.]+ MB$/.test(t))).toBe(true);
    expect(seen[seen.length - 1]).toBe('Ready');
    await expect(page.locator('#caps li')).toHaveCount(6);
    await expect(page.locator('#caps')).toContainText('✓ cross-origin isolated');
  });

  test('a large paste reaches the shell in order', async ({ page }) => {
    await open(page);
    await waitForPrompt(page);
    const n = 6000;
    await page.evaluate((count) => {
      const ta = document.querySelector<HTMLTextAreaElement>('#terminal textarea')!;
      const dt = new DataTransfer();
      dt.setData('text/plain', `echo ${'0123456789'.repeat(count / 10)} | wc -c\n`);
      ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, n);
    await expect.poll(() => termText(page), { timeout: 60_000 }).toMatch(new RegExp(`(^|\\D)${n + 1}(\\D|$)`));
  });

  test('without headers, ?sw installs the isolation service worker and the shell runs', async ({ page }) => {
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(urls.plain + '/?sw');
    await waitIsolated(page);
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/coi-sw\.js$/);
    await waitForPrompt(page);
    // Exactly one reload: the first load registers the worker, the second is isolated.
    expect(loads).toBe(2);
    // Later loads are controlled from the start: no second reload.
    await page.reload();
    await expect(page.locator('#status')).toHaveText('Ready', { timeout: 60_000 });
    expect(loads).toBe(3);
  });
});
