/**
 * The two evaluators against each other: random segments (every operator, nesting, events with
 * where/within and every aggregate, fields outside the schema, references to dynamic and manual
 * segments) over hurtful profiles, on random clocks (time zones, DST changes), must give the same
 * answer for every profile under the generated code and the closures. A fresh seed each run,
 * printed on failure with the command that replays it (`SEGMENT_SEED=<n>`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../core/ast';
import { compileSegment } from '../../../core/engine';
import { codeGenerationAllowed, compilePredicate, resolveEvaluator, type CompileContext } from '../../../core/evaluate/compile';
import { MAX_NESTING } from '../../../core/evaluate/closures';
import type { ResolvedSegment, ResolvedSegments } from '../../../core/segments';
import { createClock } from '../../../core/time';
import { ast, clockOptionsArbitrary, exprArbitrary, NOW, profilesArbitrary, schemaForArbitraries as schema } from '../../support/arbitraries';
import { freshSeed, seedReporter } from '../../support/seed';

/** Saved segments the random expressions reference: two dynamic (one nesting the other), two manual. */
function segmentsFor(seed: number): ResolvedSegments {
  const [a, b] = fc.sample(exprArbitrary(schema, { depth: 1, outside: true }), { seed, numRuns: 2 });
  const defs: ResolvedSegment[] = [
    { kind: 'dynamic', name: 'Alpha', expr: a, source: '' },
    { kind: 'dynamic', name: 'Beta', expr: ast.or(b, ast.segment('ALPHA')), source: '' },
    { kind: 'manual', name: 'Chosen', members: new Set(['u1', 'u3', 'u5', 'nobody']) },
    { kind: 'manual', name: 'Big', members: new Set(Array.from({ length: 30 }, (_, i) => `u${i * 2}`)) },
  ];
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}

const expressions: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 4, arbitrary: exprArbitrary(schema, { outside: true }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(exprArbitrary(schema, { depth: 1 }), fc.constantFrom('Alpha', 'beta', 'Chosen', 'BIG'), fc.constantFrom('and', 'or', 'not'))
      .map(([e, name, how]) => (how === 'not' ? ast.and(ast.not(ast.segment(name)), e) : how === 'and' ? ast.and(e, ast.segment(name)) : ast.or(ast.segment(name), e))),
  },
);

/** Besides profiles: values that are not objects at all (every field unknown). */
const NOT_OBJECTS: unknown[] = [null, undefined, 5, 'text', [], [{ id: 'u1' }]];

describe('generated code and closures', () => {
  it('select the same profiles on random segments, data and clocks (fresh seed)', () => {
    const seed = freshSeed();
    const segments = segmentsFor(seed);
    fc.assert(
      fc.property(expressions, profilesArbitrary(schema), clockOptionsArbitrary, (expr, profiles, options) => {
        const context: CompileContext = { schema, idField: 'id', segments, clock: createClock(options) };
        const generated = compilePredicate(expr, { ...context, evaluator: 'generated' });
        const closures = compilePredicate(expr, { ...context, evaluator: 'closures' });
        for (const p of [...profiles, ...NOT_OBJECTS]) expect(closures(p as Record<string, unknown>), JSON.stringify(p)).toBe(generated(p as Record<string, unknown>));
      }),
      { numRuns: 1000, seed, reporter: seedReporter(seed) },
    );
  });

  it('agree on trees nested deeper than the closures nest (a flat program past that depth)', () => {
    const seed = freshSeed();
    const clock = createClock({ now: NOW });
    fc.assert(
      fc.property(fc.array(fc.tuple(exprArbitrary(schema, { depth: 1 }), fc.constantFrom('and', 'or', 'not-and', 'not-or')), { minLength: MAX_NESTING + 1, maxLength: MAX_NESTING * 3 }), profilesArbitrary(schema, { maxLength: 10 }), (steps, profiles) => {
        let expr: Expr = steps[0][0];
        for (const [leaf, how] of steps.slice(1)) {
          const joined = how.endsWith('and') ? ast.and(leaf, expr) : ast.or(expr, leaf);
          expr = how.startsWith('not') ? ast.not(joined) : joined;
        }
        const context: CompileContext = { schema, idField: 'id', segments: new Map(), clock };
        const generated = compilePredicate(expr, { ...context, evaluator: 'generated' });
        const closures = compilePredicate(expr, { ...context, evaluator: 'closures' });
        for (const p of profiles) expect(closures(p)).toBe(generated(p));
      }),
      { numRuns: 60, seed, reporter: seedReporter(seed) },
    );
  });
});

describe('choosing the evaluator', () => {
  it('uses the generated code by default where code generation is allowed', () => {
    expect(codeGenerationAllowed()).toBe(true);
    expect(resolveEvaluator()).toBe('generated');
    expect(resolveEvaluator('auto')).toBe('generated');
    expect(resolveEvaluator('closures')).toBe('closures');
  });

  it('refuses an unknown evaluator with a diagnostic', () => {
    expect(() => compileSegment('a = 1', { evaluator: 'fast' as never })).toThrow(expect.objectContaining({ code: 'invalid-option', hint: 'use "auto", "generated" or "closures"' }));
  });

  it('gives the same segment, counts and errors through compileSegment with either evaluator', () => {
    const profiles = [{ id: 1, tags: ['VIP'], events: [{ event: 'purchase', timestamp: '2026-11-20T00:00:00Z', properties: { amount: 5 } }] }, { id: 2, tags: [] }, 7];
    for (const evaluator of ['generated', 'closures'] as const) {
      const segment = compileSegment('tags contains "vip" and event("purchase").within(7 days).sum("amount") >= 5', { now: NOW, evaluator });
      expect(segment.count(profiles as Record<string, unknown>[])).toBe(1);
      expect(segment.test(profiles[0] as Record<string, unknown>)).toBe(true);
      expect(() => compileSegment('in_segment("Nope")', { evaluator })).toThrow(/unknown segment "Nope"/);
    }
  });
});
