import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../core/ast';
import { compilePredicate, type CompileContext } from '../../../core/evaluate/compile';
import { createClock } from '../../../core/time';
import { ast, exprArbitrary, negativePairArbitrary, NOW, profileArbitrary, profilesArbitrary, schemaForArbitraries } from '../../support/arbitraries';

const context: CompileContext = { schema: schemaForArbitraries, idField: 'id', segments: new Map(), clock: createClock({ now: NOW }) };
const compile = (expr: Expr) => compilePredicate(expr, context);

describe('compiled predicates on generated trees and hurtful profiles', () => {
  it('splits every population in two: count(A) + count(not A) = N', () => {
    fc.assert(
      fc.property(exprArbitrary(), profilesArbitrary(), (expr, profiles) => {
        const a = compile(expr);
        const notA = compile(ast.not(expr));
        const inA = profiles.filter(a).length;
        const inNotA = profiles.filter(notA).length;
        expect(inA + inNotA).toBe(profiles.length);
        for (const p of profiles) expect(notA(p)).toBe(!a(p));
      }),
      { numRuns: 300 },
    );
  });

  it('makes every negative form the exact complement of its positive form', () => {
    fc.assert(
      fc.property(negativePairArbitrary(), fc.array(profileArbitrary(), { minLength: 1, maxLength: 20 }), ([positive, negative], profiles) => {
        const pos = compile(positive);
        const neg = compile(negative);
        for (const p of profiles) expect(neg(p)).toBe(!pos(p));
      }),
      { numRuns: 500 },
    );
  });

  it('always returns a boolean and never throws', () => {
    fc.assert(
      fc.property(exprArbitrary(), profileArbitrary(), (expr, profile) => {
        expect(typeof compile(expr)(profile)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('is false for positive forms on unknown values', () => {
    fc.assert(
      fc.property(exprArbitrary(schemaForArbitraries, { depth: 0 }), (expr) => {
        fc.pre(expr.type === 'predicate' && expr.subject.type === 'field');
        if (expr.type !== 'predicate') return;
        const test = compile(expr);
        const unknownIsTrue = ['neq', 'not_in', 'not_between', 'not_contains', 'contains_none', 'is_unknown', 'is_empty'].includes(expr.op);
        expect(test({})).toBe(unknownIsTrue);
      }),
      { numRuns: 300 },
    );
  });
});
