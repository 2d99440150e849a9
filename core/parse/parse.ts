/**
 * parse: source text → AST (`ast.ts`).
 *
 * jsep (see `jsep.ts`) handles `and`/`or` and their precedence; this file reads everything jsep sees
 * as one token: `not X`, `( … )`, `in_segment("…")`, and conditions `subject operator operand`
 * where the subject is a field path or an event aggregate. Spans are offsets of what was read.
 * Every problem is a `SegmentError` carrying the source; nesting deeper than `MAX_DEPTH` is refused
 * before it can reach the call stack.
 */
import type { Expr, FieldRef, PredicateExpr, Span, Subject } from '../ast';
import { SegmentError, didYouMean } from '../errors';
import { createCursor, type Cursor, type ReadToken, type Token } from './jsep';
import { RESERVED_WORDS, describeAt, fail, isIdentPart, isIdentStart, readBackquoted, readString, readWord, scanIdentifier, skipSpace } from './lexer';
import { quote, readOperand, readOperator, startsOperator } from './operands';
import { readEventChain } from './event';
import { recover, type ParseResult } from './recover';

/** Deepest nesting of parentheses, `not` and `.where(…)` accepted. */
export const MAX_DEPTH = 200;
/** Longest source accepted, in UTF-16 code units. */
export const MAX_LENGTH = 1_000_000;

export interface ParseOptions {
  /**
   * Recover from syntax errors: return a partial tree and every syntax error instead of throwing
   * the first one (see `recover.ts`).
   */
  recover: true;
}

/**
 * Source text → tree. Throws a `SegmentError` at the first syntax error; with `{ recover: true }`
 * never throws on any input and returns `{ expr, diagnostics }`: the tree (partial when the text has
 * errors: each stretch that does not parse becomes a `raw` node with its text and span, a missing
 * condition next to `and`/`or` the empty draft `?`) and every syntax error, each with its `span` and
 * the `path` of its node. On valid text `expr` is the strict parser's tree and `diagnostics` is empty.
 *
 *   parse('country = "OM" and age >', { recover: true })
 *   // expr: and(country = "OM", raw "age >"), diagnostics: [unexpected-end at 24, path ["items", 1]]
 */
export function parse(source: string): Expr;
export function parse(source: string, options: ParseOptions): ParseResult;
export function parse(source: string, options?: ParseOptions): Expr | ParseResult {
  return options?.recover ? recover(source, strictParse, MAX_DEPTH) : strictParse(source);
}

function strictParse(source: string): Expr {
  if (source.length > MAX_LENGTH) {
    fail(source.slice(0, 200), 'too-long', 0, 0, `the expression is ${source.length} characters long; the limit is ${MAX_LENGTH}`);
  }
  try {
    return new Parser(source).parseAll();
  } catch (e) {
    if (e instanceof SegmentError) throw e;
    if (e instanceof RangeError) {
      return fail(source, 'too-deep', 0, 0, 'the expression is nested too deeply', `nest at most ${MAX_DEPTH} levels`);
    }
    // jsep's own errors carry the offset; our hooks should never let one through (kept as a guard).
    const at = typeof (e as { index?: unknown }).index === 'number' ? (e as { index: number }).index : 0;
    return fail(source, 'unexpected-token', at, describeAt(source, at).end, `unexpected ${describeAt(source, at).text}`);
  }
}

const MAX_RESERVED_LENGTH = Math.max(...[...RESERVED_WORDS].map((w) => w.length));
const CONDITION_EXAMPLE = 'a condition looks like `country = "OM"`';

export class Parser {
  readonly source: string;
  readonly cursor: Cursor;
  private depth = 0;

  /** (`makeCursor`: the and/or reader; tests pass another to compare) */
  constructor(source: string, makeCursor: (source: string, readToken: ReadToken) => Cursor = createCursor) {
    this.source = source;
    this.cursor = makeCursor(source, () => this.token());
  }

  parseAll(): Expr {
    const start = skipSpace(this.source, 0);
    if (start >= this.source.length) {
      fail(this.source, 'empty-expression', 0, 0, 'the expression is empty', 'write a condition such as `country = "OM"`');
    }
    const token = this.expression(start);
    const end = skipSpace(this.source, this.cursor.index);
    if (end < this.source.length) this.leftover(end, undefined);
    return token.expr;
  }

  /** An and/or expression at `i`. */
  expression(i: number): Token {
    this.cursor.index = i;
    return this.cursor.expression();
  }

  /** Parses the expression inside `(` … `)` whose `(` is at `open`; returns the offset after `)`. */
  enclosed(open: number, what: string): { token: Token; end: number } {
    this.enter(open);
    const start = skipSpace(this.source, open + 1);
    if (this.source.charCodeAt(start) === 41) {
      fail(this.source, 'missing-operand', open, start + 1, `${what} is empty`, 'put a condition inside, e.g. `(country = "OM")`');
    }
    const token = this.expression(start);
    const close = skipSpace(this.source, this.cursor.index);
    if (this.source.charCodeAt(close) !== 41) this.leftover(close, { start: open, end: open + 1 });
    this.depth--;
    return { token, end: close + 1 };
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) {
      fail(this.source, 'too-deep', at, at + 1, `the expression is nested more than ${MAX_DEPTH} levels deep`, 'simplify the expression');
    }
  }

  /** One token at `cursor.index`: what jsep's `gobble-token` hook asks for. */
  private token(): Token {
    const { source } = this;
    const i = skipSpace(source, this.cursor.index);
    const c = source.charCodeAt(i);
    let token: Token;
    if (c === 40) {
      token = this.group(i);
    } else if (c === 63) {
      token = this.predicate(null, i + 1);
    } else if (c === 33 && source.charCodeAt(i + 1) !== 61) {
      token = this.not(i, i + 1);
    } else if (c === 96) {
      const subject = this.field(i);
      token = this.predicate(subject, (subject.span as Span).end);
    } else if (isIdentStart(source, i)) {
      const end = scanIdentifier(source, i);
      // Only words as long as `or`, `and`/`not`, `event` or `in_segment` can be keywords here.
      const length = end - i;
      const word = length === 2 || length === 3 || length === 5 || length === 10 ? source.slice(i, end).toLowerCase() : '';
      const call = word !== '' && source.charCodeAt(skipSpace(source, end)) === 40;
      if (word === 'not') token = this.not(i, end);
      else if (word === 'and' || word === 'or') {
        return fail(source, 'missing-operand', i, end, `\`${source.slice(i, end)}\` needs a condition before it`, CONDITION_EXAMPLE);
      } else if (word === 'event' && call) {
        const subject = readEventChain(this, i, skipSpace(source, end));
        token = this.predicate(subject, (subject.span as Span).end);
      } else if (word === 'in_segment' && call) token = this.segment(i, skipSpace(source, end));
      else {
        const subject = this.field(i);
        token = this.predicate(subject, (subject.span as Span).end);
      }
    } else {
      return this.noCondition(i, this.cursor.index);
    }
    this.cursor.index = this.checkAfter(token.end);
    return token;
  }

  /**
   * `( … )`: a group node for the parentheses the user wrote (`((x))` is one group), or `()`, the
   * empty group.
   */
  private group(open: number): Token {
    const { source } = this;
    const inside = skipSpace(source, open + 1);
    if (source.charCodeAt(inside) === 41) {
      const end = inside + 1;
      return { expr: { type: 'and', items: [], span: { start: open, end } }, start: open, end };
    }
    const { token, end } = this.enclosed(open, 'the parentheses');
    let inner = token.expr;
    if (inner.type === 'group') inner = inner.expr;
    if ((inner.type === 'and' || inner.type === 'or') && inner.items.length === 0) return { expr: inner, start: open, end };
    return { expr: { type: 'group', expr: inner, span: { start: open, end } }, start: open, end };
  }

  private not(start: number, after: number): Token {
    this.enter(start);
    this.cursor.index = after;
    const operand = this.token();
    this.depth--;
    return { expr: { type: 'not', operand: operand.expr, span: { start, end: operand.end } }, start, end: operand.end };
  }

  private segment(start: number, open: number): Token {
    const { source } = this;
    const at = skipSpace(source, open + 1);
    const c = source.charCodeAt(at);
    if (c !== 34 && c !== 39) {
      const found = describeAt(source, at);
      fail(source, 'unexpected-token', at, found.end, `in_segment() takes the segment name in quotes, found ${found.text}`, 'e.g. `in_segment("VIP customers")`');
    }
    const name = readString(source, at);
    const close = skipSpace(source, name.end);
    if (source.charCodeAt(close) !== 41) {
      const found = describeAt(source, close);
      fail(source, close >= source.length ? 'unexpected-end' : 'unexpected-token', close, found.end, `expected \`)\` after the segment name, found ${found.text}`);
    }
    const end = close + 1;
    return { expr: { type: 'segment', name: name.value, span: { start, end } }, start, end };
  }

  /** A field path: identifiers or back-quoted names joined by dots. */
  private field(start: number): FieldRef {
    const { source } = this;
    const path: string[] = [];
    let j = start;
    for (;;) {
      if (source.charCodeAt(j) === 96) {
        const name = readBackquoted(source, j);
        path.push(name.value);
        j = name.end;
      } else {
        const end = scanIdentifier(source, j);
        const name = source.slice(j, end);
        if (path.length === 0 && name.length <= MAX_RESERVED_LENGTH && RESERVED_WORDS.has(name.toLowerCase())) {
          fail(source, 'invalid-field', j, end, `\`${name}\` is a keyword, not a field name`, `for a field with this name, write it in back-quotes: \`${name}\``);
        }
        path.push(name);
        j = end;
      }
      if (source.charCodeAt(j) !== 46) break;
      if (source.charCodeAt(j + 1) !== 96 && !isIdentStart(source, j + 1)) {
        fail(source, 'invalid-field', j, j + 1, 'expected a name after `.`', 'write a path as `attributes.plan` or attributes.`loyalty tier`');
      }
      j++;
    }
    if (source.charCodeAt(skipSpace(source, j)) === 40 && path.length === 1) {
      const name = path[0];
      fail(source, 'unexpected-token', start, j, `unknown function \`${name}\``, didYouMean(name, ['event', 'in_segment']) ?? 'the functions are `event("…")` and `in_segment("…")`');
    }
    return { type: 'field', path, span: { start, end: j } };
  }

  /**
   * `subject operator operand` once the subject is read (`subjectEnd` is where it ends). A `?` in
   * place of the subject (null), the operator or the operand makes a draft.
   */
  predicate(subject: Subject | null, subjectEnd: number): Token {
    const { source } = this;
    const start = subject === null ? subjectEnd - 1 : (subject.span as Span).start;
    const at = skipSpace(source, subjectEnd);
    if (source.charCodeAt(at) === 63 || (subject === null && !startsOperator(source, at))) {
      // `?` or `country ?`: no operator yet (a second `?` stands for it when the subject is one).
      const end = source.charCodeAt(at) === 63 ? at + 1 : subjectEnd;
      return { expr: { type: 'draft', subject, op: null, operand: null, span: { start, end } }, start, end };
    }
    const op = readOperator(source, at, subject ?? { type: 'field', path: ['?'], span: { start, end: subjectEnd } });
    const operandAt = skipSpace(source, op.span.end);
    if (op.def.operand !== 'none' && source.charCodeAt(operandAt) === 63) {
      const end = operandAt + 1;
      return { expr: { type: 'draft', subject, op: op.def.id, operand: null, opSpan: op.span, span: { start, end } }, start, end };
    }
    const operand = readOperand(source, op.span.end, op);
    const end = operand ? (operand.span as Span).end : op.span.end;
    if (subject === null) return { expr: { type: 'draft', subject, op: op.def.id, operand, opSpan: op.span, span: { start, end } }, start, end };
    const expr: PredicateExpr = { type: 'predicate', subject, op: op.def.id, operand, opSpan: op.span, span: { start, end } };
    return { expr, start, end };
  }

  /**
   * After a token only `and`/`or`, `)` or the end may follow (or a token: reported as side by side).
   * Returns the offset after whitespace and comments, where jsep looks for `and`/`or`.
   */
  private checkAfter(end: number): number {
    const { source } = this;
    const k = skipSpace(source, end);
    const c = source.charCodeAt(k);
    if (k >= source.length || c === 41 || c === 40 || c === 96 || c === 63 || isIdentStart(source, k)) return k;
    if ((c === 38 || c === 124) && source.charCodeAt(k + 1) === c) return k;
    if (c === 33 && source.charCodeAt(k + 1) !== 61) return k;
    const found = describeAt(source, k);
    return fail(source, 'unexpected-token', k, found.end, `unexpected ${found.text}`, 'join conditions with `and` or `or`');
  }

  /** No token starts at `i` although one is required; `from` is where the search began (before comments). */
  private noCondition(i: number, from: number): never {
    const { source } = this;
    const found = describeAt(source, i);
    const before = operatorBefore(source, from);
    if (before) {
      fail(source, 'missing-operand', before.start, before.end, `${quote(source, before)} needs a condition after it, found ${found.text}`, CONDITION_EXAMPLE);
    }
    const code = i >= source.length ? 'unexpected-end' : 'unexpected-token';
    return fail(source, code, i, found.end, `expected a condition, found ${found.text}`, CONDITION_EXAMPLE);
  }

  /**
   * Something is left after a complete expression at `i`: inside `(` … `)` (with `open` the
   * parenthesis) or at the top level.
   */
  leftover(i: number, open: Span | undefined): never {
    const { source } = this;
    const c = source.charCodeAt(i);
    if (i >= source.length && open) {
      fail(source, 'unbalanced-parenthesis', open.start, open.end, 'this `(` is never closed', 'add a `)`');
    }
    if (c === 41) fail(source, 'unbalanced-parenthesis', i, i + 1, 'this `)` has no matching `(`', 'remove it or add a `(` before');
    const { word, end } = readWord(source, i);
    if (word === 'and' || word === 'or' || ((c === 38 || c === 124) && source.charCodeAt(i + 1) === c)) {
      const opEnd = word ? end : i + 2;
      const found = describeAt(source, skipSpace(source, opEnd));
      fail(source, 'missing-operand', i, opEnd, `${quote(source, { start: i, end: opEnd })} needs a condition after it, found ${found.text}`, CONDITION_EXAMPLE);
    }
    if (c === 40 || c === 96 || c === 33 || c === 63 || isIdentStart(source, i)) {
      let span: Span = { start: i, end: describeAt(source, i).end };
      try {
        const depth = this.depth;
        this.cursor.index = i;
        const second = this.token();
        this.depth = depth;
        span = { start: second.start, end: second.end };
      } catch {
        // Not a whole condition: point at its first word.
      }
      fail(source, 'missing-operator', span.start, span.end, 'two conditions side by side', 'join them with `and` or `or`');
    }
    const found = describeAt(source, i);
    return fail(source, 'unexpected-token', i, found.end, `unexpected ${found.text}`, open ? 'expected `)`' : undefined);
  }
}

/** `and`, `or`, `&&`, `||`, `not` or `!` right before `i` (whitespace between), for messages. */
function operatorBefore(source: string, i: number): Span | undefined {
  let end = i;
  while (end > 0 && /\s/.test(source.charAt(end - 1))) end--;
  const two = source.slice(end - 2, end);
  if (two === '&&' || two === '||') return { start: end - 2, end };
  if (source.charAt(end - 1) === '!') return { start: end - 1, end };
  for (const w of ['and', 'or', 'not']) {
    const start = end - w.length;
    if (start >= 0 && source.slice(start, end).toLowerCase() === w && (start === 0 || !isIdentPart(source, start - 1))) return { start, end };
  }
  return undefined;
}
