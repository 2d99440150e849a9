/**
 * Arabic (Modern Standard Arabic): the words of the language and the grammar of `describe()`.
 * A separate package entry (`n8n-nodes-segments/locales/ar`), so English-only consumers do not carry
 * it:
 *
 *   import { registerLocale, describe } from 'n8n-nodes-segments';
 *   import { ar } from 'n8n-nodes-segments/locales/ar';
 *   registerLocale(ar);
 *   describe(parse('event("purchase").count() >= 3'), { locale: 'ar' });
 *   // العملاء الذين قاموا بالحدث "purchase" 3 مرات على الأقل
 *
 * Numbers are written with Western digits (as the values are typed, and as CLDR writes `ar`), through
 * `Intl.NumberFormat`; counted nouns follow the Arabic rules through `Intl.PluralRules('ar')`:
 * one (يوم واحد), two (يومين), 3–10 (أيام), 11–99 (يومًا), 100 and up (يوم). The operator words are
 * masculine (they read after "the field"); a condition on a field reads "قيمة {field} …" ("the value
 * of …", feminine), so its verbs and adjectives take the feminine form. Imports only types.
 */
import type { AggregateFn, Literal } from '../ast';
import type { DurationUnit } from '../durations';
import type { OperatorId } from '../operators';
import type { CountHow, DescribeWords, OperatorWords, Strings } from '../strings';

const numbers = new Intl.NumberFormat('ar', { numberingSystem: 'latn', useGrouping: false, maximumFractionDigits: 20 });
const plurals = new Intl.PluralRules('ar');

function num(n: number): string {
  return numbers.format(n);
}

/** A counted noun: [one, two (genitive), 3–10, 11–99, 100 and up / zero / fractions]. */
type Forms = readonly [string, string, string, string, string];

function counted(n: number, forms: Forms): string {
  switch (plurals.select(n)) {
    case 'one':
      return forms[0];
    case 'two':
      return forms[1];
    case 'few':
      return `${num(n)} ${forms[2]}`;
    case 'many':
      return `${num(n)} ${forms[3]}`;
    default:
      return `${num(n)} ${forms[4]}`;
  }
}

const UNITS: Readonly<Record<DurationUnit, Forms>> = {
  minute: ['دقيقة واحدة', 'دقيقتين', 'دقائق', 'دقيقة', 'دقيقة'],
  hour: ['ساعة واحدة', 'ساعتين', 'ساعات', 'ساعة', 'ساعة'],
  day: ['يوم واحد', 'يومين', 'أيام', 'يومًا', 'يوم'],
  week: ['أسبوع واحد', 'أسبوعين', 'أسابيع', 'أسبوعًا', 'أسبوع'],
  month: ['شهر واحد', 'شهرين', 'أشهر', 'شهرًا', 'شهر'],
  year: ['سنة واحدة', 'سنتين', 'سنوات', 'سنة', 'سنة'],
};

const TIMES: Forms = ['مرة واحدة', 'مرتين', 'مرات', 'مرة', 'مرة'];

const duration = (amount: number, unit: DurationUnit) => counted(amount, UNITS[unit]);
const times = (n: number) => counted(n, TIMES);

const w = (label: string, words: string, negated: string): OperatorWords => ({ label, words, negated });

const operators: Record<OperatorId, OperatorWords> = {
  eq: w('يساوي', 'يساوي', 'لا يساوي'),
  neq: w('لا يساوي', 'لا يساوي', 'يساوي'),
  gt: w('>', 'أكبر من', 'ليس أكبر من'),
  gte: w('≥', 'أكبر من أو يساوي', 'ليس أكبر من أو يساوي'),
  lt: w('<', 'أصغر من', 'ليس أصغر من'),
  lte: w('≤', 'أصغر من أو يساوي', 'ليس أصغر من أو يساوي'),
  in: w('أحد', 'يساوي إحدى القيم', 'لا يساوي أيًّا من القيم'),
  not_in: w('ليس أحد', 'لا يساوي أيًّا من القيم', 'يساوي إحدى القيم'),
  between: w('بين', 'بين', 'ليس بين'),
  not_between: w('ليس بين', 'ليس بين', 'بين'),
  contains: w('يحتوي على', 'يحتوي على', 'لا يحتوي على'),
  not_contains: w('لا يحتوي على', 'لا يحتوي على', 'يحتوي على'),
  starts_with: w('يبدأ بـ', 'يبدأ بـ', 'لا يبدأ بـ'),
  ends_with: w('ينتهي بـ', 'ينتهي بـ', 'لا ينتهي بـ'),
  contains_any: w('يحتوي على أيٍّ من', 'يحتوي على أيٍّ من', 'لا يحتوي على أيٍّ من'),
  contains_all: w('يحتوي على كلٍّ من', 'يحتوي على كلٍّ من', 'لا يحتوي على كلٍّ من'),
  contains_none: w('لا يحتوي على أيٍّ من', 'لا يحتوي على أيٍّ من', 'يحتوي على أيٍّ من'),
  is_known: w('معروف', 'معروف', 'غير معروف'),
  is_unknown: w('غير معروف', 'غير معروف', 'معروف'),
  is_empty: w('فارغ', 'فارغ', 'غير فارغ'),
  is_not_empty: w('غير فارغ', 'غير فارغ', 'فارغ'),
  within_last: w('خلال آخر', 'خلال آخر', 'ليس خلال آخر'),
  older_than: w('أقدم من', 'أقدم من', 'ليس أقدم من'),
  before: w('قبل', 'قبل', 'ليس قبل'),
  after: w('بعد', 'بعد', 'ليس بعد'),
};

/** The feminine form of the operator words, for "قيمة {field} …". */
function feminine(words: string): string {
  return words
    .replace(/(^|\s)ي(ساوي|حتوي|بدأ|نتهي)/g, '$1ت$2')
    .replace(/(^|\s)ليس(?=\s)/g, '$1ليست')
    .replace(/(معروف|فارغ)$/, '$1ة');
}

/** `و` is written joined to the word after it (also to a digit or a quote); before Latin text, with a space. */
function waw(text: string): string {
  return /^[A-Za-z]/.test(text) ? `و ${text}` : `و${text}`;
}

/**
 * "قبل" (before) followed by a relative date "قبل 11 يومًا" (11 days ago) reads "older than 11
 * days"; "بعد" (after) one, "more recent than".
 */
function relative(text: string): string {
  return text.replace(/قبل قبل /g, 'أقدم من ').replace(/بعد قبل /g, 'أحدث من ');
}

function list(items: readonly string[], last: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  const head = items.slice(0, -1).join('، ');
  const tail = items[items.length - 1];
  return last === 'and' ? `${head} ${waw(tail)}` : `${head} أو ${tail}`;
}

function howOften(how: CountHow): string {
  switch (how.kind) {
    case 'exactly':
      return `${times(how.n)} بالضبط`;
    case 'more-than':
      return `أكثر من ${times(how.n)}`;
    case 'at-least':
      return `${times(how.n)} على الأقل`;
    case 'fewer-than':
      return `أقل من ${times(how.n)}`;
    case 'at-most':
      return `${times(how.n)} على الأكثر`;
    case 'at-least-once':
      return 'مرة واحدة على الأقل';
    case 'any':
      return 'أي عدد من المرات';
    case 'between':
      return `عددًا من المرات بين ${num(how.n)} ${waw(num(how.m))}`;
    case 'outside':
      return `أقل من ${times(how.n)} أو أكثر من ${times(how.m)}`;
    case 'one-of':
      return how.values.length === 1 ? times(how.values[0]) : `عددًا من المرات قدره ${list(how.values.map(num), 'or')}`;
  }
}

const AGGREGATE_NOUNS: Record<AggregateFn, string> = {
  count: 'عدد أحداث {e}',
  sum: 'مجموع الخاصية {p} في أحداث {e}',
  min: 'الحد الأدنى للخاصية {p} في أحداث {e}',
  max: 'الحد الأقصى للخاصية {p} في أحداث {e}',
  avg: 'متوسط الخاصية {p} في أحداث {e}',
  first_at: 'وقت أول حدث {e}',
  last_at: 'وقت آخر حدث {e}',
};

function literal(lit: Literal, printed: string, date: boolean): string {
  switch (lit.type) {
    case 'string':
      return date ? lit.value : printed;
    case 'number':
      return num(lit.value);
    case 'boolean':
      return lit.value ? 'صحيح' : 'خطأ';
    case 'duration':
      return duration(lit.amount, lit.unit);
    case 'now':
      return 'الآن';
    case 'today':
      return 'اليوم';
    case 'ago':
      return `قبل ${duration(lit.duration.amount, lit.duration.unit)}`;
  }
}

const did = 'الذين قاموا بالحدث';
const didNot = 'الذين لم يقوموا بالحدث';

const describe: DescribeWords = {
  sentence: (clause) => `العملاء ${clause}`,
  label: (label) => label,
  condition: (subject, words, operand, { profile, aggregate }) =>
    `${profile ? 'حيث ' : ''}${aggregate ? subject : `قيمة ${subject}`} ${relative(`${aggregate ? words : feminine(words)}${operand}`)}`,
  and: (left, right, but) => `${left} ${but ? `ولكن ${right}` : waw(right)}`,
  either: (items) => `إما ${items.join(' أو ')}`,
  list,
  noValues: 'لا شيء',
  range: (low, high) => `${low} ${waw(high)}`,
  duration,
  olderThan: (d) => d,
  literal,
  segment: (name, negated) => `${negated ? 'ليسوا ' : ''}في الشريحة ${name}`,
  emptyGroup: '(مجموعة فارغة)',
  draft: (field) => `(شرط لم يكتمل بعد${field ? ` على ${field}` : ''})`,
  raw: (text) => `(نص لا يمكن قراءته: ${text})`,
  where: (clause) => ` (حيث ${clause})`,
  window: (d) => ` خلال آخر ${d}`,
  aggregate: (fn, event, property, rest) => `${AGGREGATE_NOUNS[fn].replace('{p}', property).replace('{e}', event)}${rest}`,
  did: (event, how, window) => `${did} ${event} ${howOften(how)}${window}`,
  didNot: (event, how, window) => `${didNot} ${event} ${howOften(how)}${window}`,
  never: (event, window) => `${didNot} ${event} أبدًا${window}`,
};

/** Arabic: pass it to `registerLocale`, or as `locale` itself. */
export const ar: Strings = {
  locale: 'ar',
  dir: 'rtl',
  operators,
  dateOperators: {
    gt: w('بعد', 'بعد', 'ليس بعد'),
    gte: w('في أو بعد', 'في أو بعد', 'ليس في أو بعد'),
    lt: w('قبل', 'قبل', 'ليس قبل'),
    lte: w('في أو قبل', 'في أو قبل', 'ليس في أو قبل'),
  },
  aggregates: {
    count: { label: 'عدد', words: 'عدد الأحداث' },
    sum: { label: 'مجموع', words: 'مجموع خاصية رقمية' },
    min: { label: 'الحد الأدنى', words: 'أدنى قيمة لخاصية رقمية' },
    max: { label: 'الحد الأقصى', words: 'أعلى قيمة لخاصية رقمية' },
    avg: { label: 'متوسط', words: 'متوسط خاصية رقمية' },
    first_at: { label: 'أول مرة', words: 'وقت أول حدث' },
    last_at: { label: 'آخر مرة', words: 'وقت آخر حدث' },
  },
  categories: { profile: 'الملف الشخصي', events: 'الأحداث' },
  describe,
};
