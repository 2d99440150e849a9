/**
 * SQL size limits: segments as large as the language allows compile to SQL that every database
 * takes, and select exactly what memory selects; or, past what a database can bind in one query,
 * they are refused up front with a clear `sql-limit` error (never a driver error, a stack overflow
 * or profile data in a message).
 *
 * - long `and`/`or` chains are nested in groups (SQLite refused 999 conditions: "Expression tree is
 *   too large (maximum depth 1000)");
 * - large value sets (`in` lists, list operators, manual segments' members) are bound as one value
 *   ("too many SQL variables", "too many terms in compound SELECT", "Maximum call stack size exceeded").
 */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { SegmentError, SegmentErrors } from '../../core/errors';
import type { Schema } from '../../core/schema';
import type { SegmentDefinition } from '../../core/segments';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { compileSegmentSql, countProfiles, countQuery, toSql } from '../../core/sql/query';
import { DIALECT_NAMES, openTestDatabase } from './support';

const NOW = '2026-11-24T12:00:00Z';
const schema: Schema = {
  fields: {
    id: { type: 'text' },
    name: { type: 'text' },
    clicks_count: { type: 'number' },
    c: { type: 'number' },
    tags: { type: 'list', items: 'text' },
    scores: { type: 'list', items: 'number' },
  },
};
const PROFILES = 300;
const profiles: Record<string, unknown>[] = Array.from({ length: PROFILES }, (_, i) => ({
  id: `u${i}`,
  name: i % 7 === 0 ? `N${i % 50}` : `n${i % 50}`,
  clicks_count: i % 40,
  c: i,
  tags: Array.from({ length: i % 5 }, (_, k) => `t${(i + k) % 60}`),
  scores: Array.from({ length: i % 4 }, (_, k) => (i * 3 + k) % 90),
}));

const list = (values: readonly (string | number)[]) => `[${values.map((v) => JSON.stringify(v)).join(',')}]`;
const range = (n: number, f: (i: number) => string | number) => Array.from({ length: n }, (_, i) => f(i));

/** The count memory gives, or the SQL error a database gives: they must be equal, or SQL must refuse clearly. */
async function agree(db: Knex, dialect: Dialect, expression: string, segments: SegmentDefinition[] = []): Promise<'counted' | 'refused'> {
  const expected = compileSegment(expression, { schema, segments, now: NOW }).count(profiles);
  let segment;
  try {
    segment = compileSegmentSql(expression, { schema, dialect, segments, now: NOW });
  } catch (e) {
    const errors = e instanceof SegmentErrors ? e.errors : [e];
    expect(errors.map((x) => (x instanceof SegmentError ? x.code : String(x)))).toEqual(['sql-limit']);
    return 'refused';
  }
  expect(await countProfiles(db, segment), expression.slice(0, 120)).toBe(expected);
  return 'counted';
}

describe.each(DIALECT_NAMES)('segments at the size limits on %s', (dialect: Dialect) => {
  let db: Knex;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'limits');
    const mapping = await createLayout(db, schema);
    const loaded = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    expect(loaded.rejected).toEqual([]);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('counts a manual segment of 1,200 members (more than a compound SELECT or an IN list may hold)', async () => {
    const members = range(1200, (i) => `u${i * 3}`);
    expect(await agree(db, dialect, 'in_segment("M")', [{ name: 'M', members }])).toBe('counted');
    expect(await agree(db, dialect, 'not in_segment("M") or clicks_count = 3', [{ name: 'M', members }])).toBe('counted');
  });

  it('counts 999 conditions joined by and, and 5,000 joined by or', async () => {
    expect(await agree(db, dialect, range(999, () => 'clicks_count >= 0').join(' and '))).toBe('counted');
    expect(await agree(db, dialect, range(5000, (i) => `clicks_count = ${i % 100}`).join(' or '))).toBe('counted');
  });

  it('counts `name in` 32,767 strings and `clicks_count in` 150,000 numbers, and prints their SQL', async () => {
    const strings = `name in ${list(range(32_767, (i) => `n${i}`))}`;
    const numbers = `clicks_count in ${list(range(150_000, (i) => i - 5))}`;
    expect(await agree(db, dialect, strings)).toBe('counted');
    expect(await agree(db, dialect, numbers)).toBe('counted');
    const printed = toSql(countQuery(db, compileSegmentSql(numbers, { schema, dialect, now: NOW })));
    expect(printed.bindings.length).toBeLessThan(20_000);
  });

  it('counts the list operators over 40,000 elements', async () => {
    const tags = list(range(40_000, (i) => `T${i % 61}${i >= 61 ? `-${i}` : ''}`));
    for (const op of ['contains any', 'contains none', 'contains all']) expect(await agree(db, dialect, `tags ${op} ${tags}`)).toBe('counted');
    expect(await agree(db, dialect, `scores contains all ${list(range(3, (i) => i))} or scores contains any ${list(range(20_000, (i) => i * 2))}`)).toBe('counted');
  });

  it('refuses, with a clear sql-limit error, a segment that needs more values than the database binds', async () => {
    const many = range(70_000, (i) => `c = ${i}`).join(' or ');
    let error: unknown;
    try {
      compileSegmentSql(many, { schema, dialect, now: NOW });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SegmentErrors);
    const [first] = (error as SegmentErrors).errors;
    expect(first.code).toBe('sql-limit');
    expect(first.summary).toMatch(/^this segment needs 70,000 values in one query; (SQLite|MySQL\/MariaDB|PostgreSQL) takes at most [\d,]+$/);
    expect(first.hint).toContain('one list');
    // The same conditions as one list are one value.
    expect(await agree(db, dialect, `c in ${list(range(70_000, (i) => i))}`)).toBe('counted');
  });

  it('agrees with memory, or refuses with sql-limit, on random large segments (fuzz)', { timeout: 300_000 }, async () => {
    const value = fc.oneof(
      fc.nat(60).map((n) => `clicks_count >= ${n}`),
      fc.nat(60).map((n) => `name = "N${n}"`),
      fc.nat(70).map((n) => `tags contains "t${n}"`),
      fc.constant('in_segment("Chosen")'),
    );
    const chain = fc.tuple(fc.array(value, { minLength: 1, maxLength: 10_000 }), fc.constantFrom(' and ', ' or ')).map(([items, op]) => items.join(op));
    const bigList = fc.tuple(fc.constantFrom('name in', 'name not in', 'clicks_count in', 'tags contains any', 'tags contains all', 'scores contains none'), fc.nat(30_000), fc.nat(1000)).map(([op, n, seed]) =>
      `${op} ${list(range(n, (i) => (op.startsWith('name') || op.startsWith('tags') ? `${i % 3 === 0 ? 'N' : op.startsWith('tags') ? 't' : 'n'}${(i * 7 + seed) % (60 + n)}` : (i * 7 + seed) % (90 + n))))}`,
    );
    const part = fc.oneof(chain, bigList);
    const segment = fc.tuple(fc.array(part, { minLength: 1, maxLength: 4 }), fc.constantFrom(' and ', ' or '), fc.boolean()).map(([parts, op, negate]) => `${negate ? 'not ' : ''}(${parts.map((p) => `(${p})`).join(op)})`);
    const members = fc.nat(20_000).map((n) => range(n, (i) => `u${(i * 13) % (PROFILES * 2)}`));
    await fc.assert(
      fc.asyncProperty(segment, members, async (expression, chosen) => {
        await agree(db, dialect, expression, [{ name: 'Chosen', members: chosen }]);
      }),
      { numRuns: 12, seed: 8 },
    );
  });
});
