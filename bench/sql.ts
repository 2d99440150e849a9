/**
 * `npm run bench:sql`: generated SQL against hand-written SQL on MariaDB.
 *
 * Loads BENCH_SQL_PROFILES generated profiles (default 1,000,000, with their events) into our layout
 * (database BENCH_SQL_DATABASE, default `seg_bench`, on TEST_MARIADB_URL or BENCH_SQL_URL;
 * `scripts/db.sh start` is run when neither is set) and prints the load throughput. Then, for every seed example segment, it times the
 * count query the compiler generates against a count query written by hand for the same segment on
 * the same tables (median of BENCH_SQL_ROUNDS = 5, interleaved), checks both count the same, prints
 * the ratio (target ≤ 1.2×), and compares EXPLAIN: an index the hand-written query uses should be
 * used by the generated one too.
 *
 *   BENCH_SQL_PROFILES=50000 npm run bench:sql        develop at 50k
 *   BENCH_SQL_RELOAD=1 npm run bench:sql              reload even if the data is there
 *   BENCH_SQL_ONLY="cart,suppression" npm run bench:sql   time only some segments
 *   BENCH_SQL_DATABASE=seg_bench_50k …                    another data set beside the 1M one
 */
import { execFileSync } from 'node:child_process';
import type { Knex } from 'knex';
import { countQuery, createLayout, dropLayout, LAYOUT_TABLES, loadProfiles, openDatabase, prepareSegment, readLayout, type LoadInput, type Schema, type SegmentDefinition, type SqlMapping } from '../core/server';
import { generateProfiles } from '../sample/generate';
import sampleSchema from '../sample/schema.json';
import sampleSegments from '../sample/segments.json';

const PROFILES = Number(process.env.BENCH_SQL_PROFILES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_SQL_ROUNDS ?? 5);
/** Only the segments whose name contains one of these (comma-separated), e.g. to re-time a few. */
const ONLY = (process.env.BENCH_SQL_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const NOW_ISO = '2026-11-24T12:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const DAY = 86_400_000;
const schema = sampleSchema as Schema;
const segments = sampleSegments as SegmentDefinition[];

function serverUrl(): string {
  const url = process.env.BENCH_SQL_URL ?? process.env.TEST_MARIADB_URL;
  if (url) return url;
  const out = execFileSync('bash', ['scripts/db.sh', 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('TEST_MARIADB_URL='));
  if (!line) throw new Error('scripts/db.sh start printed no TEST_MARIADB_URL');
  return line.slice('TEST_MARIADB_URL='.length);
}

/** The benchmark's own database on the server (BENCH_SQL_DATABASE, default `seg_bench`). */
const DATABASE = (process.env.BENCH_SQL_DATABASE ?? 'seg_bench').replace(/[^A-Za-z0-9_]/g, '_');

async function benchDatabase(): Promise<Knex> {
  const url = new URL(serverUrl());
  const admin = openDatabase(url.toString());
  await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4', [DATABASE]);
  await admin.destroy();
  url.pathname = `/${DATABASE}`;
  return openDatabase(url.toString(), { pool: { min: 1, max: 1 } });
}

async function storedProfiles(db: Knex): Promise<number> {
  if ((await readLayout(db)) === undefined) return 0;
  const rows = (await db(LAYOUT_TABLES.profiles).count({ n: '*' })) as { n: number }[];
  return Number(rows[0].n);
}

async function load(db: Knex): Promise<void> {
  if (process.env.BENCH_SQL_RELOAD !== '1' && (await storedProfiles(db)) === PROFILES) {
    console.log(`data: ${PROFILES.toLocaleString('en-US')} profiles already loaded in ${DATABASE} (BENCH_SQL_RELOAD=1 to reload)`);
    return;
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
      for (const key of ['tags']) if (Array.isArray(profile[key])) elements += (profile[key] as unknown[]).length;
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
    batchSize: 1000,
    onProgress: ({ loaded }) => {
      const now = performance.now();
      if (now - last > 10_000) {
        last = now;
        console.log(`  loaded ${loaded.toLocaleString('en-US')} profiles…`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const rows = result.loaded + events + elements;
  console.log(
    `load: ${result.loaded.toLocaleString('en-US')} profiles, ${events.toLocaleString('en-US')} events, ${elements.toLocaleString('en-US')} list elements in ${seconds.toFixed(1)} s: ` +
      `${Math.round(result.loaded / seconds).toLocaleString('en-US')} profiles/s, ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`,
  );
  for (const table of Object.values(LAYOUT_TABLES).slice(0, 4)) await db.raw('ANALYZE TABLE ??', [table]);
}

/** The hand-written count query of each seed segment, on the same tables, as a careful developer would write it. */
function handWritten(m: SqlMapping): Record<string, [string, unknown[]]> {
  const c = (field: string) => `p.${m.fields[field].column}`;
  const lc = (field: string) => `p.${m.fields[field].lower}`;
  const d7 = NOW - 7 * DAY;
  const d30 = NOW - 30 * DAY;
  const base = 'SELECT COUNT(*) AS n FROM seg_profiles p WHERE ';
  const hasTag = (tag: string) => `EXISTS (SELECT 1 FROM seg_lists l WHERE l.pid = p.pid AND l.field = 'tags' AND l.text_lc = '${tag}')`;
  const events = (name: string, extra = '') => `SELECT 1 FROM seg_events e WHERE e.pid = p.pid AND e.event_lc = '${name}'${extra}`;
  const vipArabic = `${hasTag('vip')} AND ${lc('language')} = 'ar'`;
  return {
    'VIP Arabic Speakers': [base + vipArabic, []],
    'Inactive 30+ Days': [base + `${c('last_interaction')} < ?`, [d30]],
    'Gold Tier in Oman': [base + `${lc('attributes.tier')} = 'gold' AND ${lc('country')} = 'om'`, []],
    'WhatsApp Opted-In': [base + `${lc('platform')} = 'whatsapp' AND ${c('opt_out')} = FALSE`, []],
    'New This Week': [base + `${c('created_at')} BETWEEN ? AND ?`, [d7, NOW]],
    'Enterprise Leads': [base + `${lc('attributes.interest')} = 'enterprise' AND ${hasTag('lead')}`, []],
    'High Value Customers': [base + `${c('attributes.lifetime_value')} > 25000`, []],
    'Hot Offer Not Bought': [
      base +
        `p.pid IN (SELECT e.pid FROM seg_events e WHERE e.event_lc = 'page_view' AND e.ts BETWEEN ? AND ? AND e.p_offer__lc = 'summer-pass' GROUP BY e.pid HAVING COUNT(*) >= 5) ` +
        `AND NOT EXISTS (${events('purchase', " AND e.p_offer__lc = 'summer-pass'")})`,
      [d7, NOW],
    ],
    Clickers: [base + `${c('clicks_count')} > 0`, []],
    'Clickers Who Received One Message': [base + `${c('clicks_count')} > 0 AND ${c('sent_count')} = 1`, []],
    'Clickers Not Messaged For A Month': [base + `${c('clicks_count')} > 0 AND ${c('last_received_sms')} < ?`, [d30]],
    'Unused Numbers': [base + `${c('sent_count')} < 1`, []],
    'Received Once Never Clicked': [base + `${c('sent_count')} = 1 AND ${c('clicks_count')} = 0`, []],
    'Omani Carriers': [base + `${lc('country')} = 'om' AND ${lc('carrier')} IN ('omantel', 'ooredoo')`, []],
    'Female Customers With Email': [base + `${lc('gender')} = 'female' AND (${c('email')} IS NOT NULL OR p.${m.fields.email.other} IS NOT NULL)`, []],
    'Returning Users': [base + `${c('attributes.returning_user')} = TRUE`, []],
    'Talked With Agent This Month': [base + `EXISTS (${events('agent_chat', ' AND e.ts BETWEEN ? AND ?')})`, [d30, NOW]],
    'Completed Bot Flow': [base + `EXISTS (${events('flow_completed', " AND e.p_flow__lc = 'bot'")})`, []],
    'Cart Not Paid': [base + `EXISTS (${events('add_to_cart', ' AND e.ts BETWEEN ? AND ?')}) AND NOT EXISTS (${events('purchase', ' AND e.ts BETWEEN ? AND ?')})`, [d7, NOW, d7, NOW]],
    'Global Suppression (3+ SMS, Never Clicked)': [
      base + `p.pid IN (SELECT e.pid FROM seg_events e WHERE e.event_lc = 'sms_received' GROUP BY e.pid HAVING COUNT(*) >= 3) AND NOT EXISTS (${events('sms_clicked')})`,
      [],
    ],
    'VIP Arabic Speakers Still Active': [base + `${vipArabic} AND (${c('last_interaction')} >= ? OR ${c('last_interaction')} IS NULL)`, [d30]],
    'Event Attendees (manual)': [base + "p.pid IN ('p000001', 'p000002', 'p000003', 'p000042')", []],
  };
}

async function time(run: () => Promise<number>): Promise<{ ms: number; n: number }> {
  const t = performance.now();
  const n = await run();
  return { ms: performance.now() - t, n };
}

/** The indexes MariaDB's EXPLAIN says a query reads through. */
async function indexesOf(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string[]> {
  const [rows] = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as [{ key: string | null; table: string }[]];
  return [...new Set(rows.filter((r) => r.key).map((r) => r.key!.replace(/^ix_seg_profiles_/, '')))].sort();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const db = await benchDatabase();
  try {
    await load(db);
    const mapping = (await readLayout(db))!.mapping;
    const hand = handWritten(mapping);
    console.log(`\n${'segment'.padEnd(44)} ${'count'.padStart(9)} ${'generated'.padStart(10)} ${'hand'.padStart(9)} ${'ratio'.padStart(6)}  indexes (generated | hand)`);
    const ratios: number[] = [];
    let failures = 0;
    for (const def of segments) {
      if (ONLY.length > 0 && !ONLY.some((o) => def.name.toLowerCase().includes(o))) continue;
      const source = 'expression' in def ? def.expression : `in_segment(${JSON.stringify(def.name)})`;
      const segment = await prepareSegment(db, source, { segments, now: NOW_ISO });
      const generated = countQuery(db, segment).toSQL().toNative();
      const [handSql, handBindings] = hand[def.name];
      const runGenerated = async () => Number(((await db.raw(generated.sql, generated.bindings as Knex.RawBinding[])) as [{ n: number }[]])[0][0].n);
      const runHand = async () => Number(((await db.raw(handSql, handBindings as Knex.RawBinding[])) as [{ n: number }[]])[0][0].n);
      await runGenerated();
      await runHand();
      const g: number[] = [];
      const h: number[] = [];
      let counts = { g: 0, h: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which runs first, so neither always finds the other's pages in the cache.
        const a = round % 2 === 0 ? await time(runGenerated) : undefined;
        const b = await time(runHand);
        const a2 = a ?? (await time(runGenerated));
        g.push(a2.ms);
        h.push(b.ms);
        counts = { g: a2.n, h: b.n };
      }
      const ratio = median(g) / median(h);
      ratios.push(ratio);
      const gi = await indexesOf(db, generated.sql, generated.bindings);
      const hi = await indexesOf(db, handSql, handBindings);
      const missing = hi.filter((i) => !gi.includes(i));
      const problems = [counts.g !== counts.h ? `COUNTS DIFFER (hand ${counts.h})` : '', ratio > 1.2 ? 'SLOWER THAN 1.2×' : '', missing.length > 0 ? `NOT USING ${missing.join(', ')}` : ''].filter(Boolean);
      if (counts.g !== counts.h) failures++;
      console.log(
        `${def.name.slice(0, 44).padEnd(44)} ${counts.g.toLocaleString('en-US').padStart(9)} ${median(g).toFixed(1).padStart(8)}ms ${median(h).toFixed(1).padStart(7)}ms ${ratio.toFixed(2).padStart(5)}×  ${gi.join(',') || '(scan)'} | ${hi.join(',') || '(scan)'}${problems.length ? `  ← ${problems.join('; ')}` : ''}`,
      );
    }
    const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    console.log(`\ngeometric mean ratio: ${geo.toFixed(2)}× (target ≤ 1.2× each); worst ${Math.max(...ratios).toFixed(2)}×; ${PROFILES.toLocaleString('en-US')} profiles, median of ${ROUNDS}`);
    if (failures > 0) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
