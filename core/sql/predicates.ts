/**
 * One predicate (`subject op operand`) as SQL, for every operator of `operators.ts`.
 *
 * Each entry writes the POSITIVE form as a condition that is true exactly where the in-memory
 * engine says true, and false or NULL elsewhere (a NULL column makes it NULL, which WHERE and
 * HAVING treat as false). Only positive operators have an entry; a negative form (its `negates`) is
 * `(positive) IS NOT TRUE`, derived in `compilePredicateSql`: the exact complement,
 * true on unknown and wrong-type values. Values are always bindings (`?`), identifiers always
 * `??` bindings taken from the mapping; windows come from the clock, computed once.
 */
import { assertNever, type Literal, type Operand, type PredicateExpr } from '../ast';
import { positiveForm, type FieldKind, type PositiveOperatorId } from '../operators';
import { literalInstant, type Clock } from '../time';
import { complement, LIKE_ESCAPE, likeLiteral, storableText, type DialectSpec } from './dialects';
import { lowerKey, type DateStorage, type ListMapping } from './mapping';

/** A piece of SQL with `?` value and `??` identifier placeholders and their bindings, in order. */
export interface Frag {
  sql: string;
  bindings: unknown[];
  /**
   * Set on `owner IN (…)` tests of a positive event aggregate: the same set of owners
   * as an uncorrelated `SELECT` of distinct ids in a column `owner`, so that a query can be driven
   * from it (see `compile.ts`, `Driven`). Lost on any fragment built from this one.
   */
  owners?: Frag;
}

/** The column of the owner ids in a fragment's `owners` select. */
export const OWNER_COLUMN = 'owner';

export function frag(sql: string, ...bindings: unknown[]): Frag {
  return { sql, bindings };
}

/** Joins fragments with a separator (`AND`, `OR`, `, `). */
export function join(parts: readonly Frag[], separator: string): Frag {
  return { sql: parts.map((p) => p.sql).join(separator), bindings: parts.flatMap((p) => p.bindings) };
}

/** Conditions joined by one boolean operator in a group: at most this many side by side. */
const GROUP = 32;

/**
 * Conditions joined by `AND` or `OR`, each parenthesised. A long chain is nested in groups of 32,
 * so its depth grows with the logarithm of its length: SQL parsers build `a AND b AND c …` as a
 * tree as deep as the chain is long (SQLite refuses depth 1,000; PostgreSQL runs out of stack).
 */
export function connect(parts: readonly Frag[], op: 'AND' | 'OR'): Frag {
  let level = parts.map(parenthesised);
  while (level.length > GROUP) {
    const next: Frag[] = [];
    for (let i = 0; i < level.length; i += GROUP) next.push(parenthesised(join(level.slice(i, i + GROUP), ` ${op} `)));
    level = next;
  }
  return level.length === 1 ? level[0] : join(level, ` ${op} `);
}

/**
 * `target IN (values)`, the one way the compiler binds a set of values: one placeholder each for a
 * few (the dialect's `valueSet.inline`, or `inlineValues` when given), else ONE binding holding the
 * whole set as JSON. Never spreads the values into a call (150,000 arguments overflow the stack).
 */
export function inValues(target: Frag, values: readonly (string | number)[], type: 'text' | 'number', c: PredicateContext): Frag {
  if (values.length <= c.inlineValues) {
    const sql = `${target.sql} IN (${'?, '.repeat(values.length - 1)}?)`;
    return { sql, bindings: [...target.bindings, ...values] };
  }
  return { sql: `${target.sql} IN (${c.spec.valueSet[type]})`, bindings: [...target.bindings, JSON.stringify(values)] };
}

/** What a predicate tests, as SQL expressions. */
export interface SubjectSql {
  kind: FieldKind;
  /** List element type from the schema. */
  items?: 'text' | 'number';
  /** The typed value (NULL when unknown or of another type); for lists, the element count. */
  value: Frag;
  /** Text: the lower-cased value. */
  lower?: Frag;
  /** Text: `lower` holds `lowerKey(value, max)` and `column` the whole value from `max` units on (see `FieldMapping.lowerLong`). */
  lowerLong?: { column: Frag; max: number; test: (test: (long: Frag) => Frag) => Frag };
  /** Non-NULL when the value is known but of another type (absent: never). */
  other?: Frag;
  /** List: where the elements are, and the owner id expression to correlate on. */
  list?: { mapping: ListMapping; owner: Frag; alias: string };
  dates: DateStorage;
}

export interface PredicateContext {
  spec: DialectSpec;
  clock: Clock;
  /** Value sets up to this size are written one placeholder per value (see `inValues`). */
  inlineValues: number;
}

type Compile = (s: SubjectSql, node: PredicateExpr, c: PredicateContext) => Frag;

export const SQL_OPERATORS: Record<PositiveOperatorId, Compile> = {
  eq(s, n, c) {
    const v = scalar(s, literal(n.operand), c);
    if (v === undefined) return falsity(c);
    if (s.kind === 'text' && s.lowerLong !== undefined) {
      // The same SQL for every value: the key compared by the index, the whole value only for long ones.
      const { max, test } = s.lowerLong;
      const text = v as string;
      const whole = test((long) => frag(`${long.sql} = ?`, ...long.bindings, text));
      return frag(`(${s.lower!.sql} = ? AND (? OR ${whole.sql}))`, ...s.lower!.bindings, lowerKey(text, max), c.spec.bool(text.length < max), ...whole.bindings);
    }
    return frag(`${(s.kind === 'text' ? s.lower! : s.value).sql} = ?`, ...(s.kind === 'text' ? s.lower! : s.value).bindings, v);
  },
  gt: ordered('>'),
  gte: ordered('>='),
  lt: ordered('<'),
  lte: ordered('<='),
  in(s, n, c) {
    if (s.kind !== 'text' && s.kind !== 'number') return falsity(c);
    const values = unique(items(n.operand).map((l) => scalar(s, l, c)).filter((v) => v !== undefined)) as (string | number)[];
    if (values.length === 0) return falsity(c);
    if (s.kind === 'number') return inValues(s.value, values, 'number', c);
    if (s.lowerLong === undefined) return inValues(s.lower!, values, 'text', c);
    const { max, test } = s.lowerLong;
    const texts = values as string[];
    const keys = inValues(s.lower!, texts.map((t) => lowerKey(t, max)), 'text', c);
    const whole = test((long) => {
      const listed = inValues(long, texts, 'text', c);
      return frag(`(${long.sql} IS NULL OR ${listed.sql})`, ...long.bindings, ...listed.bindings);
    });
    return frag(`(${keys.sql} AND (? OR ${whole.sql}))`, ...keys.bindings, c.spec.bool(texts.every((t) => t.length < max)), ...whole.bindings);
  },
  between(s, n, c) {
    const range = n.operand;
    if (range === null || range.type !== 'range' || (s.kind !== 'number' && s.kind !== 'date')) return falsity(c);
    const low = scalar(s, range.low, c);
    const high = scalar(s, range.high, c);
    if (low === undefined || high === undefined) return falsity(c);
    return frag(`${s.value.sql} BETWEEN ? AND ?`, ...s.value.bindings, low, high);
  },
  contains(s, n, c) {
    const lit = literal(n.operand);
    if (s.kind === 'text') {
      if (lit?.type !== 'string' || !storableText(lit.value)) return falsity(c);
      return like(s, 'contains', lit.value.toLowerCase(), c);
    }
    if (s.kind !== 'list' || lit === undefined) return falsity(c);
    const { texts, numbers } = elements(s, [lit]);
    if (texts.length + numbers.length === 0) return falsity(c);
    return hasElement(s, texts, numbers, c);
  },
  starts_with: affix('starts'),
  ends_with: affix('ends'),
  contains_any(s, n, c) {
    if (s.kind !== 'list') return falsity(c);
    const { texts, numbers } = elements(s, items(n.operand));
    if (texts.length + numbers.length === 0) return falsity(c);
    return hasElement(s, texts, numbers, c);
  },
  contains_all(s, n, c) {
    if (s.kind !== 'list') return falsity(c);
    const { texts, numbers, dropped } = elements(s, items(n.operand));
    if (dropped) return falsity(c);
    const parts = [frag(`${s.value.sql} IS NOT NULL`, ...s.value.bindings)];
    if (few(texts.length + numbers.length, c)) {
      // Few elements: one EXISTS each (each an index seek).
      for (const t of texts) parts.push(hasElement(s, [t], [], c));
      for (const x of numbers) parts.push(hasElement(s, [], [x], c));
    } else {
      // Many: as many distinct matching elements as were asked for.
      if (texts.length > 0) parts.push(distinctElements(s, 'text', texts, c));
      if (numbers.length > 0) parts.push(distinctElements(s, 'number', numbers, c));
    }
    return parenthesised(connect(parts, 'AND'));
  },
  is_known(s) {
    // A bounded key is set exactly when the text is: test it, so that an index on the key answers.
    const value = s.kind === 'text' && s.lowerLong !== undefined ? s.lower! : s.value;
    const known = frag(`${value.sql} IS NOT NULL`, ...value.bindings);
    if (s.other === undefined) return known;
    return parenthesised(join([known, frag(`${s.other.sql} IS NOT NULL`, ...s.other.bindings)], ' OR '));
  },
  is_empty(s, _n, c) {
    if (s.kind !== 'text' && s.kind !== 'list') return falsity(c);
    const unknown = [frag(`${s.value.sql} IS NULL`, ...s.value.bindings)];
    if (s.other !== undefined) unknown.push(frag(`${s.other.sql} IS NULL`, ...s.other.bindings));
    const empty = s.kind === 'text' ? frag(`${s.value.sql} = ?`, ...s.value.bindings, '') : frag(`${s.value.sql} = 0`, ...s.value.bindings);
    return parenthesised(join([empty, parenthesised(join(unknown, ' AND '))], ' OR '));
  },
  within_last(s, n, c) {
    const low = windowStart(s, n.operand, c);
    if (low === undefined) return falsity(c);
    return frag(`${s.value.sql} BETWEEN ? AND ?`, ...s.value.bindings, instantValue(low, s.dates), instantValue(c.clock.now, s.dates));
  },
  older_than(s, n, c) {
    const low = windowStart(s, n.operand, c);
    if (low === undefined) return falsity(c);
    return frag(`${s.value.sql} < ?`, ...s.value.bindings, instantValue(low, s.dates));
  },
  before: dateComparison('<'),
  after: dateComparison('>'),
};

/** The SQL of one predicate over a subject. */
export function compilePredicateSql(s: SubjectSql, node: PredicateExpr, c: PredicateContext): Frag {
  const [positive, negated] = positiveForm(node.op);
  const f = SQL_OPERATORS[positive](s, node, c);
  return negated ? negateFrag(f, c) : f;
}

export function falsity(c: PredicateContext): Frag {
  return frag(c.spec.false);
}

export function truth(c: PredicateContext): Frag {
  return frag(c.spec.true);
}

export function isConstant(f: Frag, c: PredicateContext): 'true' | 'false' | undefined {
  if (f.bindings.length > 0) return undefined;
  return f.sql === c.spec.true ? 'true' : f.sql === c.spec.false ? 'false' : undefined;
}

/** The exact complement, folding constants. */
export function negateFrag(f: Frag, c: PredicateContext): Frag {
  const k = isConstant(f, c);
  if (k === 'true') return falsity(c);
  if (k === 'false') return truth(c);
  return { sql: complement(f.sql), bindings: f.bindings };
}

function parenthesised(f: Frag): Frag {
  return { sql: `(${f.sql})`, bindings: f.bindings };
}

function ordered(op: '>' | '>=' | '<' | '<='): Compile {
  return (s, n, c) => {
    if (s.kind !== 'number' && s.kind !== 'date') return falsity(c);
    const v = scalar(s, literal(n.operand), c);
    if (v === undefined) return falsity(c);
    return frag(`${s.value.sql} ${op} ?`, ...s.value.bindings, v);
  };
}

function dateComparison(op: '<' | '>'): Compile {
  return (s, n, c) => {
    if (s.kind !== 'date') return falsity(c);
    const v = scalar(s, literal(n.operand), c);
    if (v === undefined) return falsity(c);
    return frag(`${s.value.sql} ${op} ?`, ...s.value.bindings, v);
  };
}

function affix(where: 'starts' | 'ends'): Compile {
  return (s, n, c) => {
    const lit = literal(n.operand);
    if (s.kind !== 'text' || lit?.type !== 'string' || !storableText(lit.value)) return falsity(c);
    return like(s, where, lit.value.toLowerCase(), c);
  };
}

/** A substring test on the lower-cased text: LIKE (a prefix LIKE can use an index), `instr` past the dialect's pattern limit. */
function like(s: SubjectSql, where: 'contains' | 'starts' | 'ends', lowered: string, c: PredicateContext): Frag {
  // With a bounded key column, the whole value is the long column's or, when that is NULL, the key.
  const x = s.lowerLong === undefined ? s.lower! : frag(`COALESCE(${s.lowerLong.column.sql}, ${s.lower!.sql})`, ...s.lowerLong.column.bindings, ...s.lower!.bindings);
  const limit = c.spec.likeLimit;
  if (limit !== null && lowered.length > limit) {
    if (where === 'contains') return frag(`instr(${x.sql}, ?) > 0`, ...x.bindings, lowered);
    if (where === 'starts') return frag(`instr(${x.sql}, ?) = 1`, ...x.bindings, lowered);
    return frag(`substr(${x.sql}, ?) = ?`, ...x.bindings, -[...lowered].length, lowered);
  }
  const body = likeLiteral(lowered);
  const pattern = where === 'contains' ? `%${body}%` : where === 'starts' ? `${body}%` : `%${body}`;
  return frag(`${x.sql} LIKE ? ESCAPE '${LIKE_ESCAPE}'`, ...x.bindings, pattern);
}

/**
 * Whether the list holds an element equal to one of the texts (lower-cased) or numbers: a few as
 * a correlated EXISTS (an index seek per profile), many as the set of owners holding one (a
 * correlated test of thousands of values would probe them all for every profile).
 */
function hasElement(s: SubjectSql, texts: string[], numbers: number[], c: PredicateContext): Frag {
  const m = s.list?.mapping;
  if (m === undefined) return falsity(c);
  const a = s.list!.alias;
  const tests: Frag[] = [];
  if (texts.length > 0 && m.text) tests.push(elementTexts(s, texts, c));
  if (numbers.length > 0 && m.number) tests.push(inValues(frag('??.??', a, m.number), numbers, 'number', c));
  if (tests.length === 0) return falsity(c);
  const test = tests.length === 1 ? tests[0] : parenthesised(join(tests, ' OR '));
  if (few(texts.length + numbers.length, c)) {
    // Not a driver (see `Frag.owners`): with the (pid, field, key) index the planners choose best
    // between reading the elements first and probing them per profile (MariaDB's semi-join: 45 ms
    // for `tags contains "lead" and interest = "enterprise"` against 300 ms driven by the 43% of
    // profiles tagged "lead").
    const body = join([frag(`??.?? = ${s.list!.owner.sql}`, a, m.owner, ...s.list!.owner.bindings), ...elementsWhere(s, test)], ' AND ');
    return frag(`EXISTS (SELECT 1 FROM ?? AS ?? WHERE ${body.sql})`, m.table, a, ...body.bindings);
  }
  return ownersOf(s, elementsWhere(s, test));
}

/**
 * The list row's text element is one of `texts` (lower-cased). With bounded keys (`textLong`): its
 * key is one of theirs and, unless every text is short (bound TRUE: the same SQL for any value),
 * its whole element too, read in place or in a sub-select of the same element (`DialectSpec.longText`).
 */
function elementTexts(s: SubjectSql, texts: string[], c: PredicateContext, inPlace = false): Frag {
  const { mapping: m, alias: a } = s.list!;
  const key = frag('??.??', a, m.text);
  if (m.textLong === undefined) return inValues(key, texts, 'text', c);
  const max = m.textMax!;
  const keys = inValues(key, texts.map((t) => lowerKey(t, max)), 'text', c);
  const whole = (alias: string) => {
    const long = frag('??.??', alias, m.textLong);
    const listed = inValues(long, texts, 'text', c);
    return frag(`(${long.sql} IS NULL OR ${listed.sql})`, ...long.bindings, ...listed.bindings);
  };
  let test = whole(a);
  if (c.spec.longText === 'row-lookup' && !inPlace) {
    // The elements equal to this one in owner, list and key: the same element as far as a test of
    // existence can tell (not a count of distinct elements, which reads each in place).
    const x = `${a}x`;
    const same = [m.owner, ...(m.key ? [m.key.column] : []), m.text!].map((col) => frag('??.?? = ??.??', x, col, a, col));
    const body = join([...same, whole(x)], ' AND ');
    test = frag(`EXISTS (SELECT 1 FROM ?? AS ?? WHERE ${body.sql})`, m.table, x, ...body.bindings);
  }
  return frag(`(${keys.sql} AND (? OR ${test.sql}))`, ...keys.bindings, c.spec.bool(texts.every((t) => t.length < max)), ...test.bindings);
}

/** Whether the list holds every one of these texts (or numbers): owners holding as many distinct ones as asked for. */
function distinctElements(s: SubjectSql, type: 'text' | 'number', values: readonly (string | number)[], c: PredicateContext): Frag {
  const m = s.list?.mapping;
  const column = type === 'text' ? m?.text : m?.number;
  if (m === undefined || column === undefined) return falsity(c);
  const a = s.list!.alias;
  const test = type === 'text' ? elementTexts(s, values as string[], c, true) : inValues(frag('??.??', a, column), values, type, c);
  // With bounded keys, two long elements may share a key: count whole elements.
  const element = type === 'text' && m.textLong !== undefined ? frag('COALESCE(??.??, ??.??)', a, m.textLong, a, column) : frag('??.??', a, column);
  return ownersOf(s, elementsWhere(s, test), frag(`HAVING COUNT(DISTINCT ${element.sql}) = ?`, ...element.bindings, values.length));
}

/** Up to this many list elements are tested with correlated EXISTS (an index seek each per profile). */
const FEW_ELEMENTS = 32;

function few(n: number, c: PredicateContext): boolean {
  return n <= Math.min(FEW_ELEMENTS, c.inlineValues);
}

/** The subject's list rows that pass `test`: its key (when one table holds several lists), then the test. */
function elementsWhere(s: SubjectSql, test: Frag): Frag[] {
  const { mapping: m, alias: a } = s.list!;
  return m.key ? [frag('??.?? = ?', a, m.key.column, m.key.value), test] : [test];
}

/** `owner IN (SELECT owner FROM list WHERE … [GROUP BY owner HAVING …])`: not correlated, planned once. */
function ownersOf(s: SubjectSql, where: Frag[], having?: Frag): Frag {
  const { mapping: m, alias: a, owner } = s.list!;
  const body = join(where, ' AND ');
  const select = frag(`SELECT ??.?? FROM ?? AS ?? WHERE ${body.sql}`, a, m.owner, m.table, a, ...body.bindings);
  const grouped = having === undefined ? select : frag(`${select.sql} GROUP BY ??.?? ${having.sql}`, ...select.bindings, a, m.owner, ...having.bindings);
  return { sql: `${owner.sql} IN (${grouped.sql})`, bindings: [...owner.bindings, ...grouped.bindings] };
}

/** A list operand's items split by element type; items of the wrong type for the schema are dropped. */
function elements(s: SubjectSql, lits: readonly Literal[]): { texts: string[]; numbers: number[]; dropped: boolean } {
  const texts: string[] = [];
  const numbers: number[] = [];
  let dropped = false;
  for (const item of lits) {
    if (item.type === 'string' && s.items !== 'number') {
      if (storableText(item.value)) texts.push(item.value.toLowerCase());
      else dropped = true; // no stored element can equal it
    } else if (item.type === 'number' && s.items !== 'text') numbers.push(item.value);
    else dropped = true;
  }
  return { texts: unique(texts), numbers: unique(numbers), dropped };
}

function windowStart(s: SubjectSql, operand: Operand | null, c: PredicateContext): number | undefined {
  if (s.kind !== 'date' || operand === null || operand.type !== 'duration') return undefined;
  const low = c.clock.ago(operand);
  return Number.isNaN(low) ? undefined : low;
}

/**
 * A literal as the value the subject's column compares with: lower-cased text, a number, a boolean
 * (as the dialect binds it), an instant (as the column stores it); undefined when it does not fit
 * (the predicate is then false, as in memory) or when no stored value can equal it.
 */
function scalar(s: SubjectSql, lit: Literal | undefined, c: PredicateContext): unknown {
  if (lit === undefined) return undefined;
  switch (s.kind) {
    case 'text':
      return lit.type === 'string' && storableText(lit.value) ? lit.value.toLowerCase() : undefined;
    case 'number':
      return lit.type === 'number' ? lit.value : undefined;
    case 'boolean':
      return lit.type === 'boolean' ? c.spec.bool(lit.value) : undefined;
    case 'date': {
      const ms = literalInstant(lit, c.clock);
      return Number.isNaN(ms) ? undefined : instantValue(ms, s.dates);
    }
    case 'list':
      return undefined;
    default:
      return assertNever(s.kind, 'field kind');
  }
}

/** An instant bound for a date column. */
export function instantValue(ms: number, dates: DateStorage): number | Date {
  return dates === 'timestamp' ? new Date(ms) : ms;
}

function literal(operand: Operand | null): Literal | undefined {
  return operand !== null && operand.type !== 'list' && operand.type !== 'range' ? operand : undefined;
}

function items(operand: Operand | null): Literal[] {
  return operand?.type === 'list' ? operand.items : [];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
