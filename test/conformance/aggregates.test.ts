/**
 * The aggregate boundary table (aggregates.ts) in memory and on SQLite, MariaDB and PostgreSQL: one
 * data set loaded once per database, then 60 comparisons (10 operators × 6 thresholds) for each
 * aggregate and each of no filter / `.where` / `.within` / both, each selecting exactly the ids the
 * plain rule expects. In SQL the `in` / `not in` rows run twice: their lists written one placeholder
 * per value, and bound as one set (a sub-select, which MariaDB once answered wrongly in HAVING).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import type { SqlMapping } from '../../core/sql/mapping';
import { prepareSegment, profileIds } from '../../core/sql/query';
import { DIALECT_NAMES, openTestDatabase } from '../sql/support';
import {
  AGGREGATES,
  aggregateProfiles,
  aggregateRows,
  aggregateSchema,
  aggregateValue,
  NOW,
  VARIANTS,
  variantName,
  type AggregateName,
  type Variant,
} from './aggregates';
import { EVALUATORS } from './cases';

const TABLES = AGGREGATES.flatMap((aggregate) => VARIANTS.map((variant) => [`${aggregate} with ${variantName(variant)}`, aggregate, variant] as const));

const byId = (id: string) => aggregateProfiles.find((p) => p.id === id)!;
const plain = (ids: string[]) => ids.filter((id) => id.endsWith('/plain')).map((id) => id.slice(0, -'/plain'.length)).sort();
const rowOf = (aggregate: AggregateName, variant: Variant, expression: string) => aggregateRows(aggregate, variant).find((r) => r.expression === expression)!;
const NONE: Variant = { where: false, within: false };
const BOTH: Variant = { where: true, within: true };

describe('the table’s rule, checked by hand', () => {
  it('counts the events of each decoy family as written', () => {
    // none/wt: 3 where-decoys, 2 within-decoys and 1 that both drop; nothing survives both filters.
    expect(aggregateValue(byId('none/wt'), 'count', NONE)).toBe(6);
    expect(aggregateValue(byId('none/wt'), 'count', BOTH)).toBe(0);
    // one-1/wt: 1 + where-decoys (1 + 0.5) + within-decoys (1 + 0.5) + 2.
    expect(aggregateValue(byId('one-1/wt'), 'sum', NONE)).toBe(6);
    expect(aggregateValue(byId('one-1/wt'), 'sum', { where: true, within: false })).toBe(2.5);
    expect(aggregateValue(byId('one-1/wt'), 'sum', { where: false, within: true })).toBe(2.5);
    expect(aggregateValue(byId('one-1/wt'), 'sum', BOTH)).toBe(1);
    expect(aggregateValue(byId('one-unknown/plain'), 'min', NONE)).toBeUndefined();
    expect(aggregateValue(byId('none/plain'), 'sum', NONE)).toBe(0);
  });

  it('selects the hand-written ids among the profiles without decoys', () => {
    expect(plain(rowOf('count', NONE, 'event("purchase").count() > 1').expected)).toEqual(
      ['three-0-1.5-3', 'three-0.5-1-1.5', 'three-1-1-1', 'three-neg', 'two-0.5-1', 'two-1-1', 'two-1-2', 'two-1-text'],
    );
    expect(plain(rowOf('count', NONE, 'event("purchase").count() < 2').expected)).toEqual(['none', 'one-0', 'one-0.5', 'one-1', 'one-2', 'one-unknown']);
    expect(plain(rowOf('count', NONE, 'event("purchase").count() >= 2').expected)).toEqual(
      plain(rowOf('count', NONE, 'event("purchase").count() > 1').expected),
    );
    expect(plain(rowOf('sum', NONE, 'event("purchase").sum("amount") = 0').expected)).toEqual(['none', 'one-0', 'one-unknown']);
    expect(plain(rowOf('min', NONE, 'event("purchase").min("amount") <= 0').expected)).toEqual(['one-0', 'three-0-1.5-3', 'three-neg']);
    expect(plain(rowOf('avg', NONE, 'event("purchase").avg("amount") = 1.5').expected)).toEqual(['three-0-1.5-3', 'two-1-2']);
    expect(plain(rowOf('avg', NONE, 'event("purchase").avg("amount") != 1').expected)).toEqual(
      ['none', 'one-0', 'one-0.5', 'one-2', 'one-unknown', 'three-0-1.5-3', 'two-0.5-1', 'two-1-2'],
    );
    expect(plain(rowOf('max', NONE, 'event("purchase").max("amount") not between 1 and 2').expected)).toEqual(
      ['none', 'one-0', 'one-0.5', 'one-unknown', 'three-0-1.5-3', 'three-neg'],
    );
    expect(rowOf('count', BOTH, 'event("purchase").where(kind = "a").within(30 days).count() = 0').expected).toEqual(
      ['none/plain', 'none/t', 'none/w', 'none/wt'],
    );
  });

  it('has rows on both sides of every threshold', () => {
    // Each aggregate/variant table selects some profiles and leaves some out for most rows: a table
    // where every row selects everyone (or no one) would not test a boundary.
    for (const [, aggregate, variant] of TABLES) {
      const rows = aggregateRows(aggregate, variant);
      const split = rows.filter((r) => r.expected.length > 0 && r.expected.length < aggregateProfiles.length);
      expect(split.length, `${aggregate} ${variantName(variant)}`).toBeGreaterThan(rows.length / 2);
    }
  });
});

describe.each(EVALUATORS)('aggregate boundaries in memory, %s evaluator', (evaluator) => {
  it.each(TABLES)('%s', (_, aggregate, variant) => {
    const wrong: string[] = [];
    for (const row of aggregateRows(aggregate, variant)) {
      const segment = compileSegment(row.expression, { schema: aggregateSchema, now: NOW, evaluator });
      const ids = segment.filter(aggregateProfiles).map((p) => p.id as string).sort();
      if (JSON.stringify(ids) !== JSON.stringify(row.expected)) wrong.push(`${row.expression}: got ${ids.join(' ')}; expected ${row.expected.join(' ')}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe.each(DIALECT_NAMES)('aggregate boundaries on %s', (dialect: Dialect) => {
  let db: Knex;
  let mapping: SqlMapping;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'aggregates');
    mapping = await createLayout(db, aggregateSchema);
    const result = await loadProfiles(db, aggregateProfiles.map((value, i) => ({ line: i + 1, value })), { schema: aggregateSchema, mapping });
    expect(result.rejected).toEqual([]);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it.each(TABLES)('%s', async (_, aggregate, variant) => {
    const wrong: string[] = [];
    for (const row of aggregateRows(aggregate, variant)) {
      // Lists of 3 values: inlined by default; with inlineValues 2, bound as one set.
      for (const inlineValues of row.expression.includes('[') ? [undefined, 2] : [undefined]) {
        const segment = await prepareSegment(db, row.expression, { schema: aggregateSchema, mapping, now: NOW, inlineValues });
        const ids = (await profileIds(db, segment)).sort();
        const how = inlineValues === undefined ? '' : ' (list bound as one set)';
        if (JSON.stringify(ids) !== JSON.stringify(row.expected)) wrong.push(`${row.expression}${how}: got ${ids.join(' ')}; expected ${row.expected.join(' ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
