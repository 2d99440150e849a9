// `npm test`: build, start the test databases, run every test, stop the databases, and end with the
// plain line `N passed, N failed` (CI reads that line, not vitest's own summary; scripts/summary.mjs:
// a test that did not run, e.g. for a missing database, is counted as failed).
//
//   npm test                      the whole suite
//   npm test -- test/cli          extra arguments go to `vitest run`
//
// The databases come from scripts/db.sh (MariaDB and PostgreSQL on 127.0.0.1; it installs them from
// Debian's packages when missing). Its `start` prints KEY=value lines (TEST_MARIADB_URL=…) that the
// tests receive in their environment. Servers this run started are stopped at the end, also on failure
// or Ctrl-C; servers that were already running (a developer's `npm run db:start`) are left running.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.mjs';
import { printSummary, summariseFile } from './summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, 'build', 'vitest-report.json');
const dbScript = join(root, 'scripts', 'db.sh');

/** KEY=value lines → an object (other lines are ignored). */
function keyValues(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function db(command) {
  return spawnSync('bash', [dbScript, command], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function build() {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

/** Starts the databases; returns their URLs and whether this run must stop them. */
function startDatabases() {
  if (!existsSync(dbScript)) return { env: {}, stop: false };
  const before = keyValues(db('status').stdout ?? '');
  const started = db('start');
  const env = keyValues(started.stdout ?? '');
  if (started.status !== 0) {
    console.error(`test: scripts/db.sh start failed (exit ${started.status}); the database tests will fail`);
  }
  const alreadyRunning = Object.keys(before).length > 0;
  if (alreadyRunning) console.error('test: using the test databases that were already running (left running afterwards)');
  return { env, stop: !alreadyRunning };
}

function runVitest(env, args) {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  running = child;
  return new Promise((resolve) => {
    child.on('error', (e) => {
      console.error(`test: could not start vitest: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      running = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

// Ctrl-C or a CI timeout: stop vitest, then still stop the databases (main's `finally`).
let running;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = true;
    running?.kill(signal);
  });
}

async function main() {
  mkdirSync(dirname(report), { recursive: true });
  rmSync(report, { force: true });
  if (!build()) {
    console.log('0 passed, 1 failed');
    console.error('test: the build failed');
    return 1;
  }
  // The web component's tests run in Debian's Chromium (installed here when missing).
  if (!ensureChromium()) console.error('test: no chromium; the browser tests will fail');
  const databases = startDatabases();
  let vitestCode;
  try {
    vitestCode = interrupted ? 130 : await runVitest(databases.env, process.argv.slice(2));
  } finally {
    if (databases.stop) db('stop');
  }
  if (interrupted) {
    console.error('test: interrupted');
    return 130;
  }
  const result = summariseFile(report);
  if (result === undefined) {
    console.log('0 passed, 0 failed');
    console.error(`test: vitest wrote no report (exit ${vitestCode})`);
    return 1;
  }
  printSummary(result);
  return vitestCode === 0 && result.failed === 0 ? 0 : 1;
}

process.exitCode = await main();
