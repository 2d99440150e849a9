/**
 * `segment segments refresh` and `segment segments changes` on SQLite, MariaDB and PostgreSQL: the
 * table and JSON of a refresh, JSON Lines of changes ending with the cursor to resume from, resuming
 * from it, `--since <instant>`, and exit 2 with a clear message for bad input.
 */
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCatalogCommands } from '../../cli/catalog-commands';
import { SegmentCatalog } from '../../core/catalog/catalog';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { TARGETS, type TestDatabase } from './databases';

async function segment(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('segment').exitOverride();
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerCatalogCommands(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['node', 'segment', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

const SCHEMA: Schema = { fields: { id: { type: 'text' }, spend: { type: 'number' } } };

describe.each(TARGETS)('segment segments refresh / changes on $name', (target) => {
  let t: TestDatabase;
  const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    t = await target.create();
    await dropLayout(t.db);
    const mapping = await createLayout(t.db, SCHEMA);
    await loadProfiles(t.db, [{ id: 'p1', spend: 10 }, { id: 'p2', spend: 500 }, { id: 'p3', spend: 900 }].map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
    const catalog = await SegmentCatalog.open(t.db);
    await catalog.create({ name: 'High Value Customers', expression: 'spend > 100' });
    await catalog.create({ name: 'Broken', expression: 'spend > 1' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refreshes, prints who entered and left as JSON Lines with a cursor, and resumes from it', async () => {
    const refreshed = await segment('segments', 'refresh', 'High Value Customers', '--db', t.url, '--now', '2026-11-24T12:00:00Z');
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/^Name\s+Run\s+Version\s+Entered\s+Left\s+Members\n[- ]+\nHigh Value Customers\s+1\s+1\s+2\s+0\s+2\n$/);
    const first = await segment('segments', 'changes', 'high value customers', '--db', t.url, '--json');
    expect(first.code).toBe(0);
    const out = lines(first.stdout);
    expect(out.slice(0, -1)).toEqual([
      { segment: 'High Value Customers', profile_id: 'p2', change: 'entered', at: '2026-11-24T12:00:00.000Z', version: 1, run: 1, cursor: expect.stringMatching(/^seg\d+\.1\.\w+$/) },
      { segment: 'High Value Customers', profile_id: 'p3', change: 'entered', at: '2026-11-24T12:00:00.000Z', version: 1, run: 1, cursor: expect.any(String) },
    ]);
    const cursor = String(out[out.length - 1]!.cursor);
    expect(cursor).toMatch(/^seg\d+\.1$/);

    await loadProfiles(t.db, [{ line: 1, value: { id: 'p1', spend: 1000 } }, { line: 2, value: { id: 'p2', spend: 0 } }], { schema: SCHEMA, mapping: (await import('../../core/sql/layout').then((m) => m.readLayout(t.db)))!.mapping });
    const json = await segment('segments', 'refresh', '--db', t.url, '--now', '2026-11-25T12:00:00Z', '--json');
    expect(JSON.parse(json.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ segment: 'High Value Customers', run: 2, entered: 1, left: 1, members: 2 })]));
    const next = await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--since', cursor, '--json');
    expect(lines(next.stdout).slice(0, -1).map((l) => [l.change, l.profile_id, l.at])).toEqual([
      ['entered', 'p1', '2026-11-25T12:00:00.000Z'],
      ['left', 'p2', '2026-11-25T12:00:00.000Z'],
    ]);
    const end = String(lines(next.stdout).pop()!.cursor);
    expect(lines((await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--since', end, '--json')).stdout)).toEqual([{ cursor: end }]);

    // From an instant, only exits, for people.
    const text = await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--since', '2026-11-25', '--only', 'left');
    expect(text.stdout).toBe('2026-11-25T12:00:00.000Z  left     p2\n');
    expect(text.stderr).toContain(`resume with --since ${end}`);
    // --limit stops early with a cursor after the last change printed.
    const one = lines((await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--limit', '1', '--json')).stdout);
    expect(one).toHaveLength(2);
    expect(one[1]!.cursor).toBe(one[0]!.cursor);
  });

  it('refuses bad input with exit 2 and says why', async () => {
    const badSince = await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--since', 'last tuesday');
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('"since" must be a change cursor or an ISO-8601 instant');
    const badCursor = await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--since', 'seg999.1');
    expect(badCursor.code).toBe(2);
    expect(badCursor.stderr).toContain('another segment');
    const badLimit = await segment('segments', 'changes', 'High Value Customers', '--db', t.url, '--limit', '0');
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit must be a whole number');
    const unknown = await segment('segments', 'refresh', 'High Valu Customers', '--db', t.url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no segment "High Valu Customers"');
    const badNow = await segment('segments', 'refresh', '--db', t.url, '--now', 'soon');
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).toContain('"now" is not an ISO-8601 date');
    const noStack = [badSince, badCursor, badLimit, unknown, badNow].map((r) => r.stderr).join('\n');
    expect(noStack).not.toMatch(/\n\s+at /);
  });
});
