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

/** Runs the hammer in a real child process; resolves with its outcome counts. */
function hammer(url: string, startAt: number, ...args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, url, String(startAt), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
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
    const startAt = Date.now() + 1500;
    const outcomes = await Promise.all(['x', 'y', 'z'].map((prefix) => hammer(t.url, startAt, 'create', prefix, '20')));
    const saved = outcomes.reduce((n, o) => n + (o.saved ?? 0), 0);
    const refused = outcomes.reduce((n, o) => n + (o['segment-limit'] ?? 0), 0);
    expect(saved).toBe(30);
    expect(refused).toBe(30);
    expect((await catalog.list()).length).toBe(500);
    // Each process got some of the 30 slots: they really ran side by side.
    expect(outcomes.filter((o) => (o.saved ?? 0) > 0).length).toBeGreaterThan(1);
  });

  it('never lets two processes close a cycle by each saving half of it', async () => {
    const pairs = 25;
    for (let k = 0; k < pairs; k++) {
      await catalog.create({ name: `P${k}a`, expression: 'country = "OM"' });
      await catalog.create({ name: `P${k}b`, expression: 'country = "AE"' });
    }
    const startAt = Date.now() + 1500;
    const [a, b] = await Promise.all([hammer(t.url, startAt, 'link', String(pairs), 'a'), hammer(t.url, startAt, 'link', String(pairs), 'b')]);
    expect((a.saved ?? 0) + (b.saved ?? 0)).toBe(pairs);
    expect((a['segment-cycle'] ?? 0) + (b['segment-cycle'] ?? 0)).toBe(pairs);
    const definitions = await catalog.definitions();
    for (const d of definitions) {
      if ('expression' in d) expect(check(d.expression, { segments: definitions }).errors).toEqual([]);
    }
  });
});
