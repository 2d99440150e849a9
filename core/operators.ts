/**
 * Every operator of the language, declared once.
 *
 * The parser reads the spellings from here, the printer the canonical words, the validator the
 * operand kind and field kinds, describe the phrase, and the builder the label. The in-memory
 * compiler and the SQL compiler each keep a `Record<OperatorId, …>`, so adding an operator here
 * breaks the build until every projection implements it.
 *
 * Negative forms (`negates`) are exact complements of their positive form: true wherever the
 * positive form is false, including on unknown values.
 */

/** The kinds of value an operator can apply to. `enum` fields are `text` here. */
export type FieldKind = 'text' | 'number' | 'boolean' | 'date' | 'list';

/**
 * What follows the operator words:
 * - `none`: nothing (`is known`)
 * - `value`: one scalar literal (`= "OM"`, `> 5`, `before "2026-01-01"`, `> 30 days ago`)
 * - `list`: a list literal (`in ["a", "b"]`)
 * - `range`: `<low> and <high>`
 * - `duration`: a duration (`within last 30 days`)
 */
export type OperandKind = 'none' | 'value' | 'list' | 'range' | 'duration';

export type OperatorId =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'not_in'
  | 'between'
  | 'not_between'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'ends_with'
  | 'contains_any'
  | 'contains_all'
  | 'contains_none'
  | 'is_known'
  | 'is_unknown'
  | 'is_empty'
  | 'is_not_empty'
  | 'within_last'
  | 'older_than'
  | 'before'
  | 'after';

export interface OperatorDef {
  id: OperatorId;
  /** Canonical printed words. */
  print: string;
  /** Every accepted spelling, canonical first, lower case, single spaces. */
  spellings: readonly string[];
  operand: OperandKind;
  /** Field kinds the operator applies to. */
  kinds: readonly FieldKind[];
  /** For a negative form: the positive operator it is the exact complement of. */
  negates?: OperatorId;
  /**
   * The English words, for describe() and screen readers: "{field} {phrase} {operand}" (`gt`: "is
   * greater than"). Other languages: `Strings.operators` (`strings.ts`, `locales/`).
   */
  phrase: string;
  /** The English words of the negated condition (`not country = "OM"`: "is not"). */
  negated: string;
  /** Short English label for an operator picker (`gte`: "≥"). */
  label: string;
}

const TEXT_NUM_BOOL_DATE: readonly FieldKind[] = ['text', 'number', 'boolean', 'date'];
const ORDERED: readonly FieldKind[] = ['number', 'date'];
const ANY: readonly FieldKind[] = ['text', 'number', 'boolean', 'date', 'list'];

const defs = [
  { id: 'eq', print: '=', spellings: ['=', '==', 'is'], operand: 'value', kinds: TEXT_NUM_BOOL_DATE, phrase: 'is', negated: 'is not', label: 'is' },
  { id: 'neq', print: '!=', spellings: ['!=', 'is not'], operand: 'value', kinds: TEXT_NUM_BOOL_DATE, negates: 'eq', phrase: 'is not', negated: 'is', label: 'is not' },
  { id: 'gt', print: '>', spellings: ['>'], operand: 'value', kinds: ORDERED, phrase: 'is greater than', negated: 'is not greater than', label: '>' },
  { id: 'gte', print: '>=', spellings: ['>='], operand: 'value', kinds: ORDERED, phrase: 'is at least', negated: 'is not at least', label: '≥' },
  { id: 'lt', print: '<', spellings: ['<'], operand: 'value', kinds: ORDERED, phrase: 'is less than', negated: 'is not less than', label: '<' },
  { id: 'lte', print: '<=', spellings: ['<='], operand: 'value', kinds: ORDERED, phrase: 'is at most', negated: 'is not at most', label: '≤' },
  { id: 'in', print: 'in', spellings: ['in'], operand: 'list', kinds: ['text', 'number'], phrase: 'is one of', negated: 'is not one of', label: 'is one of' },
  { id: 'not_in', print: 'not in', spellings: ['not in'], operand: 'list', kinds: ['text', 'number'], negates: 'in', phrase: 'is not one of', negated: 'is one of', label: 'is not one of' },
  { id: 'between', print: 'between', spellings: ['between'], operand: 'range', kinds: ORDERED, phrase: 'is between', negated: 'is not between', label: 'between' },
  { id: 'not_between', print: 'not between', spellings: ['not between'], operand: 'range', kinds: ORDERED, negates: 'between', phrase: 'is not between', negated: 'is between', label: 'not between' },
  { id: 'contains', print: 'contains', spellings: ['contains'], operand: 'value', kinds: ['text', 'list'], phrase: 'contains', negated: 'does not contain', label: 'contains' },
  { id: 'not_contains', print: 'not contains', spellings: ['not contains'], operand: 'value', kinds: ['text', 'list'], negates: 'contains', phrase: 'does not contain', negated: 'contains', label: 'does not contain' },
  { id: 'starts_with', print: 'starts with', spellings: ['starts with'], operand: 'value', kinds: ['text'], phrase: 'starts with', negated: 'does not start with', label: 'starts with' },
  { id: 'ends_with', print: 'ends with', spellings: ['ends with'], operand: 'value', kinds: ['text'], phrase: 'ends with', negated: 'does not end with', label: 'ends with' },
  { id: 'contains_any', print: 'contains any', spellings: ['contains any'], operand: 'list', kinds: ['list'], phrase: 'contains any of', negated: 'contains none of', label: 'contains any of' },
  { id: 'contains_all', print: 'contains all', spellings: ['contains all'], operand: 'list', kinds: ['list'], phrase: 'contains all of', negated: 'does not contain all of', label: 'contains all of' },
  { id: 'contains_none', print: 'contains none', spellings: ['contains none'], operand: 'list', kinds: ['list'], negates: 'contains_any', phrase: 'contains none of', negated: 'contains any of', label: 'contains none of' },
  { id: 'is_known', print: 'is known', spellings: ['is known', 'is not null'], operand: 'none', kinds: ANY, phrase: 'is known', negated: 'is unknown', label: 'is known' },
  { id: 'is_unknown', print: 'is unknown', spellings: ['is unknown', 'is null'], operand: 'none', kinds: ANY, negates: 'is_known', phrase: 'is unknown', negated: 'is known', label: 'is unknown' },
  { id: 'is_empty', print: 'is empty', spellings: ['is empty'], operand: 'none', kinds: ['text', 'list'], phrase: 'is empty', negated: 'is not empty', label: 'is empty' },
  { id: 'is_not_empty', print: 'is not empty', spellings: ['is not empty'], operand: 'none', kinds: ['text', 'list'], negates: 'is_empty', phrase: 'is not empty', negated: 'is empty', label: 'is not empty' },
  { id: 'within_last', print: 'within last', spellings: ['within last', 'within'], operand: 'duration', kinds: ['date'], phrase: 'is within the last', negated: 'is not within the last', label: 'within the last' },
  { id: 'older_than', print: 'older than', spellings: ['older than'], operand: 'duration', kinds: ['date'], phrase: 'is more than', negated: 'is not more than', label: 'older than' },
  { id: 'before', print: 'before', spellings: ['before'], operand: 'value', kinds: ['date'], phrase: 'is before', negated: 'is not before', label: 'before' },
  { id: 'after', print: 'after', spellings: ['after'], operand: 'value', kinds: ['date'], phrase: 'is after', negated: 'is not after', label: 'after' },
] as const satisfies readonly OperatorDef[];

/**
 * The operators without `negates`, derived from the table: the only ones a compiler implements. A
 * negative form is compiled as the negation of its positive form (`positiveForm`), never written
 * a second time.
 */
export type PositiveOperatorId = Exclude<OperatorId, Extract<(typeof defs)[number], { negates: string }>['id']>;

/** A negative form negates a positive one (never another negative form): the build breaks otherwise. */
const NEGATES_POSITIVE: Extract<(typeof defs)[number], { negates: string }>['negates'] extends PositiveOperatorId ? true : never = true;
void NEGATES_POSITIVE;

export const OPERATORS: Readonly<Record<OperatorId, OperatorDef>> = Object.freeze(
  Object.fromEntries(defs.map((d: OperatorDef) => [d.id, Object.freeze(d)])) as Record<OperatorId, OperatorDef>,
);

export const OPERATOR_LIST: readonly OperatorDef[] = Object.freeze(defs.map((d) => OPERATORS[d.id]));

/** Looks an operator up by one of its spellings (lower case, single spaces). */
export function operatorBySpelling(spelling: string): OperatorDef | undefined {
  return SPELLINGS.get(spelling);
}

const SPELLINGS = new Map<string, OperatorDef>();
for (const d of defs) for (const s of d.spellings) SPELLINGS.set(s, OPERATORS[d.id]);

/** The positive form of an operator and whether it is negated: `neq` → [`eq`, true]. */
export function positiveForm(id: OperatorId): [PositiveOperatorId, boolean] {
  const neg = OPERATORS[id].negates;
  return neg ? [neg as PositiveOperatorId, true] : [id as PositiveOperatorId, false];
}

/** Operators that apply to a field kind, in declaration order (for the builder's picker). */
export function operatorsFor(kind: FieldKind): OperatorDef[] {
  return OPERATOR_LIST.filter((d) => d.kinds.includes(kind));
}
