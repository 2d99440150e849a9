/**
 * The segment AST: discriminated unions with a `type` field and a `span` on every node.
 *
 * Spans are 0-based offsets into the source text, end exclusive. Every phase (validate, print,
 * describe, compile, SQL) has one `switch (node.type)` ending in `assertNever`, so adding a node
 * kind breaks the build until every phase handles it.
 */
import type { DurationUnit } from './durations';
import type { OperatorId } from './operators';

export interface Span {
  start: number;
  end: number;
}

/** A boolean expression: what a segment is. */
export type Expr = AndExpr | OrExpr | NotExpr | PredicateExpr | SegmentRefExpr;

/** `a and b and c`: n-ary, never nested directly inside another `and`. */
export interface AndExpr {
  type: 'and';
  items: Expr[];
  span: Span;
}

/** `a or b or c`: n-ary, never nested directly inside another `or`. */
export interface OrExpr {
  type: 'or';
  items: Expr[];
  span: Span;
}

/** `not X`: plain negation of the predicate or group after it. */
export interface NotExpr {
  type: 'not';
  operand: Expr;
  span: Span;
}

/** `in_segment("Name")`: membership of a saved segment. */
export interface SegmentRefExpr {
  type: 'segment';
  name: string;
  span: Span;
}

/** `subject op operand`, e.g. `country = "OM"`, `tags contains any ["a"]`, `last_seen is known`. */
export interface PredicateExpr {
  type: 'predicate';
  subject: Subject;
  op: OperatorId;
  /** Shape depends on the operator's operand kind (see `OPERATORS[op].operand`); null for `none`. */
  operand: Operand | null;
  /** Span of the operator words alone (for errors about the operator). */
  opSpan: Span;
  span: Span;
}

/** What a predicate tests: a profile field or an aggregate over the profile's events. */
export type Subject = FieldRef | EventAggregate;

/** `attributes.plan`, `` `favorite color` ``: path segments without quotes. */
export interface FieldRef {
  type: 'field';
  path: string[];
  span: Span;
}

export type AggregateFn = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'first_at' | 'last_at';

/** `event("name")[.where(expr)][.within(duration)].fn(property?)`. */
export interface EventAggregate {
  type: 'aggregate';
  event: StringLiteral;
  /** Filter over the event's properties, in the same language (fields are property paths). */
  where: Expr | null;
  within: DurationLiteral | null;
  fn: AggregateFn;
  /** The property argument of sum/min/max/avg; null for count/first_at/last_at. */
  property: StringLiteral | null;
  span: Span;
}

/** Operands. */
export type Operand = Literal | ListLiteral | RangeOperand;

export type Literal =
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | DurationLiteral
  | NowLiteral
  | TodayLiteral
  | AgoLiteral;

export interface StringLiteral {
  type: 'string';
  value: string;
  span: Span;
}

export interface NumberLiteral {
  type: 'number';
  value: number;
  span: Span;
}

export interface BooleanLiteral {
  type: 'boolean';
  value: boolean;
  span: Span;
}

/** `30 days`, `30d`, `6 months`: `unit` is canonical (singular). */
export interface DurationLiteral {
  type: 'duration';
  amount: number;
  unit: DurationUnit;
  span: Span;
}

/** `now`: the evaluation instant given to the engine. */
export interface NowLiteral {
  type: 'now';
  span: Span;
}

/** `today`: start of the current day in the configured time zone. */
export interface TodayLiteral {
  type: 'today';
  span: Span;
}

/** `<duration> ago`: now minus the duration. */
export interface AgoLiteral {
  type: 'ago';
  duration: DurationLiteral;
  span: Span;
}

/** `["a", "b"]`: items are scalar literals. */
export interface ListLiteral {
  type: 'list';
  items: Literal[];
  span: Span;
}

/** `between a and b`: both bounds inclusive. */
export interface RangeOperand {
  type: 'range';
  low: Literal;
  high: Literal;
  span: Span;
}

export type Node = Expr | Subject | Operand;

/**
 * Strips leading `not`s without recursion (a 10k-long `not not …` chain is fine): the first node
 * that is not a `not`, and whether an odd number of `not`s stood before it (xor `negated`).
 */
export function unwrapNot(expr: Expr, negated = false): [Exclude<Expr, NotExpr>, boolean] {
  let e = expr;
  let n = negated;
  while (e.type === 'not') {
    e = e.operand;
    n = !n;
  }
  return [e, n];
}

/** Exhaustiveness check for `switch (node.type)`. */
export function assertNever(value: never, what = 'node'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/** Structural equality of two trees, ignoring spans (used by the printer round-trip property). */
export function stripSpans<T>(node: T): T {
  return JSON.parse(
    JSON.stringify(node, (key, value) => (key === 'span' || key === 'opSpan' ? undefined : value)),
  ) as T;
}
