/**
 * The workspace's data: a SQLite file with generated profiles (sample/generate.ts) in the SQL
 * layer's store, the seed documents' example segments in the catalogue (sample/segments.json), a few
 * campaigns and automations attached to them, and every segment's reach counted in the database.
 *
 * Made once and cached: `<dir>/workspace.db` with a stamp beside it that records what it was made
 * from (generator and seed files, the profile count, the instant the dates are relative to). A later
 * run whose stamp matches opens the file as it is. The file is written under a temporary name and
 * renamed when complete, so an interrupted first run never leaves a half-made workspace behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLayout,
  loadProfiles,
  openDatabase,
  SegmentCatalog,
  sqlReachCounter,
  type LoadInput,
  type Orchestration,
  type Schema,
  type SegmentDefinition,
} from 'n8n-nodes-segments/server';
import { ReachIndex } from 'n8n-nodes-segments/reach';
import { generateProfiles } from '../../sample/generate';

export interface SampleOptions {
  /** The repository root (sample/ is read from there). */
  root: string;
  /** Where the cached workspace lives. */
  dir: string;
  /** How many profiles (default 100,000). */
  count?: number;
  /** Make it again even if the cached one is up to date. */
  force?: boolean;
  /** The instant the generated dates are relative to (default: now, at the first run). */
  now?: string;
  /** A cached workspace older than this many days is made again (its "last 7 days" would be empty); default 7. */
  maxAgeDays?: number;
  log?: (line: string) => void;
}

export interface Sample {
  file: string;
  /** True when this run made it. */
  created: boolean;
  count: number;
  now: string;
  seconds: number;
}

/** Campaigns and automations of the sample workspace, so that the list shows usage and delete shows the refusal. */
export const SAMPLE_USAGE: readonly { segment: string; orchestration: Orchestration }[] = [
  { segment: 'VIP Arabic Speakers', orchestration: { kind: 'campaign', id: 'ramadan-vip-offer', status: 'running' } },
  { segment: 'VIP Arabic Speakers Still Active', orchestration: { kind: 'automation', id: 'vip-concierge', status: 'running' } },
  { segment: 'Inactive 30+ Days', orchestration: { kind: 'automation', id: 'win-back-series', status: 'running' } },
  { segment: 'New This Week', orchestration: { kind: 'automation', id: 'welcome-series', status: 'running' } },
  { segment: 'Hot Offer Not Bought', orchestration: { kind: 'campaign', id: 'summer-pass-reminder', status: 'scheduled' } },
  { segment: 'Cart Not Paid', orchestration: { kind: 'automation', id: 'cart-reminder', status: 'running' } },
  { segment: 'WhatsApp Opted-In', orchestration: { kind: 'campaign', id: 'eid-sale', status: 'complete' } },
  { segment: 'Global Suppression (3+ SMS, Never Clicked)', orchestration: { kind: 'campaign', id: 'eid-sale', status: 'complete' } },
];

const DAY = 86_400_000;

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

export function readSchema(root: string): Schema {
  return JSON.parse(readFileSync(join(root, 'sample', 'schema.json'), 'utf8')) as Schema;
}

export function readSeeds(root: string): SegmentDefinition[] {
  return JSON.parse(readFileSync(join(root, 'sample', 'segments.json'), 'utf8')) as SegmentDefinition[];
}

/** What the workspace is made from; a different one means the cached file is stale. */
function fingerprint(root: string, count: number): string {
  const hash = createHash('sha256');
  for (const file of ['sample/generate.ts', 'sample/schema.json', 'sample/segments.json']) hash.update(readFileSync(join(root, file)));
  hash.update(JSON.stringify(SAMPLE_USAGE));
  return `${hash.digest('hex').slice(0, 16)}-${count}`;
}

interface Stamp {
  fingerprint: string;
  count: number;
  now: string;
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** Opens the cached workspace, making it first when missing, stale or too old. */
export async function ensureSample(options: SampleOptions): Promise<Sample> {
  const count = options.count ?? 100_000;
  const log = options.log ?? (() => {});
  const file = join(options.dir, 'workspace.db');
  const stampFile = `${file}.stamp.json`;
  const expected = fingerprint(options.root, count);
  const stamp = readStamp(stampFile);
  const maxAge = (options.maxAgeDays ?? 7) * DAY;
  const fresh = stamp !== undefined && stamp.fingerprint === expected && existsSync(file) && (options.now !== undefined ? stamp.now === options.now : Date.now() - Date.parse(stamp.now) < maxAge);
  if (fresh && !options.force) return { file, created: false, count, now: stamp.now, seconds: 0 };

  const started = performance.now();
  const now = options.now ?? new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  mkdirSync(options.dir, { recursive: true });
  const partial = `${file}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(f, { force: true });
  log(`workspace: generating ${count.toLocaleString('en-US')} profiles with their events (once; cached in ${options.dir})`);
  const schema = readSchema(options.root);
  const db = openDatabase(`sqlite:${partial}`);
  try {
    const mapping = await createLayout(db, schema);
    let line = 0;
    const input = (function* (): Generator<LoadInput> {
      for (const value of generateProfiles(count, { seed: 1, now })) yield { line: ++line, value };
    })();
    let step = 0;
    const loaded = await loadProfiles(db, input, {
      schema,
      mapping,
      onProgress: ({ loaded: n }) => {
        if (n >= step + 25_000) log(`workspace: ${(step = n - (n % 25_000)).toLocaleString('en-US')} profiles stored (${seconds(started)} s)`);
      },
    });
    if (!loaded.committed) throw new Error(`the sample profiles were refused: ${loaded.rejected.map((r) => `${r.line}: ${r.reason}`).join('; ')}`);
    log(`workspace: ${loaded.loaded.toLocaleString('en-US')} profiles stored and indexed (${seconds(started)} s)`);
    const catalog = await SegmentCatalog.open(db, { schema });
    await catalog.saveAll(readSeeds(options.root), { description: 'An example segment of the product documents' });
    for (const u of SAMPLE_USAGE) await catalog.attach(u.segment, u.orchestration);
    await catalog.refreshReach(sqlReachCounter(db));
    log(`workspace: example segments saved and counted (${seconds(started)} s)`);
  } finally {
    await db.destroy();
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  renameSync(partial, file);
  writeFileSync(stampFile, JSON.stringify({ fingerprint: expected, count, now } satisfies Stamp));
  log(`workspace: ${count.toLocaleString('en-US')} profiles and ${readSeeds(options.root).length} segments ready in ${seconds(started)} s`);
  return { file, created: true, count, now, seconds: (performance.now() - started) / 1000 };
}

/**
 * The sample's profiles in the reach index, for live counts: the same generator, seed and instant as
 * the stored ones (the workspace never changes a profile; manual segments' members come with the
 * catalogue's definitions).
 */
export function sampleReachIndex(sample: Sample, schema: Schema): ReachIndex {
  return ReachIndex.from(generateProfiles(sample.count, { seed: 1, now: sample.now }), { schema });
}
