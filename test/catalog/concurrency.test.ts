import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { dropCatalogTables, TABLES } from '../../core/catalog/migrations';
import { check } from '../../core/engine';
import { TARGETS, type TestDatabase } from './databases';

const BUNDLE = join(__dirname, '..', '..', 'build', 'test', 'catalog-hammer.mjs');

beforeAll(async () => {
  await build({ entryPoints: [join(__dirname, 'fixtures', 'hammer.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: BUNDLE, logLevel: 'warning' });
});

interface Hammer {
  /** Resolves when the child has connected and waits for `go`. */
  ready: Promise<void>;
  /** Resolves with the child's outcome counts. */
  outcome: Promise<Record<string, number>>;
  go(): void;
}

/** Starts the hammer in a real child process; it connects, says `ready`, and starts on `go`. */
function hammer(url: string, ...args: string[]): Hammer {
  const child = spawn(process.execPath, [BUNDLE, url, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let sayReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (sayReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) sayReady();
  });
  child.stderr.on('data', (d) => (err += d));
  const outcome = new Promise<Record<string, number>>((resolve, reject) => {
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(last));
      } catch (e) {
        reject(new Error(`hammer failed (${(e as Error).message}): ${out}${err}`));
      }
    });
  });
  // A child that dies before `ready` must not leave the barrier waiting.
  const readyOrDead = Promise.race([ready, outcome.then(() => Promise.reject(new Error(`hammer ended before ready: ${out}${err}`)))]);
  return { ready: readyOrDead, outcome, go: () => child.stdin.end('go\n') };
}

/** Starts the hammers together: every child connected and waiting before any of them begins. */
async function together(hammers: Hammer[]): Promise<Record<string, number>[]> {
  await Promise.all(hammers.map((h) => h.ready));
  for (const h of hammers) h.go();
  return Promise.all(hammers.map((h) => h.outcome));
}

describe.each(TARGETS)('concurrent saves from several processes on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;

  beforeAll(async () => {
    t = await target.create();
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await dropCatalogTables(t.db);
    catalog = await SegmentCatalog.open(t.db);
  });

  it('never lets three processes together exceed 500 active segments', async () => {
    const rows = Array.from({ length: 470 }, (_, i) => ({ name: `pre${i}`, name_key: `pre${i}`, description: '', kind: 'manual', expression: null, state: 'active', version: 1, created_at: 0, updated_at: 0 }));
    for (let i = 0; i < rows.length; i += 100) await t.db(TABLES.segments).insert(rows.slice(i, i + 100));
    const outcomes = await together(['x', 'y', 'z'].map((prefix) => hammer(t.url, 'create', prefix, '20')));
    const saved = outcomes.reduce((n, o) => n + (o.saved ?? 0), 0);
    const refused = outcomes.reduce((n, o) => n + (o['segment-limit'] ?? 0), 0);
    expect(saved).toBe(30);
    expect(refused).toBe(30);
    expect((await catalog.list()).length).toBe(500);
    // 30 slots, at most 20 saves a process: at least two processes saved (no clock involved).
    expect(outcomes.filter((o) => (o.saved ?? 0) > 0).length).toBeGreaterThan(1);
  });

  it('never lets two processes close a cycle by each saving half of it', async () => {
    const pairs = 25;
    for (let k = 0; k < pairs; k++) {
      await catalog.create({ name: `P${k}a`, expression: 'country = "OM"' });
      await catalog.create({ name: `P${k}b`, expression: 'country = "AE"' });
    }
    const [a, b] = await together([hammer(t.url, 'link', String(pairs), 'a'), hammer(t.url, 'link', String(pairs), 'b')]);
    expect((a.saved ?? 0) + (b.saved ?? 0)).toBe(pairs);
    expect((a['segment-cycle'] ?? 0) + (b['segment-cycle'] ?? 0)).toBe(pairs);
    const definitions = await catalog.definitions();
    for (const d of definitions) {
      if ('expression' in d) expect(check(d.expression, { segments: definitions }).errors).toEqual([]);
    }
  });
});
