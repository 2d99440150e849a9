/**
 * `npm run bench:membership`: recording membership changes (a refresh) on a 1M-profile base where 1%
 * of the profiles changed, on MariaDB, against the plain count of the same segment in the same run
 * (the least a refresh must do: evaluate the segment once).
 *
 * Loads BENCH_MEMBERSHIP_PROFILES generated profiles (default 1,000,000, with their events) into
 * database BENCH_MEMBERSHIP_DATABASE (default `seg_bench_membership`) with the bulk loader (kept
 * between runs; BENCH_MEMBERSHIP_RELOAD=1 reloads), saves a few seed segments, refreshes them once
 * (everyone enters), then for BENCH_MEMBERSHIP_ROUNDS rounds (default 3): re-imports a different 1%
 * of the profiles with a changed lifetime value, tier and interaction date, times each segment's
 * refresh and its plain count, checks the recorded changes against the difference of two member
 * lists read back, and samples the process's memory during the refreshes.
 *
 * Targets: each refresh ≤ 2 s, memory flat (the sets never come into the process).
 *
 *   BENCH_MEMBERSHIP_PROFILES=100000 npm run bench:membership    develop at 100k
 */
import { execFileSync } from 'node:child_process';
import type { Knex } from 'knex';
import { countProfiles, createLayout, dropLayout, LAYOUT_TABLES, loadProfiles, openDatabase, prepareSegment, readLayout, SegmentCatalog, dropCatalogTables, type LoadInput, type Schema, type SegmentDefinition } from '../core/server';
import { generateProfiles } from '../sample/generate';
import sampleSchema from '../sample/schema.json';
import sampleSegments from '../sample/segments.json';

const PROFILES = Number(process.env.BENCH_MEMBERSHIP_PROFILES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_MEMBERSHIP_ROUNDS ?? 3);
const DATABASE = (process.env.BENCH_MEMBERSHIP_DATABASE ?? 'seg_bench_membership').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
const RELOAD = process.env.BENCH_MEMBERSHIP_RELOAD === '1';
const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const DAY = 86_400_000;
const TARGET_SECONDS = 2;
const schema = sampleSchema as Schema;
const SEGMENTS = ['High Value Customers', 'Gold Tier in Oman', 'Inactive 30+ Days', 'Hot Offer Not Bought'].map((name) => (sampleSegments as SegmentDefinition[]).find((s) => s.name === name)!);

function serverUrl(): string {
  if (process.env.TEST_MARIADB_URL) return process.env.TEST_MARIADB_URL;
  const out = execFileSync('bash', ['scripts/db.sh', 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('TEST_MARIADB_URL='));
  if (!line) throw new Error('scripts/db.sh start printed no TEST_MARIADB_URL');
  return line.slice('TEST_MARIADB_URL='.length);
}

async function benchDatabase(): Promise<Knex> {
  const url = new URL(serverUrl());
  const admin = openDatabase(url.toString());
  await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4', [DATABASE]);
  await admin.destroy();
  url.pathname = `/${DATABASE}`;
  return openDatabase(url.toString(), { pool: { min: 1, max: 2 } });
}

async function load(db: Knex): Promise<void> {
  const stored = (await readLayout(db)) ? Number((await db(LAYOUT_TABLES.profiles).count({ n: '*' }))[0]!.n) : 0;
  if (!RELOAD && stored === PROFILES) {
    console.log(`  ${PROFILES.toLocaleString('en-US')} profiles already loaded in ${DATABASE} (BENCH_MEMBERSHIP_RELOAD=1 to reload)`);
    return;
  }
  await dropCatalogTables(db);
  await dropLayout(db);
  const mapping = await createLayout(db, schema);
  const started = performance.now();
  const input = (function* (): Generator<LoadInput> {
    let line = 0;
    for (const value of generateProfiles(PROFILES, { seed: 1, now: new Date(NOW).toISOString() })) yield { line: ++line, value };
  })();
  const result = await loadProfiles(db, input, { schema, mapping });
  console.log(`  loaded ${result.loaded.toLocaleString('en-US')} profiles (bulk loader) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Which 1% a round changes: every 100th profile from an offset that moves per round and per run
 * (BENCH_MEMBERSHIP_SHIFT, default from the clock), since a run on a kept database re-applying the
 * slice an earlier run already changed would change nothing.
 */
const SHIFT = Number(process.env.BENCH_MEMBERSHIP_SHIFT ?? Math.floor(Date.now() / 1000) % 100);

/** The 1% of profiles of round `round`, changed. */
function* changedProfiles(round: number): Generator<LoadInput> {
  let i = 0;
  let line = 0;
  for (const p of generateProfiles(PROFILES, { seed: 1, now: new Date(NOW).toISOString() })) {
    if (i++ % 100 !== (round * 37 + SHIFT) % 100) continue;
    const a = { ...((p.attributes as Record<string, unknown>) ?? {}) };
    a.lifetime_value = Number(a.lifetime_value ?? 0) > 25_000 ? 100 : 30_000 + round;
    a.tier = a.tier === 'gold' ? 'silver' : 'gold';
    yield { line: ++line, value: { ...p, attributes: a, country: 'OM', last_interaction: new Date(NOW + round * DAY).toISOString() } };
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Samples the heap and the resident set while `work` runs: the peak heap above the start, and the peak RSS. */
async function withMemory<T>(work: () => Promise<T>): Promise<{ value: T; peakHeap: number; startHeap: number; peakRss: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const startHeap = process.memoryUsage().heapUsed;
  let peakHeap = startHeap;
  let peakRss = process.memoryUsage.rss();
  const sample = () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await work();
    sample();
    return { value, peakHeap, startHeap, peakRss };
  } finally {
    clearInterval(timer);
  }
}

/** The statements a piece of work sends to the database, each with its time (knex's query events). */
async function withStatements<T>(db: Knex, work: () => Promise<T>): Promise<{ value: T; statements: { sql: string; bindings: unknown[]; ms: number }[] }> {
  const started = new Map<string, number>();
  const statements: { sql: string; bindings: unknown[]; ms: number }[] = [];
  type Q = { __knexQueryUid: string; sql: string; bindings?: unknown[] };
  const onQuery = (q: Q) => started.set(q.__knexQueryUid, performance.now());
  const onResponse = (_r: unknown, q: Q) => statements.push({ sql: q.sql, bindings: q.bindings ?? [], ms: performance.now() - (started.get(q.__knexQueryUid) ?? performance.now()) });
  db.on('query', onQuery).on('query-response', onResponse);
  try {
    return { value: await work(), statements };
  } finally {
    db.off('query', onQuery).off('query-response', onResponse);
  }
}

/** Where the slowest refresh spent its time (each statement over 10 ms), and MariaDB's plan for its evaluation. */
async function explainSlowest(db: Knex, slowest: { segment: string; round: number; seconds: number; statements: { sql: string; bindings: unknown[]; ms: number }[] }): Promise<void> {
  console.log(`\n  slowest refresh: ${slowest.segment}, round ${slowest.round}, ${slowest.seconds.toFixed(2)} s; its statements over 10 ms:`);
  const short = (sql: string) => (sql.length > 150 ? `${sql.slice(0, 110)} … ${sql.slice(-36)}` : sql);
  for (const st of slowest.statements) if (st.ms > 10) console.log(`    ${st.ms.toFixed(0).padStart(6)} ms  ${short(st.sql.replace(/\s+/g, ' '))}`);
  const fill = slowest.statements.find((st) => /^insert into `seg_run_members`/i.test(st.sql));
  if (fill === undefined) return;
  const select = fill.sql.slice(fill.sql.search(/\bselect\b/i));
  const [plan] = (await db.raw(`EXPLAIN ${select}`, fill.bindings as Knex.RawBinding[])) as [Record<string, unknown>[]];
  console.log('\n  EXPLAIN of its evaluation (the SELECT that fills the scratch table):');
  const cols = ['id', 'select_type', 'table', 'type', 'key', 'rows', 'Extra'];
  for (const row of plan) console.log(`    ${cols.map((c) => `${c}=${String(row[c] ?? '')}`).join('  ')}`);
}

async function main(): Promise<void> {
  console.log(`bench:membership — refresh (record who entered and left) vs the plain count, MariaDB, ${PROFILES.toLocaleString('en-US')} profiles, 1% changed per round (slice shift ${SHIFT})`);
  const db = await benchDatabase();
  try {
    await load(db);
    await dropCatalogTables(db);
    const catalog = await SegmentCatalog.open(db, { historyRetention: Infinity });
    for (const s of SEGMENTS) await catalog.create(s);
    const { mapping } = (await readLayout(db))!;
    const first = performance.now();
    const initial = await catalog.refresh(undefined, { now: new Date(NOW) });
    console.log(`  first refresh (everyone enters): ${initial.map((r) => `${r.segment} ${r.entered.toLocaleString('en-US')}`).join(', ')} in ${((performance.now() - first) / 1000).toFixed(1)} s`);
    const rows: string[][] = [];
    let worst = 0;
    let worstHeap = 0;
    let slowest: { segment: string; round: number; seconds: number; statements: { sql: string; bindings: unknown[]; ms: number }[] } | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const started = performance.now();
      const changed = await loadProfiles(db, changedProfiles(round), { schema, mapping });
      console.log(`  round ${round}: re-imported ${changed.loaded.toLocaleString('en-US')} changed profiles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const now = NOW + round * DAY;
      for (const s of SEGMENTS) {
        const before = new Set(await catalog.recordedMembers(s.name, { limit: 10_000_000 }));
        const t0 = performance.now();
        const { value: { value: [run], peakHeap, startHeap, peakRss }, statements } = await withStatements(db, () => withMemory(() => catalog.refresh([s.name], { now: new Date(now) })));
        const refresh = (performance.now() - t0) / 1000;
        if (refresh > (slowest?.seconds ?? -1)) slowest = { segment: s.name, round, seconds: refresh, statements };
        const definitions = await catalog.definitions({ reachableFrom: s.name });
        const segment = await prepareSegment(db, `in_segment(${JSON.stringify(s.name)})`, { segments: definitions, now });
        const t1 = performance.now();
        const count = await countProfiles(db, segment);
        const plain = (performance.now() - t1) / 1000;
        // The recorded changes are the difference of the member lists before and after.
        const after = new Set(await catalog.recordedMembers(s.name, { limit: 10_000_000 }));
        const entered = [...after].filter((id) => !before.has(id)).length;
        const left = [...before].filter((id) => !after.has(id)).length;
        if (entered !== run!.entered || left !== run!.left || after.size !== count) {
          throw new Error(`${s.name}: recorded +${run!.entered} -${run!.left} (${run!.members}), lists differ by +${entered} -${left}, count ${count}`);
        }
        worst = Math.max(worst, refresh);
        worstHeap = Math.max(worstHeap, peakHeap - startHeap);
        rows.push([String(round), s.name, count.toLocaleString('en-US'), `+${run!.entered.toLocaleString('en-US')} -${run!.left.toLocaleString('en-US')}`, refresh.toFixed(2), plain.toFixed(2), (refresh / plain).toFixed(1), mb(peakHeap - startHeap), mb(peakRss)]);
      }
    }
    const header = ['Round', 'Segment', 'Members', 'Changes', 'Refresh s', 'Count s', 'Ratio', 'Heap +', 'RSS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(['', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    if (slowest !== undefined) await explainSlowest(db, slowest);
    console.log(`\n  slowest refresh ${worst.toFixed(2)} s (target ≤ ${TARGET_SECONDS} s): ${worst <= TARGET_SECONDS ? 'met' : 'MISSED'}; largest heap growth during a refresh ${mb(worstHeap)} (members never read into the process)`);
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
