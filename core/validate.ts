/**
 * Validation: checks a tree against the schema and returns every problem at once.
 *
 * Checks fields, operator/type fit, value types, enum values, dates, durations, event names and
 * properties and aggregate types. Segment references are resolved elsewhere (`resolve-segments.ts`).
 * Each error points at the smallest relevant node: the field, the operator words or the bad value.
 *
 * Without a field scope (inside `.where()` of an event the schema does not know, or when the schema
 * has no `events`), fields are not checked but the shape of operands and durations still is.
 */
import { assertNever, type DurationLiteral, type EventAggregate, type Expr, type FieldRef, type Literal, type Operand, type PredicateExpr, type Span } from './ast';
import { formatDuration, UNITS } from './durations';
import { didYouMean, SegmentError, type ErrorCode } from './errors';
import { OPERATORS, operatorsFor, type FieldKind, type OperatorId } from './operators';
import { fieldKey, kindOf, type FieldSchema, type Schema } from './schema';
import { printLiteral } from './print';
import { parseIsoDate } from './time';

export interface ValidateOptions {
  schema: Schema;
  /** The source text the spans point into (for the caret excerpt). */
  source?: string;
  /** What the source is (`expression`, `segment "VIP"`). */
  origin?: string;
}

/** Every problem of `expr` against `options.schema`, in document order (empty when valid). */
export function validate(expr: Expr, options: ValidateOptions): SegmentError[] {
  const v = new Validator(options);
  v.walk(expr, { fields: options.schema.fields, event: undefined });
  return v.errors;
}

/** The fields a predicate may name: profile fields, an event's properties, or unchecked (null). */
interface Scope {
  fields: Readonly<Record<string, FieldSchema>> | null;
  /** Set inside `.where()`: the event's name as written. */
  event: string | undefined;
}

/** What a predicate tests, once resolved: its display name and kind (enum and list details in `field`). */
interface Target {
  name: string;
  kind: FieldKind;
  field?: FieldSchema;
}

type Scalar = 'text' | 'number' | 'boolean' | 'date';

const DATE_FORMAT_HINT = 'write dates as ISO-8601 strings ("2026-01-01" or "2026-01-01T10:00:00Z"), or use now, today or `30 days ago`';
/** Beyond this a date window leaves the range of JavaScript dates (±8.64e15 ms). */
const MAX_DURATION_MS = 8.64e15;
const MAX_DURATION_MONTHS = 12 * 200_000;

class Validator {
  readonly errors: SegmentError[] = [];
  private readonly schema: Schema;
  private readonly source: string | undefined;
  private readonly origin: string | undefined;
  private readonly eventNames: Map<string, string> | undefined;

  constructor(options: ValidateOptions) {
    this.schema = options.schema;
    this.source = options.source;
    this.origin = options.origin;
    const events = options.schema.events;
    this.eventNames = events ? new Map(Object.keys(events).map((name) => [name.toLowerCase(), name])) : undefined;
  }

  /** Iterative over and/or/not so long chains cannot overflow the stack. */
  walk(root: Expr, scope: Scope): void {
    const stack: Expr[] = [root];
    while (stack.length > 0) {
      const node = stack.pop() as Expr;
      switch (node.type) {
        case 'and':
        case 'or':
          for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
          break;
        case 'not':
          stack.push(node.operand);
          break;
        case 'segment':
          if (scope.event !== undefined) {
            this.report('invalid-event', node.span, '`in_segment` cannot be used inside `.where(...)`: it tests profiles, not events', 'move it out of the event filter');
          }
          break;
        case 'predicate':
          this.predicate(node, scope);
          break;
        default:
          assertNever(node);
      }
    }
  }

  private predicate(node: PredicateExpr, scope: Scope): void {
    const target = node.subject.type === 'field' ? this.field(node.subject, scope) : this.aggregate(node.subject, scope);
    const def = OPERATORS[node.op];
    if (target && !def.kinds.includes(target.kind)) {
      this.report('operator-type-mismatch', node.opSpan, `\`${def.print}\` applies to ${joinWords(def.kinds.map(String), 'and')} fields; ${describeTarget(target)}`, operatorHint(node.op, target));
      this.operandShape(node, null);
      return;
    }
    this.operandShape(node, target);
  }

  private field(ref: FieldRef, scope: Scope): Target | null {
    if (scope.fields === null) return null;
    const key = fieldKey(ref.path);
    if (Object.hasOwn(scope.fields, key)) {
      const field = scope.fields[key];
      return { name: `\`${key}\``, kind: kindOf(field), field };
    }
    const candidates = Object.keys(scope.fields);
    if (scope.event === undefined) {
      this.report('unknown-field', ref.span, `unknown field \`${key}\``, didYouMean(key, candidates));
    } else {
      const hint = didYouMean(key, candidates) ?? (candidates.length > 0 && candidates.length <= 10 ? `its properties are ${candidates.map((c) => `\`${c}\``).join(', ')}` : undefined);
      this.report('unknown-property', ref.span, `event ${JSON.stringify(scope.event)} has no property \`${key}\``, hint);
    }
    return null;
  }

  private aggregate(agg: EventAggregate, scope: Scope): Target {
    const name = agg.event.value;
    if (scope.event !== undefined) {
      this.report('invalid-event', agg.span, 'an event aggregate cannot be used inside `.where(...)`', '`.where(...)` filters one event by its properties; combine aggregates with `and` outside it');
    }
    let properties: Record<string, FieldSchema> | null = null;
    if (this.schema.events && this.eventNames) {
      const known = this.eventNames.get(name.toLowerCase());
      if (known === undefined) {
        this.report('unknown-event', agg.event.span, `unknown event ${JSON.stringify(name)}`, didYouMean(name, [...this.eventNames.values()], (s) => JSON.stringify(s)));
      } else {
        properties = this.schema.events[known].properties ?? {};
      }
    }
    if (agg.where) this.walk(agg.where, { fields: properties, event: name });
    if (agg.within) this.duration(agg.within);
    const numeric = agg.fn === 'sum' || agg.fn === 'min' || agg.fn === 'max' || agg.fn === 'avg';
    if (numeric && agg.property === null) {
      this.report('value-type-mismatch', agg.span, `\`${agg.fn}()\` needs the name of a number property`, `write \`${agg.fn}("amount")\``);
    } else if (!numeric && agg.property !== null) {
      this.report('value-type-mismatch', agg.property.span, `\`${agg.fn}()\` takes no property`, `write \`${agg.fn}()\``);
    } else if (numeric && agg.property !== null && properties !== null) {
      const prop = agg.property.value;
      if (!Object.hasOwn(properties, prop)) {
        this.report('unknown-property', agg.property.span, `event ${JSON.stringify(name)} has no property ${JSON.stringify(prop)}`, didYouMean(prop, Object.keys(properties), (s) => JSON.stringify(s)));
      } else if (kindOf(properties[prop]) !== 'number') {
        this.report('operator-type-mismatch', agg.property.span, `\`${agg.fn}\` needs a number property; \`${prop}\` is ${kindWords(kindOf(properties[prop]))}`);
      }
    }
    const property = agg.property ? JSON.stringify(agg.property.value) : '';
    return { name: `\`event(${JSON.stringify(name)}).${agg.fn}(${property})\``, kind: agg.fn === 'first_at' || agg.fn === 'last_at' ? 'date' : 'number' };
  }

  /** Checks that the operand has the shape the operator takes, then its values against the target. */
  private operandShape(node: PredicateExpr, target: Target | null): void {
    const def = OPERATORS[node.op];
    const operand = node.operand;
    const subject = target?.name ?? 'the field';
    switch (def.operand) {
      case 'none':
        if (operand !== null) this.report('value-type-mismatch', operand.span, `\`${def.print}\` takes no value`, `write \`${subject.replace(/`/g, '')} ${def.print}\``);
        return;
      case 'value':
        if (operand === null) return this.report('value-type-mismatch', node.opSpan, `\`${def.print}\` needs a value`);
        if (operand.type === 'list') {
          const alternative = node.op === 'neq' ? 'not in' : node.op === 'eq' ? 'in' : node.op === 'contains' ? 'contains any' : node.op === 'not_contains' ? 'contains none' : undefined;
          return this.report('value-type-mismatch', operand.span, `\`${def.print}\` compares with one value, not a list`, alternative ? `to match any of several values write \`${alternative} [...]\`` : 'write a single value');
        }
        if (operand.type === 'range') return this.report('value-type-mismatch', operand.span, `\`${def.print}\` compares with one value, not a range`, 'use `between <low> and <high>` for a range');
        return this.value(operand, target, node.op);
      case 'list': {
        if (operand === null || operand.type !== 'list') {
          const example = listExample(target);
          return this.report('value-type-mismatch', operand?.span ?? node.opSpan, `\`${def.print}\` takes a list of values`, `\`${def.print}\` takes a list: \`${example}\``);
        }
        for (const item of operand.items) this.value(item, target, node.op);
        return;
      }
      case 'range':
        if (operand === null || operand.type !== 'range') {
          return this.report('value-type-mismatch', operand?.span ?? node.opSpan, `\`${def.print}\` takes two values`, `write \`${def.print} <low> and <high>\`, e.g. \`${def.print} 1 and 10\``);
        }
        this.value(operand.low, target, node.op);
        this.value(operand.high, target, node.op);
        this.rangeOrder(operand.low, operand.high, operand.span);
        return;
      case 'duration':
        if (operand === null || operand.type !== 'duration') return this.durationExpected(def.print, operand, node.opSpan);
        this.duration(operand);
        return;
      default:
        assertNever(def.operand, 'operand kind');
    }
  }

  private durationExpected(op: string, operand: Operand | null, opSpan: Span): void {
    let hint = `write \`${op} 30 days\``;
    if (operand?.type === 'ago') hint = `drop \`ago\`: \`${op} ${formatDuration(operand.duration.amount, operand.duration.unit)}\``;
    else if (operand?.type === 'string' && !Number.isNaN(parseIsoDate(operand.value))) hint = `for a fixed date use \`${op === 'older than' ? 'before' : 'after'} ${JSON.stringify(operand.value)}\``;
    this.report('value-type-mismatch', operand?.span ?? opSpan, `\`${op}\` takes a duration such as \`30 days\``, hint);
  }

  /** One scalar value (a `value` operand, a list item or a range bound) against the target. */
  private value(lit: Literal | Operand, target: Target | null, op: OperatorId): void {
    if (lit.type === 'list' || lit.type === 'range') {
      this.report('value-type-mismatch', lit.span, 'expected a single value here');
      return;
    }
    if (lit.type === 'ago') this.duration(lit.duration);
    if (lit.type === 'duration') {
      const d = formatDuration(lit.amount, lit.unit);
      const dateLike = target === null || target.kind === 'date';
      const summary = target === null ? `\`${d}\` is a duration, not a value` : `${describeTarget(target)}, but \`${d}\` is a duration`;
      const hint = dateLike ? `write \`${d} ago\` for a point in time, or use \`within last ${d}\` / \`older than ${d}\`` : undefined;
      this.report('value-type-mismatch', lit.span, summary, hint);
      return;
    }
    if (target === null) return;
    const expected: Scalar = target.kind === 'list' ? (target.field?.items ?? 'text') : target.kind;
    switch (expected) {
      case 'text':
        if (lit.type === 'string') return this.enumValue(lit.value, lit.span, target, op);
        return this.mismatch(lit, target, lit.type === 'number' || lit.type === 'boolean' ? `write ${JSON.stringify(String(lit.value))} in quotes` : undefined);
      case 'number':
        if (lit.type === 'number') return;
        if (lit.type === 'string' && lit.value.trim() !== '' && Number.isFinite(Number(lit.value))) return this.mismatch(lit, target, `write ${Number(lit.value)} without quotes`);
        return this.mismatch(lit, target, 'write a number, e.g. 5');
      case 'boolean':
        if (lit.type === 'boolean') return;
        if (lit.type === 'string' && /^(true|false)$/i.test(lit.value)) return this.mismatch(lit, target, `write ${lit.value.toLowerCase()} without quotes`);
        return this.mismatch(lit, target, 'write true or false');
      case 'date':
        if (lit.type === 'now' || lit.type === 'today' || lit.type === 'ago') return;
        if (lit.type === 'string') {
          if (Number.isNaN(parseIsoDate(lit.value))) this.report('invalid-date', lit.span, `${JSON.stringify(lit.value)} is not an ISO-8601 date`, DATE_FORMAT_HINT);
          return;
        }
        return this.mismatch(lit, target, DATE_FORMAT_HINT);
      default:
        assertNever(expected, 'value type');
    }
  }

  private mismatch(lit: Literal, target: Target, hint: string | undefined): void {
    this.report('value-type-mismatch', lit.span, `${describeTarget(target)}, but ${describeLiteral(lit)}`, hint);
  }

  /** Enum values: allowed values match case-insensitively; substring operators are not checked. */
  private enumValue(value: string, span: Span, target: Target, op: OperatorId): void {
    const allowed = target.field?.type === 'enum' ? target.field.values : undefined;
    if (!allowed || !(op === 'eq' || op === 'neq' || op === 'in' || op === 'not_in')) return;
    const lower = value.toLowerCase();
    if (allowed.some((a) => a.toLowerCase() === lower)) return;
    const hint = didYouMean(value, allowed, (s) => JSON.stringify(s)) ?? `allowed values: ${allowed.slice(0, 12).map((a) => JSON.stringify(a)).join(', ')}${allowed.length > 12 ? ', …' : ''}`;
    this.report('unknown-enum-value', span, `${JSON.stringify(value)} is not a value of ${target.name}`, hint);
  }

  private rangeOrder(low: Literal, high: Literal, span: Span): void {
    const a = orderKey(low);
    const b = orderKey(high);
    if (a === undefined || b === undefined) return;
    // `now` is zero in either relative family; against a fixed date the order depends on the
    // clock, which validation does not know.
    const relative = (f: string) => f === 'fixed' || f === 'calendar';
    if (a.family === 'now') a.family = relative(b.family) ? b.family : 'now';
    if (b.family === 'now') b.family = relative(a.family) ? a.family : 'now';
    if (a.family === 'now' || b.family === 'now') return;
    if (a.family !== b.family || !(a.value > b.value)) return;
    const dates = a.family !== 'number';
    this.report('value-type-mismatch', span, `the range is empty: ${printLiteral(low)} is ${dates ? 'later than' : 'greater than'} ${printLiteral(high)}`, `write the ${dates ? 'earlier' : 'smaller'} bound first: \`between ${printLiteral(high)} and ${printLiteral(low)}\``);
  }

  private duration(d: DurationLiteral): void {
    const text = `${d.amount} ${UNITS[d.unit].plural}`;
    if (!Number.isFinite(d.amount) || d.amount <= 0) {
      this.report('invalid-duration', d.span, `a duration must be a positive number of ${UNITS[d.unit].plural}; got ${text}`, `write e.g. \`${formatDuration(30, d.unit)}\``);
      return;
    }
    const calendar = UNITS[d.unit].ms === null;
    if (calendar && !Number.isInteger(d.amount)) {
      const days = Math.round(d.amount * (d.unit === 'month' ? 30 : 365));
      this.report('invalid-duration', d.span, `${UNITS[d.unit].plural} must be whole numbers; got ${text}`, `write whole ${UNITS[d.unit].plural}, or a length in days such as \`${formatDuration(days, 'day')}\``);
      return;
    }
    const months = d.unit === 'month' ? d.amount : d.unit === 'year' ? d.amount * 12 : 0;
    if ((calendar && months > MAX_DURATION_MONTHS) || (!calendar && d.amount * (UNITS[d.unit].ms as number) > MAX_DURATION_MS)) {
      this.report('invalid-duration', d.span, `the duration ${text} is too long`, 'durations must stay within 200,000 years');
    }
  }

  private report(code: ErrorCode, span: Span, summary: string, hint?: string): void {
    this.errors.push(new SegmentError({ code, span, summary, hint, source: this.source, origin: this.origin }));
  }
}

function kindWords(kind: FieldKind): string {
  return kind === 'text' ? 'text' : `a ${kind}`;
}

function describeTarget(target: Target): string {
  if (target.kind !== 'list') return `${target.name} is ${kindWords(target.kind)}`;
  return `${target.name} is a list of ${target.field?.items === 'number' ? 'numbers' : 'text'}`;
}

function describeLiteral(lit: Literal): string {
  switch (lit.type) {
    case 'string':
      return `${JSON.stringify(lit.value)} is text`;
    case 'number':
      return `${lit.value} is a number`;
    case 'boolean':
      return `${lit.value} is a boolean`;
    case 'duration':
      return `\`${printLiteral(lit)}\` is a duration`;
    case 'now':
    case 'today':
    case 'ago':
      return `\`${printLiteral(lit)}\` is a date`;
    default:
      return assertNever(lit, 'literal');
  }
}


/**
 * A comparable value for range bounds, or undefined when the bounds cannot be ordered without a
 * clock. Relative dates compare within one family: fixed lengths (ms) or calendar steps (months).
 */
function orderKey(lit: Literal): { family: 'number' | 'instant' | 'fixed' | 'calendar' | 'now'; value: number } | undefined {
  switch (lit.type) {
    case 'now':
      return { family: 'now', value: 0 };
    case 'number':
      return { family: 'number', value: lit.value };
    case 'string': {
      const t = parseIsoDate(lit.value);
      return Number.isNaN(t) ? undefined : { family: 'instant', value: t };
    }
    case 'ago': {
      const { amount, unit } = lit.duration;
      const ms = UNITS[unit].ms;
      return ms === null ? { family: 'calendar', value: -(unit === 'year' ? amount * 12 : amount) } : { family: 'fixed', value: -amount * ms };
    }
    default:
      return undefined;
  }
}

function listExample(target: Target | null): string {
  const numbers = target !== null && (target.kind === 'number' || (target.kind === 'list' && target.field?.items === 'number'));
  return numbers ? '[1, 2]' : '["a", "b"]';
}

/** A targeted hint for common operator mix-ups, else the operators the kind supports. */
function operatorHint(op: OperatorId, target: Target): string {
  const name = target.name.replace(/`/g, '');
  if (target.kind === 'list') {
    const instead: Partial<Record<OperatorId, string>> = { eq: 'contains', neq: 'not contains', in: 'contains any', not_in: 'contains none' };
    const alt = instead[op];
    if (alt) return `to test the elements of a list use \`${name} ${alt} …\``;
  }
  if (target.kind === 'text' && (op === 'contains_any' || op === 'contains_none')) {
    return `to match one of several values use \`${name} ${op === 'contains_any' ? 'in' : 'not in'} [...]\``;
  }
  if (target.kind === 'date' && (op === 'contains' || op === 'starts_with')) return 'compare dates with `before`, `after`, `within last` or `older than`';
  return `operators for ${target.kind === 'text' ? 'text' : `${target.kind}s`}: ${operatorsFor(target.kind).map((d) => d.print).join(', ')}`;
}

function joinWords(words: readonly string[], last: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}
