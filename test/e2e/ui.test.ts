import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildRenderer, demoFiles } from './build-renderer';
import { readCsvText } from '../helpers/csv-reader';
import { startStandin, type Standin } from '../helpers/openai-standin';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable, startServe, type ServeProcess } from './helpers';
import { axeViolations, onScreen, shoot, SHOTS, VIEWPORTS, waitForCount, waitUntil } from './journey-helpers';

/**
 * The researcher's journeys in Debian's Chromium against `medbench serve` on a fresh database,
 * at 1024x700 and 1400x900: import the demo set, run, find a run's false negatives, open one, step
 * through ten with keys, compare three runs, export a submission, write a report. One server and
 * one browser for the whole file; every view gets an axe-core check (no critical or serious
 * violation) and a screenshot in test-results/e2e/ (and docs/screenshots/ with
 * MEDBENCH_UPDATE_SCREENSHOTS=1); any console error fails the suite.
 */
if (!chromiumAvailable) console.warn(`UI end-to-end tests skipped: ${CHROMIUM} is missing (install it with: apt-get install chromium)`);

describe.skipIf(!chromiumAvailable)('the UI in Chromium against medbench serve', () => {
  let work: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let standin: Standin;
  /** The serve process's home folder: where `~/...` typed in the UI leads. */
  let userHome: string;
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  const axeProblems: string[] = [];
  /** JS bytes (before gzip) the first page load fetched. */
  const firstViewScripts: { url: string; bytes: number }[] = [];

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-e2e-'));
    const rendererDir = path.join(work, 'renderer');
    await buildRenderer(rendererDir);
    userHome = path.join(work, 'user-home');
    fs.mkdirSync(userHome);
    serve = await startServe({ db: path.join(work, 'e2e.db'), rendererDir, home: path.join(work, 'home'), userHome });
    // A stand-in OpenAI-compatible server on loopback: a third, model-like run that is slow enough to cancel.
    standin = await startStandin({ flavor: 'vllm', latencyMs: 250, slots: 1 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!(url.protocol === 'data:' || (url.protocol === 'http:' && url.host === new URL(serve.origin).host))) foreignRequests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  // Each test reports its own views' axe problems (one view's problem does not fail every later test).
  beforeEach(() => {
    axeProblems.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await standin?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** axe on the view as it shows now; problems are collected and asserted at the end of each test. */
  const audit = async (view: string) => {
    for (const problem of await axeViolations(page)) axeProblems.push(`${view} @ ${page.viewportSize()?.width}: ${problem}`);
    // Errors and warnings shown in the UI speak the UI, not the CLI (no flags, no commands to type).
    for (const text of await page.locator('.error-box, [role=alert], .warnings, .path-check').allTextContents()) {
      if (/(^|\s)--[a-z]|medbench [a-z]/.test(text)) axeProblems.push(`${view}: CLI words in the UI: ${text}`);
    }
  };
  const section = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  const title = async (expected: RegExp) => waitUntil(`title ${expected}`, async () => expected.test(await page.title()));

  it('loads the first view with less than 600 kB of minified JS, charts left for later', async () => {
    const onResponse = async (response: Response) => {
      if (response.request().resourceType() !== 'script') return;
      firstViewScripts.push({ url: response.url(), bytes: (await response.body()).length });
    };
    page.on('response', onResponse);
    // The token in the address becomes a cookie, and the address bar loses it.
    await page.goto(serve.url, { waitUntil: 'networkidle' });
    page.off('response', onResponse);
    expect(page.url()).not.toContain('token=');
    await page.getByText('No dataset imported yet').waitFor();
    const total = firstViewScripts.reduce((sum, s) => sum + s.bytes, 0);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, 'first-view-js.json'), `${JSON.stringify({ bytes: total, files: firstViewScripts }, null, 2)}\n`);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(600_000);
    // Code-split: the Metrics chunk (with recharts) is not part of the first view.
    expect(firstViewScripts.map((s) => path.basename(new URL(s.url).pathname)).filter((name) => /Metrics|recharts/i.test(name))).toEqual([]);
    // Minified: a production bundle has long lines, not one statement per line.
    const main = firstViewScripts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const text = await (await page.request.get(main.url)).text();
    expect(text.length / text.split('\n').length).toBeGreaterThan(1000);
    await title(/^Datasets · MedBench Local$/);
    // A browser tab has no file dialog: no Choose… button that can only fail, a typed path instead.
    expect(await page.getByRole('button', { name: 'Choose…' }).count()).toBe(0);
    await page.getByTestId('annotations-check').filter({ hasText: '~ is your home folder' }).waitFor();
    await audit('datasets (empty)');
    expect(axeProblems).toEqual([]);
  });

  it('imports the demo set and runs the baseline twice', async () => {
    await page.locator('input[name=annotations]').fill(demoFiles.annotations);
    await page.locator('input[name=notes]').fill(demoFiles.notes);
    await page.locator('input[name=dataset]').fill('demo');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported demo: 74 pairs' }).waitFor();
    await waitForCount(page.getByRole('table', { name: 'Datasets' }).getByRole('row'), 2);
    await shoot(page, 'datasets');
    await audit('datasets');

    await section('Runs').click();
    await title(/^Runs · /);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/Run baseline finished after/).waitFor({ timeout: 60_000 });
    await page.locator('input[name=name]').fill('baseline-first-30');
    await page.locator('input[name=limit]').fill('30');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/Run baseline-first-30 finished after/).waitFor({ timeout: 60_000 });
    await page.locator('tr[data-run="baseline-first-30"]').filter({ hasText: '30/30' }).waitFor();
    await shoot(page, 'runs');
    await audit('runs');
    expect(axeProblems).toEqual([]);
  }, 120_000);

  for (const viewport of VIEWPORTS) {
    it(`finds the baseline's wrong answers, opens one and steps through ten with keys (${viewport.name})`, async () => {
      await page.setViewportSize(viewport);
      await section('Pairs').click();
      await title(/^Pairs · /);
      await page.locator('select[name=run]').selectOption('baseline');
      await page.locator('select[name=outcome]').selectOption('wrong');
      // The previous list's "74 of 74 pairs" stays on screen until the filtered one arrives: wait for fewer.
      const shownOf74 = async () => Number(/^(\d+) of 74 pairs$/.exec((await page.getByRole('status').first().textContent()) ?? '')?.[1] ?? 74);
      await waitUntil('wrong filter applied', async () => page.url().includes('outcome=wrong') && (await shownOf74()) < 74);
      const rows = page.locator('.pairs-scroll [role=row]');
      await rows.first().waitFor();
      const wrong = await shownOf74();
      expect(wrong).toBeGreaterThanOrEqual(11);
      expect(await page.locator('.pairs-scroll .badge.outcome-tp, .pairs-scroll .badge.outcome-tn').count()).toBe(0);
      // The outcome column is on screen at this width.
      expect(await onScreen(page.locator('.pairs-scroll .badge.outcome-fn, .pairs-scroll .badge.outcome-fp').first())).toBe(true);
      await shoot(page, `pairs-wrong-${viewport.name}`);
      await audit('pairs');

      // "Gold evidence missed": exactly the rows flagged so, among the wrong answers.
      await page.locator('input[name=missed]').check();
      await waitUntil('missed filter applied', async () => /^\d+ of 74 pairs$/.test((await page.getByRole('status').first().textContent()) ?? '') && page.url().includes('missed=1'));
      await rows.first().waitFor();
      expect(await page.locator('.pairs-scroll .missed-flag').count()).toBe(await rows.count());
      await page.locator('input[name=missed]').uncheck();
      await waitUntil('missed filter cleared', async () => !page.url().includes('missed=1'));
      await page.getByText(`${wrong} of 74 pairs`).waitFor();

      // j/k work at once, without tabbing into the list; / goes to the search box.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      await waitUntil('second row selected', async () => (await rows.nth(1).getAttribute('aria-selected')) === 'true');
      const secondId = await rows.nth(1).getAttribute('data-pair-id');
      await page.keyboard.press('/');
      expect(await page.evaluate('document.activeElement && document.activeElement.name')).toBe('search');
      await page.keyboard.press('Escape');
      // The selection reaches the URL, so Back from the pair comes back to it.
      await waitUntil('selection in the URL', async () => page.url().includes(`sel=${secondId}`));
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=note-text]').waitFor();
      await title(/ · MedBench Local$/);
      expect(await page.title()).not.toMatch(/^Pairs/);
      await page.getByTestId('pair-position').filter({ hasText: `Pair 2 of ${wrong}: wrong answers of baseline` }).waitFor();

      // The answers sit beside the note, on screen; the first evidence is scrolled to and flashed.
      const note = page.locator('[data-testid=note-text]');
      const card = page.locator('.prediction[data-run=baseline]');
      await card.waitFor();
      const noteBox = (await note.boundingBox())!;
      const cardBox = (await card.boundingBox())!;
      expect(cardBox.x).toBeGreaterThan(noteBox.x + noteBox.width - 1);
      expect(cardBox.y).toBeLessThan(viewport.height);
      await checkFirstEvidenceInView(page);
      await shoot(page, `pair-detail-${viewport.name}`);
      await audit('pair');

      // Ten steps with j: each lands on the next pair of the same filter.
      const seen = new Set<string>();
      for (let step = 0; step < 10; step++) {
        const before = page.url();
        await page.keyboard.press('j');
        await waitUntil('the next pair', async () => page.url() !== before);
        await page.getByTestId('pair-position').filter({ hasText: `Pair ${step + 3} of ${wrong}:` }).waitFor();
        await page.locator('.prediction[data-run=baseline] .badge.outcome-fn, .prediction[data-run=baseline] .badge.outcome-fp').first().waitFor();
        seen.add(page.url());
      }
      expect(seen.size).toBe(10);
      await page.keyboard.press('k');
      await page.getByTestId('pair-position').filter({ hasText: `Pair 11 of ${wrong}:` }).waitFor();

      // Back to the list: filter, selection and scroll as they were, plus the pair we stood on.
      await page.keyboard.press('u');
      await page.locator('select[name=outcome]').waitFor();
      expect(await page.locator('select[name=outcome]').inputValue()).toBe('wrong');
      await waitUntil('the last pair selected', async () => (await page.locator('.pairs-scroll [role=row][aria-selected=true]').count()) === 1);
      expect(await onScreen(page.locator('.pairs-scroll [role=row][aria-selected=true]'))).toBe(true);

      // Search text reaches the URL and survives a trip to a pair and Back.
      await page.locator('input[name=search]').fill('I');
      await waitUntil('search in the URL', async () => page.url().includes('search=I'));
      await rows.first().waitFor();
      await rows.first().locator('a').click();
      await page.locator('[data-testid=note-text]').waitFor();
      await page.goBack();
      await page.locator('input[name=search]').waitFor();
      expect(await page.locator('input[name=search]').inputValue()).toBe('I');
      expect(await page.locator('select[name=outcome]').inputValue()).toBe('wrong');
      expect(axeProblems).toEqual([]);
    }, 90_000);
  }

  it('offers every run option under the CLI names, checks prompt placeholders, cancels and resumes without a reload', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await section('Runs').click();
    const form = page.getByRole('form', { name: 'Start a run' });
    // The GGUF backend's own options come from the core's backend registry.
    await form.locator('select[name=backend]').selectOption('gguf');
    for (const option of ['gpu', 'gpu-layers', 'context-size', 'threads', 'batch-size', 'votes', 'seed', 'limit', 'labels', 'temperature', 'max-tokens', 'strategy', 'prompt']) {
      expect(await form.locator(`[name="${option}"]`).count(), option).toBe(1);
    }
    await form.locator('select[name=backend]').selectOption('openai');
    await form.locator('input[name=model-name]').fill('standin-model');
    await form.locator('input[name=base-url]').fill(standin.url);
    // One request at a time: slow enough to cancel halfway.
    await form.locator('input[name=concurrency]').fill('1');
    await form.locator('input[name=name]').fill('server');
    await form.locator('input[name=limit]').fill('30');
    // An edited prompt without the note placeholder is refused before anything runs.
    const template = form.locator('textarea[name=prompt-text]');
    const original = await template.inputValue();
    expect(original).toContain('{{note}}');
    await template.fill(original.replaceAll('{{note}}', ''));
    await page.getByTestId('prompt-check').filter({ hasText: /note/ }).waitFor();
    expect(await form.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
    await form.getByRole('button', { name: "Back to the preset's text" }).click();
    expect(await form.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(false);
    await audit('runs (form)');

    await form.getByRole('button', { name: 'Start run' }).click();
    await page.getByTestId('progress-facts').filter({ hasText: /^[1-9]\d* \/ 30 pairs/ }).waitFor({ timeout: 30_000 });
    await shoot(page, 'runs-progress-1024x700');
    await page.getByTestId('run-progress').getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('run-finished').filter({ hasText: 'Run server stopped' }).waitFor({ timeout: 30_000 });
    // One story on the page: no running panel, Start available, the row stopped with Resume.
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    await waitUntil('Start enabled', async () => !(await form.getByRole('button', { name: 'Start run' }).isDisabled()));
    const row = page.locator('tr[data-run=server]');
    await waitUntil('row stopped', async () => (await row.getAttribute('data-status')) === 'stopped');
    await shoot(page, 'runs-stopped-1024x700');
    // The row's actions are on screen at 1024 px.
    expect(await onScreen(row.getByRole('button', { name: 'Resume' }), { horizontal: true })).toBe(true);
    expect(await onScreen(row.getByRole('button', { name: 'Delete' }), { horizontal: true })).toBe(true);
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('run-finished').filter({ hasText: 'Run server finished' }).waitFor({ timeout: 60_000 });
    await waitUntil('row finished 30/30', async () => (await row.getAttribute('data-status')) === 'finished' && (await row.textContent())!.includes('30/30'));
    expect(axeProblems).toEqual([]);
  }, 120_000);

  it('imports predictions of another system, renames and deletes a run, warns about a degenerate run', async () => {
    // An "always True" system: the degenerate run the leaderboard must flag.
    const rows = readCsvText(fs.readFileSync(demoFiles.annotations, 'utf8'))
      .slice(1)
      .filter((cells) => cells.length > 2)
      .map(([taskId, code]) => `${taskId},${code},True,[]`);
    fs.writeFileSync(path.join(userHome, 'always-true.csv'), `task_id,code,prediction,evidence\n${rows.join('\n')}\n`);
    await page.setViewportSize({ width: 1400, height: 900 });
    const form = page.getByRole('form', { name: 'Import predictions' });
    await form.locator('input[name=predictions-file]').fill('~/nope.csv');
    await page.getByTestId('predictions-file-check').filter({ hasText: /nope\.csv/ }).waitFor();
    expect(await form.locator('input[name=predictions-file]').getAttribute('aria-invalid')).toBe('true');
    await form.locator('input[name=predictions-file]').fill('~/always-true.csv');
    await page.getByTestId('predictions-file-check').filter({ hasText: `✓ ${path.join(userHome, 'always-true.csv')}` }).waitFor();
    await form.locator('input[name=predictions-name]').fill('yes-man');
    await form.getByRole('button', { name: 'Import predictions' }).click();
    await form.getByRole('status').filter({ hasText: 'as run yes-man' }).waitFor();
    const row = page.locator('tr[data-run=yes-man]');
    await row.waitFor();
    await row.locator('[data-warning=degenerate]').waitFor();

    // Rename, then delete a scratch run.
    await row.getByRole('button', { name: 'Rename' }).click();
    await page.locator('input[name=new-name]').fill('always-true');
    await page.getByRole('form', { name: 'Rename yes-man' }).getByRole('button', { name: 'Rename' }).click();
    await page.locator('tr[data-run=always-true]').waitFor();
    expect(await page.locator('tr[data-run=yes-man]').count()).toBe(0);
    await page.locator('tr[data-run=baseline-first-30]').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete baseline-first-30' }).click();
    await waitForCount(page.locator('tr[data-run=baseline-first-30]'), 0);
    await page.getByText(/Deleted run baseline-first-30/).waitFor();
    await audit('runs (after import)');

    await page.goto(`${serve.origin}/#/metrics?run=always-true`);
    await page.locator('[data-warning=degenerate]').first().waitFor();
    await page.getByTestId('references').locator('[data-reference=always-false]').waitFor();
    await page.getByTestId('mcc').waitFor();
    await title(/^Metrics: always-true · /);
    await shoot(page, 'metrics-degenerate');
    await audit('metrics');
    expect(axeProblems).toEqual([]);
  }, 60_000);

  for (const viewport of VIEWPORTS) {
    it(`compares three runs, opens a discordant pair and comes back to Compare (${viewport.name})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(`${serve.origin}/#/compare?runs=baseline,server,always-true`);
      await title(/^Compare: baseline vs server vs always-true · /);
      const board = page.getByTestId('leaderboard');
      await board.waitFor({ timeout: 30_000 });
      for (const run of ['baseline', 'server', 'always-true']) await board.locator(`tr[data-run="${run}"]`).waitFor();
      for (const reference of ['always-true', 'always-false']) await board.locator(`tr[data-reference="${reference}"]`).waitFor();
      await board.locator('tr[data-run="always-true"] [data-warning=degenerate]').waitFor();
      // server planned 30 pairs: the others are compared on those 30 only, and the page says so.
      await page.getByTestId('fewer-pairs').waitFor();
      await waitForCount(page.getByTestId('outcome-matrix').locator('tbody tr'), 30);
      await shoot(page, `compare-three-${viewport.name}`);
      await audit('compare');

      // A discordant cell lists exactly its pairs: baseline right and server wrong.
      const cell = page.getByTestId('discordant').locator('button[data-cell="baseline>server"]');
      const count = Number(await cell.textContent());
      await cell.click();
      await waitForCount(page.getByTestId('outcome-matrix').locator('tbody tr'), count);
      // Filter by outcome per run: always-true never answers False, so "TN" leaves nothing.
      await page.locator('select[name="filter-always-true"]').selectOption('tn');
      await page.getByText('No pair matches these filters.').waitFor();
      await page.locator('select[name="filter-always-true"]').selectOption('');
      if (count > 0) {
        const compareUrl = page.url();
        await page.getByTestId('outcome-matrix').locator('tbody tr').first().locator('a').first().click();
        await page.locator('[data-testid=note-text]').waitFor();
        await page.getByTestId('pair-position').filter({ hasText: `Pair 1 of ${count}: the Compare selection` }).waitFor();
        // The prompt the server run's model saw, and how its raw output was read.
        const serverCard = page.locator('.prediction[data-run=server]');
        await serverCard.getByText('Prompt, raw output and how it was read').click();
        const parse = serverCard.getByTestId('prompt-parse');
        await parse.locator('.prompt-text').waitFor();
        const code = (await page.locator('.pair-detail h1 .mono').textContent())!;
        expect(await parse.locator('.prompt-text').textContent()).toContain(code);
        await parse.locator('[data-parse=json]').waitFor();
        await parse.locator('mark.parsed-used').waitFor();
        await shoot(page, `pair-prompt-${viewport.name}`);
        await audit('pair (from compare)');
        await page.getByRole('link', { name: '← Compare' }).click();
        await page.getByTestId('leaderboard').waitFor();
        expect(page.url()).toBe(compareUrl);
      }

      // Two runs: swap in one click, and the "A right, B wrong" filter.
      await page.goto(`${serve.origin}/#/compare?runs=server,baseline`);
      await page.getByTestId('mcnemar-p').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: /Swap/ }).click();
      await waitUntil('swapped', async () => page.url().includes('runs=baseline%2Cserver') || page.url().includes('runs=baseline,server'));
      await page.getByTestId('mcnemar-p').waitFor({ timeout: 30_000 });
      const twoRunCount = Number(await page.getByTestId('discordant').locator('button[data-cell="baseline>server"]').textContent());
      await page.getByRole('button', { name: 'baseline right, server wrong' }).click();
      await waitForCount(page.getByTestId('outcome-matrix').locator('tbody tr'), twoRunCount);
      await shoot(page, `compare-two-${viewport.name}`);
      await audit('compare (two)');

      await page.goto(`${serve.origin}/#/compare?view=prompts`);
      await page.getByRole('heading', { name: 'Compare' }).waitFor();
      await audit('compare (prompts)');
      expect(axeProblems).toEqual([]);
    }, 90_000);
  }

  it('exports a submission and writes a report from the UI, into a ~ path the server checked', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await section('Runs').click();
    const row = page.locator('tr[data-run=server]');
    await row.getByRole('button', { name: 'Export…' }).click();
    const submission = page.getByRole('form', { name: 'Export the submission of server' });
    await submission.locator('input[name=submission-path]').fill('~/no-such-folder/x.zip');
    await page.getByTestId('submission-path-check').filter({ hasText: /no-such-folder/ }).waitFor();
    await submission.locator('input[name=submission-path]').fill('~/server-submission.zip');
    await page.getByTestId('submission-path-check').filter({ hasText: '✓' }).waitFor();
    await submission.getByRole('button', { name: 'Export submission' }).click();
    await page.getByTestId('submission-written').waitFor();
    const zip = fs.readFileSync(path.join(userHome, 'server-submission.zip'));
    expect(zip.subarray(0, 2).toString()).toBe('PK');

    const report = page.getByRole('form', { name: 'Write a report of server' });
    await report.locator('select[name=report-compare]').selectOption('baseline');
    await report.locator('input[name=report-path]').fill('~/server-report.html');
    await report.getByRole('button', { name: 'Write report' }).click();
    await page.getByTestId('report-written').waitFor({ timeout: 30_000 });
    const html = fs.readFileSync(path.join(userHome, 'server-report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('server');
    await shoot(page, 'runs-export-1024x700');
    await audit('runs (export)');

    // Every view once more at 1024x700, for the layout and axe.
    await section('Models').click();
    await page.getByText('No model registered').waitFor();
    await title(/^Models · /);
    await audit('models');
    await section('Datasets').click();
    await page.getByRole('table', { name: 'Datasets' }).waitFor();
    expect(await onScreen(page.getByRole('link', { name: 'Browse pairs' }), { horizontal: true })).toBe(true);
    await audit('datasets (1024)');
    expect(axeProblems).toEqual([]);
  }, 90_000);

  it('shows a clear message for a run that does not exist', async () => {
    await page.goto(`${serve.origin}/#/metrics?run=doesnotexist`);
    await page.getByText('No run named “doesnotexist”').waitFor();
    expect(await page.locator('[data-metric=F1]').count()).toBe(0);
    await audit('metrics (no such run)');
    expect(axeProblems).toEqual([]);
  });

  it('sent nothing anywhere and logged no console error', () => {
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

/** The pair view opened with the first gold (or predicted) evidence inside the note pane, flashing. */
async function checkFirstEvidenceInView(page: Page): Promise<void> {
  const first = page.locator('[data-testid=note-text] .sentence-gold, [data-testid=note-text] .sentence-pred').first();
  if ((await first.count()) === 0) return;
  await waitUntil('first evidence flashed', async () => (await page.locator('[data-testid=note-text] .sentence.flash').count()) > 0, 3000);
  const pane = (await page.locator('[data-testid=note-text]').boundingBox())!;
  const box = (await first.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(pane.y - 1);
  expect(box.y).toBeLessThan(pane.y + pane.height);
}
