/**
 * Differential testing: random segments (every operator, nesting, events with where/within and every
 * aggregate, segment references) over hurtful profiles must select exactly the same ids in memory
 * and in SQLite, MariaDB and PostgreSQL. Each data set is loaded once per database and many
 * expressions run against it, so thousands of cases stay within seconds.
 */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Expr } from '../../core/ast';
import { compilePredicate } from '../../core/evaluate/compile';
import { compileWhere } from '../../core/sql/compile';
import type { Dialect } from '../../core/sql/connect';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { layoutMapping } from '../../core/sql/mapping';
import { loadProfiles } from '../../core/sql/load';
import type { SqlMapping } from '../../core/sql/mapping';
import { countProfiles, profileIds, type SqlSegment } from '../../core/sql/query';
import type { ResolvedSegment, ResolvedSegments } from '../../core/segments';
import { createClock } from '../../core/time';
import { ast, clockOptionsArbitrary, exprArbitrary, NOW, OUTSIDE_FIELDS, profilesArbitrary, schemaForArbitraries as schema } from '../support/arbitraries';
import { freshSeed, seedReporter } from '../support/seed';
import { SegmentError } from '../../core/errors';
import { DIALECT_NAMES, openTestDatabase } from './support';

const clock = createClock({ now: NOW });
const DATA_SETS = 5;
// 30–60 profiles per data set (fast-check's arrays are otherwise short): enough rows for the databases to
// choose the plans they use on real data (a temporary table for GROUP BY, materialised sub-selects).
const MIN_PROFILES = 30;
const PROFILES = 60;
const RUNS_PER_SET = Number(process.env.SQL_DIFF_RUNS ?? 300);

/** Saved segments the generated expressions reference: two dynamic (one nesting the other), one manual. */
function segmentsFor(seed: number): ResolvedSegments {
  const [a, b] = fc.sample(exprArbitrary(schema, { depth: 1 }), { seed, numRuns: 2 });
  const defs: ResolvedSegment[] = [
    { kind: 'dynamic', name: 'Alpha', expr: a, source: '' },
    { kind: 'dynamic', name: 'Beta', expr: ast.or(b, ast.segment('ALPHA')), source: '' },
    { kind: 'manual', name: 'Chosen', members: new Set(['u1', 'u3', 'u5', 'nobody']) },
    { kind: 'manual', name: 'Big', members: new Set(Array.from({ length: 30 }, (_, i) => `u${i * 2}`)) },
  ];
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}

const withSegments: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 4, arbitrary: exprArbitrary(schema) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(exprArbitrary(schema, { depth: 1 }), fc.constantFrom('Alpha', 'beta', 'Chosen', 'BIG'), fc.constantFrom('and', 'or', 'not'))
      .map(([e, name, how]) => (how === 'not' ? ast.and(ast.not(ast.segment(name)), e) : how === 'and' ? ast.and(e, ast.segment(name)) : ast.or(ast.segment(name), e))),
  },
);

describe.each(DIALECT_NAMES)('memory and %s select the same profiles', (dialect: Dialect) => {
  let db: Knex;
  let mapping: SqlMapping;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'differential');
  });
  afterAll(async () => {
    await db?.destroy();
  });

  for (let set = 0; set < DATA_SETS; set++) {
    it(`agrees on ${RUNS_PER_SET} random segments over hurtful data set ${set + 1}`, async () => {
      const profiles = fc.sample(profilesArbitrary(schema, { minLength: MIN_PROFILES, maxLength: PROFILES }), { seed: 1000 + set, numRuns: 1 })[0];
      await dropLayout(db);
      mapping = await createLayout(db, schema);
      const loaded = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
      expect(loaded.rejected).toEqual([]);
      const segments = segmentsFor(2000 + set);
      await fc.assert(
        fc.asyncProperty(withSegments, async (expr) => {
          const test = compilePredicate(expr, { schema, idField: 'id', segments, clock });
          const expected = profiles.filter(test).map((p) => String(p.id)).sort();
          // Sets of more than 3 values (lists, the manual segments' members) go through the dialect's bound set.
          const compiled = compileWhere(expr, { schema, mapping, segments, clock, dialect, inlineValues: 3 });
          const segment: SqlSegment = { expr, clock, dialect, mapping, ...compiled };
          const actual = await profileIds(db, segment);
          expect([...actual].sort()).toEqual(expected);
          expect(await countProfiles(db, segment)).toBe(expected.length);
        }),
        { numRuns: RUNS_PER_SET, seed: 3000 + set, endOnFailure: true },
      );
    });
  }

  // One data set and its segments from a fresh seed each run, on random clocks (time zones, DST
  // changes): new cases every CI run; the seed is printed on failure (SEGMENT_SEED=<n> replays it).
  it(`agrees on ${RUNS_PER_SET} random segments over a data set from a fresh seed, on random clocks`, async () => {
    const seed = freshSeed();
    const profiles = fc.sample(profilesArbitrary(schema, { minLength: MIN_PROFILES, maxLength: PROFILES }), { seed, numRuns: 1 })[0];
    await dropLayout(db);
    mapping = await createLayout(db, schema);
    const loaded = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    expect(loaded.rejected, `seed ${seed}`).toEqual([]);
    const segments = segmentsFor(seed + 1);
    await fc.assert(
      fc.asyncProperty(withSegments, clockOptionsArbitrary, async (expr, options) => {
        const clock = createClock(options);
        const test = compilePredicate(expr, { schema, idField: 'id', segments, clock });
        const expected = profiles.filter(test).map((p) => String(p.id)).sort();
        const compiled = compileWhere(expr, { schema, mapping, segments, clock, dialect, inlineValues: 3 });
        const segment: SqlSegment = { expr, clock, dialect, mapping, ...compiled };
        expect([...(await profileIds(db, segment))].sort()).toEqual(expected);
        expect(await countProfiles(db, segment)).toBe(expected.length);
      }),
      { numRuns: RUNS_PER_SET, seed, reporter: seedReporter(seed) },
    );
  });
});

describe('fields outside the schema', () => {
  it('are refused by the SQL compiler with unknown-field, under every operator (memory reads them; see reference.test.ts)', () => {
    const seed = freshSeed();
    const mapping = layoutMapping(schema);
    fc.assert(
      fc.property(exprArbitrary(schema, { outside: true }), (expr) => {
        const names = JSON.stringify(expr);
        fc.pre(OUTSIDE_FIELDS.some((f) => names.includes(JSON.stringify(f.split('.')))));
        let error: unknown;
        try {
          compileWhere(expr, { schema, mapping, segments: new Map(), clock, dialect: 'sqlite' });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(SegmentError);
        expect((error as SegmentError).code).toBe('unknown-field');
      }),
      { numRuns: 200, seed, reporter: seedReporter(seed) },
    );
  });
});
