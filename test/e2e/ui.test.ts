import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer, demoFiles, repoRoot } from './build-renderer';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable, startServe, type ServeProcess } from './helpers';

/**
 * The whole UI in Debian's Chromium against `medbench serve` on a fresh database: import the demo
 * set, run the baseline twice, browse, filter, open a pair with both kinds of evidence, read the
 * metrics and compare the runs. Screenshots go to test-results/ (and to docs/screenshots/ with
 * MEDBENCH_UPDATE_SCREENSHOTS=1, for the README).
 */
if (!chromiumAvailable) console.warn(`UI end-to-end tests skipped: ${CHROMIUM} is missing (install it with: apt-get install chromium)`);

describe.skipIf(!chromiumAvailable)('the UI in Chromium against medbench serve', () => {
  let work: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  const shots = path.join(repoRoot, 'test-results/e2e');

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-e2e-'));
    const rendererDir = path.join(work, 'renderer');
    await buildRenderer(rendererDir);
    serve = await startServe({ db: path.join(work, 'e2e.db'), rendererDir, home: path.join(work, 'home') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!(url.protocol === 'data:' || (url.protocol === 'http:' && url.host === new URL(serve.origin).host))) foreignRequests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const shoot = async (name: string) => {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file });
    if (process.env.MEDBENCH_UPDATE_SCREENSHOTS === '1') fs.copyFileSync(file, path.join(repoRoot, 'docs/screenshots', `${name}.png`));
  };

  it('imports, runs, browses, highlights, scores and compares', async () => {
    // The token in the address becomes a cookie, and the address bar loses it.
    await page.goto(serve.url);
    expect(page.url()).not.toContain('token=');
    await page.getByText('No dataset imported yet').waitFor();

    await page.locator('input[name=annotations]').fill(demoFiles.annotations);
    await page.locator('input[name=notes]').fill(demoFiles.notes);
    await page.locator('input[name=dataset]').fill('demo');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported demo: 74 pairs' }).waitFor();
    await waitForCount(page.getByRole('table', { name: 'Datasets' }).getByRole('row'), 2);
    await shoot('datasets');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/Run baseline finished after/).waitFor({ timeout: 60_000 });
    await page.locator('input[name=name]').fill('baseline-first-30');
    await page.locator('input[name=limit]').fill('30');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/Run baseline-first-30 finished after/).waitFor({ timeout: 60_000 });
    await page.locator('tr[data-run="baseline-first-30"]').filter({ hasText: '30/30' }).waitFor();
    await shoot('runs');

    // Pairs, filtered to the baseline's false negatives.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Pairs' }).click();
    await page.locator('select[name=run]').selectOption('baseline');
    await page.locator('select[name=outcome]').selectOption('fn');
    await page.getByText(/^\d+ of 74 pairs$/).waitFor();
    const fnRows = page.locator('.pairs-scroll [role=row]');
    await fnRows.first().waitFor();
    const fnOutcomes = await page.locator('.pairs-scroll .badge.outcome-fn').count();
    expect(fnOutcomes).toBe(await fnRows.count());
    expect(await page.locator('.pairs-scroll .badge.outcome-tp, .pairs-scroll .badge.outcome-tn, .pairs-scroll .badge.outcome-fp').count()).toBe(0);
    await shoot('pairs-fn');

    // A true positive whose predicted evidence overlaps gold shows all three highlight styles.
    await page.locator('select[name=outcome]').selectOption('tp');
    await page.getByText(/^\d+ of 74 pairs$/).waitFor();
    const tpCount = await page.locator('.pairs-scroll [role=row]').count();
    let found = false;
    for (let i = 0; i < tpCount && !found; i++) {
      await page.locator('[data-testid=pairs-scroll]').focus();
      for (let step = 0; step < i; step++) await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=note-text]').waitFor();
      const gold = await page.locator('[data-testid=note-text] mark[data-evidence=gold]').count();
      const pred = await page.locator('[data-testid=note-text] mark[data-evidence=pred]').count();
      const both = await page.locator('[data-testid=note-text] mark[data-evidence=both]').count();
      found = both > 0 && gold + pred > 0;
      if (!found) await page.goBack();
    }
    expect(found).toBe(true);
    await waitForCount(page.locator('.prediction'), 2);
    await page.locator('.jumps .jump').first().click();
    await page.waitForTimeout(1300); // let the jump's flash fade before the screenshot
    await shoot('pair-detail');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Metrics' }).click();
    await page.locator('select[name=run]').selectOption('baseline');
    await page.locator('[data-metric=F1] .card-value').waitFor();
    await page.locator('.confusion').filter({ hasText: 'TP' }).waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await shoot('metrics');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Compare' }).click();
    await page.locator('select[name=run-a]').selectOption('baseline');
    await page.locator('select[name=run-b]').selectOption('baseline-first-30');
    await page.getByTestId('mcnemar-p').waitFor();
    await page.getByTestId('comparison').filter({ hasText: 'Over the 30 pairs both runs planned' }).waitFor();
    await shoot('compare');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Models' }).click();
    await page.getByText('No model registered').waitFor();

    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 110_000);
});

/** playwright-core has no assertion library: wait until a locator matches exactly `count` elements. */
async function waitForCount(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} elements for ${locator}, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
