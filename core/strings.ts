/**
 * The words an editor shows for the language: operators (with their negated forms), aggregates and
 * field categories, one table per language. English is built in (`en`, taken from the operator
 * table so each operator is still declared once); other languages are separate entries that the
 * host imports and registers, so English-only consumers do not carry them:
 *
 *   import { ar } from 'n8n-nodes-segments/locales/ar';
 *   registerLocale(ar);
 *   operatorWords('gt', { locale: 'ar' }).words; // "أكبر من"
 *
 * Everywhere a `locale` is taken, a table itself may be passed instead of its name.
 */
import type { AggregateFn, Literal } from './ast';
import { formatDuration, type DurationUnit } from './durations';
import { OPERATOR_LIST, type OperatorId } from './operators';
import type { FieldType } from './schema';

/** The words of one operator. */
export interface OperatorWords {
  /** Short label for a picker: `≥`, "is one of". */
  label: string;
  /** The reading in a sentence and for a screen reader: "is greater than". */
  words: string;
  /** The reading of the negated condition (`not x > 1`): "is not greater than". */
  negated: string;
}

export interface AggregateWords {
  /** Short label for a picker: "count", "sum of". */
  label: string;
  /** A longer description: "number of events", "total of a property". */
  words: string;
}

/** How often an event happened, for describe's count clauses ("at least 5 times"). */
export type CountHow =
  | { kind: 'exactly' | 'more-than' | 'at-least' | 'fewer-than' | 'at-most'; n: number }
  | { kind: 'at-least-once' | 'any' }
  | { kind: 'between' | 'outside'; n: number; m: number }
  | { kind: 'one-of'; values: number[] };

/**
 * The grammar of `describe()` in one language: the structure (negation pushed inward, groups,
 * count clauses) is worked out by describe; these put the words together. Texts given in are
 * already in the language (labels, values, quoted names).
 */
export interface DescribeWords {
  /** The whole sentence: "Customers {clause}". */
  sentence(clause: string): string;
  /** A schema label as it reads inside a sentence ("Last interaction" → "last interaction"). */
  label(label: string): string;
  /**
   * A condition on a field or an aggregate (`aggregate`: the subject is one, "total amount of …");
   * `profile`: on the customer, not on an event's property inside `.where(…)`.
   */
  condition(subject: string, words: string, operand: string, context: { profile: boolean; aggregate: boolean }): string;
  and(left: string, right: string, but: boolean): string;
  /** "either a or b or c". */
  either(items: readonly string[]): string;
  /** "a, b or c" / "a, b and c" for a list operand. */
  list(items: readonly string[], last: 'and' | 'or'): string;
  noValues: string;
  /** The bounds of `between`. */
  range(low: string, high: string): string;
  duration(amount: number, unit: DurationUnit): string;
  /** The operand of `older than`: "30 days ago". */
  olderThan(duration: string): string;
  /** A value; `printed` is its canonical text, `date`: it is compared as a date. */
  literal(lit: Literal, printed: string, date: boolean): string;
  segment(name: string, negated: boolean): string;
  emptyGroup: string;
  draft(field: string | undefined): string;
  raw(text: string): string;
  /** " (where {clause})" after an event. */
  where(clause: string): string;
  /** " in the last {duration}". */
  window(duration: string): string;
  aggregate(fn: AggregateFn, event: string, property: string, rest: string): string;
  did(event: string, how: CountHow, window: string): string;
  didNot(event: string, how: CountHow, window: string): string;
  never(event: string, window: string): string;
}

/** One language's table. */
export interface Strings {
  /** BCP 47 tag: `en`, `ar`. */
  locale: string;
  /** Writing direction, for the host's `dir` attribute. */
  dir: 'ltr' | 'rtl';
  operators: Readonly<Record<OperatorId, OperatorWords>>;
  /** Comparisons read as time on date fields (`gt`: "is after"); the others read as in `operators`. */
  dateOperators: Readonly<Partial<Record<OperatorId, OperatorWords>>>;
  aggregates: Readonly<Record<AggregateFn, AggregateWords>>;
  /** Field categories of `fieldListing`: top-level profile fields, and events. */
  categories: Readonly<{ profile: string; events: string }>;
  describe: DescribeWords;
}

/** A locale's name (`"ar"`, registered first) or its table. */
export type LocaleInput = string | Strings;

const operators = {} as Record<OperatorId, OperatorWords>;
for (const d of OPERATOR_LIST) operators[d.id] = { label: d.label, words: d.phrase, negated: d.negated };

const dateWords = (label: string): OperatorWords => ({ label, words: `is ${label}`, negated: `is not ${label}` });

/** English, built in. */
export const en: Strings = {
  locale: 'en',
  dir: 'ltr',
  operators,
  dateOperators: { gt: dateWords('after'), gte: dateWords('on or after'), lt: dateWords('before'), lte: dateWords('on or before') },
  aggregates: {
    count: { label: 'count', words: 'number of events' },
    sum: { label: 'sum of', words: 'total of a property' },
    min: { label: 'lowest', words: 'lowest value of a property' },
    max: { label: 'highest', words: 'highest value of a property' },
    avg: { label: 'average', words: 'average of a property' },
    first_at: { label: 'first time', words: 'time of the first event' },
    last_at: { label: 'last time', words: 'time of the last event' },
  },
  categories: { profile: 'Profile', events: 'Events' },
  describe: {
    sentence: (clause) => `Customers ${clause}`,
    label: lowerFirst,
    condition: (subject, words, operand, { profile, aggregate }) => `${profile ? 'whose ' : ''}${subject} ${!aggregate && isPlural(subject) ? plural(words) : words}${operand}`,
    and: (left, right, but) => `${left} ${but ? 'but' : 'and'} ${right}`,
    either: (items) => `either ${items.join(' or ')}`,
    list: joinWords,
    noValues: 'no values',
    range: (low, high) => `${low} and ${high}`,
    duration: formatDuration,
    olderThan: (duration) => `${duration} ago`,
    literal: (lit, printed, date) => (date && lit.type === 'string' ? lit.value : printed),
    segment: (name, negated) => `${negated ? 'not ' : ''}in the segment ${name}`,
    emptyGroup: '(an empty group)',
    draft: (field) => `(a condition not finished yet${field ? ` on ${field}` : ''})`,
    raw: (text) => `(text that does not parse: ${text})`,
    where: (clause) => ` (where ${clause})`,
    window: (duration) => ` in the last ${duration}`,
    aggregate: (fn, event, property, rest) => `${AGGREGATE_NOUNS[fn].replace('{p}', property)} ${event} event${fn === 'first_at' || fn === 'last_at' ? '' : 's'}${rest}`,
    did: (event, how, window) => `who did ${event} ${howOften(how)}${window}`,
    didNot: (event, how, window) => `who did not do ${event} ${howOften(how)}${window}`,
    never: (event, window) => `who never did ${event}${window}`,
  },
};

const LOCALES = new Map<string, Strings>([['en', en]]);

/** Makes a table available by its name (`strings.locale`), replacing one of the same name. */
export function registerLocale(strings: Strings): void {
  LOCALES.set(strings.locale.toLowerCase(), strings);
}

/**
 * The table for a locale: the table given, a registered one (`ar-OM` falls back to `ar`), else
 * English.
 */
export function localeStrings(locale: LocaleInput | undefined): Strings {
  if (locale === undefined) return en;
  if (typeof locale !== 'string') return locale;
  const tag = locale.toLowerCase();
  return LOCALES.get(tag) ?? LOCALES.get(tag.split('-')[0]) ?? en;
}

export interface OperatorWordsOptions {
  locale?: LocaleInput;
  /** The field's type: comparisons on dates read as time ("is after"). */
  fieldType?: FieldType;
}

/** The words of an operator in a locale, for a picker, a screen reader or a sentence. */
export function operatorWords(op: OperatorId, options: OperatorWordsOptions = {}): OperatorWords {
  const strings = localeStrings(options.locale);
  return (options.fieldType === 'date' ? strings.dateOperators[op] : undefined) ?? strings.operators[op];
}

const AGGREGATE_NOUNS: Record<AggregateFn, string> = {
  count: 'number of', sum: 'total {p} of', min: 'lowest {p} of', max: 'highest {p} of', avg: 'average {p} of', first_at: 'first', last_at: 'last',
};

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

function howOften(how: CountHow): string {
  switch (how.kind) {
    case 'exactly':
      return `exactly ${times(how.n)}`;
    case 'more-than':
      return `more than ${times(how.n)}`;
    case 'at-least':
      return `at least ${times(how.n)}`;
    case 'fewer-than':
      return `fewer than ${times(how.n)}`;
    case 'at-most':
      return `at most ${times(how.n)}`;
    case 'at-least-once':
      return 'at least once';
    case 'any':
      return 'any number of times';
    case 'between':
      return `between ${how.n} and ${how.m} times`;
    case 'outside':
      return `fewer than ${times(how.n)} or more than ${times(how.m)}`;
    case 'one-of':
      return how.values.length === 1 ? times(how.values[0]) : `${joinWords(how.values.map(String), 'or')} times`;
  }
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

/** The words agreeing with a plural subject: "is" → "are", "does not" → "do not", "contains" → "contain". */
function plural(words: string): string {
  if (words === 'is' || words.startsWith('is ')) return `are${words.slice(2)}`;
  if (words.startsWith('does ')) return `do${words.slice(4)}`;
  return words.replace(/^(\S+?)s\b/, '$1');
}

/** `a`, `a and b`, `a, b and c` (English; validation's texts use it too). */
export function joinWords(words: readonly string[], last: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}
