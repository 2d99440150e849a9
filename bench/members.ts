/**
 * `npm run bench:members`: a manual segment of 1,000,000 members in a SQLite catalogue next to
 * 1,000,000 stored profiles. Each phase runs in a fresh child process and prints its time and peak
 * RSS: `segments reach` and `segments export` with the members joined in the database (what the CLI
 * and the SQL sources do), the same with every member id loaded first (how it worked before), and
 * the baseline: a hand-written `COUNT(*)` join of the member table with the profiles table.
 *
 * BENCH_MEMBERS=200000 npm run bench:members   for a quicker run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLayout, loadProfiles, openDatabase, SegmentCatalog, sqlReachCounter, sqlSegmentProfiles, type ReachCounter, type Schema } from '../core/server';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const SCHEMA: Schema = { fields: { id: { type: 'text' }, custom_id: { type: 'text' }, email: { type: 'text' }, country: { type: 'text' } } };
const id = (i: number) => `m${String(i).padStart(7, '0')}`;

function* profiles(n: number) {
  for (let i = 0; i < n; i++) yield { line: i + 1, value: { id: id(i), custom_id: `C-${i}`, email: `person${i}@example.com`, country: i % 3 === 0 ? 'AE' : 'OM' } };
}

/** Loads the profiles (members, and a tenth more that are not) and saves the segment. */
async function setUp(url: string): Promise<void> {
  const db = openDatabase(url);
  try {
    const started = performance.now();
    const mapping = await createLayout(db, SCHEMA);
    await loadProfiles(db, profiles(Math.round(MEMBERS * 1.1)), { schema: SCHEMA, mapping });
    const catalog = await SegmentCatalog.open(db);
    await catalog.create({ name: 'Million', members: Array.from({ length: MEMBERS }, (_, i) => id(i)) });
    process.stdout.write(`set-up: ${Math.round(MEMBERS * 1.1).toLocaleString('en-US')} profiles and a manual segment of ${MEMBERS.toLocaleString('en-US')} members in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await db.destroy();
  }
}

type Phase = 'reach' | 'reach-loading-ids' | 'export' | 'export-loading-ids' | 'baseline';

/** The child: one phase, then its figures as a JSON line. */
async function child(phase: Phase, url: string, directory: string): Promise<void> {
  const db = openDatabase(url);
  const catalog = new SegmentCatalog(db);
  const started = performance.now();
  let rows = 0;
  if (phase === 'baseline') {
    const r = await db.raw('SELECT COUNT(*) AS n FROM seg_members m JOIN seg_profiles p ON p.pid = m.profile_id WHERE m.segment_id = (SELECT id FROM seg_segments WHERE name = ?)', ['Million']);
    rows = Number((r as { n: number }[])[0].n);
  } else if (phase === 'reach' || phase === 'reach-loading-ids') {
    const stored = sqlReachCounter(db);
    // Without the marker, refreshReach loads every member id first (the old behaviour).
    const counter: ReachCounter = phase === 'reach' ? stored : (def, all) => stored(def, all);
    rows = (await catalog.refreshReach(counter, ['Million']))[0].reach!;
  } else {
    const result = await catalog.export('Million', { role: 'admin', directory, members: phase === 'export' ? 'stored' : 'ids', profiles: (def, all) => sqlSegmentProfiles(db, def, all) });
    rows = result.rows;
  }
  const seconds = (performance.now() - started) / 1000;
  await db.destroy();
  process.stdout.write(`${JSON.stringify({ rows, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Phase, process.argv[4], process.argv[5]);
  const directory = mkdtempSync(join(tmpdir(), 'segmembers-bench-'));
  const url = `sqlite:${join(directory, 'bench.db')}`;
  try {
    await setUp(url);
    process.stdout.write(`SQLite, each phase in a fresh process\n`);
    const figures: Partial<Record<Phase, { rows: number; seconds: number; maxRssMb: number }>> = {};
    for (const phase of ['baseline', 'reach', 'reach-loading-ids', 'export', 'export-loading-ids'] as Phase[]) {
      const run = spawnSync(process.execPath, [process.argv[1], '--child', phase, url, directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (run.status !== 0) throw new Error(`the ${phase} phase failed`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: number; seconds: number; maxRssMb: number };
      figures[phase] = r;
      process.stdout.write(`  ${phase.padEnd(20)} ${r.rows.toLocaleString('en-US').padStart(9)} profiles  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${r.maxRssMb.toFixed(0).padStart(4)} MB\n`);
    }
    const base = figures.baseline!;
    const reach = figures.reach!;
    process.stdout.write(`  reach / hand-written COUNT join: ${(reach.seconds / base.seconds).toFixed(2)}× the time\n`);
    process.stdout.write(`  peak RSS, members joined vs loaded: reach ${reach.maxRssMb.toFixed(0)} vs ${figures['reach-loading-ids']!.maxRssMb.toFixed(0)} MB, export ${figures.export!.maxRssMb.toFixed(0)} vs ${figures['export-loading-ids']!.maxRssMb.toFixed(0)} MB\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:members failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
