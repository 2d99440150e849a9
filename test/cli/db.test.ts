/**
 * `--db` on count, filter and explain: the CLI hands the same expression, schema, segments and --now to
 * the database and prints the same thing as with --data (SQLite here; the SQL suites cover the rest).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ids, lastLine, NOW, segment } from './cli';

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
