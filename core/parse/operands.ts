/**
 * Operator words and the operands after them: values, lists, ranges and durations.
 *
 * Operator spellings come from `operators.ts`; multi-word spellings match case-insensitively with
 * any whitespace or comments between the words, longest match first, which is also how `is`
 * disambiguates: `is known`, `is not null`, `is not empty` win over `is` / `is not` + value.
 */
import type { DurationLiteral, ListLiteral, Literal, Operand, RangeOperand, Span, Subject } from '../ast';
import { UNIT_SPELLINGS, unitBySpelling } from '../durations';
import { didYouMean } from '../errors';
import { OPERATOR_LIST, type OperatorDef, type OperatorId } from '../operators';
import { describeAt, fail, isIdentStart, readNumber, readString, readWord, skipSpace, type Scanned } from './lexer';

interface WordNode {
  op?: OperatorDef;
  next: Map<string, WordNode>;
}

const WORDS: WordNode = { next: new Map() };
const SYMBOLS = new Map<string, OperatorDef>();
const ALL_SPELLINGS: string[] = [];

for (const def of OPERATOR_LIST) {
  for (const spelling of def.spellings) {
    ALL_SPELLINGS.push(spelling);
    if (!/^[a-z]/.test(spelling)) {
      SYMBOLS.set(spelling, def);
      continue;
    }
    let node = WORDS;
    for (const word of spelling.split(' ')) {
      let next = node.next.get(word);
      if (!next) node.next.set(word, (next = { next: new Map() }));
      node = next;
    }
    node.op = def;
  }
}

export interface OperatorMatch {
  def: OperatorDef;
  span: Span;
}

/** Where an error message can point at what came before (`after `country``). */
export function quote(source: string, span: Span): string {
  const text = source.slice(span.start, span.end).replace(/\s+/g, ' ');
  return `\`${text.length > 40 ? `${text.slice(0, 39)}…` : text}\``;
}

/** A hint showing a whole condition with this subject. */
function example(source: string, subject: Subject): string {
  const text = quote(source, subject.span!).slice(0, -1);
  return subject.type === 'aggregate' ? `compare the aggregate, e.g. ${text} > 0\`` : `e.g. ${text} = "…"\` or ${text} is known\``;
}

/** Whether an operator (a symbol or the first word of an operator's spelling) starts at `i`. */
export function startsOperator(source: string, i: number): boolean {
  const c = source.charCodeAt(i);
  if (c === 61 || c === 33 || c === 60 || c === 62) return true;
  const { word } = readWord(source, i);
  return word !== '' && WORDS.next.has(word);
}

/** The operator at `i`, after `subject`. */
export function readOperator(source: string, i: number, subject: Subject): OperatorMatch {
  const c = source.charCodeAt(i);
  if (c === 61 || c === 33 || c === 60 || c === 62) {
    // = == != < <= > >=
    const two = source.charCodeAt(i + 1) === 61 ? SYMBOLS.get(source.slice(i, i + 2)) : undefined;
    if (two) return { def: two, span: { start: i, end: i + 2 } };
    if (c === 60 && source.charCodeAt(i + 1) === 62) return fail(source, 'unknown-operator', i, i + 2, 'unknown operator `<>`', 'did you mean `!=`?');
    const one = c === 33 ? undefined : SYMBOLS.get(source.charAt(i));
    if (one) return { def: one, span: { start: i, end: i + 1 } };
  }
  if (!isIdentStart(source, i)) {
    const found = describeAt(source, i);
    const code = i >= source.length ? 'unexpected-end' : 'unexpected-token';
    return fail(source, code, i, found.end, `expected an operator after ${quote(source, subject.span!)}, found ${found.text}`, example(source, subject));
  }
  let node = WORDS;
  let best: OperatorMatch | undefined;
  let j = i;
  let lastEnd = i;
  for (;;) {
    const { word, end } = readWord(source, j);
    const next = word ? node.next.get(word) : undefined;
    if (!next) break;
    node = next;
    lastEnd = end;
    if (node.op) best = { def: node.op, span: { start: i, end } };
    j = skipSpace(source, end);
  }
  if (best) return best;
  return unknownOperator(source, i, node === WORDS ? readWord(source, i).end : lastEnd, node, subject);
}

function unknownOperator(source: string, start: number, end: number, node: WordNode, subject: Subject): never {
  const word = source.slice(start, end).replace(/\s+/g, ' ');
  const lower = word.toLowerCase();
  if (lower === 'and' || lower === 'or') {
    return fail(source, 'unexpected-token', start, end, `expected an operator after ${quote(source, subject.span!)}, found \`${word}\``, example(source, subject));
  }
  if (node !== WORDS) {
    const completions = [...completionsOf(node, lower)].map((s) => `\`${s}\``);
    const hint = `did you mean ${completions.length > 1 ? `${completions.slice(0, -1).join(', ')} or ${completions.at(-1)}` : completions[0]}?`;
    return fail(source, 'unknown-operator', start, end, `\`${word}\` is not a complete operator`, hint);
  }
  const next = readWord(source, skipSpace(source, end));
  const common = Object.prototype.hasOwnProperty.call(COMMON_WORDS, lower) ? `did you mean \`${COMMON_WORDS[lower]}\`?` : undefined;
  const hint =
    common ??
    (next.word ? didYouMean(`${lower} ${next.word}`, ALL_SPELLINGS) : undefined) ??
    didYouMean(lower, ALL_SPELLINGS) ??
    'operators are =, !=, >, >=, <, <=, in, not in, between, contains, starts with, ends with, contains any/all/none, is known, is empty, within last, older than, before, after';
  return fail(source, 'unknown-operator', start, end, `unknown operator \`${word}\``, hint);
}

/** Operator words from other query languages, mapped to ours for hints. */
const COMMON_WORDS: Record<string, string> = {
  equals: '=', equal: '=', eq: '=', ne: '!=', neq: '!=', gt: '>', gte: '>=', ge: '>=', lt: '<', lte: '<=', le: '<=',
  like: 'contains', has: 'contains', includes: 'contains', startswith: 'starts with', endswith: 'ends with',
  exists: 'is known', missing: 'is unknown', since: 'after', until: 'before', within_last: 'within last', older: 'older than',
};

function* completionsOf(node: WordNode, prefix: string): Generator<string> {
  for (const [word, next] of node.next) {
    if (next.op) yield `${prefix} ${word}`;
    else yield* completionsOf(next, `${prefix} ${word}`);
  }
}

/** The operand of `op` starting at `i` (right after the operator words), or null for `is known` etc. */
export function readOperand(source: string, i: number, op: OperatorMatch): Operand | null {
  switch (op.def.operand) {
    case 'none':
      return null;
    case 'value':
      return readValue(source, skipSpace(source, i), op.span, op.def.id).value;
    case 'list':
      return readList(source, skipSpace(source, i), op.span).value;
    case 'range':
      return readRange(source, skipSpace(source, i), op.span);
    case 'duration':
      return readDuration(source, skipSpace(source, i), op.span);
  }
}

const LIST_INSTEAD: Partial<Record<OperatorId, string>> = {
  eq: 'to match any of several values use `in ["a", "b"]`',
  neq: 'to exclude several values use `not in ["a", "b"]`',
  contains: 'to match any of several values use `contains any ["a", "b"]`',
  not_contains: 'to exclude several values use `contains none ["a", "b"]`',
};

/** One scalar value: string, number, boolean, `now`, `today`, a duration, `<duration> ago`. */
export function readValue(source: string, i: number, after: Span, op?: OperatorId): Scanned<Literal> {
  const c = source.charCodeAt(i);
  if (c === 34 || c === 39) {
    const s = readString(source, i);
    return { value: { type: 'string', value: s.value, span: { start: i, end: s.end } }, end: s.end };
  }
  if ((c >= 48 && c <= 57) || (c === 45 && isDigit(source.charCodeAt(i + 1)))) return readNumberOrDuration(source, i, false);
  if (isIdentStart(source, i)) {
    const { word, end } = readWord(source, i);
    const span = { start: i, end };
    if (word === 'true' || word === 'false') return { value: { type: 'boolean', value: word === 'true', span }, end };
    if (word === 'now') return { value: { type: 'now', span }, end };
    if (word === 'today') return { value: { type: 'today', span }, end };
    if (word === 'null') return fail(source, 'unexpected-token', i, end, '`null` is not a value', 'use `is unknown` or `is known`');
    const text = source.slice(i, end);
    return fail(source, 'unexpected-token', i, end, `expected a value after ${quote(source, after)}, found \`${text}\``, `text values are quoted: "${text}"`);
  }
  if (c === 91) {
    const hint = op ? LIST_INSTEAD[op] : undefined;
    return fail(source, 'unexpected-token', i, i + 1, `${quote(source, after)} takes a single value, not a list`, hint);
  }
  const found = describeAt(source, i);
  const code = i >= source.length ? 'unexpected-end' : 'unexpected-token';
  return fail(source, code, i, found.end, `expected a value after ${quote(source, after)}, found ${found.text}`, 'e.g. "text", 42, true, now, 30 days ago');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const UNITS_HINT = 'units are minutes (min), hours (h), days (d), weeks (w), months (mo) and years (y)';

/** `12`, `30 days`, `30d`, `30 days ago`; `inDuration`: a word after the number must be a unit, and no `ago`. */
function readNumberOrDuration(source: string, i: number, inDuration: boolean): Scanned<Literal> {
  const n = readNumber(source, i) as Scanned<number>;
  let unitStart = n.end;
  if (!isIdentStart(source, unitStart)) {
    unitStart = skipSpace(source, n.end);
    if (!isIdentStart(source, unitStart) || (!inDuration && !unitBySpelling(readWord(source, unitStart).word))) {
      return { value: { type: 'number', value: n.value, span: { start: i, end: n.end } }, end: n.end };
    }
  }
  const unitWord = readWord(source, unitStart);
  const unit = unitBySpelling(unitWord.word);
  if (!unit && (unitWord.word === 'and' || unitWord.word === 'or')) {
    return { value: { type: 'number', value: n.value, span: { start: i, end: n.end } }, end: n.end };
  }
  if (!unit) {
    const text = source.slice(unitStart, unitWord.end);
    return fail(source, 'invalid-duration', i, unitWord.end, `unknown duration unit \`${text}\``, didYouMean(text, UNIT_SPELLINGS) ?? UNITS_HINT);
  }
  if (n.value < 0) return fail(source, 'invalid-duration', i, unitWord.end, 'a duration cannot be negative', 'write `30 days ago` for a date in the past');
  const duration: DurationLiteral = { type: 'duration', amount: n.value, unit, span: { start: i, end: unitWord.end } };
  const agoAt = skipSpace(source, unitWord.end);
  const ago = readWord(source, agoAt);
  if (ago.word !== 'ago') return { value: duration, end: duration.span!.end };
  if (inDuration) {
    return fail(source, 'invalid-duration', agoAt, ago.end, 'expected a duration, not a date', `remove \`ago\`: \`${source.slice(i, unitWord.end)}\``);
  }
  return { value: { type: 'ago', duration, span: { start: i, end: ago.end } }, end: ago.end };
}

/** `30 days` after `within last` / `older than` / `.within(`. */
export function readDuration(source: string, i: number, after: Span): DurationLiteral {
  const c = source.charCodeAt(i);
  if (!isDigit(c) && !(c === 45 && isDigit(source.charCodeAt(i + 1)))) {
    const found = describeAt(source, i);
    const code = i >= source.length ? 'unexpected-end' : 'invalid-duration';
    const example = `e.g. ${quote(source, after).slice(0, -1)} 30 days\``;
    return fail(source, code, i, found.end, `expected a duration after ${quote(source, after)}, found ${found.text}`, example);
  }
  const r = readNumberOrDuration(source, i, true).value;
  if (r.type !== 'duration') {
    return fail(source, 'invalid-duration', r.span!.start, r.span!.end, `\`${source.slice(r.span!.start, r.span!.end)}\` needs a unit`, UNITS_HINT);
  }
  return r;
}

/** `["a", "b"]`: scalar literals only. */
export function readList(source: string, i: number, after: Span): Scanned<ListLiteral> {
  const hint = () => `${quote(source, after)} takes a list: \`["a", "b"]\``;
  if (source.charCodeAt(i) !== 91) {
    const found = describeAt(source, i);
    return fail(source, i >= source.length ? 'unexpected-end' : 'invalid-list', i, found.end, `expected a list after ${quote(source, after)}, found ${found.text}`, hint());
  }
  const items: Literal[] = [];
  let j = skipSpace(source, i + 1);
  if (source.charCodeAt(j) === 93) return { value: { type: 'list', items, span: { start: i, end: j + 1 } }, end: j + 1 };
  for (;;) {
    const c = source.charCodeAt(j);
    if (j >= source.length) return fail(source, 'invalid-list', i, i + 1, 'this list is never closed', 'close it with `]`');
    if (c === 91) return fail(source, 'invalid-list', j, j + 1, 'lists cannot be nested', hint());
    if (c !== 34 && c !== 39 && !isDigit(c) && c !== 45 && !isIdentStart(source, j)) {
      const found = describeAt(source, j);
      return fail(source, 'invalid-list', j, found.end, `expected a value in the list, found ${found.text}`, 'a list holds strings, numbers or true/false');
    }
    const word = readWord(source, j);
    if (word.word !== '' && word.word !== 'true' && word.word !== 'false') {
      return fail(source, 'invalid-list', j, word.end, `a list holds plain values, not \`${source.slice(j, word.end)}\``, 'quote text values: `["a", "b"]`');
    }
    const item = readValue(source, j, after).value;
    if (item.type !== 'string' && item.type !== 'number' && item.type !== 'boolean') {
      return fail(source, 'invalid-list', item.span!.start, item.span!.end, 'a list holds strings, numbers or true/false', hint());
    }
    items.push(item);
    j = skipSpace(source, item.span!.end);
    const d = source.charCodeAt(j);
    if (d === 93) return { value: { type: 'list', items, span: { start: i, end: j + 1 } }, end: j + 1 };
    if (d !== 44) {
      if (j >= source.length) return fail(source, 'invalid-list', i, i + 1, 'this list is never closed', 'close it with `]`');
      const found = describeAt(source, j);
      return fail(source, 'invalid-list', j, found.end, `expected \`,\` or \`]\` in the list, found ${found.text}`, 'separate the items with commas');
    }
    j = skipSpace(source, j + 1);
    if (source.charCodeAt(j) === 93) return fail(source, 'invalid-list', j - 1, j + 1, 'a list cannot end with a comma', 'remove the last comma');
  }
}

/** `<low> and <high>` after `between`. */
export function readRange(source: string, i: number, after: Span): RangeOperand {
  const low = readValue(source, i, after).value;
  const k = skipSpace(source, low.span!.end);
  const and = readWord(source, k);
  if (and.word !== 'and') {
    const found = describeAt(source, k);
    const code = k >= source.length ? 'unexpected-end' : 'unexpected-token';
    return fail(source, code, k, found.end, `expected \`and\` and an upper bound, found ${found.text}`, 'a range has two bounds: `between 1 and 10`');
  }
  const high = readValue(source, skipSpace(source, and.end), { start: k, end: and.end }).value;
  return { type: 'range', low, high, span: { start: low.span!.start, end: high.span!.end } };
}
