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
import type { OperatorId } from './operators';
import { printLiteral } from './print';
import { fieldKey, kindOf, type FieldSchema, type Schema } from './schema';
import { localeStrings, operatorWords, type CountHow, type DescribeWords, type LocaleInput, type Strings } from './strings';

export interface DescribeOptions {
  schema?: Schema;
  /** The language: a registered locale's name (`"ar"`, see `registerLocale`) or its table; English by default. */
  locale?: LocaleInput;
}

export function describe(expr: Expr, options: DescribeOptions = {}): string {
  const strings = localeStrings(options.locale);
  return strings.describe.sentence(new Describer(options.schema, strings).clause(expr, false, { fields: options.schema?.fields, profile: true }));
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
  private readonly w: DescribeWords;

  constructor(
    private readonly schema: Schema | undefined,
    private readonly strings: Strings,
  ) {
    this.w = strings.describe;
  }

  clause(input: Expr, negatedIn: boolean, scope: Scope): string {
    const [expr, negated] = unwrapNot(input, negatedIn);
    switch (expr.type) {
      case 'and':
      case 'or': {
        if (expr.items.length === 0) return this.w.emptyGroup;
        if (expr.items.length === 1) return this.clause(expr.items[0], negated, scope);
        // De Morgan: a negated `and` reads as an `or` of negated items, and the reverse.
        const conjunction = (expr.type === 'and') !== negated;
        return conjunction ? this.conjunction(expr.items, negated, scope) : this.disjunction(expr.items, negated, scope);
      }
      case 'segment':
        return this.w.segment(JSON.stringify(expr.name), negated);
      case 'predicate':
        return this.predicate(expr, negated, scope);
      case 'draft':
        return this.w.draft(expr.subject?.type === 'field' ? fieldKey(expr.subject.path).replace(/[_.]+/g, ' ') : undefined);
      case 'raw':
        return this.w.raw(JSON.stringify(expr.text.trim()));
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
      const part = group ? `(${text})` : text;
      out = i === 0 ? part : this.w.and(out, part, inner.type === 'segment' && innerNegated);
    });
    return out;
  }

  private disjunction(items: readonly Expr[], negated: boolean, scope: Scope): string {
    return this.w.either(
      items.map((item) => {
        const [inner, innerNegated] = unwrapNot(item, negated);
        const text = this.clause(item, negated, scope);
        return groupKind(inner, innerNegated) === 'and' ? `(${text})` : text;
      }),
    );
  }

  private predicate(node: PredicateExpr, negated: boolean, scope: Scope): string {
    const subject = node.subject;
    if (subject.type === 'aggregate') {
      const counted = subject.fn === 'count' && scope.profile ? this.countClause(subject, node, negated) : undefined;
      if (counted !== undefined) return counted;
      const date = subject.fn === 'first_at' || subject.fn === 'last_at';
      return this.w.condition(this.aggregateNoun(subject), this.phrase(node.op, negated, date), this.operandText(node.op, node.operand, date), { profile: scope.profile, aggregate: true });
    }
    const key = fieldKey(subject.path);
    const field = scope.fields !== undefined && Object.hasOwn(scope.fields, key) ? scope.fields[key] : undefined;
    const label = field?.label ? this.w.label(field.label) : key.replace(/[_.]+/g, ' ');
    const date = field !== undefined && kindOf(field) === 'date';
    return this.w.condition(label, this.phrase(node.op, negated, date), this.operandText(node.op, node.operand, date), { profile: scope.profile, aggregate: false });
  }

  /** The operator's words, negated when asked. */
  private phrase(op: OperatorId, negated: boolean, date: boolean): string {
    const words = operatorWords(op, { locale: this.strings, fieldType: date ? 'date' : undefined });
    return negated ? words.negated : words.words;
  }

  /** The operand after the phrase, with its leading space ("" for `is known`). */
  private operandText(op: OperatorId, operand: Operand | null, dateField: boolean): string {
    if (operand === null) return '';
    const date = dateField || op === 'before' || op === 'after' || op === 'within_last' || op === 'older_than';
    const w = this.w;
    switch (operand.type) {
      case 'list':
        return ` ${operand.items.length === 0 ? w.noValues : w.list(operand.items.map((i) => this.literal(i, date)), op === 'contains_all' ? 'and' : 'or')}`;
      case 'range':
        return ` ${w.range(this.literal(operand.low, date), this.literal(operand.high, date))}`;
      case 'duration': {
        const d = w.duration(operand.amount, operand.unit);
        return ` ${op === 'older_than' ? w.olderThan(d) : d}`;
      }
      default:
        return ` ${this.literal(operand, date)}`;
    }
  }

  private literal(lit: Literal, date: boolean): string {
    return this.w.literal(lit, printLiteral(lit), date);
  }

  /** "who did "x" at least 5 times in the last 7 days", "who never did "x"", or undefined to fall back. */
  private countClause(agg: EventAggregate, node: PredicateExpr, negated: boolean): string | undefined {
    const op = negated ? COUNT_COMPLEMENT[node.op] : node.op;
    if (op === undefined) return undefined;
    const numbers = operandNumbers(node.operand);
    if (numbers === undefined) return undefined;
    const w = this.w;
    const event = `${JSON.stringify(agg.event.value)}${this.where(agg)}`;
    const window = agg.within ? w.window(w.duration(agg.within.amount, agg.within.unit)) : '';
    const did = (how: CountHow) => w.did(event, how, window);
    const didNot = (how: CountHow) => w.didNot(event, how, window);
    const never = w.never(event, window);
    const [n, m] = numbers;
    switch (op) {
      case 'eq':
        return n === 0 ? never : did({ kind: 'exactly', n });
      case 'neq':
        return n === 0 ? did({ kind: 'at-least-once' }) : didNot({ kind: 'exactly', n });
      case 'gt':
        return n < 0 ? did({ kind: 'any' }) : n === 0 ? did({ kind: 'at-least-once' }) : did({ kind: 'more-than', n });
      case 'gte':
        return n <= 0 ? did({ kind: 'any' }) : n === 1 ? did({ kind: 'at-least-once' }) : did({ kind: 'at-least', n });
      case 'lt':
        return n === 1 ? never : did({ kind: 'fewer-than', n });
      case 'lte':
        return n === 0 ? never : did({ kind: 'at-most', n });
      case 'between':
        return did({ kind: 'between', n, m });
      case 'not_between':
        return did({ kind: 'outside', n, m });
      case 'in':
        return did({ kind: 'one-of', values: numbers });
      case 'not_in':
        return didNot({ kind: 'one-of', values: numbers });
      default:
        return undefined;
    }
  }

  /** "number of "x" events", "total amount of "purchase" events", "last "sms_received" event". */
  private aggregateNoun(agg: EventAggregate): string {
    const w = this.w;
    const rest = `${this.where(agg)}${agg.within ? w.window(w.duration(agg.within.amount, agg.within.unit)) : ''}`;
    const property = agg.property ? this.propertyLabel(agg, agg.property.value) : '';
    return w.aggregate(agg.fn, JSON.stringify(agg.event.value), property, rest);
  }

  private where(agg: EventAggregate): string {
    if (agg.where === null) return '';
    return this.w.where(this.clause(agg.where, false, { fields: this.eventProperties(agg.event.value), profile: false }));
  }

  private propertyLabel(agg: EventAggregate, property: string): string {
    const field = this.eventProperties(agg.event.value)?.[property];
    return field?.label ? this.w.label(field.label) : property.replace(/[_.]+/g, ' ');
  }

  private eventProperties(name: string): Record<string, FieldSchema> | undefined {
    const events = this.schema?.events;
    if (!events) return undefined;
    const lower = name.toLowerCase();
    const key = Object.keys(events).find((k) => k.toLowerCase() === lower);
    return key === undefined ? undefined : events[key].properties;
  }
}

/** How a group reads once negation is pushed in: an `and` or an `or` (or a single clause). */
function groupKind(expr: Expr, negated: boolean): 'and' | 'or' | undefined {
  if (expr.type !== 'and' && expr.type !== 'or') return undefined;
  return (expr.type === 'and') !== negated ? 'and' : 'or';
}

/** The numbers of a count comparison's operand, or undefined when it is not all numbers. */
function operandNumbers(operand: Operand | null): number[] | undefined {
  if (operand === null) return undefined;
  const items = operand.type === 'list' ? operand.items : operand.type === 'range' ? [operand.low, operand.high] : [operand];
  if (items.length === 0 || items.some((i) => i.type !== 'number')) return undefined;
  return items.map((i) => (i as { value: number }).value);
}
