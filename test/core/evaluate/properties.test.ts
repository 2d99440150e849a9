import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AggregateFn, Expr } from '../../../core/ast';
import { OPERATOR_LIST, type OperatorId } from '../../../core/operators';
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

  it('generates every operator and every aggregate, with where and within', () => {
    const ops = new Set<OperatorId>();
    const fns = new Set<AggregateFn>();
    let where = 0;
    let within = 0;
    const visit = (e: Expr): void => {
      if (e.type === 'and' || e.type === 'or') e.items.forEach(visit);
      else if (e.type === 'not') visit(e.operand);
      else if (e.type === 'predicate') {
        ops.add(e.op);
        if (e.subject.type === 'aggregate') {
          fns.add(e.subject.fn);
          if (e.subject.where) (where++, visit(e.subject.where));
          if (e.subject.within) within++;
        }
      }
    };
    fc.sample(exprArbitrary(), { numRuns: 3000, seed: 42 }).forEach(visit);
    expect([...ops].sort()).toEqual(OPERATOR_LIST.map((d) => d.id).sort());
    expect([...fns].sort()).toEqual(['avg', 'count', 'first_at', 'last_at', 'max', 'min', 'sum']);
    expect(where).toBeGreaterThan(0);
    expect(within).toBeGreaterThan(0);
  });
});
