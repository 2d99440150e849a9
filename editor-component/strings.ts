/**
 * The builder's own words: its buttons, labels and announcements, in English and Arabic. The words
 * of the language itself (operators, aggregates, the plain-language description) come from the core.
 *
 * A host may replace any of them through the `strings` property (a partial table merged over the
 * locale's). `{name}` placeholders are filled in by `format`.
 */
export interface BuilderStrings {
  builder: string;
  visualView: string;
  textView: string;
  bothViews: string;
  views: string;
  tree: string;
  expression: string;
  all: string;
  any: string;
  matchAll: string;
  matchAny: string;
  not: string;
  groupLabel: string;
  conditionLabel: string;
  segmentLabel: string;
  rawLabel: string;
  eventLabel: string;
  addCondition: string;
  addGroup: string;
  addSegment: string;
  /** Shown when no other saved segment may be added (`{max}`: the limit). */
  segmentLimit: string;
  addEvent: string;
  duplicate: string;
  delete: string;
  moveUp: string;
  moveDown: string;
  indent: string;
  outdent: string;
  collapse: string;
  expand: string;
  dragHandle: string;
  actions: string;
  field: string;
  operator: string;
  value: string;
  low: string;
  high: string;
  search: string;
  noMatches: string;
  moreMatches: string;
  /** A picker waiting for the values the host loads. */
  loadingValues: string;
  /** The values came (`{count}`). */
  valuesLoaded: string;
  /** They could not be loaded (`{message}`); the typed value can still be used. */
  valuesFailed: string;
  retry: string;
  /** Beside the typed text offered as a value of its own. */
  useTyped: string;
  chooseField: string;
  chooseOperator: string;
  chooseSegment: string;
  chooseEvent: string;
  removeItem: string;
  addItem: string;
  yes: string;
  no: string;
  amount: string;
  unit: string;
  dateMode: string;
  dateAbsolute: string;
  dateAgo: string;
  dateToday: string;
  dateNow: string;
  ago: string;
  since: string;
  until: string;
  inSegment: string;
  notInSegment: string;
  eventName: string;
  aggregate: string;
  property: string;
  within: string;
  anyTime: string;
  where: string;
  unparsed: string;
  counting: string;
  count: string;
  countFailed: string;
  noCount: string;
  problems: string;
  noProblems: string;
  description: string;
  emptyBuilder: string;
  announceAdded: string;
  announceDeleted: string;
  announceMoved: string;
  announceChanged: string;
  announceCollapsed: string;
  announceExpanded: string;
  units: Record<'minute' | 'hour' | 'day' | 'week' | 'month' | 'year', string>;
}

export const EN: BuilderStrings = {
  builder: 'Segment builder',
  visualView: 'Visual',
  textView: 'Text',
  bothViews: 'Both',
  views: 'View',
  tree: 'Segment conditions',
  expression: 'Segment expression',
  all: 'All',
  any: 'Any',
  matchAll: 'All of these (and)',
  matchAny: 'Any of these (or)',
  not: 'Not',
  groupLabel: 'Group: {match}, {count} items',
  conditionLabel: 'Condition: {text}',
  segmentLabel: 'Saved segment: {text}',
  rawLabel: 'Unparsed text: {text}',
  eventLabel: 'Event condition: {text}',
  addCondition: 'Add condition',
  addGroup: 'Add group',
  addSegment: 'Add saved segment',
  segmentLimit: 'At most {max} saved segments in one segment',
  addEvent: 'Add event condition',
  duplicate: 'Duplicate',
  delete: 'Delete',
  moveUp: 'Move up',
  moveDown: 'Move down',
  indent: 'Indent',
  outdent: 'Outdent',
  collapse: 'Collapse group',
  expand: 'Expand group',
  dragHandle: 'Drag to move',
  actions: 'Actions for {text}',
  field: 'Field',
  operator: 'Operator',
  value: 'Value',
  low: 'From',
  high: 'To',
  search: 'Search',
  noMatches: 'No matches',
  moreMatches: '{count} more: type to narrow',
  loadingValues: 'Loading values…',
  valuesLoaded: '{count} values',
  valuesFailed: 'Could not load the values: {message}. Type a value to use it.',
  retry: 'Try again',
  useTyped: 'use as typed',
  chooseField: 'Choose a field',
  chooseOperator: 'Choose an operator',
  chooseSegment: 'Choose a saved segment',
  chooseEvent: 'Choose an event',
  removeItem: 'Remove {item}',
  addItem: 'Add a value',
  yes: 'true',
  no: 'false',
  amount: 'Amount',
  unit: 'Unit',
  dateMode: 'Date kind',
  dateAbsolute: 'On a date',
  dateAgo: 'Time ago',
  dateToday: 'Today',
  dateNow: 'Now',
  ago: 'ago',
  since: 'since {date}',
  until: 'before {date}',
  inSegment: 'in segment',
  notInSegment: 'not in segment',
  eventName: 'Event',
  aggregate: 'Measure',
  property: 'Property',
  within: 'In the last',
  anyTime: 'any time',
  where: 'where',
  unparsed: 'Not understood yet: edit the text',
  counting: 'Counting…',
  count: '≈ {count} customers',
  countFailed: 'Could not count: {message}',
  noCount: 'Fix the problems to see a count',
  problems: 'Problems',
  noProblems: 'No problems',
  description: 'In words',
  emptyBuilder: 'No conditions yet: everyone matches nothing. Add a condition to start.',
  announceAdded: 'Added {what}',
  announceDeleted: 'Deleted {what}',
  announceMoved: 'Moved to position {position} of {count}, level {level}',
  announceChanged: '{what} changed',
  announceCollapsed: 'Collapsed',
  announceExpanded: 'Expanded',
  units: { minute: 'minutes', hour: 'hours', day: 'days', week: 'weeks', month: 'months', year: 'years' },
};

export const AR: BuilderStrings = {
  builder: 'منشئ الشرائح',
  visualView: 'مرئي',
  textView: 'نص',
  bothViews: 'كلاهما',
  views: 'العرض',
  tree: 'شروط الشريحة',
  expression: 'تعبير الشريحة',
  all: 'الكل',
  any: 'أيٌّ',
  matchAll: 'كل هذه الشروط (و)',
  matchAny: 'أيٌّ من هذه الشروط (أو)',
  not: 'ليس',
  groupLabel: 'مجموعة: {match}، {count} عناصر',
  conditionLabel: 'شرط: {text}',
  segmentLabel: 'شريحة محفوظة: {text}',
  rawLabel: 'نص غير مفهوم: {text}',
  eventLabel: 'شرط حدث: {text}',
  addCondition: 'إضافة شرط',
  addGroup: 'إضافة مجموعة',
  addSegment: 'إضافة شريحة محفوظة',
  segmentLimit: 'يمكن استخدام {max} شرائح محفوظة على الأكثر في الشريحة الواحدة',
  addEvent: 'إضافة شرط حدث',
  duplicate: 'تكرار',
  delete: 'حذف',
  moveUp: 'نقل لأعلى',
  moveDown: 'نقل لأسفل',
  indent: 'إزاحة للداخل',
  outdent: 'إزاحة للخارج',
  collapse: 'طي المجموعة',
  expand: 'توسيع المجموعة',
  dragHandle: 'اسحب للنقل',
  actions: 'إجراءات {text}',
  field: 'الحقل',
  operator: 'العامل',
  value: 'القيمة',
  low: 'من',
  high: 'إلى',
  search: 'بحث',
  noMatches: 'لا نتائج',
  moreMatches: '{count} أخرى: اكتب للتضييق',
  loadingValues: 'جارٍ تحميل القيم…',
  valuesLoaded: 'القيم: {count}',
  valuesFailed: 'تعذّر تحميل القيم: {message}. اكتب قيمة لاستخدامها.',
  retry: 'أعد المحاولة',
  useTyped: 'استخدمها كما كُتبت',
  chooseField: 'اختر حقلاً',
  chooseOperator: 'اختر عاملاً',
  chooseSegment: 'اختر شريحة محفوظة',
  chooseEvent: 'اختر حدثاً',
  removeItem: 'إزالة {item}',
  addItem: 'أضف قيمة',
  yes: 'صحيح',
  no: 'خطأ',
  amount: 'المقدار',
  unit: 'الوحدة',
  dateMode: 'نوع التاريخ',
  dateAbsolute: 'في تاريخ',
  dateAgo: 'منذ مدة',
  dateToday: 'اليوم',
  dateNow: 'الآن',
  ago: 'مضت',
  since: 'منذ {date}',
  until: 'قبل {date}',
  inSegment: 'ضمن الشريحة',
  notInSegment: 'ليس ضمن الشريحة',
  eventName: 'الحدث',
  aggregate: 'المقياس',
  property: 'الخاصية',
  within: 'خلال آخر',
  anyTime: 'في أي وقت',
  where: 'حيث',
  unparsed: 'غير مفهوم بعد: عدّل النص',
  counting: 'جارٍ العد…',
  count: '≈ {count} عميل',
  countFailed: 'تعذّر العد: {message}',
  noCount: 'أصلح المشكلات لرؤية العدد',
  problems: 'المشكلات',
  noProblems: 'لا مشكلات',
  description: 'بالكلمات',
  emptyBuilder: 'لا شروط بعد. أضف شرطاً للبدء.',
  announceAdded: 'أضيف {what}',
  announceDeleted: 'حُذف {what}',
  announceMoved: 'نُقل إلى الموضع {position} من {count}، المستوى {level}',
  announceChanged: 'تغيّر {what}',
  announceCollapsed: 'طُويت',
  announceExpanded: 'وُسّعت',
  units: { minute: 'دقائق', hour: 'ساعات', day: 'أيام', week: 'أسابيع', month: 'أشهر', year: 'سنوات' },
};

export const LOCALES: Readonly<Record<string, BuilderStrings>> = { en: EN, ar: AR };

/** The strings of a locale (`ar-OM` falls back to `ar`, unknown locales to English), with overrides. */
export function stringsFor(locale: string, overrides?: Partial<BuilderStrings>): BuilderStrings {
  const base = LOCALES[locale] ?? LOCALES[locale.split('-')[0]] ?? EN;
  return overrides ? { ...base, ...overrides } : base;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
