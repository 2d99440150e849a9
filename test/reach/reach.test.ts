/**
 * The reach index answers exactly what the row engine answers: the conformance table (with and
 * without a schema), and random segments over hurtful profiles (fast-check), also after random
 * inserts, changes and deletes. Counts, ids and the bookkeeping of updates are checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../core/ast';
import { check, compileSegment } from '../../core/engine';
import { schemaFor } from '../../core/reach/prune';
import { compilePredicate } from '../../core/evaluate/compile';
import { addJsonLines, compileReach, ReachIndex } from '../../core/reach/index';
import { Evaluator } from '../../core/reach/evaluate';
import { cardinality, slotsOf } from '../../core/reach/bitset';
import type { ResolvedSegment, ResolvedSegments } from '../../core/segments';
import { createClock } from '../../core/time';
import { cases, fixtureProfiles, fixtureSchema, NOW, segmentDefinitions } from '../conformance/cases';
import { ast, exprArbitrary, NOW as ARB_NOW, profilesArbitrary, profileArbitrary, schemaForArbitraries as schema } from '../support/arbitraries';

describe('the conformance table on the reach index', () => {
  const withSchema = ReachIndex.from(fixtureProfiles, { schema: fixtureSchema });
  const withoutSchema = ReachIndex.from(fixtureProfiles);

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const options = { segments: segmentDefinitions, now: c.now ?? NOW, timeZone: c.timeZone };
    const query = compileReach(withSchema, c.expression, options);
    expect([...query.ids()].map(String).sort()).toEqual(c.expected);
    expect(query.count()).toBe(c.expected.length);
    // Without a schema, fields are indexed from the data and kinds come from the literals, as in memory.
    const row = compileSegment(c.expression, options);
    expect(compileReach(withoutSchema, c.expression, options).count(), 'without a schema').toBe(row.count(fixtureProfiles));
  });
});

function segmentsFor(seed: number): ResolvedSegments {
  const [a, b] = fc.sample(exprArbitrary(schema, { depth: 1 }), { seed, numRuns: 2 });
  const defs: ResolvedSegment[] = [
    { kind: 'dynamic', name: 'Alpha', expr: a, source: '' },
    { kind: 'dynamic', name: 'Beta', expr: ast.or(b, ast.segment('ALPHA')), source: '' },
    { kind: 'manual', name: 'Chosen', members: new Set(['u1', 'u3', 'u5', 'nobody']) },
  ];
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}

const withSegments: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 4, arbitrary: exprArbitrary(schema) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(exprArbitrary(schema, { depth: 1 }), fc.constantFrom('Alpha', 'beta', 'Chosen'), fc.constantFrom('and', 'or', 'not'))
      .map(([e, name, how]) => (how === 'not' ? ast.and(ast.not(ast.segment(name)), e) : how === 'and' ? ast.and(e, ast.segment(name)) : ast.or(ast.segment(name), e))),
  },
);

const clock = createClock({ now: ARB_NOW });

function rowIds(expr: Expr, profiles: Record<string, unknown>[], segments: ResolvedSegments, withSchema: boolean): string[] {
  const test = compilePredicate(expr, { schema: withSchema ? schema : { fields: {} }, idField: 'id', segments, clock });
  return profiles.filter((p) => test(p)).map((p) => String(p.id));
}

function reachIds(index: ReachIndex, expr: Expr, segments: ResolvedSegments): string[] {
  const selection = new Evaluator(index, clock, segments).select(expr);
  return [...slotsOf(selection)].map((slot) => String(index.idAt(slot)));
}

describe('random segments over hurtful profiles: reach index = row engine', () => {
  for (let set = 0; set < 6; set++) {
    it(`data set ${set}`, () => {
      const [profiles] = fc.sample(profilesArbitrary(schema, { maxLength: 60 }), { seed: 1000 + set, numRuns: 1 });
      const segments = segmentsFor(set);
      const typed = ReachIndex.from(profiles, { schema });
      const discovered = ReachIndex.from(profiles);
      fc.assert(
        fc.property(withSegments, (expr) => {
          expect(reachIds(typed, expr, segments).sort()).toEqual(rowIds(expr, profiles, segments, true).sort());
          expect(reachIds(discovered, expr, segments).sort(), 'without a schema').toEqual(rowIds(expr, profiles, segments, false).sort());
        }),
        { numRuns: 300, seed: set },
      );
    });
  }
});

describe('updates: counts follow inserts, changes and deletes without a rebuild', () => {
  type Op = { kind: 'upsert'; at: number; profile: Record<string, unknown> } | { kind: 'delete'; at: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('upsert' as const), at: fc.nat(40), profile: profileArbitrary(schema) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(40) }),
  );

  it('matches the row engine over the profiles left after random operations', () => {
    fc.assert(
      fc.property(profilesArbitrary(schema, { maxLength: 30 }), fc.array(op, { maxLength: 25 }), fc.array(exprArbitrary(schema), { minLength: 1, maxLength: 4 }), (initial, ops, exprs) => {
        const index = ReachIndex.from(initial, { schema });
        const current = new Map(initial.map((p) => [String(p.id), p]));
        const segments = segmentsFor(7);
        const queries = exprs.map((e) => new Evaluator(index, clock, segments));
        for (const o of ops) {
          const id = `u${o.at}`;
          if (o.kind === 'upsert') {
            const profile = { ...o.profile, id };
            index.upsert(profile);
            current.set(id, profile);
          } else {
            expect(index.deleteId(id)).toBe(current.delete(id));
          }
        }
        expect(index.size).toBe(current.size);
        expect(index.countAlive()).toBe(current.size);
        const left = [...current.values()];
        exprs.forEach((expr, i) => {
          expect(cardinality(queries[i].select(expr))).toBe(rowIds(expr, left, segments, true).length);
          expect(reachIds(index, expr, segments).sort()).toEqual(rowIds(expr, left, segments, true).sort());
        });
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('a compiled query recounts after each change', () => {
    const index = ReachIndex.from(fixtureProfiles, { schema: fixtureSchema });
    const vip = compileReach(index, 'tags contains "VIP" and language = "ar"', { now: NOW });
    const before = vip.count();
    index.upsert({ id: 'new-1', tags: ['vip'], language: 'AR' });
    expect(vip.count()).toBe(before + 1);
    index.upsert({ id: 'new-1', tags: ['vip'], language: 'en' });
    expect(vip.count()).toBe(before);
    index.upsert({ id: 'new-1', tags: ['VIP'], language: 'ar' });
    expect(vip.count()).toBe(before + 1);
    expect(index.deleteId('new-1')).toBe(true);
    expect(vip.count()).toBe(before);
    expect(index.deleteId('new-1')).toBe(false);
  });
});

describe('building from JSON Lines', () => {
  it('reads chunks split anywhere, skips blank lines, and counts like the objects', async () => {
    const text = fixtureProfiles.map((p) => JSON.stringify(p)).join('\n\n') + '\n';
    const chunks = text.match(/[\s\S]{1,37}/g) as string[];
    const index = new ReachIndex({ schema: fixtureSchema });
    expect(await addJsonLines(index, chunks)).toBe(fixtureProfiles.length);
    const parsed = fixtureProfiles.map((p) => JSON.parse(JSON.stringify(p)) as Record<string, unknown>);
    for (const c of cases) {
      const options = { segments: segmentDefinitions, now: c.now ?? NOW, timeZone: c.timeZone };
      expect(compileReach(index, c.expression, options).count(), c.name).toBe(compileSegment(c.expression, { ...options, schema: fixtureSchema }).count(parsed));
    }
  });

  it('stops at a bad line with its number', async () => {
    const index = new ReachIndex();
    await expect(addJsonLines(index, ['{"id":"a"}\n{"id":', '"b"}\n{oops}\n'], 'profiles.jsonl')).rejects.toThrow(/profiles\.jsonl:3: not valid JSON/);
    await expect(addJsonLines(new ReachIndex(), ['[1,2]\n'])).rejects.toThrow(/input:1: a profile is a JSON object/);
  });
});

describe('errors', () => {
  it('refuses a field the index has no column for, with the reason', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    const index = ReachIndex.from([{ id: 'a', attributes: { tier: 'gold' }, ...deep }]);
    expect(() => compileReach(index, 'a.b.c.d.e.f.g.h = 1').count()).toThrow(/no column for field `a.b.c.d.e.f.g.h`/);
    // Nested fields are found without a schema; objects are known and equal nothing.
    expect(compileReach(index, 'attributes.tier = "GOLD"').count()).toBe(1);
    expect(compileReach(index, 'attributes is known and not attributes = "gold"').count()).toBe(1);
    // A schema index without discovery has only the schema's columns.
    const typed = ReachIndex.from([{ id: 'a', extra: 1 }], { schema: { fields: { id: { type: 'text' } } }, discover: false });
    expect(() => new Evaluator(typed, clock, new Map()).select(ast.pred('extra', 'eq', ast.num(1)))).toThrow(/no column for field `extra`/);
    // A field no profile has is unknown for everyone, as in memory.
    expect(compileReach(index, 'nickname is unknown').count()).toBe(1);
  });
  it('reports segment errors like compileSegment', () => {
    const index = ReachIndex.from(fixtureProfiles, { schema: fixtureSchema });
    expect(() => compileReach(index, 'contry = "OM"')).toThrow(/unknown field `contry`/);
  });
});

describe('an index of just what some segments read (schemaFor)', () => {
  it('counts the conformance table as the full index does, holding only those columns and events', () => {
    for (const c of cases) {
      const options = { segments: segmentDefinitions, now: c.now ?? NOW, timeZone: c.timeZone };
      const checked = check(c.expression, { schema: fixtureSchema, segments: segmentDefinitions });
      const pruned = schemaFor([checked.expr as Expr], checked.segments, fixtureSchema);
      const index = ReachIndex.from(fixtureProfiles, { schema: pruned, events: 'schema', ids: false });
      expect(compileReach(index, c.expression, options).count(), c.name).toBe(c.expected.length);
      expect([...index.profiles.columns.keys()].every((k) => Object.hasOwn(pruned.fields, k)), c.name).toBe(true);
      expect([...index.events.keys()].every((k) => Object.keys(pruned.events ?? {}).some((e) => e.toLowerCase() === k)), c.name).toBe(true);
    }
  });
});

describe('large indexes: columns held in chunks of 65,536 slots, narrowed where the values allow', () => {
  // Values change kind along the slots, so chunks start narrow (bytes) and some widen (to 16, 32
  // or 64 bits) while others stay narrow: the counts must be the row engine's all the same.
  const big: Record<string, unknown>[] = [];
  for (let i = 0; i < 150_000; i++) {
    const late = i >= 70_000;
    big.push({
      id: `b${i}`,
      clicks: i % 9 === 0 ? (late ? 70_000 + i : -0) : i % 11 === 0 && late ? 1.5 : i % 7,
      lifetime_value: i % 13 === 0 ? 300 + (i % 5) : i % 4,
      language: i % 3 === 0 ? `l${i % (late ? 400 : 5)}` : 'ar',
      tags: i % 5 === 0 ? [`t${i % (late ? 600 : 3)}`, 'vip'] : [],
      created_at: new Date(Date.parse(NOW) - (i % 40) * 86_400_000),
      events: i % 2 === 0 ? [{ event: 'viewed_offer', timestamp: new Date(Date.parse(NOW) - (i % 10) * 86_400_000), properties: { offer_id: `o${i % 300}` } }] : [],
    });
  }
  const bigSchema = {
    idField: 'id',
    fields: { id: { type: 'text' }, clicks: { type: 'number' }, lifetime_value: { type: 'number' }, language: { type: 'text' }, tags: { type: 'list', items: 'text' }, created_at: { type: 'date' } },
    events: { viewed_offer: { properties: { offer_id: { type: 'text' } } } },
  } as const;
  const expressions = [
    'clicks > 0 and lifetime_value = 2',
    'clicks >= 70000 or clicks = 1.5',
    'clicks = 0',
    'lifetime_value between 301 and 303',
    'language = "L399" or language = "l4"',
    'tags contains "t599" or tags contains "T2"',
    'tags contains "vip" and not created_at within last 10 days',
    'event("viewed_offer").where(offer_id = "o299").count() >= 1',
  ];
  const rowCount = (expression: string, profiles: readonly Record<string, unknown>[]): number => {
    const { test } = compileSegment(expression, { schema: bigSchema, now: NOW });
    return profiles.filter((p) => test(p)).length;
  };

  it('counts like the row engine, before and after updates past the capacity', () => {
    const index = ReachIndex.from(big, { schema: bigSchema });
    const current = new Map(big.map((p) => [p.id as string, p]));
    for (const e of expressions) expect([e, compileReach(index, e, { now: NOW }).count()]).toEqual([e, rowCount(e, big)]);
    // Straight after the trimmed build: every array grows; the new values widen some chunks.
    for (let i = 0; i < 3_000; i++) {
      const p: Record<string, unknown> = { ...big[(i * 7919) % big.length], clicks: i % 2 === 0 ? 1e9 + i : 0.25, language: `new${i % 500}`, tags: [`z${i}`] };
      index.upsert(p);
      current.set(p.id as string, p);
    }
    const left = [...current.values()];
    for (const e of [...expressions, 'clicks > 999999999', 'language = "NEW42"', 'tags contains "z2999"']) {
      expect([e, compileReach(index, e, { now: NOW }).count()]).toEqual([e, rowCount(e, left)]);
    }
  });
});
