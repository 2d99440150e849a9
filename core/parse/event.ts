/**
 * Event aggregates: `event("name")[.where(<expr>)][.within(<duration>)].<aggregate>`.
 *
 * `.where` and `.within` may each appear once, in either order; exactly one aggregate ends the
 * chain. Whitespace and line breaks are allowed around the dots, so long chains can be laid out
 * one method per line.
 */
import type { AggregateFn, DurationLiteral, EventAggregate, Expr, StringLiteral } from '../ast';
import { didYouMean } from '../errors';
import { AGGREGATES, isAggregate } from '../aggregates';
import { describeAt, fail, readString, readWord, skipSpace } from './lexer';
import { readDuration } from './operands';

/**
 * What the chain needs of the parser: the source, and the expression inside `.where( … )` (whose
 * `(` is at `open`), with the offset after its `)`. The parser passes itself; this file does not
 * import it, so the parser can import this one.
 */
export interface ExpressionReader {
  readonly source: string;
  enclosed(open: number, what: string): { token: { expr: Expr }; end: number };
}

const METHODS = ['where', 'within', ...Object.keys(AGGREGATES)];
const METHODS_HINT = 'the methods are .where(…), .within(…), .count(), .sum("p"), .min("p"), .max("p"), .avg("p"), .first_at() and .last_at()';

/** Reads the chain whose `event` word starts at `start` and whose `(` is at `open`. */
export function readEventChain(parser: ExpressionReader, start: number, open: number): EventAggregate {
  const { source } = parser;
  const event = quotedArgument(source, open, 'event', 'the event name', 'purchase');
  let j = closeParen(source, skipSpace(source, event.span!.end), 'the event name');
  let where: Expr | null = null;
  let within: DurationLiteral | null = null;
  let fn: AggregateFn | null = null;
  let property: StringLiteral | null = null;
  for (;;) {
    const dot = skipSpace(source, j);
    if (source.charCodeAt(dot) !== 46) break;
    const nameAt = skipSpace(source, dot + 1);
    const { word, end } = readWord(source, nameAt);
    const name = source.slice(nameAt, end);
    const method = { start: nameAt, end: Math.max(end, nameAt + 1) };
    if (!METHODS.includes(word)) {
      const hint = word ? (didYouMean(word, METHODS, (m) => `\`${m}()\``) ?? METHODS_HINT) : METHODS_HINT;
      fail(source, 'invalid-event', method.start, method.end, word ? `unknown event method \`${name}\`` : 'expected a method name after `.`', hint);
    }
    const paren = skipSpace(source, end);
    if (source.charCodeAt(paren) !== 40) fail(source, 'invalid-event', method.start, method.end, `\`.${name}\` needs parentheses: \`.${word}(…)\``);
    if (fn !== null) {
      fail(source, 'invalid-event', method.start, method.end, `\`.${name}()\` comes after the aggregate \`.${fn}()\``, 'the aggregate must come last');
    }
    if (word === 'where') {
      if (where !== null) fail(source, 'invalid-event', method.start, method.end, '`.where()` may appear only once', 'combine the conditions with `and`');
      const inner = parser.enclosed(paren, '`.where()`');
      where = inner.token.expr;
      j = inner.end;
    } else if (word === 'within') {
      if (within !== null) fail(source, 'invalid-event', method.start, method.end, '`.within()` may appear only once');
      within = readDuration(source, skipSpace(source, paren + 1), method);
      j = closeParen(source, skipSpace(source, within.span!.end), 'the duration');
    } else if (isAggregate(word) && AGGREGATES[word].property === 'none') {
      fn = word;
      const close = skipSpace(source, paren + 1);
      if (source.charCodeAt(close) !== 41) fail(source, 'invalid-event', method.start, method.end, `\`${word}()\` takes no arguments`, `write \`.${word}()\``);
      j = close + 1;
    } else if (isAggregate(word)) {
      fn = word;
      property = quotedArgument(source, paren, word, 'the property name', 'amount');
      j = closeParen(source, skipSpace(source, property.span!.end), 'the property name');
    }
  }
  if (fn === null) {
    fail(source, 'invalid-event', start, j, `\`${source.slice(start, j).slice(0, 40)}\` needs an aggregate`, 'end the chain with .count(), .sum("p"), .min("p"), .max("p"), .avg("p"), .first_at() or .last_at(), e.g. `event("purchase").count() > 0`');
  }
  return { type: 'aggregate', event, where, within, fn, property, span: { start, end: j } };
}

function quotedArgument(source: string, open: number, method: string, what: string, example: string): StringLiteral {
  const at = skipSpace(source, open + 1);
  const c = source.charCodeAt(at);
  if (c !== 34 && c !== 39) {
    const found = describeAt(source, at);
    fail(source, 'invalid-event', at, found.end, `\`${method}()\` takes ${what} in quotes, found ${found.text}`, `e.g. \`${method}("${example}")\``);
  }
  const s = readString(source, at);
  return { type: 'string', value: s.value, span: { start: at, end: s.end } };
}

function closeParen(source: string, at: number, what: string): number {
  if (source.charCodeAt(at) === 41) return at + 1;
  const found = describeAt(source, at);
  return fail(source, at >= source.length ? 'unexpected-end' : 'invalid-event', at, found.end, `expected \`)\` after ${what}, found ${found.text}`);
}
