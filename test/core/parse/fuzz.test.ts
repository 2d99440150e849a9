import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../core/ast';
import { SegmentError } from '../../../core/errors';
import { parse } from '../../../core/parse/parse';
import { print } from '../../../core/print';
import { stripSpans } from '../../../core/ast';
import { expr, styledSource, tokenSoup } from './arbitraries';

/**
 * Parses and checks the outcome: a tree whose spans lie in the source, or a SegmentError with a sane
 * span. No clock here: a hang fails on the test timeout, and parse speed is measured by
 * `npm run bench:parse` (a ratio against a baseline of the same run), not by a unit test.
 */
function parseOrError(source: string): Expr | SegmentError {
  let outcome: Expr | SegmentError;
  try {
    outcome = parse(source);
  } catch (e) {
    if (!(e instanceof SegmentError)) throw new Error(`parse threw ${String(e)} for ${JSON.stringify(source)}`);
    outcome = e;
  }
  if (outcome instanceof SegmentError) {
    expect(outcome.span.start).toBeGreaterThanOrEqual(0);
    expect(outcome.span.end).toBeGreaterThanOrEqual(outcome.span.start);
    expect(outcome.span.end).toBeLessThanOrEqual(source.length);
    expect(outcome.message).toContain(`error[${outcome.code}]`);
  } else {
    JSON.stringify(outcome, (key, value: unknown) => {
      if (key === 'span' || key === 'opSpan') {
        const span = value as { start: number; end: number };
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeLessThanOrEqual(source.length);
        expect(span.start).toBeLessThanOrEqual(span.end);
      }
      return value;
    });
  }
  return outcome;
}

const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 60 });

describe('parser properties', () => {
  it('reads a tree written in any valid style (case, synonyms, comments, layout) back to that tree', () => {
    fc.assert(
      fc.property(styledSource, ({ tree, source }) => {
        expect(stripSpans(parse(source))).toEqual(stripSpans(tree));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('parser fuzz', () => {
  it('answers arbitrary UTF-16 text with a tree or a SegmentError', () => {
    fc.assert(fc.property(utf16, (source) => void parseOrError(source)), { numRuns: 3000 });
  });

  it('answers text assembled from language tokens with a tree or a SegmentError', () => {
    fc.assert(fc.property(tokenSoup, (source) => void parseOrError(source)), { numRuns: 5000 });
  });

  it('answers printed trees with one character deleted, inserted or swapped', () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'replace'), ch: fc.constantFrom('(', ')', '"', '`', '\\', '.', ' ', 'and ', '[', ',', 'x', '1', '/') });
    fc.assert(
      fc.property(expr, edit, (e, { at, kind, ch }) => {
        const text = print(e);
        const i = text.length === 0 ? 0 : at % text.length;
        const mutated = kind === 'delete' ? text.slice(0, i) + text.slice(i + 1) : kind === 'insert' ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + ch + text.slice(i + 1);
        parseOrError(mutated);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps spans inside the source for every node of a parsed tree', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const source = `  ${print(e, { width: 30 })}  // end`;
        const parsed = parseOrError(source);
        expect(parsed).not.toBeInstanceOf(SegmentError);
        const span = (parsed as Expr).span!;
        expect(source.slice(span.start, span.end).trim()).toBe(source.slice(span.start, span.end));
      }),
      { numRuns: 500 },
    );
  });
});
