/**
 * fast-check arbitraries for segment trees and segment-like source text, shared by the parser fuzz
 * tests and the printer round-trip property. Trees are in the parser's normal form: and/or have at
 * least two items and never directly contain the same operator; spans are zero (tests compare trees
 * with `stripSpans`).
 */
import fc from 'fast-check';
import type { AggregateFn, DurationLiteral, EventAggregate, Expr, FieldRef, ListLiteral, Literal, Operand, PredicateExpr, Span } from '../../../core/ast';
import type { DurationUnit } from '../../../core/durations';
import { OPERATOR_LIST, OPERATORS, type OperatorId } from '../../../core/operators';

const span: Span = { start: 0, end: 0 };

const AWKWARD = ['"', "'", '\\', '`', '\n', '\r', '\t', '\u0000', '\u2028', '\ud800', '\udc00', '😀', 'é', 'ß', ' ', '.', '//', 'and', 'or', 'not', '(', ')', '[', ']', ','];

/** Text with quotes, backslashes, control characters, lone surrogates, emoji and keywords. */
export const awkwardText = fc.string({
  unit: fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('a', 'b', 'Z', '1', '_')),
  maxLength: 12,
});

/** Field path segments: identifiers, keywords, names needing back-quotes (spaces, dots, back-quotes). */
const fieldName = fc.oneof(
  fc.constantFrom('country', 'attributes', 'plan', 'last_seen', 'tags', 'Zoë', 'x1', '_id'),
  fc.constantFrom('not', 'AND', 'or', 'true', 'False', 'null', 'now', 'today', 'event', 'in_segment', 'contains', 'is', 'in'),
  fc.constantFrom('favorite color', 'a.b', 'back`quote', 'back\\slash', '1st', 'with-dash', ' '),
  awkwardText.filter((s) => s.length > 0),
);

export const fieldRef: fc.Arbitrary<FieldRef> = fc.array(fieldName, { minLength: 1, maxLength: 3 }).map((path) => ({ type: 'field', path, span }));

const UNITS: DurationUnit[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

export const duration: fc.Arbitrary<DurationLiteral> = fc
  .record({ amount: fc.oneof(fc.nat(400), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })), unit: fc.constantFrom(...UNITS) })
  .map(({ amount, unit }) => ({ type: 'duration', amount: Object.is(amount, -0) ? 0 : amount, unit, span }));

const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => (Object.is(n, -0) ? 0 : n));

const plainLiteral: fc.Arbitrary<Literal> = fc.oneof(
  awkwardText.map((value): Literal => ({ type: 'string', value, span })),
  number.map((value): Literal => ({ type: 'number', value, span })),
  fc.boolean().map((value): Literal => ({ type: 'boolean', value, span })),
);

export const scalar: fc.Arbitrary<Literal> = fc.oneof(
  plainLiteral,
  duration,
  fc.constant<Literal>({ type: 'now', span }),
  fc.constant<Literal>({ type: 'today', span }),
  duration.map((d): Literal => ({ type: 'ago', duration: d, span })),
);

const list: fc.Arbitrary<ListLiteral> = fc.array(plainLiteral, { maxLength: 4 }).map((items) => ({ type: 'list', items, span }));

function operandFor(op: OperatorId): fc.Arbitrary<Operand | null> {
  switch (OPERATORS[op].operand) {
    case 'none':
      return fc.constant(null);
    case 'value':
      return scalar;
    case 'list':
      return list;
    case 'range':
      return fc.tuple(scalar, scalar).map(([low, high]): Operand => ({ type: 'range', low, high, span }));
    case 'duration':
      return duration;
  }
}

const FNS: AggregateFn[] = ['count', 'sum', 'min', 'max', 'avg', 'first_at', 'last_at'];
const WITH_PROPERTY = new Set<AggregateFn>(['sum', 'min', 'max', 'avg']);

function aggregate(where: fc.Arbitrary<Expr>): fc.Arbitrary<EventAggregate> {
  return fc
    .record({
      event: awkwardText,
      where: fc.option(where, { nil: null }),
      within: fc.option(duration, { nil: null }),
      fn: fc.constantFrom(...FNS),
      property: awkwardText,
    })
    .map(({ event, where, within, fn, property }) => ({
      type: 'aggregate',
      event: { type: 'string', value: event, span },
      where,
      within,
      fn,
      property: WITH_PROPERTY.has(fn) ? { type: 'string', value: property, span } : null,
      span,
    }));
}

/** Every node kind, every operator and operand shape, nested up to a few levels. */
export const expr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr; and: Expr; or: Expr; leaf: Expr }>((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('leaf'), tie('and'), tie('or'), tie('expr').map((operand): Expr => ({ type: 'not', operand, span }))),
  and: fc
    .array(tie('expr').filter((e) => e.type !== 'and'), { minLength: 2, maxLength: 4 })
    .map((items): Expr => ({ type: 'and', items, span })),
  or: fc
    .array(tie('expr').filter((e) => e.type !== 'or'), { minLength: 2, maxLength: 4 })
    .map((items): Expr => ({ type: 'or', items, span })),
  leaf: fc.oneof(
    fc
      .record({
        subject: fc.oneof({ weight: 4, arbitrary: fieldRef }, { weight: 1, arbitrary: aggregate(tie('expr')) }),
        op: fc.constantFrom(...OPERATOR_LIST.map((d) => d.id)),
      })
      .chain(({ subject, op }) =>
        operandFor(op).map((operand): PredicateExpr => ({ type: 'predicate', subject, op, operand, opSpan: span, span })),
      ),
    awkwardText.map((name): Expr => ({ type: 'segment', name, span })),
  ),
})).expr;

/** Pieces of the language, for source text that is nearly valid (and often not). */
const TOKENS = [
  'country', 'attributes.plan', '`favorite color`', 'tags', ' ', ' ', '\n', '// c\n', '=', '==', '!=', '>', '>=', '<', '<=',
  'is', 'is not', 'not', 'NOT', '!', 'and', 'AND', 'or', '&&', '||', 'in', 'not in', 'between', 'contains', 'contains any',
  'starts with', 'ends with', 'is known', 'is null', 'is empty', 'within last', 'older than', 'before', 'after', '(', ')',
  '[', ']', ',', '"OM"', "'x'", '"', '12', '-12.5', '1e3', '30 days', '30d', '15min', '6mo', 'ago', 'now', 'today', 'true',
  'event("x")', '.where(', '.within(', '.count()', '.sum("p")', '.cnt()', 'in_segment("VIP")', '\\', '`', '\u0000', '\ud800',
];

export const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((parts) => parts.join(' '));
