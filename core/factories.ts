/**
 * Node factories: trees built in code, without spans, for editors and hosts.
 *
 *   import { nodes as n } from 'n8n-nodes-segments';
 *   const tree = n.and(n.condition('country', 'eq', 'OM'), n.group(n.or(n.condition('plan', 'in', ['gold', 'pro']), n.segment('VIP'))));
 *
 * Factories build exactly the node asked for (no flattening, no implicit groups); `normalize` gives
 * the canonical shape the parser would produce from the printed text. Plain values stand for
 * literals: a string, number or boolean is a literal, an array a list (or a range's two bounds for
 * `between`), and a field is a dotted path (`"attributes.plan"`) or an array of names.
 */
import type {
  AgoLiteral,
  AggregateFn,
  AndExpr,
  DraftExpr,
  DurationLiteral,
  EventAggregate,
  Expr,
  FieldRef,
  GroupExpr,
  ListLiteral,
  Literal,
  NotExpr,
  Operand,
  OrExpr,
  PredicateExpr,
  RangeOperand,
  RawExpr,
  SegmentRefExpr,
  Subject,
} from './ast';
import type { DurationUnit } from './durations';
import { OPERATORS, type OperatorId } from './operators';

/** A plain value standing for a literal. */
export type Plain = string | number | boolean;
/** What the factories take for an operand: a node, a plain value, or an array of them. */
export type OperandInput = Operand | Plain | readonly (Literal | Plain)[] | null | undefined;
/** What the factories take for a subject: a node, a dotted path or the path's names. */
export type SubjectInput = Subject | string | readonly string[];

function literal(value: Literal | Plain): Literal {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'number') return { type: 'number', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  return value;
}

function subjectOf(subject: SubjectInput): Subject {
  if (typeof subject === 'string') return field(subject);
  if (Array.isArray(subject)) return field(subject as readonly string[]);
  return subject as Subject;
}

function operandOf(op: OperatorId | null, operand: OperandInput): Operand | null {
  if (operand === null || operand === undefined) return null;
  if (Array.isArray(operand)) {
    const items = (operand as readonly (Literal | Plain)[]).map(literal);
    if (op !== null && OPERATORS[op].operand === 'range' && items.length === 2) return { type: 'range', low: items[0], high: items[1] };
    return { type: 'list', items };
  }
  return literal(operand as Literal | Plain);
}

function field(path: string | readonly string[]): FieldRef {
  return { type: 'field', path: typeof path === 'string' ? path.split('.') : [...path] };
}

/** The factories, one per node kind. */
export const nodes = {
  /** `a and b and …`; with no items, the empty group (a draft). */
  and: (...items: Expr[]): AndExpr => ({ type: 'and', items }),
  /** `a or b or …`; with no items, the empty group (a draft). */
  or: (...items: Expr[]): OrExpr => ({ type: 'or', items }),
  not: (operand: Expr): NotExpr => ({ type: 'not', operand }),
  /** Parentheses the user made. */
  group: (expr: Expr): GroupExpr => ({ type: 'group', expr }),
  /** `in_segment("name")`. */
  segment: (name: string): SegmentRefExpr => ({ type: 'segment', name }),
  /** `subject op operand`: `condition('age', 'between', [18, 30])`, `condition('email', 'is_known')`. */
  condition: (subject: SubjectInput, op: OperatorId, operand?: OperandInput): PredicateExpr => ({
    type: 'predicate',
    subject: subjectOf(subject),
    op,
    operand: operandOf(op, operand),
  }),
  /** A condition still being written: any piece may be missing (`draft()`, `draft({ subject: 'country' })`). */
  draft: (parts: { subject?: SubjectInput | null; op?: OperatorId | null; operand?: OperandInput } = {}): DraftExpr => {
    const op = parts.op ?? null;
    return {
      type: 'draft',
      subject: parts.subject === null || parts.subject === undefined ? null : subjectOf(parts.subject),
      op,
      operand: op === null ? null : operandOf(op, parts.operand),
    };
  },
  /** Text kept verbatim (what error recovery makes of a stretch that does not parse). */
  raw: (text: string): RawExpr => ({ type: 'raw', text }),
  /** A field path: `field("attributes.plan")` or `field(["a.b"])` for one name with a dot in it. */
  field,
  /** `event("name")[.where(…)][.within(…)].fn(property)`. */
  event: (name: string, fn: AggregateFn, options: { where?: Expr | null; within?: DurationLiteral | null; property?: string | null } = {}): EventAggregate => ({
    type: 'aggregate',
    event: { type: 'string', value: name },
    where: options.where ?? null,
    within: options.within ?? null,
    fn,
    property: options.property === undefined || options.property === null ? null : { type: 'string', value: options.property },
  }),
  /** A literal from a plain value. */
  value: (value: Plain): Literal => literal(value),
  string: (value: string): Literal => ({ type: 'string', value }),
  number: (value: number): Literal => ({ type: 'number', value }),
  boolean: (value: boolean): Literal => ({ type: 'boolean', value }),
  now: (): Literal => ({ type: 'now' }),
  today: (): Literal => ({ type: 'today' }),
  duration: (amount: number, unit: DurationUnit): DurationLiteral => ({ type: 'duration', amount, unit }),
  /** `30 days ago`. */
  ago: (amount: number, unit: DurationUnit): AgoLiteral => ({ type: 'ago', duration: { type: 'duration', amount, unit } }),
  list: (items: readonly (Literal | Plain)[]): ListLiteral => ({ type: 'list', items: items.map(literal) }),
  range: (low: Literal | Plain, high: Literal | Plain): RangeOperand => ({ type: 'range', low: literal(low), high: literal(high) }),
} as const;
