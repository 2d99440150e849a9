/**
 * The workspace page driven as a user would, in headless Chromium (Debian's, through playwright):
 * a small generated workspace (300 profiles) served by the real server (workspace/server) with the
 * page bundled as `npm start` bundles it (`<segment-builder>` from the built `./editor` entry).
 * Every wait is for a condition on the page, never for a time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';
import { bundlePage } from '../../scripts/workspace.mjs';
import { startWorkspace, type RunningWorkspace } from '../../workspace/server/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COUNT = 300;
const dir = mkdtempSync(join(tmpdir(), 'workspace-e2e-'));
let workspace: RunningWorkspace;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'editor', 'index.mjs'))) throw new Error('dist/editor/index.mjs is missing: run `npm run build` first (npm test does)');
  const publicDir = join(dir, 'public');
  await bundlePage(publicDir);
  workspace = await startWorkspace({ root: ROOT, dir, publicDir, count: COUNT, log: () => {} });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await workspace?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  problems = [];
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
});

afterEach(async () => {
  await page.context().close();
  // No script error and no CSP violation on any page of the workspace.
  expect(problems).toEqual([]);
});

async function open(hash = ''): Promise<void> {
  await page.goto(`${workspace.url}${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
}

/** The server's count of an expression (what the builder's count must show). */
async function apiCount(expression: string): Promise<number> {
  const response = await fetch(`${workspace.url}api/count`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expression }) });
  return ((await response.json()) as { count: number }).count;
}

/**
 * How long a condition may take to become true before the test fails: generous, because the machine
 * running the suite may be busy (the builder debounces its count, the server counts in SQLite).
 */
const UNTIL = { timeout: 30_000, interval: 50 };

const row = (name: string) => page.locator(`tr[data-segment="${name}"]`);

describe('the segments list', () => {
  it('shows every seed segment with its reach, when it was computed, and what uses it', async () => {
    await open();
    await expect.poll(() => page.locator('tbody tr').count(), UNTIL).toBe(22);
    const vip = row('VIP Arabic Speakers');
    await expect.poll(() => vip.locator('.reach').textContent(), UNTIL).toMatch(/^\d[\d,]*$/);
    expect(await vip.textContent()).toMatch(/computed .*(now|seconds?|minutes?) ago|computed now/);
    expect(await vip.locator('.usage').textContent()).toBe('1 campaign');
    expect(await row('Inactive 30+ Days').locator('.usage').textContent()).toBe('1 automation');
  });
});

describe('create a segment with the builder', () => {
  it('shows the live count as the segment changes, then saves it and lists it with that reach', async () => {
    await open('#/new');
    await page.getByLabel('Name', { exact: true }).fill('E2E clickers');
    const builder = page.locator('segment-builder');
    await builder.locator('textarea[part="text-input"]').fill('clicks_count > 0');
    const count = builder.locator('[part="count"]');
    const first = await apiCount('clicks_count > 0');
    await expect.poll(() => count.textContent(), UNTIL).toBe(`≈ ${first.toLocaleString('en-US')} customers`);
    // The visual view follows the text: one condition row whose value is 0. Change it there.
    const value = builder.locator('[part~="condition"] [part~="value-input"]');
    await expect.poll(() => value.inputValue(), UNTIL).toBe('0');
    await value.fill('5');
    const second = await apiCount('clicks_count > 5');
    expect(second).toBeLessThan(first);
    await expect.poll(() => count.textContent(), UNTIL).toBe(`≈ ${second.toLocaleString('en-US')} customers`);
    await expect.poll(() => builder.locator('textarea[part="text-input"]').inputValue(), UNTIL).toBe('clicks_count > 5');
    // The SQL and the first profiles follow the draft.
    await expect.poll(() => page.locator('pre.sql').textContent(), UNTIL).toContain('f_clicks_count');
    await expect.poll(() => page.locator('table.profiles tbody tr').count(), UNTIL).toBe(Math.min(50, second));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/$/);
    await expect.poll(() => page.getByRole('status').textContent(), UNTIL).toContain('Saved "E2E clickers"');
    await expect.poll(() => row('E2E clickers').locator('.reach').textContent(), UNTIL).toBe(second.toLocaleString('en-US'));
  });

  it('shows the core diagnostics in the builder and does not count an invalid draft', async () => {
    await open('#/new');
    const builder = page.locator('segment-builder');
    await builder.locator('textarea[part="text-input"]').fill('clicks_count > 0 and langauge = "ar"');
    await expect.poll(() => builder.locator('[part="count"]').textContent(), UNTIL).toBe('Fix the problems to see a count');
    await expect.poll(() => builder.getByText('unknown field `langauge`').count(), UNTIL).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.panel').first().textContent(), UNTIL).toContain('Fix the conditions to see the SQL and the profiles.');
  });
});

describe('export', () => {
  it('is refused for a marketer, then downloads the catalogue CSV for an admin (file name and columns)', async () => {
    await open();
    await row('Clickers').getByRole('button', { name: 'Export' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), UNTIL).toContain('only admins can export segments');
    // The user menu switches the role.
    await page.getByText('Signed in as Marketer').click();
    await page.getByRole('menuitemradio', { name: 'Admin' }).click();
    await expect.poll(() => page.getByText('Signed in as Admin').count(), UNTIL).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), row('Clickers').getByRole('button', { name: 'Export' }).click()]);
    const date = new Date().toISOString().slice(0, 10);
    expect(download.suggestedFilename()).toBe(`clickers_${date}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('Custom ID,Profile ID,Phone,Email');
    const reach = Number((await row('Clickers').locator('.reach').textContent())!.replace(/,/g, ''));
    expect(lines.length - 1).toBe(reach);
    await expect.poll(() => page.getByRole('status').textContent(), UNTIL).toContain(`Exported ${reach} profiles to clickers_${date}.csv`);
  });
});

describe('delete', () => {
  it('reads the refusal to delete a segment in use, and the segment stays', async () => {
    await open();
    page.once('dialog', (d) => void d.accept());
    await row('VIP Arabic Speakers').getByRole('button', { name: 'Delete' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), UNTIL).toContain('"VIP Arabic Speakers" cannot be deleted: it is used by segment "VIP Arabic Speakers Still Active" and campaign "ramadan-vip-offer" (running)');
    expect(await alert.textContent()).toContain('Hint: stop or detach the running campaigns and automations');
    expect(await row('VIP Arabic Speakers').count()).toBe(1);
    // Its page lists who uses it.
    await row('VIP Arabic Speakers').getByRole('link', { name: 'VIP Arabic Speakers' }).click();
    const usage = page.locator('.usage-list li');
    await expect.poll(() => usage.allTextContents(), UNTIL).toEqual(['Campaign "ramadan-vip-offer" (running)', 'Segment "VIP Arabic Speakers Still Active"']);
  });
});

describe('manual segment from a CSV upload', () => {
  it('reports the bad rows (nothing imported), then imports the good ones when asked to skip the others', async () => {
    await open('#/manual');
    await page.getByLabel('Name', { exact: true }).fill('Fair guests');
    const csv = 'Profile ID\np000001\np000002\nnobody-here\np000001\nghost-42\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'guests.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const failed = page.locator('.report.failed');
    await expect.poll(() => failed.textContent(), UNTIL).toContain('Nothing was imported');
    const lines = failed.locator('table.problems tbody tr');
    await expect.poll(() => lines.count(), UNTIL).toBe(2);
    expect(await lines.nth(0).textContent()).toMatch(/^4nobody-here.*no profile/);
    expect(await lines.nth(1).textContent()).toMatch(/^6ghost-42.*no profile/);
    await page.getByLabel('Import the rows that match and skip the others').check();
    await page.getByRole('button', { name: 'Upload' }).click();
    const report = page.locator('.report[role="status"]');
    await expect.poll(() => report.textContent(), UNTIL).toContain('2 added, 0 already members, 1 duplicate rows, 2 skipped (matched by profile_id in column "Profile ID")');
    expect(await report.locator('table.problems tbody tr').count()).toBe(2);
    await open();
    await expect.poll(() => row('Fair guests').locator('.reach').textContent(), UNTIL).toBe('2');
    expect(await row('Fair guests').textContent()).toContain('Manual');
  });
});

describe('Arabic and dark', () => {
  it('describes each segment in plain words in the page language, Arabic included', async () => {
    await open();
    const sentence = row('VIP Arabic Speakers').locator('.sentence');
    await expect.poll(() => sentence.textContent(), UNTIL).toMatch(/^Customers /);
    await page.getByLabel('Language').selectOption('ar');
    await expect.poll(() => sentence.textContent(), UNTIL).toMatch(/^العملاء /);
    expect(await sentence.textContent()).not.toMatch(/\b(Customers|whose|and)\b/);
    // Every dynamic segment has its sentence, in Arabic.
    const all = await page.locator('tbody tr .sentence').allTextContents();
    expect(all.length).toBeGreaterThan(15);
    expect(all.every((t) => t.startsWith('العملاء'))).toBe(true);
  });

  it('lays the page out right to left in Arabic, with the builder in Arabic, and switches to dark', async () => {
    await open('#/segments/Clickers');
    await page.getByLabel('Language').selectOption('ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir), UNTIL).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    await expect.poll(() => page.locator('segment-builder').getAttribute('locale'), UNTIL).toBe('ar');
    await expect.poll(() => page.locator('segment-builder [part="count"]').textContent(), UNTIL).toMatch(/عميل/);
    // The segment in plain words, in Arabic too.
    await expect.poll(() => page.locator('segment-builder [part="description"]').textContent(), UNTIL).toMatch(/^بالكلمات: العملاء /);
    await page.getByLabel('المظهر').selectOption('dark');
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), UNTIL).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(21, 23, 27)');
    // The choice is kept for the next visit.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => [document.documentElement.dir, document.documentElement.dataset.theme])).toEqual(['rtl', 'dark']);
  });
});
