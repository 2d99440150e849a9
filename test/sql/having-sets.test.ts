/**
 * Regression: an aggregate compared with a list bound as one set (`min("amount") in [1, 0, 4, 1.5]`
 * with more values than the dialect inlines). MariaDB 10.11 answers `HAVING MIN(x) IN (SELECT …)`
 * wrongly once it materialises the sub-select and groups through a temporary table (it left out the
 * one profile whose minimum is in the list, and `not in` kept it): found by the differential (seed
 * 1004, data set 5), minimised here by hand. Every list size, `in` and `not in`, on the three databases.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../core/schema';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import type { SqlMapping } from '../../core/sql/mapping';
import { prepareSegment, profileIds } from '../../core/sql/query';
import { DIALECT_NAMES, openTestDatabase } from './support';

const NOW = '2026-11-24T12:00:00Z';
const schema: Schema = { idField: 'id', fields: { id: { type: 'text' } }, events: { purchase: { properties: { amount: { type: 'number' } } }, page_view: { properties: {} } } };
const at = (amount: number | null) => ({ event: 'purchase', timestamp: NOW, properties: amount === null ? {} : { amount } });
// Events of another name, so that the purchases are a small part of the events table: MariaDB then
// reads them through the (event, timestamp) index and groups them in a temporary table, the plan
// that went wrong (grouping in index order did not).
const views = Array.from({ length: 10 }, () => ({ event: 'page_view', timestamp: NOW }));
// The minimised data: one profile whose minimum is in the list, one whose minimum is not, one
// whose events have no amount (minimum unknown), one without events.
const profiles = [
  { id: 'in', events: [at(1), at(7), ...views] },
  { id: 'out', events: [at(3), at(6), ...views] },
  { id: 'unknown', events: [at(null), ...views] },
  { id: 'none', events: views },
];

/** Expressions and the ids they select, written by hand (a `not` form is the complement of its positive one). */
const CASES: [string, string[]][] = [
  ['event("purchase").min("amount") in [1, 0, 4, 1.5]', ['in']],
  ['event("purchase").min("amount") not in [1, 0, 4, 1.5]', ['none', 'out', 'unknown']],
  ['not not (event("purchase").within(12 hours).min("amount") in [1, 0, 4, 1.5])', ['in']],
  ['event("purchase").max("amount") in [7, 6, 100, 200]', ['in', 'out']],
  ['event("purchase").max("amount") not in [7, 100, 200, 300]', ['none', 'out', 'unknown']],
  ['event("purchase").sum("amount") in [8, 9, 10, 11]', ['in', 'out']],
  ['event("purchase").sum("amount") in [0, 100, 200, 300]', ['none', 'unknown']],
  ['event("purchase").sum("amount") not in [0, 8, 200, 300]', ['out']],
  ['event("purchase").avg("amount") in [4, 40, 400, 4000]', ['in']],
  ['event("purchase").avg("amount") not in [4, 40, 400, 4000]', ['none', 'out', 'unknown']],
  ['event("purchase").count() in [1, 2, 30, 40]', ['in', 'out', 'unknown']],
  ['event("purchase").count() not in [1, 20, 30, 40]', ['in', 'none', 'out']],
  ['event("purchase").count() in [0, 2, 30, 40]', ['in', 'none', 'out']],
];

describe.each(DIALECT_NAMES)('aggregates compared with a list on %s', (dialect: Dialect) => {
  let db: Knex;
  let mapping: SqlMapping;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'having_sets');
    mapping = await createLayout(db, schema);
    const loaded = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    expect(loaded.rejected).toEqual([]);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  // inlineValues 1: every list of these cases is bound as one set (a sub-select); the default inlines them.
  it.each([1, undefined])('selects the hand-written ids (lists inlined up to %s values)', async (inlineValues) => {
    const wrong: string[] = [];
    for (const [expression, expected] of CASES) {
      const segment = await prepareSegment(db, expression, { schema, mapping, now: NOW, inlineValues });
      const ids = (await profileIds(db, segment)).sort();
      if (JSON.stringify(ids) !== JSON.stringify(expected)) wrong.push(`${expression}: got ${ids.join(' ')}; expected ${expected.join(' ')}`);
    }
    expect(wrong).toEqual([]);
  });
});
