/**
 * `npm run bench:members` (after `npm run build`): a manual segment of 1,000,000 members next to
 * 1,100,000 stored profiles, in one SQLite file, and what the `segment` CLI does with it, against an
 * expert's hand-written SQL on an expert's layout in the same file.
 *
 * The baseline layout is what a careful engineer would write for manual segments: integer keys,
 *   x_profiles(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE, custom_id TEXT UNIQUE, email, country)
 *   x_segment_members(segment_id INTEGER, profile_id INTEGER REFERENCES x_profiles, PRIMARY KEY(segment_id, profile_id)) WITHOUT ROWID
 * loaded with prepared multi-row inserts in one transaction (foreign keys enforced), then ANALYZE.
 * Its reach is a `COUNT(*)` on the member key range (the foreign key guarantees every member is a
 * profile), its export a join streamed through csv-stringify into a file, its member list an ordered
 * join streamed to the output, its import a streamed CSV read with one prepared
 * `INSERT … SELECT id FROM x_profiles WHERE ext_id = ?` per row in one transaction.
 *
 * Every phase runs in a fresh process (the set-up too, so no phase inherits a big parent's pages):
 * the time is the wall time of the whole process, start-up included, and the memory its peak RSS
 * (VmHWM of /proc/self/status, read at exit: per process image, unlike getrusage's maxRSS, which
 * keeps the peak of the process that forked it). The CLI phases run dist/cli/segment.cjs as a user
 * would, output to /dev/null.
 *
 * With TEST_MARIADB_URL / TEST_POSTGRES_URL set (eval "$(bash scripts/db.sh start)"), reach is also
 * measured there against the same baseline layout (loaded the same way).
 *
 * BENCH_MEMBERS=200000 npm run bench:members   for a quicker run (BENCH_SERVER_MEMBERS for the servers).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { createLayout, dropCatalogTables, dropLayout, loadProfiles, openDatabase, SegmentCatalog, type Schema } from '../core/server';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const SERVER_MEMBERS = Number(process.env.BENCH_SERVER_MEMBERS ?? MEMBERS);
const SCHEMA: Schema = { fields: { id: { type: 'text' }, custom_id: { type: 'text' }, email: { type: 'text' }, country: { type: 'text' } } };
const CLI = resolve('dist/cli/segment.cjs');
const SEGMENT = 'Million';
const id = (i: number) => `m${String(i).padStart(7, '0')}`;
const profileCount = (members: number) => Math.round(members * 1.1);

function* profiles(n: number) {
  for (let i = 0; i < n; i++) yield { line: i + 1, value: { id: id(i), custom_id: `C-${i}`, email: `person${i}@example.com`, country: i % 3 === 0 ? 'AE' : 'OM' } };
}

// ── the baseline layout ─────────────────────────────────────────────────────────────────────────

const X_DDL = [
  'CREATE TABLE x_profiles (id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE, custom_id TEXT UNIQUE, email TEXT, country TEXT)',
  'CREATE TABLE x_segments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)',
  'CREATE TABLE x_segment_members (segment_id INTEGER NOT NULL REFERENCES x_segments(id), profile_id INTEGER NOT NULL REFERENCES x_profiles(id), PRIMARY KEY (segment_id, profile_id)) WITHOUT ROWID',
];
const X_DDL_SERVER = (my: boolean) => [
  `CREATE TABLE x_profiles (id INT NOT NULL PRIMARY KEY, ext_id VARCHAR(16) NOT NULL UNIQUE, custom_id VARCHAR(16) UNIQUE, email VARCHAR(64), country CHAR(2))${my ? ' ENGINE=InnoDB' : ''}`,
  `CREATE TABLE x_segments (id INT NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE)${my ? ' ENGINE=InnoDB' : ''}`,
  `CREATE TABLE x_segment_members (segment_id INT NOT NULL REFERENCES x_segments(id), profile_id INT NOT NULL REFERENCES x_profiles(id), PRIMARY KEY (segment_id, profile_id))${my ? ' ENGINE=InnoDB' : ''}`,
];
const ROWS_PER_INSERT = 500;

/** The baseline tables in the SQLite file: prepared multi-row inserts, one transaction. */
function loadBaselineSqlite(file: string, members: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    for (const sql of X_DDL) db.exec(sql);
    const insert = (table: string, columns: string[], rows: number, row: (i: number) => unknown[]) => {
      const tuple = `(${columns.map(() => '?').join(',')})`;
      const full = db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array(ROWS_PER_INSERT).fill(tuple).join(',')}`);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= rows; i += ROWS_PER_INSERT) {
        const values: unknown[] = [];
        for (let j = i; j < i + ROWS_PER_INSERT; j++) values.push(...row(j));
        full.run(values);
      }
      if (i < rows) {
        const values: unknown[] = [];
        for (let j = i; j < rows; j++) values.push(...row(j));
        db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array(rows - i).fill(tuple).join(',')}`).run(values);
      }
    };
    db.transaction(() => {
      insert('x_profiles', ['id', 'ext_id', 'custom_id', 'email', 'country'], profileCount(members), (i) => [i + 1, id(i), `C-${i}`, `person${i}@example.com`, i % 3 === 0 ? 'AE' : 'OM']);
      db.prepare('INSERT INTO x_segments (id, name) VALUES (1, ?)').run(SEGMENT);
      insert('x_segment_members', ['segment_id', 'profile_id'], members, (i) => [1, i + 1]);
    })();
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

/** The same tables on a server: multi-row inserts with bindings, one transaction, then ANALYZE. */
async function loadBaselineServer(db: Knex, members: number): Promise<void> {
  const my = db.client.config.client === 'mysql2';
  for (const t of ['x_segment_members', 'x_segments', 'x_profiles']) await db.raw(`DROP TABLE IF EXISTS ${t}`);
  for (const sql of X_DDL_SERVER(my)) await db.raw(sql);
  await db.transaction(async (trx) => {
    const n = profileCount(members);
    for (let i = 0; i < n; i += ROWS_PER_INSERT * 4) {
      const rows = [];
      for (let j = i; j < Math.min(n, i + ROWS_PER_INSERT * 4); j++) rows.push({ id: j + 1, ext_id: id(j), custom_id: `C-${j}`, email: `person${j}@example.com`, country: j % 3 === 0 ? 'AE' : 'OM' });
      await trx('x_profiles').insert(rows);
    }
    await trx('x_segments').insert({ id: 1, name: SEGMENT });
    for (let i = 0; i < members; i += ROWS_PER_INSERT * 4) {
      const rows = [];
      for (let j = i; j < Math.min(members, i + ROWS_PER_INSERT * 4); j++) rows.push({ segment_id: 1, profile_id: j + 1 });
      await trx('x_segment_members').insert(rows);
    }
  });
  await db.raw(my ? 'ANALYZE TABLE x_profiles, x_segments, x_segment_members' : 'ANALYZE');
}

// ── the phases ──────────────────────────────────────────────────────────────────────────────────

/** Our layout and catalogue (what `segment import` and `segments create` make), then the baseline's tables. */
async function setUp(url: string, directory: string, members: number): Promise<void> {
  const db = openDatabase(url);
  let ours: number;
  try {
    if (!url.startsWith('sqlite:')) {
      // A server's test database may hold an earlier run: start from empty tables.
      await dropCatalogTables(db);
      await dropLayout(db);
    }
    const started = performance.now();
    const mapping = await createLayout(db, SCHEMA);
    await loadProfiles(db, profiles(profileCount(members)), { schema: SCHEMA, mapping });
    const catalog = await SegmentCatalog.open(db);
    await catalog.create({ name: SEGMENT, members: Array.from({ length: members }, (_, i) => id(i)) });
    ours = (performance.now() - started) / 1000;
    const baseStarted = performance.now();
    if (url.startsWith('sqlite:')) {
      await db.destroy();
      loadBaselineSqlite(url.slice('sqlite:'.length), members);
      writeFileSync(join(directory, 'members.csv'), `Profile ID\n${Array.from({ length: members }, (_, i) => id(i)).join('\n')}\n`);
    } else {
      await loadBaselineServer(db, members);
    }
    const base = (performance.now() - baseStarted) / 1000;
    process.stdout.write(`${JSON.stringify({ ours, base })}\n`);
  } finally {
    await db.destroy();
  }
}


// ── the parent: runs every phase in a fresh process ─────────────────────────────────────────────

interface Figure {
  seconds: number;
  rssMb: number;
  stdout: string;
}

/** Writes VmHWM (the process image's peak resident set) to $BENCH_RSS_OUT when the process exits. */
const RSS_HOOK = `process.on('exit', () => {
  const fs = require('node:fs');
  let kb = -1;
  try { kb = Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch { kb = process.resourceUsage().maxRSS; }
  fs.writeFileSync(process.env.BENCH_RSS_OUT, String(kb));
});
`;

function run(directory: string, what: string, args: string[], stdout: 'pipe' | 'null' = 'pipe'): Figure {
  const rssFile = join(directory, 'rss.txt');
  rmSync(rssFile, { force: true });
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--require', join(directory, 'rss-hook.cjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, BENCH_RSS_OUT: rssFile },
    stdio: ['ignore', stdout === 'pipe' ? 'pipe' : 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  return { seconds, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, stdout: result.stdout ?? '' };
}

const self = process.argv[1];
/** The baseline phases: a script of their own, so they load only their driver. */
const BASELINE = join(dirname(self), 'members-baseline.mjs');
type Baseline = 'reach' | 'export' | 'list' | 'import';
const lastJson = <T>(f: Figure) => JSON.parse(f.stdout.trim().split('\n').pop()!) as T;
const fmt = (f: Figure, rows?: number) => `${rows === undefined ? ''.padStart(9) : rows.toLocaleString('en-US').padStart(9)}  ${f.seconds.toFixed(2).padStart(7)} s  peak RSS ${f.rssMb.toFixed(0).padStart(5)} MB`;
const line = (label: string, text: string) => process.stdout.write(`  ${label.padEnd(30)} ${text}\n`);
const ratio = (ours: Figure, base: Figure) => `${(ours.seconds / base.seconds).toFixed(2)}× the time, ${(ours.rssMb / base.rssMb).toFixed(2)}× the memory`;

function setUpIn(directory: string, url: string, members: number, label: string): void {
  const setup = run(directory, `set-up (${label})`, [self, '--setup', url, directory, String(members)]);
  const { ours, base } = lastJson<{ ours: number; base: number }>(setup);
  process.stdout.write(`${label}: ${profileCount(members).toLocaleString('en-US')} profiles, a manual segment of ${members.toLocaleString('en-US')} members; loaded in ${ours.toFixed(1)} s (ours: import + segments create), ${base.toFixed(1)} s (baseline)\n`);
}

function sqlite(directory: string): void {
  const url = `sqlite:${join(directory, 'bench.db')}`;
  setUpIn(directory, url, MEMBERS, 'SQLite');
  const cli = (what: string, args: string[], stdout: 'pipe' | 'null' = 'null') => run(directory, what, [CLI, ...args, '--db', url], stdout);
  const base = (phase: Baseline) => {
    const f = run(directory, `baseline ${phase}`, [BASELINE, phase, url, directory]);
    return { f, rows: lastJson<{ rows: number }>(f).rows };
  };

  const baseReach = base('reach');
  const reach = cli('segments reach', ['segments', 'reach', SEGMENT, '--json'], 'pipe');
  const reachRows = (JSON.parse(reach.stdout) as { reach: number }[])[0].reach;
  if (reachRows !== baseReach.rows) throw new Error(`reach counted ${reachRows}, the baseline ${baseReach.rows}`);
  line('baseline reach (COUNT)', fmt(baseReach.f, baseReach.rows));
  line('segments reach', `${fmt(reach, reachRows)}   ${ratio(reach, baseReach.f)}`);

  const baseExport = base('export');
  const exported = cli('segments export', ['segments', 'export', SEGMENT, '--role', 'admin', '--out', join(directory, 'out'), '--json'], 'pipe');
  const exportRows = (JSON.parse(exported.stdout) as { rows: number }).rows;
  line('baseline export (join → CSV)', fmt(baseExport.f, baseExport.rows));
  line('segments export', `${fmt(exported, exportRows)}   ${ratio(exported, baseExport.f)}`);

  const baseList = base('list');
  const list = cli('segments members list', ['segments', 'members', 'list', SEGMENT]);
  line('baseline member list', fmt(baseList.f, baseList.rows));
  line('segments members list', `${fmt(list)}   ${ratio(list, baseList.f)}`);

  const dump = cli('segments dump', ['segments', 'dump']);
  line('segments dump', fmt(dump));

  const baseImport = base('import');
  const imported = cli('segments members import', ['segments', 'members', 'import', 'Imported', join(directory, 'members.csv'), '--create', '--json'], 'pipe');
  const importRows = (JSON.parse(imported.stdout) as { added: number }).added;
  line('baseline import (CSV → rows)', fmt(baseImport.f, baseImport.rows));
  line('segments members import', `${fmt(imported, importRows)}   ${ratio(imported, baseImport.f)}`);
}

function server(directory: string, label: string, url: string): void {
  setUpIn(directory, url, SERVER_MEMBERS, label);
  const baseReach = run(directory, `${label} baseline reach`, [BASELINE, 'reach', url, directory]);
  const rows = lastJson<{ rows: number }>(baseReach).rows;
  const reach = run(directory, `${label} segments reach`, [CLI, 'segments', 'reach', SEGMENT, '--json', '--db', url]);
  const reachRows = (JSON.parse(reach.stdout) as { reach: number }[])[0].reach;
  if (reachRows !== rows) throw new Error(`${label}: reach counted ${reachRows}, the baseline ${rows}`);
  line('baseline reach (COUNT)', fmt(baseReach, rows));
  line('segments reach', `${fmt(reach, reachRows)}   ${ratio(reach, baseReach)}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--setup') return setUp(process.argv[3], process.argv[4], Number(process.argv[5]));
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const directory = mkdtempSync(join(tmpdir(), 'segmembers-bench-'));
  writeFileSync(join(directory, 'rss-hook.cjs'), RSS_HOOK);
  try {
    process.stdout.write('Each phase in a fresh process: wall time (start-up included) and peak RSS\n');
    sqlite(directory);
    for (const [label, url] of [['MariaDB', process.env.TEST_MARIADB_URL], ['PostgreSQL', process.env.TEST_POSTGRES_URL]] as const) {
      if (url) server(directory, label, url);
      else process.stdout.write(`${label}: skipped (no TEST_${label === 'MariaDB' ? 'MARIADB' : 'POSTGRES'}_URL; eval "$(bash scripts/db.sh start)")\n`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:members failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
