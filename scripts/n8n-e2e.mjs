#!/usr/bin/env node
/**
 * End to end in a real n8n (`npm run test:n8n`): the built package (`npm run build` first) loaded by
 * n8n 2.41.1 through N8N_CUSTOM_EXTENSIONS (its nodes register as `CUSTOM.<name>`), the example
 * workflows of examples/ (one per node, on sample profiles) imported with `n8n import:workflow` and
 * run with `n8n execute --id`, their outputs checked. n8n comes from scripts/n8n-install.sh's cache
 * (installed once, ~10 min and 3 GB the first time); the credential points at a fresh database on
 * the PostgreSQL server of scripts/db.sh. Everything else lives in a temporary folder: n8n's user
 * folder, its SQLite database, the package copy. n8n binds to 127.0.0.1.
 *
 * Exit code 0 when every check passes; otherwise the failing checks are listed with what n8n said.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STEP_TIMEOUT_MS = Number(process.env.N8N_E2E_STEP_TIMEOUT_MS ?? 300_000);
const started = Date.now();
const failures = [];
const say = (text) => console.log(`[n8n-e2e ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${text}`);

function fail(text) {
  console.error(`n8n-e2e: ${text}`);
  process.exit(1);
}

function check(what, ok, detail = '') {
  if (ok) say(`ok   ${what}`);
  else {
    failures.push(`${what}${detail ? `: ${detail}` : ''}`);
    say(`FAIL ${what}${detail ? `: ${detail}` : ''}`);
  }
}

// ── what is needed ────────────────────────────────────────────────────────────────────────────────
if (!existsSync(join(ROOT, 'dist/nodes/SegmentFilter/SegmentFilter.node.js'))) fail('dist/ has no nodes: run `npm run build` first');
const node24 = join(ROOT, 'node_modules/.bin/node');
if (!existsSync(node24)) fail('the project Node (npm package `node`) is missing: run `npm ci`');
say('n8n: scripts/n8n-install.sh (cached after the first run)');
const n8nBin = execFileSync('bash', [join(ROOT, 'scripts/n8n-install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
if (!existsSync(n8nBin)) fail(`scripts/n8n-install.sh printed ${n8nBin}, which does not exist`);
const cacheModules = resolve(dirname(n8nBin), '..');

const dbLines = execFileSync('bash', [join(ROOT, 'scripts/db.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const serverUrl = /^TEST_POSTGRES_URL=(.+)$/m.exec(dbLines)?.[1];
if (!serverUrl) fail('scripts/db.sh start printed no TEST_POSTGRES_URL');

// ── a fresh database with the sample segments ───────────────────────────────────────────────────
const require = createRequire(join(ROOT, 'package.json'));
const { openDatabase } = require(join(ROOT, 'dist/server/index.cjs'));
const database = `segments_e2e_${process.pid}`;
const admin = openDatabase(serverUrl);
await admin.raw(`DROP DATABASE IF EXISTS ${database}`);
await admin.raw(`CREATE DATABASE ${database} ENCODING 'UTF8'`);
const dbUrl = new URL(serverUrl);
dbUrl.pathname = `/${database}`;
const segmentCli = (...args) => execFileSync(process.execPath, [join(ROOT, 'dist/cli/segment.cjs'), ...args, '--db', dbUrl.toString()], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sampleSegments = JSON.parse(readFileSync(join(ROOT, 'sample/segments.json'), 'utf8'));
segmentCli('segments', 'create', sampleSegments[0].name, sampleSegments[0].expression);
say(`database ${database} on ${dbUrl.host}: saved segment 1 = ${JSON.stringify(sampleSegments[0].name)}`);

// ── n8n's folders: the user folder, and the package as n8n would see it installed ───────────────
const work = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
const userFolder = join(work, 'home');
const extensions = join(work, 'custom');
const packageDir = join(extensions, 'n8n-nodes-segments');
mkdirSync(userFolder, { recursive: true });
mkdirSync(join(extensions, 'node_modules'), { recursive: true });
cpSync(join(ROOT, 'dist'), join(packageDir, 'dist'), { recursive: true });
cpSync(join(ROOT, 'package.json'), join(packageDir, 'package.json'));
// The nodes `require('n8n-workflow')` (a peer dependency): n8n's own copy, as for an installed package.
symlinkSync(join(cacheModules, 'n8n-workflow'), join(extensions, 'node_modules', 'n8n-workflow'), 'dir');

const port = 20000 + (process.pid % 20000);
const env = {
  ...process.env,
  PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
  N8N_USER_FOLDER: userFolder,
  N8N_CUSTOM_EXTENSIONS: packageDir,
  N8N_LISTEN_ADDRESS: '127.0.0.1',
  N8N_HOST: '127.0.0.1',
  N8N_PORT: String(port),
  N8N_RUNNERS_BROKER_PORT: String(port + 1),
  N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
  N8N_DIAGNOSTICS_ENABLED: 'false',
  N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
  N8N_TEMPLATES_ENABLED: 'false',
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
  // `execute --rawOutput` prints the run through the info log.
  N8N_LOG_LEVEL: 'info',
  // n8n 2.x evaluates expressions in isolated-vm by default; its native module crashes (SIGSEGV) on
  // this Node build, so the classic engine is used (the nodes' parameters are the same either way).
  N8N_EXPRESSION_ENGINE: 'legacy',
  DB_TYPE: 'sqlite',
};

/** Runs `n8n <args>`; resolves with its output, rejects on exit ≠ 0 or after the step timeout. */
function n8n(...args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(node24, [n8nBin, ...args], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`n8n ${args.join(' ')} did not finish in ${STEP_TIMEOUT_MS / 1000} s\n${stdout.slice(-2000)}${stderr.slice(-2000)}`));
    }, STEP_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolveRun({ stdout, stderr });
      else reject(new Error(`n8n ${args.join(' ')} ${code === null ? `was killed (${child.signalCode})` : `exited with ${code}`}\n${stdout.slice(-3000)}${stderr.slice(-3000)}`));
    });
  });
}

/** The run data of `n8n execute --rawOutput` (JSON after any log lines). */
function runDataOf(stdout) {
  const start = stdout.search(/^\{$/m);
  if (start < 0) throw new Error(`no JSON in the output of n8n execute:\n${stdout.slice(-2000)}`);
  const end = stdout.lastIndexOf('\n}');
  return JSON.parse(stdout.slice(start, end + 2)).data.resultData.runData;
}
const itemsOf = (runData, nodeName, output = 0) => (runData[nodeName]?.[0]?.data?.main?.[output] ?? []).map((item) => item.json);
const names = (items) => items.map((j) => j.name).join(', ');

try {
  // ── credential and workflows ─────────────────────────────────────────────────────────────────
  const credentialFile = join(work, 'credentials.json');
  writeFileSync(credentialFile, JSON.stringify([
    {
      id: 'SegmentsDbCred01',
      name: 'Segments database',
      type: 'segmentsDatabaseApi',
      data: { client: 'postgres', host: dbUrl.hostname, port: Number(dbUrl.port), database, user: decodeURIComponent(dbUrl.username), password: decodeURIComponent(dbUrl.password), ssl: 'disable', role: 'admin' },
    },
  ]));
  say('n8n import:credentials');
  await n8n('import:credentials', `--input=${credentialFile}`);
  const workflowDir = join(work, 'workflows');
  mkdirSync(workflowDir);
  const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
  for (const file of examples) {
    // Installed from npm the nodes are `n8n-nodes-segments.*`; loaded as custom extensions, `CUSTOM.*`.
    const text = readFileSync(join(ROOT, 'examples', file), 'utf8').replaceAll('"n8n-nodes-segments.', '"CUSTOM.');
    writeFileSync(join(workflowDir, file), text);
  }
  say(`n8n import:workflow --separate (${examples.join(', ')})`);
  await n8n('import:workflow', '--separate', `--input=${workflowDir}`);

  const execute = async (id) => {
    say(`n8n execute --id=${id}`);
    return runDataOf((await n8n('execute', `--id=${id}`, '--rawOutput')).stdout);
  };

  // ── Segment Filter ───────────────────────────────────────────────────────────────────────────
  {
    const run = await execute('SegExampleFilter');
    const matched = itemsOf(run, 'Segment Filter', 0);
    const notMatched = itemsOf(run, 'Segment Filter', 1);
    check('Segment Filter: Matched = the gold/platinum VIP Arabic speakers', names(matched) === 'Amal Al-Harthy, Chadi Haddad', names(matched));
    check('Segment Filter: Not Matched = the 4 others, connected onward', itemsOf(run, 'Not matched').length === 4 && notMatched.length === 4, names(notMatched));
  }
  // ── Segment Export ───────────────────────────────────────────────────────────────────────────
  {
    const run = await execute('SegExampleExport');
    const [file] = run['Segment Export']?.[0]?.data?.main?.[0] ?? [];
    check('Segment Export: one item with the counts', JSON.stringify(file?.json) === JSON.stringify({ fileName: 'vip-customers_2026-11-24.csv', exported: 4, skipped: 0 }), JSON.stringify(file?.json));
    check('Segment Export: the CSV as binary data', file?.binary?.data?.fileName === 'vip-customers_2026-11-24.csv' && file?.binary?.data?.mimeType === 'text/csv', JSON.stringify(file?.binary?.data ?? null));
  }
  // ── Suppression ──────────────────────────────────────────────────────────────────────────────
  {
    const run = await execute('SegExampleSuppre');
    const kept = itemsOf(run, 'Suppression', 0);
    const suppressed = itemsOf(run, 'Suppression', 1);
    check('Suppression: Kept', names(kept) === 'Dana Rossi, Farid Khan', names(kept));
    const reasons = suppressed.map((j) => `${j.name}:${j.suppressed?.rule}${j.suppressed?.matchedBy ? `/${j.suppressed.matchedBy}` : ''}`).join(', ');
    check('Suppression: Suppressed, each saying why', reasons === 'Amal Al-Harthy:global, Ben Carter:list/phone, Chadi Haddad:list/email, Eman Saleh:global', reasons);
  }
  // ── Segment Catalog, then the CLI refuses the delete ─────────────────────────────────────────
  {
    const run = await execute('SegExampleCatalo');
    const [attached] = itemsOf(run, 'Attach this workflow');
    check('Segment Catalog: attached as a running automation', attached?.attached?.id === 'n8n:SegExampleCatalo' && attached?.attached?.status === 'running', JSON.stringify(attached));
    const [segment] = itemsOf(run, 'Get the segment');
    check('Segment Catalog: Get shows the usage', segment?.automations === 1 && segment?.usage?.[0]?.id === 'n8n:SegExampleCatalo', JSON.stringify(segment?.usage));
    let refusal = '';
    try {
      segmentCli('segments', 'delete', sampleSegments[0].name);
    } catch (error) {
      refusal = String(error.stderr ?? error.message);
    }
    check('segment segments delete refuses while the workflow uses the segment', refusal.includes('segment-in-use') && refusal.includes('n8n:SegExampleCatalo'), refusal.trim().split('\n')[0] || 'the delete went through');
  }
  // ── Segment Trigger in a running n8n: each entrant "emailed" once across polls and a restart ──
  await triggerProof();
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
  say(`FAIL ${error instanceof Error ? error.message : error}`);
} finally {
  await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await admin.destroy();
  if (!process.env.N8N_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  else say(`kept ${work}`);
}

/**
 * Issue 14's proof in a real n8n: the Segment Trigger example (High Value Customers → a no-op "Send
 * Email") published and run by `n8n start`, polling every minute. People enter between polls and
 * while n8n is stopped; every execution n8n saved is then read from its database, and each entrant
 * must have been "emailed" exactly once.
 */
async function triggerProof() {
  const WORKFLOW = 'SegExampleTrigge';
  const workflowName = JSON.parse(readFileSync(join(ROOT, 'examples/segment-trigger-high-value.json'), 'utf8')).name;
  const highValue = sampleSegments.find((x) => x.name === 'High Value Customers');
  const person = (id, name, value) => ({ id, name, email: `${name.toLowerCase()}@example.com`, attributes: { lifetime_value: value } });
  let batch = 0;
  const importPeople = (...people) => {
    const file = join(work, `people-${++batch}.jsonl`);
    writeFileSync(file, people.map((x) => JSON.stringify(x)).join('\n') + '\n');
    segmentCli('import', file);
  };
  importPeople(person('t1', 'Amal', 1000), person('t2', 'Ben', 40000), person('t3', 'Chadi', 2000), person('t4', 'Dana', 3000));
  segmentCli('segments', 'create', highValue.name, highValue.expression);
  say(`n8n publish:workflow --id=${WORKFLOW} (Segment Trigger on ${JSON.stringify(highValue.name)}, every minute)`);
  await n8n('publish:workflow', `--id=${WORKFLOW}`);

  const polls = (server) => server.log().split(`Poll trigger initiated for workflow "${workflowName}"`).length - 1;
  const waitFor = async (what, test, ms = STEP_TIMEOUT_MS) => {
    const until = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const startServer = async () => {
    say('n8n start');
    const child = spawn(node24, [n8nBin, 'start'], { env: { ...env, N8N_LOG_LEVEL: 'debug' }, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((r) => child.on('close', r));
    const server = {
      log: () => output,
      stop: async () => {
        say('n8n stop (SIGTERM)');
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
    try {
      await waitFor('n8n to answer /healthz', async () => {
        if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}\n${output.slice(-3000)}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  };
  const pollsSeen = async (server, n, what) => {
    await waitFor(`${what} (poll ${n})`, () => polls(server) >= n, 150_000);
    say(`poll ${n} seen: ${what}`);
  };

  // First start: the activation poll and one scheduled poll, from now on (Ben is already in: not emailed).
  let server = await startServer();
  try {
    await pollsSeen(server, 2, 'the cursor starts at now');
    importPeople(person('t1', 'Amal', 50000), person('t3', 'Chadi', 26000));
    say('Amal and Chadi enter High Value Customers');
    await pollsSeen(server, 3, 'their entry polled');
    await pollsSeen(server, 4, 'one more poll, nothing new');
  } finally {
    await server.stop();
  }
  // n8n is down: Dana enters, Amal leaves (not asked for). Then n8n starts again.
  importPeople(person('t4', 'Dana', 99999), person('t1', 'Amal', 1));
  say('n8n stopped; Dana enters, Amal leaves');
  server = await startServer();
  try {
    await pollsSeen(server, 2, 'after the restart');
    await pollsSeen(server, 3, 'one more poll, nothing new');
  } finally {
    await server.stop();
  }

  // Every execution n8n saved for the workflow, and the items its "Send Email" node received.
  const { parse } = createRequire(join(cacheModules, 'n8n', 'package.json'))('flatted');
  const n8nDb = openDatabase(`sqlite:${join(userFolder, '.n8n', 'database.sqlite')}`, { mustExist: true });
  try {
    const rows = await n8nDb('execution_entity as e').join('execution_data as d', 'd.executionId', 'e.id').where('e.workflowId', WORKFLOW).orderBy('e.id').select('e.id', 'e.status', 'e.mode', 'd.data');
    const emailed = [];
    for (const row of rows) {
      const run = parse(row.data);
      const items = run.resultData?.runData?.['Send Email (no-op)']?.[0]?.data?.main?.[0] ?? [];
      say(`execution ${row.id} (${row.mode}, ${row.status}): emailed ${items.map((i) => `${i.json.name ?? i.json.profile?.name ?? i.json.profileId}`).join(', ') || 'nobody'}`);
      emailed.push(...items.map((i) => `${i.json.profileId}:${i.json.change}`));
    }
    check(
      'Segment Trigger: each entrant emailed exactly once across polls and a restart (Amal, Chadi, then Dana)',
      JSON.stringify(emailed) === JSON.stringify(['t1:entered', 't3:entered', 't4:entered']),
      `${rows.length} execution(s), emailed ${JSON.stringify(emailed)}`,
    );
  } finally {
    await n8nDb.destroy();
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  console.error(`\nn8n-e2e: ${failures.length} check(s) failed in ${seconds} s:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(`\nn8n-e2e: all checks passed in ${seconds} s (n8n ${n8nBin})`);
