/**
 * The built `./editor` entry on a page served with a strict Content-Security-Policy header (no
 * `unsafe-eval`, no `unsafe-inline` for scripts or styles), in Chromium: it renders, edits in both
 * views, and the browser reports no violation and no error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'editor', 'index.mjs');
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

const FILES: Record<string, () => [string, string]> = {
  '/': () => ['text/html', PAGE],
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
    const file = FILES[path];
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

describe('under a strict CSP', () => {
  it('renders and edits without a violation or an error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(origin);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await page.waitForSelector('body[data-ready="true"]');
    const rows = page.locator('segment-builder [role="row"][data-path]');
    await expect.poll(() => rows.count()).toBe(3);
    // The text view: a keystroke updates the visual view.
    const area = page.locator('segment-builder textarea');
    await area.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' and opt_out = false');
    await expect.poll(() => rows.count()).toBe(4);
    // The visual view: a click updates the text, and `change` reaches the page's script.
    await page.locator('segment-builder [role="row"][data-path="0"] [part~="delete-button"]').click();
    await expect.poll(() => page.locator('output').textContent()).toBe('tags contains "VIP" and opt_out = false');
    // Lit's adopted stylesheets apply (the builder is styled) and the page has no style of its own.
    const display = await page.locator('segment-builder [role="row"][data-path="0"] [role="gridcell"]').evaluate((e) => getComputedStyle(e).display);
    expect(display).toBe('flex');
    expect(problems).toEqual([]);
    await page.close();
  });
});
