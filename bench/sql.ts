/**
 * `npm run bench:sql`: our generated SQL on our layout against an expert's hand-written SQL on an
 * expert's tables (`bench/sql-reference.ts`), on MariaDB and PostgreSQL, same server, same run.
 *
 * For each server (BENCH_SQL_DIALECTS, default `mysql,postgres`; TEST_MARIADB_URL / TEST_POSTGRES_URL,
 * `scripts/db.sh start` is run when one is missing) it loads BENCH_SQL_PROFILES generated profiles
 * (default 1,000,000, with their events) twice into database BENCH_SQL_DATABASE (default
 * `seg_bench`): with `loadProfiles` into our layout, and with the server's bulk path (LOAD DATA LOCAL
 * INFILE / COPY FROM STDIN) into the reference tables, and prints both load times. Then, for every
 * seed example segment and the issue's extra shapes, it times the count query the compiler
 * generates on our layout against the count query written by hand on the reference layout (median
 * of BENCH_SQL_ROUNDS = 5 or more, interleaved; a fast query gets up to 40 rounds, about 0.3 s a side), checks both count the same, and prints the ratio (targets:
 * each ≤ 1.5×, geometric mean ≤ 1.2×), then the EXPLAIN of the worst segment on both layouts.
 *
 *   BENCH_SQL_PROFILES=100000 npm run bench:sql        develop at 100k
 *   BENCH_SQL_RELOAD=1 npm run bench:sql               reload even if the data is there
 *   BENCH_SQL_RELOAD=ours …                            reload our layout only (after a layout change)
 *   BENCH_SQL_ONLY="cart,suppression" npm run bench:sql   time only some segments
 *   BENCH_SQL_DATABASE=seg_bench_100k …                another data set beside the 1M one
 *   BENCH_SQL_DIALECTS=postgres …                      one server only
 */
import { execFileSync } from 'node:child_process';
import type { Knex } from 'knex';
import {
  adviseIndexes,
  countQuery,
  createAdvisedIndexes,
  createLayout,
  dialectOf,
  dropLayout,
  LAYOUT_TABLES,
  loadProfiles,
  openDatabase,
  prepareSegment,
  readLayout,
  type LoadInput,
  type Schema,
  type SegmentDefinition,
} from '../core/server';
import { generateProfiles } from '../sample/generate';
import sampleSchema from '../sample/schema.json';
import sampleSegments from '../sample/segments.json';
import { EXTRA_SEGMENTS, loadReference, referenceQueries, storedReference, type ServerDialect } from './sql-reference';

const PROFILES = Number(process.env.BENCH_SQL_PROFILES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_SQL_ROUNDS ?? 5);
/** Only the segments whose name contains one of these (comma-separated), e.g. to re-time a few. */
const ONLY = (process.env.BENCH_SQL_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const DIALECTS = (process.env.BENCH_SQL_DIALECTS ?? 'mysql,postgres').split(',').map((s) => s.trim()).filter(Boolean) as ServerDialect[];
const NOW_ISO = '2026-11-24T12:00:00.000Z';
const schema = sampleSchema as Schema;
const segments = [...(sampleSegments as SegmentDefinition[]), ...EXTRA_SEGMENTS];
const RELOAD_OURS = process.env.BENCH_SQL_RELOAD === '1' || process.env.BENCH_SQL_RELOAD === 'ours';
const RELOAD_REFERENCE = process.env.BENCH_SQL_RELOAD === '1';

const URL_VARIABLES: Record<ServerDialect, string> = { mysql: 'TEST_MARIADB_URL', postgres: 'TEST_POSTGRES_URL' };

function serverUrl(dialect: ServerDialect): string {
  const variable = URL_VARIABLES[dialect];
  const own = dialect === 'mysql' ? process.env.BENCH_SQL_URL : process.env.BENCH_SQL_POSTGRES_URL;
  if (own ?? process.env[variable]) return (own ?? process.env[variable])!;
  const out = execFileSync('bash', ['scripts/db.sh', 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith(`${variable}=`));
  if (!line) throw new Error(`scripts/db.sh start printed no ${variable}`);
  return line.slice(variable.length + 1);
}

/** The benchmark's own database on the server (BENCH_SQL_DATABASE, default `seg_bench`). */
const DATABASE = (process.env.BENCH_SQL_DATABASE ?? 'seg_bench').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();

async function benchDatabase(dialect: ServerDialect): Promise<Knex> {
  const url = new URL(serverUrl(dialect));
  const admin = openDatabase(url.toString());
  if (dialect === 'mysql') await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4', [DATABASE]);
  else {
    const exists = (await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [DATABASE])) as { rows: unknown[] };
    if (exists.rows.length === 0) await admin.raw(`CREATE DATABASE ?? ENCODING 'UTF8' TEMPLATE template0`, [DATABASE]);
  }
  await admin.destroy();
  url.pathname = `/${DATABASE}`;
  return openDatabase(url.toString(), { pool: { min: 1, max: 2 } });
}

async function storedProfiles(db: Knex): Promise<number> {
  if ((await readLayout(db)) === undefined) return 0;
  const rows = (await db(LAYOUT_TABLES.profiles).count({ n: '*' })) as { n: number | string }[];
  return Number(rows[0].n);
}

interface Loads {
  ours?: { seconds: number; rows: number };
  reference?: { seconds: number; indexSeconds: number; rows: number };
}

async function loadOurs(db: Knex): Promise<Loads['ours']> {
  if (!RELOAD_OURS && (await storedProfiles(db)) === PROFILES) {
    console.log(`  our layout: ${PROFILES.toLocaleString('en-US')} profiles already loaded in ${DATABASE} (BENCH_SQL_RELOAD=1 to reload)`);
    return undefined;
  }
  await dropLayout(db);
  const mapping = await createLayout(db, schema);
  let events = 0;
  let elements = 0;
  const input = (function* (): Generator<LoadInput> {
    let line = 0;
    for (const profile of generateProfiles(PROFILES, { seed: 1, now: NOW_ISO })) {
      const ev = profile.events;
      if (Array.isArray(ev)) events += ev.length;
      if (Array.isArray(profile.tags)) elements += profile.tags.length;
      const scores = (profile.attributes as Record<string, unknown> | undefined)?.scores;
      if (Array.isArray(scores)) elements += scores.length;
      yield { line: ++line, value: profile };
    }
  })();
  const started = performance.now();
  let last = started;
  const result = await loadProfiles(db, input, {
    schema,
    mapping,
    onProgress: ({ loaded }) => {
      const now = performance.now();
      if (now - last > 30_000) {
        last = now;
        console.log(`    loaded ${loaded.toLocaleString('en-US')} profiles…`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const rows = result.loaded + events + elements;
  console.log(
    `  our layout (loadProfiles): ${result.loaded.toLocaleString('en-US')} profiles, ${events.toLocaleString('en-US')} events, ${elements.toLocaleString('en-US')} list elements in ${seconds.toFixed(1)} s, ` +
      `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`,
  );
  return { seconds, rows };
}

async function loadRef(db: Knex, dialect: ServerDialect): Promise<Loads['reference']> {
  if (!RELOAD_REFERENCE && (await storedReference(db)) === PROFILES) {
    console.log(`  reference layout: already loaded`);
    return undefined;
  }
  const r = await loadReference(db, dialect, PROFILES, NOW_ISO);
  console.log(`  reference layout (${dialect === 'mysql' ? 'LOAD DATA LOCAL INFILE' : 'COPY FROM STDIN'}): ${r.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(1)} s (indexes and ANALYZE ${r.indexSeconds.toFixed(1)} s)`);
  return r;
}

async function time(run: () => Promise<number>): Promise<{ ms: number; n: number }> {
  const t = performance.now();
  const n = await run();
  return { ms: performance.now() - t, n };
}

/** The rows of a raw result, whichever driver. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result[0] as Record<string, unknown>[];
  return (result as { rows: Record<string, unknown>[] }).rows;
}

async function countOf(db: Knex, sql: string, bindings: readonly unknown[]): Promise<number> {
  return Number(rowsOf(await db.raw(sql, bindings as Knex.RawBinding[]))[0].n);
}

async function explain(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string> {
  if (dialectOf(db) === 'postgres') {
    const rows = rowsOf(await db.raw(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, bindings as Knex.RawBinding[]));
    return rows.map((r) => String(r['QUERY PLAN'])).join('\n');
  }
  const rows = rowsOf(await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[]));
  return rows.map((r) => `${r.id} ${r.select_type} ${r.table} ${r.type} key=${r.key ?? '-'} rows=${r.rows} ${r.Extra ?? ''}`).join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  name: string;
  count: number;
  ours: number;
  hand: number;
  ratio: number;
  sql: { ours: [string, readonly unknown[]]; hand: [string, readonly unknown[]] };
}

async function benchServer(dialect: ServerDialect): Promise<boolean> {
  const db = await benchDatabase(dialect);
  let ok = true;
  try {
    console.log(`\n== ${dialect === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL'}: ${PROFILES.toLocaleString('en-US')} profiles in ${DATABASE}`);
    const loads: Loads = { ours: await loadOurs(db), reference: await loadRef(db, dialect) };
    if (loads.ours && loads.reference) console.log(`  load: ours ${loads.ours.seconds.toFixed(1)} s, reference ${loads.reference.seconds.toFixed(1)} s: ${(loads.ours.seconds / loads.reference.seconds).toFixed(2)}× (target ≤ 2×)`);
    // Our side of "composite indexes for the benchmark's segments": the index advice for them.
    const advised = performance.now();
    const layout = (await readLayout(db))!;
    const advice = adviseIndexes(
      segments.flatMap((s) => ('expression' in s ? [s] : [])),
      { schema: layout.schema, mapping: layout.mapping, segments },
    );
    const created = await createAdvisedIndexes(db, advice);
    console.log(`  index advice: ${advice.length} composite indexes for the segments, ${created.length} created in ${((performance.now() - advised) / 1000).toFixed(1)} s`);
    const hand = referenceQueries(dialect, NOW_ISO);
    console.log(`\n  ${'segment'.padEnd(44)} ${'count'.padStart(9)} ${'ours'.padStart(10)} ${'reference'.padStart(10)} ${'ratio'.padStart(7)}`);
    const rows: Row[] = [];
    for (const def of segments) {
      if (ONLY.length > 0 && !ONLY.some((o) => def.name.toLowerCase().includes(o))) continue;
      const source = 'expression' in def ? def.expression : `in_segment(${JSON.stringify(def.name)})`;
      const segment = await prepareSegment(db, source, { segments, now: NOW_ISO });
      const generated = countQuery(db, segment).toSQL();
      const [handSql, handBindings] = hand[def.name];
      const runOurs = () => countOf(db, generated.sql, generated.bindings);
      const runHand = () => countOf(db, handSql, handBindings);
      const warm = Math.max((await time(runOurs)).ms, (await time(runHand)).ms);
      // Fast queries run more rounds (each side about 0.3 s in all, at most 40): a few ms are mostly noise on a shared machine.
      const rounds = Math.max(ROUNDS, Math.min(40, Math.ceil(300 / Math.max(warm, 1))));
      const g: number[] = [];
      const h: number[] = [];
      let counts = { g: 0, h: 0 };
      for (let round = 0; round < rounds; round++) {
        // Alternate which runs first, so neither always finds the other's pages in the cache.
        const a = round % 2 === 0 ? await time(runOurs) : undefined;
        const b = await time(runHand);
        const a2 = a ?? (await time(runOurs));
        g.push(a2.ms);
        h.push(b.ms);
        counts = { g: a2.n, h: b.n };
      }
      const row: Row = { name: def.name, count: counts.g, ours: median(g), hand: median(h), ratio: median(g) / median(h), sql: { ours: [generated.sql, generated.bindings], hand: [handSql, handBindings] } };
      rows.push(row);
      const problems = [counts.g !== counts.h ? `COUNTS DIFFER (reference ${counts.h})` : '', row.ratio > 1.5 ? 'over 1.5×' : ''].filter(Boolean);
      if (counts.g !== counts.h) ok = false;
      console.log(
        `  ${def.name.slice(0, 44).padEnd(44)} ${counts.g.toLocaleString('en-US').padStart(9)} ${row.ours.toFixed(1).padStart(8)}ms ${row.hand.toFixed(1).padStart(8)}ms ${row.ratio.toFixed(2).padStart(6)}×${problems.length ? `  ← ${problems.join('; ')}` : ''}`,
      );
    }
    if (rows.length === 0) return ok;
    const geo = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length);
    const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    console.log(`\n  geometric mean ${geo.toFixed(2)}× (target ≤ 1.2×); worst ${worst.ratio.toFixed(2)}× "${worst.name}"; ${rows.filter((r) => r.ratio > 1.5).length} of ${rows.length} over 1.5×; median of ${ROUNDS} or more rounds`);
    console.log(`\n  EXPLAIN of the worst, ours:\n${indent(await explain(db, ...worst.sql.ours))}\n  reference:\n${indent(await explain(db, ...worst.sql.hand))}`);
  } finally {
    await db.destroy();
  }
  return ok;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

async function main(): Promise<void> {
  let ok = true;
  for (const dialect of DIALECTS) ok = (await benchServer(dialect)) && ok;
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
