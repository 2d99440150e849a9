/**
 * The built `./editor` entry and the built core entry on pages served with a strict
 * Content-Security-Policy header (no `unsafe-eval`, no `unsafe-inline` for scripts or styles), in
 * Chromium: the builder renders, edits in both views and shows a live count made with the core's
 * closures evaluator, with no violation and no error; and the whole conformance table selects the
 * same profiles there as in Node, on the closures and on the default evaluator (which falls back on
 * the closures by itself: its one refused try of `new Function` is the only violation reported).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';
import { compileSegment } from '../../core/engine';
import { cases, fixtureProfiles, fixtureSchema, NOW, segmentDefinitions } from '../conformance/cases';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'editor', 'index.mjs');
const DIST = join(ROOT, 'dist');
/** The fixture profiles as the page gets them (JSON: `Date` values become ISO-8601 text). */
const PROFILES = JSON.parse(JSON.stringify(fixtureProfiles)) as Record<string, unknown>[];
const TABLE = cases.map((c) => ({ name: c.name, expression: c.expression, now: c.now ?? NOW, timeZone: c.timeZone }));
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'";

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Segment builder under a strict CSP</title><script type="module" src="/page.mjs"></script></head>
  <body>
    <main>
      <form><segment-builder name="segment" view="both" value='country = "OM" and tags contains "VIP"'></segment-builder></form>
      <output></output>
    </main>
  </body>
</html>`;

const CONFORMANCE_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Conformance table under a strict CSP</title><script type="module" src="/conformance.mjs"></script></head>
  <body></body>
</html>`;

const FILES: Record<string, () => [string, string]> = {
  '/': () => ['text/html', PAGE],
  '/conformance': () => ['text/html', CONFORMANCE_PAGE],
  '/conformance.mjs': () => ['text/javascript', readFileSync(join(ROOT, 'test', 'editor-component', 'csp', 'conformance.mjs'), 'utf8')],
  '/conformance.json': () => ['application/json', JSON.stringify({ schema: fixtureSchema, segments: segmentDefinitions, profiles: PROFILES, cases: TABLE })],
  '/profiles.json': () => ['application/json', JSON.stringify(PROFILES)],
  '/editor.mjs': () => ['text/javascript', readFileSync(BUNDLE, 'utf8')],
  '/page.mjs': () => ['text/javascript', readFileSync(join(ROOT, 'test', 'editor-component', 'csp', 'page.mjs'), 'utf8')],
  '/schema.json': () => ['application/json', readFileSync(join(ROOT, 'sample', 'schema.json'), 'utf8')],
};

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/editor/index.mjs is missing: run `npm run build` first (npm test does)');
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    // The built core entry and its chunks, as a host serves `dist/`.
    const built = path.startsWith('/dist/') ? normalize(join(ROOT, decodeURIComponent(path))) : undefined;
    const file = built !== undefined && built.startsWith(DIST + sep) && built.endsWith('.mjs') && existsSync(built) ? (): [string, string] => ['text/javascript', readFileSync(built, 'utf8')] : FILES[path];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const [type, body] = file();
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-security-policy': CSP }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** A page that records console errors, page errors and CSP violations (as console errors). */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, problems };
}

describe('under a strict CSP', () => {
  it('renders, edits and counts live without a violation or an error', async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(origin);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await page.waitForSelector('body[data-ready="true"]');
    const rows = page.locator('segment-builder [role="row"][data-path]');
    await expect.poll(() => rows.count()).toBe(3);
    // The live count, by the core's closures evaluator in the page, is the engine's count in Node.
    const live = (text: string) => `≈ ${compileSegment(text, { schema: fixtureSchema }).count(PROFILES)} customers`;
    const counted = page.locator('segment-builder [part="count"]');
    expect(live('country = "OM" and tags contains "VIP"')).not.toBe('≈ 0 customers');
    await expect.poll(() => counted.textContent()).toBe(live('country = "OM" and tags contains "VIP"'));
    // The text view: a keystroke updates the visual view.
    const area = page.locator('segment-builder textarea');
    await area.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' and opt_out = false');
    await expect.poll(() => rows.count()).toBe(4);
    // The visual view: a click updates the text, and `change` reaches the page's script.
    await page.locator('segment-builder [role="row"][data-path="0"] [part~="delete-button"]').click();
    await expect.poll(() => page.locator('output').textContent()).toBe('tags contains "VIP" and opt_out = false');
    await expect.poll(() => counted.textContent()).toBe(live('tags contains "VIP" and opt_out = false'));
    // Lit's adopted stylesheets apply (the builder is styled) and the page has no style of its own.
    const display = await page.locator('segment-builder [role="row"][data-path="0"] [role="gridcell"]').evaluate((e) => getComputedStyle(e).display);
    expect(display).toBe('flex');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('selects what Node selects on the whole conformance table, on the closures and on the default evaluator', async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(`${origin}/conformance`);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const results = (await page.evaluate(() => (window as unknown as { results: Record<string, Record<string, unknown>> }).results)) as Record<'closures' | 'auto', Record<string, unknown>>;
    const expected: Record<string, string[]> = {};
    for (const c of TABLE) {
      expected[c.name] = compileSegment(c.expression, { schema: fixtureSchema, segments: segmentDefinitions, now: c.now, timeZone: c.timeZone }).filter(PROFILES).map((p) => String(p.id)).sort();
    }
    // Where the JSON copy of the fixture changes nothing, Node's answer is the table's own.
    const table = new Map(cases.map((c) => [c.name, c.expected]));
    expect(TABLE.filter((c) => JSON.stringify(expected[c.name]) === JSON.stringify(table.get(c.name))).length).toBeGreaterThan(TABLE.length * 0.9);
    expect(results.closures).toEqual(expected);
    expect(results.auto).toEqual(expected);
    // The default evaluator tried `new Function` once (the browser reports that refused try), then used the closures.
    expect(problems.filter((p) => p.includes('CSP violation'))).toEqual(['console: CSP violation: script-src eval']);
    expect(problems.filter((p) => !p.includes('CSP violation') && !p.includes("'unsafe-eval'"))).toEqual([]);
    await page.close();
  });
});
