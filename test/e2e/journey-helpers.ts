import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from './build-renderer';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const VIEWPORTS = [
  { name: '1024x700', width: 1024, height: 700 },
  { name: '1400x900', width: 1400, height: 900 },
] as const;

export const SHOTS = path.join(repoRoot, 'test-results/e2e');

export async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.MEDBENCH_UPDATE_SCREENSHOTS === '1') fs.copyFileSync(file, path.join(repoRoot, 'docs/screenshots', `${name}.png`));
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core on the page as it is: the critical and serious violations, as readable lines. The
 * script goes in through the DevTools protocol (page.evaluate), not a <script> tag, so the page's
 * Content-Security-Policy stays as strict as it ships.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Strings, not functions: this file is type-checked without the DOM library.
  const loaded = (await page.evaluate("typeof window.axe !== 'undefined'")) as boolean;
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** playwright-core has no assertion library: wait until a locator matches exactly `count` elements. */
export async function waitForCount(locator: Locator, count: number, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} elements for ${locator}, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `check` holds (polling), else fails with `what`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Whether the element's box lies inside the viewport; with `horizontal`, only across (for things
 * further down a page, where the question is whether they are cut off at the right edge).
 */
export async function onScreen(locator: Locator, { horizontal = false } = {}): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = locator.page().viewportSize();
  if (!box || !size) return false;
  const across = box.x >= 0 && box.x + box.width <= size.width + 0.5;
  return horizontal ? across : across && box.y >= 0 && box.y + box.height <= size.height + 0.5;
}
