/**
 * Validation: checks a tree and returns every problem at once, as diagnostics.
 *
 * The language's own rules hold with or without a schema: operand shapes, durations (whole months
 * and years, positive, within range), dates for `before`/`after`, drafts, empty groups and unparsed
 * text. With a schema it also checks fields, operator/type fit, value types, enum values, event
 * names and properties and aggregate types. Segment references are resolved elsewhere
 * (`resolve-segments.ts`). Each diagnostic points at the smallest relevant node: its `path` from the
 * root and, on a parsed tree, its `span`.
 *
 * Without a field scope (no schema, inside `.where()` of an event the schema does not know, or when
 * the schema has no `events`), fields are not checked but everything else still is. A malformed tree
 * (from JSON, say) gets an `invalid-node` diagnostic, never an exception.
 */
import { assertNever, type DraftExpr, type DurationLiteral, type EventAggregate, type Expr, type FieldRef, type Literal, type Operand, type PredicateExpr, type Span, type Subject } from './ast';
import { AGGREGATES } from './aggregates';
import { formatDuration, UNITS } from './durations';
import { didYouMean, type Diagnostic, type ErrorCode, type NodePath } from './errors';
import { OPERATORS, operatorsFor, type FieldKind, type OperatorId } from './operators';
import { fieldKey, kindOf, type FieldSchema, type Schema } from './schema';
import { printLiteral } from './print';
import { joinWords } from './strings';
import { parseIsoDate } from './time';

export interface ValidateOptions {
  /** The field schema; without one, fields are not checked (the language's own rules still are). */
  schema?: Schema;
}

/** Every problem of `expr`, in document order (empty when valid). */
export function validateTree(expr: Expr, options: ValidateOptions = {}): Diagnostic[] {
  const v = new Validator(options.schema);
  try {
    v.walk(expr, { fields: options.schema?.fields ?? null, event: undefined }, null);
  } catch (e) {
    // Only a malformed tree gets here (a missing property, a wrong type): report it, never throw.
    v.diagnostics.push({ code: 'invalid-node', severity: 'error', summary: 'the tree is malformed', hint: e instanceof Error ? e.message : String(e), path: [] });
  }
  return v.diagnostics;
}

/** A path as a linked list while walking (no copying per node); an array only when reported. */
type PathLink = { parent: PathLink; key: string | number } | null;

function child(parent: PathLink, ...keys: (string | number)[]): PathLink {
  let link = parent;
  for (const key of keys) link = { parent: link, key };
  return link;
}

function toPath(link: PathLink): NodePath {
  const out: (string | number)[] = [];
  for (let l = link; l !== null; l = l.parent) out.push(l.key);
  return out.reverse();
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

const OPERAND_WORDS: Record<string, string> = { value: 'a value', list: 'a list of values', range: 'two values', duration: 'a duration' };

class Validator {
  readonly diagnostics: Diagnostic[] = [];
  private readonly schema: Schema | undefined;
  private readonly eventNames: Map<string, string> | undefined;

  constructor(schema: Schema | undefined) {
    this.schema = schema;
    const events = schema?.events;
    this.eventNames = events ? new Map(Object.keys(events).map((name) => [name.toLowerCase(), name])) : undefined;
  }

  /** Iterative over and/or/not/groups so long chains cannot overflow the stack. */
  walk(root: Expr, scope: Scope, rootPath: PathLink): void {
    const stack: [Expr, PathLink][] = [[root, rootPath]];
    while (stack.length > 0) {
      const [node, path] = stack.pop() as [Expr, PathLink];
      if (node === null || typeof node !== 'object') {
        this.report('invalid-node', undefined, path, `expected a node, found ${node === null ? 'null' : typeof node}`);
        continue;
      }
      switch (node.type) {
        case 'and':
        case 'or':
          if (!Array.isArray(node.items)) {
            this.report('invalid-node', node.span, path, `\`${node.type}\` needs a list of items`);
            break;
          }
          if (node.items.length === 0) this.report('empty-group', node.span, path, 'this group is empty', 'add a condition to it, or remove it');
          for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i], child(path, 'items', i)]);
          break;
        case 'not':
          stack.push([node.operand, child(path, 'operand')]);
          break;
        case 'group':
          stack.push([node.expr, child(path, 'expr')]);
          break;
        case 'segment':
          if (scope.event !== undefined) {
            this.report('invalid-event', node.span, path, '`in_segment` cannot be used inside `.where(...)`: it tests profiles, not events', 'move it out of the event filter');
          }
          break;
        case 'predicate':
          this.predicate(node, scope, path);
          break;
        case 'draft':
          this.draft(node, scope, path);
          break;
        case 'raw':
          this.report('unparsed-text', node.span, path, `${quoteText(String(node.text))} is not a condition`, 'a condition looks like `country = "OM"`');
          break;
        default:
          this.report('invalid-node', (node as { span?: Span }).span, path, `unknown node type ${JSON.stringify((node as { type?: unknown }).type)}`);
      }
    }
  }

  private predicate(node: PredicateExpr, scope: Scope, path: PathLink): void {
    const def = OPERATORS[node.op];
    if (def === undefined) return this.report('invalid-node', node.opSpan, child(path, 'op'), `unknown operator ${JSON.stringify(node.op)}`);
    const target = this.subject(node.subject, scope, child(path, 'subject'));
    if (target && !def.kinds.includes(target.kind)) {
      this.typeMismatch(node.opSpan, path, node.op, target);
      this.operandShape(node, null, path);
      return;
    }
    this.operandShape(node, target, path);
  }

  /** The operator `op` does not apply to the target's kind. */
  private typeMismatch(opSpan: Span | undefined, path: PathLink, op: OperatorId, target: Target): void {
    const def = OPERATORS[op];
    this.report('operator-type-mismatch', opSpan, child(path, 'op'), `\`${def.print}\` applies to ${joinWords(def.kinds.map(String), 'and')} fields; ${describeTarget(target)}`, operatorHint(op, target));
  }

  /** A condition still being written: its pieces are checked as far as they go, then it is reported. */
  private draft(node: DraftExpr, scope: Scope, path: PathLink): void {
    const target = node.subject === null ? null : this.subject(node.subject, scope, child(path, 'subject'));
    const def = node.op === null ? undefined : OPERATORS[node.op];
    if (node.op !== null && def === undefined) return this.report('invalid-node', node.opSpan, child(path, 'op'), `unknown operator ${JSON.stringify(node.op)}`);
    if (def !== undefined && target && !def.kinds.includes(target.kind)) {
      this.typeMismatch(node.opSpan, path, def.id, target);
    } else if (def !== undefined && node.operand !== null) {
      this.operandShape({ ...node, op: def.id, subject: node.subject ?? { type: 'field', path: ['?'] }, type: 'predicate' }, target, path);
    }
    const missing: string[] = [];
    if (node.subject === null) missing.push('a field');
    if (def === undefined) missing.push('an operator');
    else if (def.operand !== 'none' && node.operand === null) missing.push(OPERAND_WORDS[def.operand]);
    if (missing.length === 0) return;
    const example = node.subject?.type === 'field' && def !== undefined ? `${fieldKey(node.subject.path)} ${def.print}${def.operand === 'none' ? '' : ' …'}` : 'country = "OM"';
    this.report('incomplete-condition', node.span, path, `this condition is not finished: it needs ${joinWords(missing, 'and')}`, `a condition looks like \`${example}\``);
  }

  private subject(subject: Subject, scope: Scope, path: PathLink): Target | null {
    if (subject?.type === 'field') return this.field(subject, scope, path);
    if (subject?.type === 'aggregate') return this.aggregate(subject, scope, path);
    this.report('invalid-node', undefined, path, 'expected a field or an event aggregate');
    return null;
  }

  private field(ref: FieldRef, scope: Scope, path: PathLink): Target | null {
    if (scope.fields === null) return null;
    const key = fieldKey(ref.path);
    if (Object.hasOwn(scope.fields, key)) {
      const field = scope.fields[key];
      return { name: `\`${key}\``, kind: kindOf(field), field };
    }
    const candidates = Object.keys(scope.fields);
    if (scope.event === undefined) {
      this.report('unknown-field', ref.span, path, `unknown field \`${key}\``, didYouMean(key, candidates));
    } else {
      const hint = didYouMean(key, candidates) ?? (candidates.length > 0 && candidates.length <= 10 ? `its properties are ${candidates.map((c) => `\`${c}\``).join(', ')}` : undefined);
      this.report('unknown-property', ref.span, path, `event ${JSON.stringify(scope.event)} has no property \`${key}\``, hint);
    }
    return null;
  }

  private aggregate(agg: EventAggregate, scope: Scope, path: PathLink): Target {
    const name = agg.event.value;
    if (scope.event !== undefined) {
      this.report('invalid-event', agg.span, path, 'an event aggregate cannot be used inside `.where(...)`', '`.where(...)` filters one event by its properties; combine aggregates with `and` outside it');
    }
    let properties: Record<string, FieldSchema> | null = null;
    const events = this.schema?.events;
    if (events && this.eventNames) {
      const known = this.eventNames.get(name.toLowerCase());
      if (known === undefined) {
        this.report('unknown-event', agg.event.span, child(path, 'event'), `unknown event ${JSON.stringify(name)}`, didYouMean(name, [...this.eventNames.values()], (s) => JSON.stringify(s)));
      } else {
        properties = events[known].properties ?? {};
      }
    }
    if (agg.where) this.walk(agg.where, { fields: properties, event: name }, child(path, 'where'));
    if (agg.within) this.duration(agg.within, child(path, 'within'));
    const numeric = AGGREGATES[agg.fn].property === 'number';
    if (numeric && agg.property === null) {
      this.report('value-type-mismatch', agg.span, path, `\`${agg.fn}()\` needs the name of a number property`, `write \`${agg.fn}("amount")\``);
    } else if (!numeric && agg.property !== null) {
      this.report('value-type-mismatch', agg.property.span, child(path, 'property'), `\`${agg.fn}()\` takes no property`, `write \`${agg.fn}()\``);
    } else if (numeric && agg.property !== null && properties !== null) {
      const prop = agg.property.value;
      if (!Object.hasOwn(properties, prop)) {
        this.report('unknown-property', agg.property.span, child(path, 'property'), `event ${JSON.stringify(name)} has no property ${JSON.stringify(prop)}`, didYouMean(prop, Object.keys(properties), (s) => JSON.stringify(s)));
      } else if (kindOf(properties[prop]) !== 'number') {
        this.report('operator-type-mismatch', agg.property.span, child(path, 'property'), `\`${agg.fn}\` needs a number property; \`${prop}\` is ${kindWords(kindOf(properties[prop]))}`);
      }
    }
    const property = agg.property ? JSON.stringify(agg.property.value) : '';
    return { name: `\`event(${JSON.stringify(name)}).${agg.fn}(${property})\``, kind: AGGREGATES[agg.fn].returns };
  }

  /** Checks that the operand has the shape the operator takes, then its values against the target. */
  private operandShape(node: PredicateExpr, target: Target | null, path: PathLink): void {
    const def = OPERATORS[node.op];
    const operand = node.operand;
    const subject = target?.name ?? 'the field';
    const at = child(path, 'operand');
    const opAt = child(path, 'op');
    switch (def.operand) {
      case 'none':
        if (operand !== null) this.report('value-type-mismatch', operand.span, at, `\`${def.print}\` takes no value`, `write \`${subject.replace(/`/g, '')} ${def.print}\``);
        return;
      case 'value':
        if (operand === null) return this.report('value-type-mismatch', node.opSpan, opAt, `\`${def.print}\` needs a value`);
        if (operand.type === 'list') {
          const alternative = node.op === 'neq' ? 'not in' : node.op === 'eq' ? 'in' : node.op === 'contains' ? 'contains any' : node.op === 'not_contains' ? 'contains none' : undefined;
          return this.report('value-type-mismatch', operand.span, at, `\`${def.print}\` compares with one value, not a list`, alternative ? `to match any of several values write \`${alternative} [...]\`` : 'write a single value');
        }
        if (operand.type === 'range') return this.report('value-type-mismatch', operand.span, at, `\`${def.print}\` compares with one value, not a range`, 'use `between <low> and <high>` for a range');
        return this.value(operand, target, node.op, at);
      case 'list': {
        if (operand === null || operand.type !== 'list') {
          const example = listExample(target);
          return this.report('value-type-mismatch', operand?.span ?? node.opSpan, operand ? at : opAt, `\`${def.print}\` takes a list of values`, `\`${def.print}\` takes a list: \`${example}\``);
        }
        operand.items.forEach((item, i) => this.value(item, target, node.op, child(at, 'items', i)));
        return;
      }
      case 'range':
        if (operand === null || operand.type !== 'range') {
          return this.report('value-type-mismatch', operand?.span ?? node.opSpan, operand ? at : opAt, `\`${def.print}\` takes two values`, `write \`${def.print} <low> and <high>\`, e.g. \`${def.print} 1 and 10\``);
        }
        this.value(operand.low, target, node.op, child(at, 'low'));
        this.value(operand.high, target, node.op, child(at, 'high'));
        this.rangeOrder(operand.low, operand.high, operand.span, at);
        return;
      case 'duration':
        if (operand === null || operand.type !== 'duration') return this.durationExpected(def.print, operand, node.opSpan, operand ? at : opAt);
        this.duration(operand, at);
        return;
      default:
        assertNever(def.operand, 'operand kind');
    }
  }

  private durationExpected(op: string, operand: Operand | null, opSpan: Span | undefined, path: PathLink): void {
    let hint = `write \`${op} 30 days\``;
    if (operand?.type === 'ago') hint = `drop \`ago\`: \`${op} ${formatDuration(operand.duration.amount, operand.duration.unit)}\``;
    else if (operand?.type === 'string' && !Number.isNaN(parseIsoDate(operand.value))) hint = `for a fixed date use \`${op === 'older than' ? 'before' : 'after'} ${JSON.stringify(operand.value)}\``;
    this.report('value-type-mismatch', operand?.span ?? opSpan, path, `\`${op}\` takes a duration such as \`30 days\``, hint);
  }

  /** One scalar value (a `value` operand, a list item or a range bound) against the target. */
  private value(lit: Literal | Operand, target: Target | null, op: OperatorId, path: PathLink): void {
    if (lit.type === 'list' || lit.type === 'range') {
      this.report('value-type-mismatch', lit.span, path, 'expected a single value here');
      return;
    }
    if (lit.type === 'ago') this.duration(lit.duration, child(path, 'duration'));
    if (lit.type === 'duration') {
      const d = formatDuration(lit.amount, lit.unit);
      const dateLike = target === null || target.kind === 'date';
      const summary = target === null ? `\`${d}\` is a duration, not a value` : `${describeTarget(target)}, but \`${d}\` is a duration`;
      const hint = dateLike ? `write \`${d} ago\` for a point in time, or use \`within last ${d}\` / \`older than ${d}\`` : undefined;
      this.report('value-type-mismatch', lit.span, path, summary, hint);
      return;
    }
    if (target === null) {
      // `before` and `after` take dates whatever the field: a language rule, checked without a schema too.
      if ((op === 'before' || op === 'after') && lit.type === 'string' && Number.isNaN(parseIsoDate(lit.value))) {
        this.report('invalid-date', lit.span, path, `${JSON.stringify(lit.value)} is not an ISO-8601 date`, DATE_FORMAT_HINT);
      }
      return;
    }
    const expected: Scalar = target.kind === 'list' ? (target.field?.items ?? 'text') : target.kind;
    switch (expected) {
      case 'text':
        if (lit.type === 'string') return this.enumValue(lit.value, lit.span, target, op, path);
        return this.mismatch(lit, target, lit.type === 'number' || lit.type === 'boolean' ? `write ${JSON.stringify(String(lit.value))} in quotes` : undefined, path);
      case 'number':
        if (lit.type === 'number') return;
        if (lit.type === 'string' && lit.value.trim() !== '' && Number.isFinite(Number(lit.value))) return this.mismatch(lit, target, `write ${Number(lit.value)} without quotes`, path);
        return this.mismatch(lit, target, 'write a number, e.g. 5', path);
      case 'boolean':
        if (lit.type === 'boolean') return;
        if (lit.type === 'string' && /^(true|false)$/i.test(lit.value)) return this.mismatch(lit, target, `write ${lit.value.toLowerCase()} without quotes`, path);
        return this.mismatch(lit, target, 'write true or false', path);
      case 'date':
        if (lit.type === 'now' || lit.type === 'today' || lit.type === 'ago') return;
        if (lit.type === 'string') {
          if (Number.isNaN(parseIsoDate(lit.value))) this.report('invalid-date', lit.span, path, `${JSON.stringify(lit.value)} is not an ISO-8601 date`, DATE_FORMAT_HINT);
          return;
        }
        return this.mismatch(lit, target, DATE_FORMAT_HINT, path);
      default:
        assertNever(expected, 'value type');
    }
  }

  private mismatch(lit: Literal, target: Target, hint: string | undefined, path: PathLink): void {
    this.report('value-type-mismatch', lit.span, path, `${describeTarget(target)}, but ${describeLiteral(lit)}`, hint);
  }

  /** Enum values: allowed values match case-insensitively; substring operators are not checked. */
  private enumValue(value: string, span: Span | undefined, target: Target, op: OperatorId, path: PathLink): void {
    const allowed = target.field?.type === 'enum' ? target.field.values : undefined;
    if (!allowed || !(op === 'eq' || op === 'neq' || op === 'in' || op === 'not_in')) return;
    const lower = value.toLowerCase();
    if (allowed.some((a) => a.toLowerCase() === lower)) return;
    const hint = didYouMean(value, allowed, (s) => JSON.stringify(s)) ?? `allowed values: ${allowed.slice(0, 12).map((a) => JSON.stringify(a)).join(', ')}${allowed.length > 12 ? ', …' : ''}`;
    this.report('unknown-enum-value', span, path, `${JSON.stringify(value)} is not a value of ${target.name}`, hint);
  }

  private rangeOrder(low: Literal, high: Literal, span: Span | undefined, path: PathLink): void {
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
    this.report('value-type-mismatch', span, path, `the range is empty: ${printLiteral(low)} is ${dates ? 'later than' : 'greater than'} ${printLiteral(high)}`, `write the ${dates ? 'earlier' : 'smaller'} bound first: \`between ${printLiteral(high)} and ${printLiteral(low)}\``);
  }

  private duration(d: DurationLiteral, path: PathLink): void {
    const unit = UNITS[d.unit];
    if (unit === undefined) return this.report('invalid-node', d.span, path, `unknown duration unit ${JSON.stringify(d.unit)}`);
    const text = `${d.amount} ${unit.plural}`;
    if (typeof d.amount !== 'number' || !Number.isFinite(d.amount) || d.amount <= 0) {
      this.report('invalid-duration', d.span, path, `a duration must be a positive number of ${unit.plural}; got ${text}`, `write e.g. \`${formatDuration(30, d.unit)}\``);
      return;
    }
    const calendar = unit.ms === null;
    if (calendar && !Number.isInteger(d.amount)) {
      const days = Math.round(d.amount * (d.unit === 'month' ? 30 : 365));
      this.report('invalid-duration', d.span, path, `${unit.plural} must be whole numbers; got ${text}`, `write whole ${unit.plural}, or a length in days such as \`${formatDuration(days, 'day')}\``);
      return;
    }
    const months = d.unit === 'month' ? d.amount : d.unit === 'year' ? d.amount * 12 : 0;
    if ((calendar && months > MAX_DURATION_MONTHS) || (!calendar && d.amount * (unit.ms as number) > MAX_DURATION_MS)) {
      this.report('invalid-duration', d.span, path, `the duration ${text} is too long`, 'durations must stay within 200,000 years');
    }
  }

  private report(code: ErrorCode, span: Span | undefined, path: PathLink, summary: string, hint?: string): void {
    const d: Diagnostic = { code, severity: 'error', summary, path: toPath(path) };
    if (hint !== undefined) d.hint = hint;
    if (span !== undefined) d.span = span;
    this.diagnostics.push(d);
  }
}

/** `text` quoted for a message, shortened to 40 characters. */
function quoteText(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return `\`${t.length > 40 ? `${t.slice(0, 39)}…` : t}\``;
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
