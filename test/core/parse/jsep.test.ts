import jsep from 'jsep';
import { describe, expect, it } from 'vitest';
import { createCursor } from '../../../core/parse/jsep';
import { parse } from '../../../core/parse/parse';

describe('jsep adapter', () => {
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

  it('flattens jsep’s binary tree into n-ary and/or items with outer extents', () => {
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
});
