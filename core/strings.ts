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
import type { AggregateFn } from './ast';
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
