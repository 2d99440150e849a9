/**
 * The jsep adapter (core/parse/jsep.ts): jsep reads `and`/`or` and their precedence, the parser's
 * scanner every token between them. Compared over random texts with a hand-written and/or reader
 * (test/support/chain-reader.ts), and checked to leave jsep as it was for its other users.
 */
import fc from 'fast-check';
import jsep from 'jsep';
import { describe, expect, it } from 'vitest';
import { createCursor } from '../../../core/parse/jsep';
import { Parser, parse } from '../../../core/parse/parse';
import { SegmentError } from '../../../core/errors';
import { createCursor as chainCursor } from '../../support/chain-reader';

describe('the jsep adapter', () => {
  it('flattens jsep’s binary tree into n-ary and/or items with outer extents, `and` binding tighter', () => {
    const source = 'A and B && C or D';
    let next = 0;
    const cursor = createCursor(source, (c) => {
      const start = source.indexOf(['A', 'B', 'C', 'D'][next++], c.index);
      c.index = start + 1;
      while (source[c.index] === ' ') c.index++;
      return { expr: { type: 'segment', name: source[start], span: { start, end: start + 1 } }, start, end: start + 1 };
    });
    const token = cursor.expression();
    expect(token.start).toBe(0);
    expect(token.end).toBe(source.length);
    expect(JSON.stringify(token.expr, ['type', 'items', 'name'])).toBe(
      JSON.stringify({ type: 'or', items: [{ type: 'and', items: [{ type: 'segment', name: 'A' }, { type: 'segment', name: 'B' }, { type: 'segment', name: 'C' }] }, { type: 'segment', name: 'D' }] }),
    );
  });

  it('reads a 20,000-term chain without deep recursion', () => {
    const tree = new Parser(Array.from({ length: 20_000 }, (_, i) => `f${i} = ${i}`).join(' and ')).parseAll();
    expect(tree.type === 'and' && tree.items.length).toBe(20_000);
  });

  it('leaves jsep working as before for other users in the same process', () => {
    parse('a = 1 and b = 2');
    expect(jsep('1 + 2 * x')).toEqual({
      type: 'BinaryExpression',
      operator: '+',
      left: { type: 'Literal', value: 1, raw: '1' },
      right: { type: 'BinaryExpression', operator: '*', left: { type: 'Literal', value: 2, raw: '2' }, right: { type: 'Identifier', name: 'x' } },
    });
    expect(jsep('!a && f(b) ? c : d').type).toBe('ConditionalExpression');
    expect(jsep('"x" == y').type).toBe('BinaryExpression');
  });

  it('runs none of jsep’s other plugins: a draft `?` after a condition is a second condition, not a ternary', () => {
    expect(outcome('a = 1 and b = 2 ? c = 1')).toEqual({ error: { code: 'missing-operator', summary: 'two conditions side by side', hint: 'join them with `and` or `or`', span: { start: 16, end: 17 } } });
  });
});

/** The parser's result with one and/or reader: the tree, or the error's data. */
function outcome(source: string, makeCursor?: typeof createCursor): unknown {
  try {
    return { tree: new Parser(source, makeCursor).parseAll() };
  } catch (e) {
    if (!(e instanceof SegmentError)) throw e;
    return { error: { code: e.code, summary: e.summary, hint: e.hint, span: e.span } };
  }
}

describe('the same trees and errors as a hand-written and/or reader', () => {
  const condition = fc.constantFrom('a = 1', 'b > 2', 'not c = "x"', '!d = 1', 'tags contains "VIP"', '(e = 1 or f = 2)', '( g = 1 AND h = 2 )', '?', '()', 'x', '`odd name` = 1', 'in_segment("S")', 'event("buy").count() > 1', 'and', 'or', '', 'n between 1 and 2', 'andy = 1', 'order = 2', 'ORX = 1', 'ä = 1', '$v = 1', '_w = 1', '9 = 1');
  const joint = fc.constantFrom(' and ', ' AND ', ' aNd ', ' And ', '&&', ' && ', ' or ', ' OR ', ' oR ', '||', ' || ', 'and', 'or', ' and\n', '\tor\r\n', ' // note\n and ', ' and // note\n', '  ', ' ', ' & ', ' | ', ' ! ', ' not ', ' and(', ')', '(', ' andy ', ' or_ ', ' and$ ', ' andé ', ' and1 ', ' &&& ', ' ||| ', ' == ', ' + ', ' , ', ' ? ', '?', ' ?? ', '??', ' ?: ');
  const text = fc
    .tuple(condition, fc.array(fc.tuple(joint, condition), { maxLength: 6 }), fc.constantFrom('', ' ', ' and', ' or', ' &&', ' ||', 'and', ' AND ', ')', ' // end', ' ?', '?'))
    .map(([first, rest, tail]) => first + rest.map(([j, c]) => j + c).join('') + tail);

  it('on random chains of conditions, operators, spacing, comments, drafts and debris', () => {
    fc.assert(
      fc.property(text, (source) => {
        expect(outcome(source)).toEqual(outcome(source, chainCursor));
      }),
      { numRuns: 4000 },
    );
  });

  it('on texts that end in an operator word, `&&` or `||`', () => {
    for (const source of ['a = 1 and', 'a = 1 AND', 'a = 1 or', 'a = 1 &&', 'a = 1 ||', 'a = 1 and ', 'a = 1 andy', '(a = 1 and)', '(a = 1 or', 'a = 1 and\n']) {
      expect(outcome(source), source).toEqual(outcome(source, chainCursor));
    }
  });
});
