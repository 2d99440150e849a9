/**
 * The segment AST: discriminated unions with a `type` field. It is also the editor's model: a visual
 * builder holds one of these trees, edits it, validates it and prints it.
 *
 * Spans are 0-based offsets into the source text, end exclusive. The parser sets them on every node;
 * trees built in code (`factories.ts`) have none, and every phase works without them. Every phase
 * (validate, print, describe, compile, SQL) has one `switch (node.type)` ending in `assertNever`, so
 * adding a node kind breaks the build until every phase handles it.
 *
 * Besides the language's own nodes there are three an editor needs:
 * - `group`: parentheses the user wrote, kept so the printer gives them back;
 * - `draft`: a condition still being written (no field, operator or value yet; printed with `?`),
 *   and the empty group (an `and`/`or` with no items, printed `()`);
 * - `raw`: a stretch of text that does not parse, kept verbatim by error recovery.
 * Validation reports drafts and raw stretches; the compilers never see them.
 */
import type { DurationUnit } from './durations';
import type { OperatorId } from './operators';

export interface Span {
  start: number;
  end: number;
}

/** A boolean expression: what a segment is. */
export type Expr = AndExpr | OrExpr | NotExpr | GroupExpr | PredicateExpr | SegmentRefExpr | DraftExpr | RawExpr;

/**
 * `a and b and c`: n-ary, never nested directly inside another `and` (a nested one is in a `group`).
 * With no items it is the empty group, a draft (printed `()`).
 */
export interface AndExpr {
  type: 'and';
  items: Expr[];
  span?: Span;
}

/** `a or b or c`: n-ary, never nested directly inside another `or`. */
export interface OrExpr {
  type: 'or';
  items: Expr[];
  span?: Span;
}

/** `not X`: plain negation of the predicate or group after it. */
export interface NotExpr {
  type: 'not';
  operand: Expr;
  span?: Span;
}

/** `( … )` as the user wrote it: transparent to every phase, kept so the printer gives it back. */
export interface GroupExpr {
  type: 'group';
  expr: Expr;
  span?: Span;
}

/** `in_segment("Name")`: membership of a saved segment. */
export interface SegmentRefExpr {
  type: 'segment';
  name: string;
  span?: Span;
}

/**
 * A condition still being written: any of subject, operator and operand may be missing (null).
 * Printed with `?` for each missing piece (`?`, `country ?`, `country = ?`, `? is known`), which
 * parses back to the same draft. `operand` is null whenever `op` is. Validation reports it
 * (`incomplete-condition`); a complete draft is a predicate (`normalize` turns it into one).
 */
export interface DraftExpr {
  type: 'draft';
  subject: Subject | null;
  op: OperatorId | null;
  operand: Operand | null;
  opSpan?: Span;
  span?: Span;
}

/** Text that does not parse, kept verbatim by error recovery (printed as is). Validation reports it. */
export interface RawExpr {
  type: 'raw';
  text: string;
  span?: Span;
}

/** `subject op operand`, e.g. `country = "OM"`, `tags contains any ["a"]`, `last_seen is known`. */
export interface PredicateExpr {
  type: 'predicate';
  subject: Subject;
  op: OperatorId;
  /** Shape depends on the operator's operand kind (see `OPERATORS[op].operand`); null for `none`. */
  operand: Operand | null;
  /** Span of the operator words alone (for errors about the operator). */
  opSpan?: Span;
  span?: Span;
}

/** What a predicate tests: a profile field or an aggregate over the profile's events. */
export type Subject = FieldRef | EventAggregate;

/** `attributes.plan`, `` `favorite color` ``: path segments without quotes. */
export interface FieldRef {
  type: 'field';
  path: string[];
  span?: Span;
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
  span?: Span;
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
  span?: Span;
}

export interface NumberLiteral {
  type: 'number';
  value: number;
  span?: Span;
}

export interface BooleanLiteral {
  type: 'boolean';
  value: boolean;
  span?: Span;
}

/** `30 days`, `30d`, `6 months`: `unit` is canonical (singular). */
export interface DurationLiteral {
  type: 'duration';
  amount: number;
  unit: DurationUnit;
  span?: Span;
}

/** `now`: the evaluation instant given to the engine. */
export interface NowLiteral {
  type: 'now';
  span?: Span;
}

/** `today`: start of the current day in the configured time zone. */
export interface TodayLiteral {
  type: 'today';
  span?: Span;
}

/** `<duration> ago`: now minus the duration. */
export interface AgoLiteral {
  type: 'ago';
  duration: DurationLiteral;
  span?: Span;
}

/** `["a", "b"]`: items are scalar literals. */
export interface ListLiteral {
  type: 'list';
  items: Literal[];
  span?: Span;
}

/** `between a and b`: both bounds inclusive. */
export interface RangeOperand {
  type: 'range';
  low: Literal;
  high: Literal;
  span?: Span;
}

export type Node = Expr | Subject | Operand;

/**
 * Strips leading `not`s and groups without recursion (a 10k-long `not not …` chain is fine): the
 * first node that is neither, and whether an odd number of `not`s stood before it (xor `negated`).
 */
export function unwrapNot(expr: Expr, negated = false): [Exclude<Expr, NotExpr | GroupExpr>, boolean] {
  let e = expr;
  let n = negated;
  while (e.type === 'not' || e.type === 'group') {
    if (e.type === 'not') n = !n;
    e = e.type === 'not' ? e.operand : e.expr;
  }
  return [e, n];
}

/** The node inside any groups (`((a = 1))` → `a = 1`). */
export function unwrapGroup(expr: Expr): Exclude<Expr, GroupExpr> {
  let e = expr;
  while (e.type === 'group') e = e.expr;
  return e;
}

/**
 * The node (or value) a diagnostic's `path` points at: property names and indexes followed from
 * `root`; undefined when the path does not lead anywhere in this tree.
 */
export function nodeAt(root: unknown, path: readonly (string | number)[]): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
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
