/**
 * The shape of the generated SQL (no database needed): values are bindings, windows are bound
 * instants from the clock (never the database's NOW()), ranges stay on the raw column, and every
 * operator of the language has an SQL form in every dialect.
 */
import fc from 'fast-check';
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { OPERATOR_LIST, positiveForm } from '../../core/operators';
import { compileWhere } from '../../core/sql/compile';
import type { Dialect } from '../../core/sql/connect';
import { DIALECTS } from '../../core/sql/dialects';
import { layoutMapping, LOWER_MAX, lowerKey } from '../../core/sql/mapping';
import { compileSegmentSql, countQuery, toSql } from '../../core/sql/query';
import { SQL_OPERATORS } from '../../core/sql/predicates';
import { createClock } from '../../core/time';
import schemaJson from '../../sample/schema.json';
import type { Schema } from '../../core/schema';
import { exprArbitrary, schemaForArbitraries } from '../support/arbitraries';

const schema = schemaJson as Schema;
const NOW = '2026-11-24T12:00:00Z';
const NOW_MS = Date.parse(NOW);
const DAY = 86_400_000;
const CLIENTS: Record<Dialect, string> = { sqlite: 'better-sqlite3', mysql: 'mysql2', postgres: 'pg' };

function sqlOf(dialect: Dialect, source: string, now = NOW) {
  const db = knexFactory({ client: CLIENTS[dialect], useNullAsDefault: true });
  return toSql(countQuery(db, compileSegmentSql(source, { schema, dialect, now })));
}

describe.each(['sqlite', 'mysql', 'postgres'] as const)('generated SQL for %s', (dialect) => {
  it('has an SQL form for every positive operator, and derives each negative one from it', () => {
    for (const def of OPERATOR_LIST) {
      const [positive, negated] = positiveForm(def.id);
      expect(negated, def.id).toBe(def.negates !== undefined);
      expect(typeof SQL_OPERATORS[positive], def.id).toBe('function');
      // A negative form is never written a second time: no entry of its own.
      if (negated) expect(Object.hasOwn(SQL_OPERATORS, def.id), def.id).toBe(false);
    }
    // …and its SQL is the positive form's, complemented, with the same bindings.
    const where = (source: string) => compileSegmentSql(source, { schema, dialect, now: NOW }).where;
    const positive = where('country in ["OM", "AE"]');
    const negative = where('country not in ["OM", "AE"]');
    expect(negative).toEqual({ sql: `(${positive.sql}) IS NOT TRUE`, bindings: positive.bindings });
  });

  it('compares a date window on the raw column with instants bound from the clock', () => {
    const { sql, bindings } = sqlOf(dialect, 'last_interaction older than 30 days and created_at within last 7 days');
    expect(sql).toMatch(/[`"]f_last_interaction[`"] < (\?|\$1)/);
    expect(sql).toMatch(/[`"]f_created_at[`"] BETWEEN (\?|\$2) AND (\?|\$3)/);
    expect(bindings).toEqual([NOW_MS - 30 * DAY, NOW_MS - 7 * DAY, NOW_MS]);
  });

  it('binds the same instants for the same --now, whatever the wall clock says', () => {
    expect(sqlOf(dialect, 'last_interaction > 1 day ago').bindings).toEqual([NOW_MS - DAY]);
    expect(sqlOf(dialect, 'last_interaction > today', '2026-11-24T23:59:59.999Z').bindings).toEqual([Date.parse('2026-11-24T00:00:00Z')]);
  });

  it('compares text through the lower-cased shadow column with a lower-cased binding', () => {
    const { sql, bindings } = sqlOf(dialect, 'country = "OM" and name starts with "Zoë"');
    expect(sql).toMatch(/[`"]f_country__lc[`"] = /);
    expect(sql).not.toMatch(/lower\(/i);
    // The bounded key, "the value is short" (so the whole-value column is never read), the value.
    expect(bindings).toEqual(['om', DIALECTS[dialect].bool(true), 'om', 'zoë%']);
  });

  it('compares a text of LOWER_MAX units or more by its key and its whole value, in the same SQL', () => {
    const long = 'É'.repeat(LOWER_MAX + 5);
    const short = sqlOf(dialect, 'country = "OM"');
    const { sql, bindings } = sqlOf(dialect, `country = ${JSON.stringify(long)}`);
    expect(sql).toBe(short.sql);
    expect(bindings).toEqual([lowerKey(long.toLowerCase(), LOWER_MAX), DIALECTS[dialect].bool(false), long.toLowerCase()]);
    expect(lowerKey(long.toLowerCase(), LOWER_MAX)).toHaveLength(LOWER_MAX);
    // A surrogate pair is never cut in two: the key ends in U+FFFF instead.
    expect(lowerKey(`${'a'.repeat(LOWER_MAX - 1)}😀`, LOWER_MAX)).toBe(`${'a'.repeat(LOWER_MAX - 1)}\uffff`);
  });

  it('never asks the database for the time and never inlines a value, over random segments', () => {
    const mapping = layoutMapping(schemaForArbitraries);
    const clock = createClock({ now: NOW });
    fc.assert(
      fc.property(exprArbitrary(schemaForArbitraries), (expr) => {
        const where = compileWhere(expr, { schema: schemaForArbitraries, mapping, segments: new Map(), clock, dialect });
        expect(where.where.sql).not.toMatch(/NOW\(|CURRENT_|LOCALTIME|datetime\(|strftime/i);
        // The only literals in the text are the LIKE escape character and SQL's own numbers.
        expect(where.where.sql.replace(/ESCAPE '!'/g, '')).not.toMatch(/'/);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
