/**
 * Differential test: each evaluator (the generated code, the closures) against a deliberately plain tree-walking interpreter of
 * the normative semantics, on generated trees and hurtful profiles. The interpreter is written
 * independently of both evaluators (no shared helpers but `valueInstant` and the clock).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventAggregate, Expr, Literal, PredicateExpr } from '../../../core/ast';
import { compilePredicate } from '../../../core/evaluate/compile';
import { kindOf, type FieldSchema, type Schema } from '../../../core/schema';
import { createClock, valueInstant, type Clock } from '../../../core/time';
import { EVALUATORS } from '../../conformance/cases';
import { clockOptionsArbitrary, exprArbitrary, NOW, profilesArbitrary, schemaForArbitraries } from '../../support/arbitraries';
import { freshSeed, seedReporter } from '../../support/seed';

type Obj = Record<string, unknown>;
/** The evaluation clock of the case being checked (the random-clock test sets it per case). */
let clock: Clock = createClock({ now: NOW });

/** docs/LANGUAGE.md §7.6, written out plainly: nested plain objects; the flat key only when the first name is absent. */
function get(object: unknown, key: string): unknown {
  const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const names = key.split('.');
  if (!isRecord(object)) return undefined;
  if (names.length > 1 && !(Object.hasOwn(object, names[0]) && object[names[0]] !== undefined)) {
    return Object.hasOwn(object, key) ? object[key] : undefined;
  }
  let value: unknown = object;
  for (const name of names) {
    if (!isRecord(value) || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return value;
}

function literal(lit: Literal, kind: string, c: Clock): unknown {
  if (kind === 'date') {
    if (lit.type === 'now') return c.now;
    if (lit.type === 'today') return c.today;
    if (lit.type === 'ago') return c.ago(lit.duration);
    return lit.type === 'string' ? valueInstant(lit.value) : NaN;
  }
  if (lit.type === 'string') return lit.value.toLowerCase();
  return 'value' in lit ? lit.value : undefined;
}

function same(value: unknown, kind: string | undefined, wanted: unknown, computed: boolean): boolean {
  if (kind === 'text') return typeof value === 'string' && value.toLowerCase() === wanted;
  if (kind === 'date') return (computed ? value : valueInstant(value)) === wanted;
  if (kind === 'number') return typeof value === 'number' && typeof wanted === 'number' && value === wanted;
  if (kind === 'boolean') return typeof value === 'boolean' && value === wanted;
  return false;
}

function order(value: unknown, kind: string | undefined, computed: boolean): number {
  if (kind === 'date') return computed ? (value === undefined ? NaN : (value as number)) : valueInstant(value);
  if (kind === 'number') return typeof value === 'number' ? value : NaN;
  return NaN;
}

/**
 * What a literal makes of a field outside the schema (docs: the operand decides): text, number,
 * boolean; a date for now/today/ago, and for an ISO-8601 string where an order is asked (>, between).
 */
function kindOfLiteral(lit: Literal | undefined, ordered: boolean): string | undefined {
  if (lit === undefined) return undefined;
  if (lit.type === 'now' || lit.type === 'today' || lit.type === 'ago') return 'date';
  if (lit.type === 'string') return ordered && !Number.isNaN(valueInstant(lit.value)) ? 'date' : 'text';
  if (lit.type === 'number') return 'number';
  if (lit.type === 'boolean') return 'boolean';
  return undefined;
}

function elementMatches(element: unknown, wanted: Literal): boolean {
  if (wanted.type === 'string') return typeof element === 'string' && element.toLowerCase() === wanted.value.toLowerCase();
  return wanted.type === 'number' && element === wanted.value;
}

/** `kind` undefined: the field is not in the schema. */
function test(node: PredicateExpr, value: unknown, schemaKind: string | undefined, computed: boolean): boolean {
  const operand = node.operand;
  const lit = operand !== null && operand.type !== 'list' && operand.type !== 'range' ? operand : undefined;
  const items = operand?.type === 'list' ? operand.items : [];
  const ordered = node.op === 'gt' || node.op === 'gte' || node.op === 'lt' || node.op === 'lte' || node.op === 'between';
  const kind = schemaKind ?? kindOfLiteral(operand?.type === 'range' ? operand.low : node.op === 'in' ? items[0] : lit, ordered);
  const bound = (l: Literal) => (kind === 'number' ? (l.type === 'number' ? l.value : NaN) : kind === 'date' ? (literal(l, 'date', clock) as number) : NaN);
  switch (node.op) {
    case 'eq':
      return same(value, kind, literal(lit!, kind ?? 'text', clock), computed);
    case 'gt':
      return order(value, kind, computed) > bound(lit!);
    case 'gte':
      return order(value, kind, computed) >= bound(lit!);
    case 'lt':
      return order(value, kind, computed) < bound(lit!);
    case 'lte':
      return order(value, kind, computed) <= bound(lit!);
    case 'in':
      if (kind !== 'text' && kind !== 'number') return false;
      return items.some((i) => same(value, kind, literal(i, kind, clock), computed));
    case 'between': {
      if (operand?.type !== 'range') return false;
      const v = order(value, kind, computed);
      return v >= bound(operand.low) && v <= bound(operand.high);
    }
    case 'contains':
      if (schemaKind === 'text' || (schemaKind === undefined && typeof value === 'string')) {
        return typeof value === 'string' && lit?.type === 'string' && value.toLowerCase().includes(lit.value.toLowerCase());
      }
      if (schemaKind !== undefined && schemaKind !== 'list') return false;
      return Array.isArray(value) && value.some((e) => elementMatches(e, lit!));
    case 'starts_with':
      if (schemaKind !== undefined && schemaKind !== 'text') return false;
      return typeof value === 'string' && lit?.type === 'string' && value.toLowerCase().startsWith(lit.value.toLowerCase());
    case 'ends_with':
      if (schemaKind !== undefined && schemaKind !== 'text') return false;
      return typeof value === 'string' && lit?.type === 'string' && value.toLowerCase().endsWith(lit.value.toLowerCase());
    case 'contains_any':
      return Array.isArray(value) && items.some((i) => value.some((e) => elementMatches(e, i)));
    case 'contains_all':
      return Array.isArray(value) && items.every((i) => value.some((e) => elementMatches(e, i)));
    case 'is_known':
      return value !== undefined && value !== null;
    case 'is_empty':
      return value === undefined || value === null || (schemaKind !== 'list' && value === '') || (schemaKind !== 'text' && Array.isArray(value) && value.length === 0);
    case 'within_last': {
      const v = order(value, 'date', computed);
      return operand?.type === 'duration' && v >= clock.ago(operand) && v <= clock.now;
    }
    case 'older_than':
      return operand?.type === 'duration' && order(value, 'date', computed) < clock.ago(operand);
    case 'before':
      return order(value, 'date', computed) < (literal(lit!, 'date', clock) as number);
    case 'after':
      return order(value, 'date', computed) > (literal(lit!, 'date', clock) as number);
    case 'neq':
    case 'not_in':
    case 'not_between':
    case 'not_contains':
    case 'contains_none':
    case 'is_unknown':
    case 'is_not_empty': {
      const positive = { neq: 'eq', not_in: 'in', not_between: 'between', not_contains: 'contains', contains_none: 'contains_any', is_unknown: 'is_known', is_not_empty: 'is_empty' } as const;
      return !test({ ...node, op: positive[node.op] }, value, schemaKind, computed);
    }
  }
}

function aggregate(agg: EventAggregate, profile: Obj, schema: Schema): unknown {
  const events = Array.isArray(profile.events) ? (profile.events as unknown[]) : [];
  const properties = Object.entries(schema.events ?? {}).find(([k]) => k.toLowerCase() === agg.event.value.toLowerCase())?.[1].properties ?? {};
  const kept = events.filter((e): e is Obj => {
    if (typeof e !== 'object' || e === null) return false;
    const { event, timestamp } = e as Obj;
    if (typeof event !== 'string' || event.toLowerCase() !== agg.event.value.toLowerCase()) return false;
    if (agg.within !== null) {
      const t = valueInstant(timestamp);
      if (!(t >= clock.ago(agg.within) && t <= clock.now)) return false;
    }
    const props = (e as Obj).properties;
    const scope = typeof props === 'object' && props !== null && !Array.isArray(props) ? (props as Obj) : {};
    return agg.where === null || evaluate(agg.where, scope, profile, properties, schema);
  });
  const times = kept.map((e) => valueInstant(e.timestamp)).filter((t) => !Number.isNaN(t));
  const numbers = kept
    .map((e) => (agg.property === null ? undefined : get(e.properties, agg.property.value)))
    .filter((n): n is number => typeof n === 'number' && !Number.isNaN(n));
  switch (agg.fn) {
    case 'count':
      return kept.length;
    case 'sum':
      return numbers.reduce((a, b) => a + b, 0);
    case 'min':
      return numbers.length === 0 ? undefined : Math.min(...numbers);
    case 'max':
      return numbers.length === 0 ? undefined : Math.max(...numbers);
    case 'avg':
      return numbers.length === 0 ? undefined : numbers.reduce((a, b) => a + b, 0) / numbers.length;
    case 'first_at':
      return times.length === 0 ? undefined : Math.min(...times);
    case 'last_at':
      return times.length === 0 ? undefined : Math.max(...times);
  }
}

function evaluate(expr: Expr, scope: Obj, profile: Obj, fields: Record<string, FieldSchema>, schema: Schema): boolean {
  switch (expr.type) {
    case 'and':
      return expr.items.every((i) => evaluate(i, scope, profile, fields, schema));
    case 'or':
      return expr.items.some((i) => evaluate(i, scope, profile, fields, schema));
    case 'not':
      return !evaluate(expr.operand, scope, profile, fields, schema);
    case 'group':
      return evaluate(expr.expr, scope, profile, fields, schema);
    case 'segment':
    case 'draft':
    case 'raw':
      throw new Error(`no ${expr.type} nodes in generated trees`);
    case 'predicate': {
      const s = expr.subject;
      if (s.type === 'aggregate') {
        const kind = s.fn === 'first_at' || s.fn === 'last_at' ? 'date' : 'number';
        return test(expr, aggregate(s, profile, schema), kind, true);
      }
      const key = s.path.join('.');
      return test(expr, get(scope, key), Object.hasOwn(fields, key) ? kindOf(fields[key]) : undefined, false);
    }
  }
}

describe.each(EVALUATORS)('the %s evaluator against a plain interpreter', (evaluator) => {
  it('agrees on every generated tree and hurtful profile', () => {
    const schema = schemaForArbitraries;
    fc.assert(
      fc.property(exprArbitrary(schema), profilesArbitrary(schema), (expr, profiles) => {
        const compiled = compilePredicate(expr, { schema, idField: 'id', segments: new Map(), clock, evaluator });
        for (const p of profiles) expect(compiled(p)).toBe(evaluate(expr, p, p, schema.fields, schema));
      }),
      { numRuns: 1000 },
    );
  });

  // Wider: fields outside the schema under every operator, and any clock (time zones, DST changes).
  // A fresh seed each run (printed on failure; SEGMENT_SEED=<n> replays it), shrinking on.
  it('agrees on fields outside the schema and on random clocks (fresh seed)', () => {
    const schema = schemaForArbitraries;
    const seed = freshSeed();
    fc.assert(
      fc.property(exprArbitrary(schema, { outside: true }), profilesArbitrary(schema), clockOptionsArbitrary, (expr, profiles, options) => {
        clock = createClock(options);
        const compiled = compilePredicate(expr, { schema, idField: 'id', segments: new Map(), clock, evaluator });
        for (const p of profiles) expect(compiled(p)).toBe(evaluate(expr, p, p, schema.fields, schema));
      }),
      { numRuns: 1000, seed, reporter: seedReporter(seed) },
    );
    clock = createClock({ now: NOW });
  });
});
