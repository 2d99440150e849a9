/**
 * Describe: one plain-English sentence for a segment, for the builder and for logs.
 *
 *   Customers whose tags contain "VIP" and whose language is "ar"
 *   Customers who did "page_view" (where offer is "summer-pass") at least 5 times in the last 7 days
 *   Customers in the segment "VIP Arabic Speakers" but not in the segment "Inactive 30+ Days"
 *
 * Fields read as their schema label (first letter lower-cased unless it is an acronym), else as
 * their path with underscores and dots as spaces. Event names stay quoted as written: their labels
 * ("Page viewed") do not fit "who did …". `not` is pushed inward (De Morgan), which is exact in the
 * language's two-valued logic: `not (a and b)` reads "either not a or not b". Nested groups that
 * would be ambiguous are parenthesised.
 */
import { assertNever, unwrapNot, type EventAggregate, type Expr, type Literal, type Operand, type PredicateExpr } from './ast';
import { formatDuration } from './durations';
import type { OperatorId } from './operators';
import { printLiteral } from './print';
import { fieldKey, kindOf, type FieldSchema, type Schema } from './schema';
import { operatorWords } from './strings';

export interface DescribeOptions {
  schema?: Schema;
}

export function describe(expr: Expr, options: DescribeOptions = {}): string {
  return `Customers ${new Describer(options.schema).clause(expr, false, { fields: options.schema?.fields, profile: true })}`;
}

/** Where a clause is read: profile fields ("whose country is …") or one event's properties ("offer is …"). */
interface Scope {
  fields: Readonly<Record<string, FieldSchema>> | undefined;
  profile: boolean;
}

/** A count is never unknown, so its negation is the opposite comparison. */
const COUNT_COMPLEMENT: Partial<Record<OperatorId, OperatorId>> = {
  eq: 'neq', neq: 'eq', gt: 'lte', lte: 'gt', gte: 'lt', lt: 'gte', in: 'not_in', not_in: 'in', between: 'not_between', not_between: 'between',
};

class Describer {
  constructor(private readonly schema: Schema | undefined) {}

  clause(input: Expr, negatedIn: boolean, scope: Scope): string {
    const [expr, negated] = unwrapNot(input, negatedIn);
    switch (expr.type) {
      case 'and':
      case 'or': {
        if (expr.items.length === 0) return '(an empty group)';
        if (expr.items.length === 1) return this.clause(expr.items[0], negated, scope);
        // De Morgan: a negated `and` reads as an `or` of negated items, and the reverse.
        const conjunction = (expr.type === 'and') !== negated;
        return conjunction ? this.conjunction(expr.items, negated, scope) : this.disjunction(expr.items, negated, scope);
      }
      case 'segment':
        return `${negated ? 'not ' : ''}in the segment ${JSON.stringify(expr.name)}`;
      case 'predicate':
        return this.predicate(expr, negated, scope);
      case 'draft':
        return `(a condition not finished yet${expr.subject?.type === 'field' ? ` on ${fieldKey(expr.subject.path).replace(/[_.]+/g, ' ')}` : ''})`;
      case 'raw':
        return `(text that does not parse: ${JSON.stringify(expr.text.trim())})`;
      default:
        return assertNever(expr);
    }
  }

  private conjunction(items: readonly Expr[], negated: boolean, scope: Scope): string {
    let out = '';
    items.forEach((item, i) => {
      const [inner, innerNegated] = unwrapNot(item, negated);
      // An `or` reads "either … or …"; it needs parentheses unless nothing follows it.
      const group = groupKind(inner, innerNegated) === 'or' && i < items.length - 1;
      const text = this.clause(item, negated, scope);
      const joiner = i === 0 ? '' : inner.type === 'segment' && innerNegated ? ' but ' : ' and ';
      out += joiner + (group ? `(${text})` : text);
    });
    return out;
  }

  private disjunction(items: readonly Expr[], negated: boolean, scope: Scope): string {
    let out = 'either ';
    items.forEach((item, i) => {
      const [inner, innerNegated] = unwrapNot(item, negated);
      const text = this.clause(item, negated, scope);
      out += (i === 0 ? '' : ' or ') + (groupKind(inner, innerNegated) === 'and' ? `(${text})` : text);
    });
    return out;
  }

  private predicate(node: PredicateExpr, negated: boolean, scope: Scope): string {
    const subject = node.subject;
    if (subject.type === 'aggregate') {
      const counted = subject.fn === 'count' && scope.profile ? this.countClause(subject, node, negated) : undefined;
      if (counted !== undefined) return counted;
      const date = subject.fn === 'first_at' || subject.fn === 'last_at';
      return `${scope.profile ? 'whose ' : ''}${this.aggregateNoun(subject)} ${phrase(node.op, negated, false, date)}${operandText(node.op, node.operand, date)}`;
    }
    const key = fieldKey(subject.path);
    const field = scope.fields !== undefined && Object.hasOwn(scope.fields, key) ? scope.fields[key] : undefined;
    const label = field?.label ? lowerFirst(field.label) : key.replace(/[_.]+/g, ' ');
    const date = field !== undefined && kindOf(field) === 'date';
    return `${scope.profile ? 'whose ' : ''}${label} ${phrase(node.op, negated, isPlural(label), date)}${operandText(node.op, node.operand, date)}`;
  }

  /** "who did "x" at least 5 times in the last 7 days", "who never did "x"", or undefined to fall back. */
  private countClause(agg: EventAggregate, node: PredicateExpr, negated: boolean): string | undefined {
    const op = negated ? COUNT_COMPLEMENT[node.op] : node.op;
    if (op === undefined) return undefined;
    const numbers = operandNumbers(node.operand);
    if (numbers === undefined) return undefined;
    const event = `${JSON.stringify(agg.event.value)}${this.where(agg)}`;
    const window = agg.within ? ` in the last ${formatDuration(agg.within.amount, agg.within.unit)}` : '';
    const did = (how: string) => `who did ${event} ${how}${window}`;
    const didNot = (how: string) => `who did not do ${event} ${how}${window}`;
    const never = `who never did ${event}${window}`;
    const [n, m] = numbers;
    switch (op) {
      case 'eq':
        return n === 0 ? never : did(`exactly ${times(n)}`);
      case 'neq':
        return n === 0 ? did('at least once') : didNot(`exactly ${times(n)}`);
      case 'gt':
        return n < 0 ? did('any number of times') : n === 0 ? did('at least once') : did(`more than ${times(n)}`);
      case 'gte':
        return n <= 0 ? did('any number of times') : n === 1 ? did('at least once') : did(`at least ${times(n)}`);
      case 'lt':
        return n === 1 ? never : did(`fewer than ${times(n)}`);
      case 'lte':
        return n === 0 ? never : did(`at most ${times(n)}`);
      case 'between':
        return did(`between ${n} and ${m} times`);
      case 'not_between':
        return did(`fewer than ${times(n)} or more than ${times(m)}`);
      case 'in':
      case 'not_in': {
        const how = numbers.length === 1 ? times(n) : `${joinWords(numbers.map(String), 'or')} times`;
        return op === 'in' ? did(how) : didNot(how);
      }
      default:
        return undefined;
    }
  }

  /** "number of "x" events", "total amount of "purchase" events", "last "sms_received" event". */
  private aggregateNoun(agg: EventAggregate): string {
    const event = JSON.stringify(agg.event.value);
    const rest = `${this.where(agg)}${agg.within ? ` in the last ${formatDuration(agg.within.amount, agg.within.unit)}` : ''}`;
    const property = agg.property ? this.propertyLabel(agg, agg.property.value) : 'value';
    switch (agg.fn) {
      case 'count':
        return `number of ${event} events${rest}`;
      case 'sum':
        return `total ${property} of ${event} events${rest}`;
      case 'min':
        return `lowest ${property} of ${event} events${rest}`;
      case 'max':
        return `highest ${property} of ${event} events${rest}`;
      case 'avg':
        return `average ${property} of ${event} events${rest}`;
      case 'first_at':
        return `first ${event} event${rest}`;
      case 'last_at':
        return `last ${event} event${rest}`;
      default:
        return assertNever(agg.fn, 'aggregate');
    }
  }

  private where(agg: EventAggregate): string {
    if (agg.where === null) return '';
    return ` (where ${this.clause(agg.where, false, { fields: this.eventProperties(agg.event.value), profile: false })})`;
  }

  private propertyLabel(agg: EventAggregate, property: string): string {
    const field = this.eventProperties(agg.event.value)?.[property];
    return field?.label ? lowerFirst(field.label) : property.replace(/[_.]+/g, ' ');
  }

  private eventProperties(name: string): Record<string, FieldSchema> | undefined {
    const events = this.schema?.events;
    if (!events) return undefined;
    const lower = name.toLowerCase();
    const key = Object.keys(events).find((k) => k.toLowerCase() === lower);
    return key === undefined ? undefined : events[key].properties;
  }
}

/** "is not", "do not contain": the operator's phrase, negated and agreeing with the subject. */
function phrase(op: OperatorId, negated: boolean, plural: boolean, date: boolean): string {
  const table = operatorWords(op, { fieldType: date ? 'date' : undefined });
  const words = negated ? table.negated : table.words;
  if (!plural) return words;
  if (words === 'is' || words.startsWith('is ')) return `are${words.slice(2)}`;
  if (words.startsWith('does ')) return `do${words.slice(4)}`;
  return words.replace(/^(\S+?)s\b/, '$1');
}

/** How a group reads once negation is pushed in: an `and` or an `or` (or a single clause). */
function groupKind(expr: Expr, negated: boolean): 'and' | 'or' | undefined {
  if (expr.type !== 'and' && expr.type !== 'or') return undefined;
  return (expr.type === 'and') !== negated ? 'and' : 'or';
}

/** The operand after the phrase, with its leading space ("" for `is known`). */
function operandText(op: OperatorId, operand: Operand | null, dateField: boolean): string {
  if (operand === null) return '';
  const date = dateField || op === 'before' || op === 'after' || op === 'within_last' || op === 'older_than';
  switch (operand.type) {
    case 'list':
      return operand.items.length === 0 ? ' no values' : ` ${joinWords(operand.items.map((i) => literalText(i, date)), op === 'contains_all' ? 'and' : 'or')}`;
    case 'range':
      return ` ${literalText(operand.low, date)} and ${literalText(operand.high, date)}`;
    case 'duration':
      return ` ${formatDuration(operand.amount, operand.unit)}${op === 'older_than' ? ' ago' : ''}`;
    default:
      return ` ${literalText(operand, date)}`;
  }
}


/** The numbers of a count comparison's operand, or undefined when it is not all numbers. */
function operandNumbers(operand: Operand | null): number[] | undefined {
  if (operand === null) return undefined;
  const items = operand.type === 'list' ? operand.items : operand.type === 'range' ? [operand.low, operand.high] : [operand];
  if (items.length === 0 || items.some((i) => i.type !== 'number')) return undefined;
  return items.map((i) => (i as { value: number }).value);
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** "Last interaction" → "last interaction"; "SMS received" and "ID" stay as they are. */
function lowerFirst(label: string): string {
  if (label.length > 1 && label[1] === label[1].toUpperCase() && label[1] !== label[1].toLowerCase()) return label;
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** "tags", "survey scores", "URLs" are plural; "status", "address", "analysis", "SMS", "clicks count" are not. */
function isPlural(label: string): boolean {
  return /([a-rt-z]|[A-Z])s$/.test(label) && !/is$/.test(label);
}

function joinWords(words: readonly string[], last: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}

/** Dates read as written (`2026-01-01`), everything else in canonical form. */
function literalText(lit: Literal, date: boolean): string {
  return date && lit.type === 'string' ? lit.value : printLiteral(lit);
}
