/**
 * `--db` on count, filter and explain: the CLI hands the same expression, schema, segments and --now to
 * the database and prints the same thing as with --data (SQLite here; the SQL suites cover the rest).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/sql/connect';
import { readLayout } from '../../core/sql/layout';
import { CLI, fixture, ids, lastLine, NODE, NOW, segment } from './cli';

let dir: string;
let db: string;
const common = ['--schema', fixture('schema.json'), '--segments', fixture('segments.json'), '--now', NOW];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segment-db-'));
  db = `sqlite:${join(dir, 'profiles.db')}`;
  const r = segment(['import', '--db', db, '--schema', fixture('schema.json'), fixture('profiles.jsonl')]);
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('segment --db', () => {
  it.each([
    'tags contains "VIP" and country = "OM"',
    'not tags contains "VIP"',
    'last_interaction within last 30 days',
    'event("purchase").within(7 days).sum("amount") >= 100',
    'in_segment("Gold Omani VIPs") or in_segment("Hand Picked")',
  ])('counts `%s` in the database exactly as in the file', (expression) => {
    const fromDb = segment(['count', '--db', db, ...common, expression]);
    const fromFile = segment(['count', '--data', fixture('profiles.jsonl'), ...common, expression]);
    expect(fromDb.stderr).toBe('');
    expect(fromDb.status).toBe(0);
    expect(lastLine(fromDb.stdout)).toBe(lastLine(fromFile.stdout));
  });

  it('filters the same profiles out of the database as out of the file', () => {
    const expression = 'attributes.tier = "gold" or clicks_count = 0';
    const fromDb = segment(['filter', '--db', db, ...common, expression]);
    const fromFile = segment(['filter', '--data', fixture('profiles.jsonl'), ...common, expression]);
    expect(fromDb.status).toBe(0);
    expect(ids(fromDb.stdout).sort()).toEqual(ids(fromFile.stdout).sort());
  });

  it('prints the SQL after the sentence and the canonical form with explain --db', () => {
    const r = segment(['explain', '--db', db, ...common, 'country = "OM"']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe('country = "OM"');
    expect(lines.slice(2).join('\n')).toMatch(/select[\s\S]*from[\s\S]*where/i);
  });

  it('refuses --data and --db together', () => {
    const r = segment(['count', '--db', db, '--data', fixture('profiles.jsonl'), 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('both --data and --db given');
  });

  it('explains an unsupported database URL and exits 2', () => {
    const r = segment(['count', '--db', 'oracle://x', 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unsupported database URL/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('segment filter --db | head', () => {
  it('stops reading when the reader goes away, and exits 0 quietly', async () => {
    // 50,000 profiles, the last one (in id order) stored with a body that is not JSON: reading on to
    // it after `head` has left fails loudly, so exit 0 proves the query stopped (10 pages earlier).
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, Array.from({ length: 50_000 }, (_, i) => `${JSON.stringify({ id: `p${String(i).padStart(6, '0')}`, n: i })}\n`).join(''));
    writeFileSync(join(dir, 'many.schema.json'), JSON.stringify({ fields: { id: { type: 'text' }, n: { type: 'number' } } }));
    const many = `sqlite:${join(dir, 'many.db')}`;
    expect(segment(['import', '--db', many, '--schema', join(dir, 'many.schema.json'), file]).status).toBe(0);
    const knex = openDatabase(many);
    try {
      const { profiles } = (await readLayout(knex))!.mapping;
      expect(await knex(profiles.bodyTable ?? profiles.table).where(profiles.id, 'p049999').update({ [profiles.body!]: '{not json' })).toBe(1);
    } finally {
      await knex.destroy();
    }
    const all = segment(['filter', '--db', many, 'n >= 0']);
    expect(all.status, 'reading every profile reaches the broken one').not.toBe(0);
    // The CLI's own exit status and stderr, written after it ends (the pipeline's status is head's).
    const r = spawnSync('sh', ['-c', `{ "${NODE}" "${CLI}" filter --db "${many}" 'n >= 0'; echo "exit $?" >&2; } | head -1`], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ id: 'p000000', n: 0 });
    expect(r.stderr).toBe('exit 0\n');
  });
});
