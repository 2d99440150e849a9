#!/usr/bin/env node
/**
 * The README's n8n screenshot: starts the cached n8n (scripts/n8n-install.sh) on 127.0.0.1 with a
 * temporary user folder and the built package as a custom extension, sets up the owner through the
 * REST API, imports an example workflow (examples/suppression.json by default; `node
 * scripts/n8n-screenshot.mjs examples/segment-filter.json` for another), opens it in Debian's
 * headless Chromium, runs it with the editor's Execute button, waits until every node shows its run
 * (the item counts on the connections), and writes docs/images/n8n-workflow.png (`SHOT_OUT` for
 * another path). Every wait is for something on the page, never a fixed time; the page's console
 * and errors are printed when a wait fails.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = resolve(process.argv[2] ?? join(ROOT, 'examples/suppression.json'));
const out = resolve(process.env.SHOT_OUT ?? join(ROOT, 'docs/images/n8n-workflow.png'));
if (!existsSync(join(ROOT, 'dist/nodes/SegmentFilter/SegmentFilter.node.js'))) throw new Error('run `npm run build` first');
const n8nBin = execFileSync('bash', [join(ROOT, 'scripts/n8n-install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const cacheModules = resolve(dirname(n8nBin), '..');

const work = mkdtempSync(join(tmpdir(), 'n8n-shot-'));
const packageDir = join(work, 'custom', 'n8n-nodes-segments');
mkdirSync(join(work, 'custom', 'node_modules'), { recursive: true });
mkdirSync(join(work, 'home'));
cpSync(join(ROOT, 'dist'), join(packageDir, 'dist'), { recursive: true });
cpSync(join(ROOT, 'package.json'), join(packageDir, 'package.json'));
symlinkSync(join(cacheModules, 'n8n-workflow'), join(work, 'custom', 'node_modules', 'n8n-workflow'), 'dir');

const port = 30000 + (process.pid % 20000);
const base = `http://127.0.0.1:${port}`;
const server = spawn(join(ROOT, 'node_modules/.bin/node'), [n8nBin, 'start'], {
  env: {
    ...process.env,
    PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    N8N_USER_FOLDER: join(work, 'home'),
    N8N_CUSTOM_EXTENSIONS: packageDir,
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PORT: String(port),
    N8N_RUNNERS_BROKER_PORT: String(port + 1),
    N8N_SECURE_COOKIE: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_EXPRESSION_ENGINE: 'legacy',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let log = '';
server.stdout.on('data', (d) => (log += d));
server.stderr.on('data', (d) => (log += d));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`n8n start exited:\n${log.slice(-3000)}`);
    if (i > 600) throw new Error(`n8n did not answer on ${base} in 10 minutes:\n${log.slice(-3000)}`);
    try {
      if ((await fetch(`${base}/healthz/readiness`)).ok) break;
    } catch {}
    await sleep(1000);
  }
  const owner = { email: 'owner@example.com', firstName: 'Segment', lastName: 'Builder', password: 'Segments-2026!' };
  const setup = await fetch(`${base}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
  if (!setup.ok) throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const workflow = JSON.parse(readFileSync(example, 'utf8').replaceAll('"n8n-nodes-segments.', '"CUSTOM.'));
  delete workflow.id;
  const created = await fetch(`${base}/rest/workflows`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(workflow) });
  if (!created.ok) throw new Error(`import: ${created.status} ${await created.text()}`);
  const { data } = await created.json();

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 760 }, deviceScaleFactor: 1 });
  const [name] = cookie.split('=');
  await context.addCookies([{ name, value: cookie.slice(name.length + 1), domain: '127.0.0.1', path: '/' }]);
  const page = await context.newPage();
  const pageLog = [];
  page.on('console', (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageLog.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => pageLog.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  const step = async (what, promise) => {
    const t0 = Date.now();
    try {
      const result = await promise;
      console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      return result;
    } catch (error) {
      throw new Error(`${what}: ${error.message.split('\n')[0]}\nat ${page.url()}\n${pageLog.slice(-40).join('\n')}`);
    }
  };
  // n8n keeps a push connection open: wait for the canvas, not for the network to be idle.
  const nodes = workflow.nodes.length;
  await step('editor loaded', page.goto(`${base}/workflow/${data.id}`, { waitUntil: 'domcontentloaded', timeout: 300_000 }));
  await step(`${nodes} nodes on the canvas`, page.waitForFunction((n) => document.querySelectorAll('[data-test-id="canvas-node"]').length >= n, nodes, { timeout: 300_000 }));
  await step('run started', page.locator('[data-test-id="execute-workflow-button"]').first().click({ timeout: 60_000 }));
  // Every node that runs shows its success mark; the connections then carry their item counts.
  await step('every node ran', page.waitForFunction((n) => document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length >= n, nodes, { timeout: 300_000 }));
  // Close the toast the run opened, then fit the whole workflow in view (the canvas's "1" shortcut).
  await page.keyboard.press('Escape');
  await page.locator('[data-test-id="canvas-node"]').first().hover();
  await page.mouse.move(5, 700);
  await page.keyboard.press('1');
  await step('view fitted', page.waitForFunction(() => document.querySelectorAll('[data-test-id="edge-label"]').length > 0, undefined, { timeout: 60_000 }));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  server.kill('SIGTERM');
  await sleep(2000);
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
