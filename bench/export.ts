/**
 * `npm run bench:export`: exports a 100k-profile and a 1M-profile segment from MariaDB to CSV, each
 * in a fresh child process, and prints rows/s and peak RSS for both (memory must not grow with rows).
 * Targets: ≥ 100,000 rows/s and peak RSS ≤ 200 MB.
 *
 * The server: $BENCH_MARIADB_URL, else $TEST_MARIADB_URL, else the one `scripts/db.sh start` runs.
 * The profiles are loaded once into the database `segcat_bench` and reused by later runs.
 * BENCH_ROWS=200000 npm run bench:export   for a quicker run (the small size is a tenth of it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createLayout, dropLayout, loadProfiles, openDatabase, readLayout, SegmentCatalog, sqlSegmentProfiles, type Schema } from '../core/server';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.round(ROWS / 10);
const DATABASE = 'segcat_bench';
const SCHEMA: Schema = {
  fields: {
    id: { type: 'text' },
    custom_id: { type: 'text' },
    email: { type: 'text' },
    phone: { type: 'text' },
    n: { type: 'number' },
    country: { type: 'text' },
  },
};

function serverUrl(): string {
  const given = process.env.BENCH_MARIADB_URL ?? process.env.TEST_MARIADB_URL;
  if (given) return given;
  const lines = execFileSync('bash', ['scripts/db.sh', 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = /^TEST_MARIADB_URL=(.+)$/m.exec(lines)?.[1];
  if (!found) throw new Error('no MariaDB: set BENCH_MARIADB_URL or run scripts/db.sh start');
  return found;
}

function benchUrl(server: string): string {
  const url = new URL(server);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

function* profiles(from: number, to: number) {
  for (let i = from; i < to; i++) {
    yield {
      line: i + 1,
      value: {
        id: `p${i}`,
        // One profile in ten has no custom id (exported with its profile id alone).
        custom_id: i % 10 === 0 ? undefined : `C-${i}`,
        email: `person${i}@example.com`,
        phone: `+9689${String(1000000 + (i % 8999999)).padStart(7, '0')}`,
        n: i,
        country: i % 3 === 0 ? 'AE' : 'OM',
      },
    };
  }
}

/** Loads the profiles once (kept between runs) and saves the two segments. */
async function setUp(server: string): Promise<void> {
  const admin = openDatabase(server);
  await admin.raw(`CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4`);
  await admin.destroy();
  const db = openDatabase(benchUrl(server));
  try {
    const have = (await readLayout(db)) ? Number((await db('seg_profiles').count({ n: '*' }))[0].n) : 0;
    if (have !== ROWS) {
      process.stdout.write(`loading ${ROWS.toLocaleString('en-US')} profiles into ${DATABASE} (once)…\n`);
      await dropLayout(db);
      const mapping = await createLayout(db, SCHEMA);
      const started = performance.now();
      await loadProfiles(db, profiles(0, ROWS), { schema: SCHEMA, mapping });
      process.stdout.write(`  loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const catalog = await SegmentCatalog.open(db);
    await saveSegment(catalog, 'Bench small', `n < ${SMALL}`);
    await saveSegment(catalog, 'Bench all', 'n >= 0');
  } finally {
    await db.destroy();
  }
}

async function saveSegment(catalog: SegmentCatalog, name: string, expression: string): Promise<void> {
  const existing = (await catalog.list()).find((s) => s.name === name);
  if (existing) await catalog.update(name, { expression });
  else await catalog.create({ name, expression });
}

/** The child: one export, then its figures as a JSON line. */
async function child(url: string, segment: string, directory: string): Promise<void> {
  const db: Knex = openDatabase(url);
  const catalog = new SegmentCatalog(db);
  const started = performance.now();
  const result = await catalog.export(segment, { role: 'admin', directory, profiles: (def, all) => sqlSegmentProfiles(db, def, all) });
  const seconds = (performance.now() - started) / 1000;
  await db.destroy();
  process.stdout.write(`${JSON.stringify({ rows: result.rows, skipped: result.skipped, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4], process.argv[5]);
  const server = serverUrl();
  await setUp(server);
  const directory = mkdtempSync(join(tmpdir(), 'segexport-bench-'));
  try {
    process.stdout.write(`segment export from MariaDB to CSV (each size in a fresh process)\n`);
    const results = [];
    for (const segment of ['Bench small', 'Bench all']) {
      const run = spawnSync(process.execPath, [process.argv[1], '--child', benchUrl(server), segment, directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (run.status !== 0) throw new Error(`the ${segment} export failed`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: number; seconds: number; maxRssMb: number };
      results.push(r);
      const rate = Math.round(r.rows / r.seconds);
      process.stdout.write(`  ${r.rows.toLocaleString('en-US').padStart(9)} rows  ${r.seconds.toFixed(2).padStart(6)} s  ${rate.toLocaleString('en-US').padStart(9)} rows/s  peak RSS ${r.maxRssMb.toFixed(0)} MB\n`);
    }
    const [small, large] = results;
    const rate = large.rows / large.seconds;
    process.stdout.write(`  RSS growth from ${small.rows.toLocaleString('en-US')} to ${large.rows.toLocaleString('en-US')} rows: ${(large.maxRssMb - small.maxRssMb).toFixed(0)} MB\n`);
    process.stdout.write(`  targets: ≥ 100,000 rows/s ${rate >= 100_000 ? 'met' : 'MISSED'}; peak RSS ≤ 200 MB ${large.maxRssMb <= 200 ? 'met' : 'MISSED'}\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:export failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
