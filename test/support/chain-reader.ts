/**
 * The oracle for core/parse/jsep.ts: a hand-written and/or reader (the parser used it for a while
 * instead of jsep); test/core/parse/jsep.test.ts parses random texts with both.
 *
 * The boolean structure: conditions joined by `and`/`or` (and the synonyms `&&`/`||`), `and` binding
 * tighter, each chain of one operator read into one n-ary node. Everything between the operators is
 * one "token" read by the parser's own scanner (`core/parse/parse.ts`: conditions, `not`, parenthesised groups,
 * events), which also skips `//` comments around each token.
 *
 * The loop is iterative along a chain (a 10,000-term chain costs no stack); only parentheses nest,
 * and the parser bounds their depth. It reads what jsep's operator-precedence loop reads
 * (test/core/parse/jsep.test.ts compares the two over random texts):
 * an operator word must be followed by something that is not a letter, digit, `$`, `_` or non-ASCII
 * character, and one at the very end of the text is left for the parser to report.
 */
import type { AndExpr, OrExpr } from '../../core/ast';
import type { Cursor, ReadToken, Token } from '../../core/parse/jsep';

export type { Cursor, ReadToken, Token };

export function createCursor(source: string, readToken: ReadToken): Cursor {
  const cursor: Cursor = {
    source,
    index: 0,
    expression() {
      const ors: Token[] = [];
      let ands = [readToken(cursor)];
      for (;;) {
        const i = skipBlank(source, cursor.index);
        cursor.index = i;
        const length = operatorAt(source, i);
        if (length === 0) break;
        cursor.index = i + length;
        const right = readToken(cursor);
        if (length === 3 || source.charCodeAt(i) === 38) ands.push(right);
        else {
          ors.push(chain('and', ands));
          ands = [right];
        }
      }
      const last = chain('and', ands);
      if (ors.length === 0) return last;
      ors.push(last);
      return chain('or', ors);
    },
  };
  return cursor;
}

/** Spaces, tabs and line breaks (comments are the token reader's). */
function skipBlank(source: string, i: number): number {
  for (let c = source.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = source.charCodeAt(++i));
  return i;
}

/** The length of `and` (any case), `&&`, `or` (any case) or `||` at `i`; 0 when none is there. */
function operatorAt(source: string, i: number): number {
  const c = source.charCodeAt(i);
  if ((c === 38 || c === 124) && source.charCodeAt(i + 1) === c) return 2;
  const word = (source.charCodeAt(i) | 32) === 97 && (source.charCodeAt(i + 1) | 32) === 110 && (source.charCodeAt(i + 2) | 32) === 100 ? 3 : (c | 32) === 111 && (source.charCodeAt(i + 1) | 32) === 114 ? 2 : 0;
  // A word operator needs a following character that cannot continue a word.
  return word !== 0 && i + word < source.length && !wordPart(source.charCodeAt(i + word)) ? word : 0;
}

function wordPart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 36 || c === 95 || c >= 128;
}

function chain(type: 'and' | 'or', tokens: Token[]): Token {
  if (tokens.length === 1) return tokens[0];
  const start = tokens[0].start;
  const end = tokens[tokens.length - 1].end;
  // A token is a condition, a group or `()`: never flattened into the chain.
  const expr: AndExpr | OrExpr = { type, items: tokens.map((t) => t.expr), span: { start, end } };
  return { expr, start, end };
}
