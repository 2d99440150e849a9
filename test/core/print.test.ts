import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripSpans, type Expr } from '../../core/ast';
import { SegmentError } from '../../core/errors';
import { nodes } from '../../core/factories';
import { normalize } from '../../core/normalize';
import { parse } from '../../core/parse/parse';
import { print } from '../../core/print';
import { expr, styledSource, tokenSoup } from './parse/arbitraries';

const canonical = (source: string, width?: number) => print(parse(source), { width });

describe('print: canonical form', () => {
  it('writes lower-case keywords, words for synonyms and canonical operator words', () => {
    expect(canonical('a == 1 AND b IS NOT NULL && !c Is "x" || d IS NULL')).toBe('a = 1 and b is known and not c = "x" or d is unknown');
    expect(canonical('x Not  In ["a"] and y within 7d and z starts\nwith "q"')).toBe('x not in ["a"] and y within last 7 days and z starts with "q"');
  });

  it('writes durations in long form, singular for one', () => {
    expect(canonical('x within last 1d and y older than 12h and z > 15min ago')).toBe('x within last 1 day and y older than 12 hours and z > 15 minutes ago');
    expect(canonical('x within 2w and y within 6mo and z within 1y')).toBe('x within last 2 weeks and y within last 6 months and z within last 1 year');
  });

  it('writes strings double-quoted with minimal escapes', () => {
    expect(canonical(`x = 'it\\'s' and y = "a\\\\b" and z = "\\u00e9\\n\\t"`)).toBe('x = "it\'s" and y = "a\\\\b" and z = "é\\n\\t"');
    expect(canonical(`x = '"quoted"'`)).toBe('x = "\\"quoted\\""');
  });

  it('writes numbers as JavaScript prints them', () => {
    expect(canonical('x = -12.50 and y = 1e3 and z < 1E-7')).toBe('x = -12.5 and y = 1000 and z < 1e-7');
  });

  it('back-quotes only field names that need it', () => {
    expect(canonical('attributes.`plan` = 1 and `favorite color` = 2 and `not` = 3 and a.`b.c` = 4 and `TRUE`.x = 5', 200)).toBe(
      'attributes.plan = 1 and `favorite color` = 2 and `not` = 3 and a.`b.c` = 4 and `TRUE`.x = 5',
    );
  });

  it('writes events, lists, ranges, dates and segments', () => {
    expect(canonical('EVENT("buy").within(7d).where(x = 1).SUM("amount") >= 5')).toBe('event("buy").where(x = 1).within(7 days).sum("amount") >= 5');
    expect(canonical("x in ['a',2,true] and y between 30 days ago and NOW and z before today")).toBe(
      'x in ["a", 2, true] and y between 30 days ago and now and z before today',
    );
    expect(canonical("in_segment('VIP')")).toBe('in_segment("VIP")');
  });

  it('drops comments and layout', () => {
    expect(canonical('// who\n  a = 1 // first\n\n  and b = 2')).toBe('a = 1 and b = 2');
  });
});

describe('print: parentheses', () => {
  it('keeps the parentheses the user wrote (doubled ones once) and adds none', () => {
    expect(canonical('(a = 1 and b = 2) or c = 3')).toBe('(a = 1 and b = 2) or c = 3');
    expect(canonical('a = 1 and b = 2 or c = 3')).toBe('a = 1 and b = 2 or c = 3');
    expect(canonical('(a = 1 or b = 2) and c = 3')).toBe('(a = 1 or b = 2) and c = 3');
    expect(canonical('((a = 1))')).toBe('(a = 1)');
    expect(canonical('( ( (a = 1 ) ) ) and b = 2')).toBe('(a = 1) and b = 2');
    expect(canonical('not (a = 1)')).toBe('not (a = 1)');
    expect(canonical('not a = 1')).toBe('not a = 1');
    expect(canonical('not (a = 1 and b = 2)')).toBe('not (a = 1 and b = 2)');
    expect(canonical('not not (a = 1 or b = 2)')).toBe('not not (a = 1 or b = 2)');
    expect(canonical('(a = 1 and b = 2) and c = 3')).toBe('(a = 1 and b = 2) and c = 3');
  });

  it('adds parentheses where precedence needs them in trees built in code', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((f) => nodes.condition(f, 'eq', 1));
    expect(print(nodes.and(nodes.or(a, b), c))).toBe('(a = 1 or b = 1) and c = 1');
    expect(print(nodes.or(nodes.and(a, b), c))).toBe('a = 1 and b = 1 or c = 1');
    expect(print(nodes.not(nodes.and(a, b)))).toBe('not (a = 1 and b = 1)');
    expect(print(nodes.and(nodes.and(a), nodes.or(b)))).toBe('a = 1 and b = 1');
  });

  it('prints the empty group as () and drafts with ? for what is missing', () => {
    expect(print(nodes.and())).toBe('()');
    expect(print(nodes.or())).toBe('()');
    expect(print(nodes.and(nodes.condition('a', 'eq', 1), nodes.or()))).toBe('a = 1 and ()');
    expect(print(nodes.draft())).toBe('?');
    expect(print(nodes.draft({ subject: 'country' }))).toBe('country ?');
    expect(print(nodes.draft({ subject: 'country', op: 'eq' }))).toBe('country = ?');
    expect(print(nodes.draft({ op: 'in', operand: ['a'] }))).toBe('? in ["a"]');
    expect(print(nodes.draft({ op: 'is_known' }))).toBe('? is known');
    expect(print(nodes.draft({ subject: 'age', op: 'between' }))).toBe('age between ?');
    expect(print(nodes.condition('age', 'between'))).toBe('age between ?');
    expect(print(nodes.not(nodes.draft()))).toBe('not ?');
  });

  it('prints raw text as it was typed', () => {
    expect(print(nodes.and(nodes.condition('a', 'eq', 1), nodes.raw('b equals 2')))).toBe('a = 1 and b equals 2');
  });

  it('keeps parentheses for nested chains of the same operator in hand-built trees', () => {
    const a: Expr = { type: 'segment', name: 'a', span: { start: 0, end: 0 } };
    const inner: Expr = { type: 'or', items: [a, a], span: { start: 0, end: 0 } };
    expect(print({ type: 'or', items: [inner, a], span: { start: 0, end: 0 } })).toBe('(in_segment("a") or in_segment("a")) or in_segment("a")');
    expect(stripSpans(parse(print({ type: 'or', items: [inner, a] })))).toEqual(stripSpans(normalize({ type: 'or', items: [inner, a] })));
  });
});

describe('print: line breaking', () => {
  it('keeps a short expression on one line', () => {
    expect(canonical('a = 1 and (b = 2 or c = 3)')).toBe('a = 1 and (b = 2 or c = 3)');
  });

  it('puts each item of a long chain on its own line with the operator leading', () => {
    const source = 'tags contains "VIP" and language = "ar" and country in ["OM", "AE", "SA"] and last_seen within last 30 days';
    expect(canonical(source)).toBe(
      ['tags contains "VIP"', 'and language = "ar"', 'and country in ["OM", "AE", "SA"]', 'and last_seen within last 30 days'].join('\n'),
    );
  });

  it('indents nested groups and an and-chain inside a broken or', () => {
    const source = 'plan = "gold" and (country = "OM" or country = "AE" or country = "SA") or signup_source = "referral" and age > 30';
    expect(canonical(source, 40)).toBe(
      [
        'plan = "gold"',
        '  and (',
        '    country = "OM"',
        '    or country = "AE"',
        '    or country = "SA"',
        '  )',
        'or signup_source = "referral"',
        '  and age > 30',
      ].join('\n'),
    );
  });

  it('breaks a long where clause inside an event', () => {
    const source = 'event("page_view").where(offer = "summer-pass" and device = "mobile").within(7 days).count() >= 5';
    expect(canonical(source, 40)).toBe(
      ['event("page_view").where(', '  offer = "summer-pass"', '  and device = "mobile"', ').within(7 days).count() >= 5'].join('\n'),
    );
  });

  it('uses the given indentation and width', () => {
    const text = print(parse('(a = 1 or b = 2) and c = 3'), { width: 10, indent: '\t' });
    expect(text).toBe(['(', '\ta = 1', '\tor b = 2', ')', 'and c = 3'].join('\n'));
  });

  it('prints a 5,000-term chain without overflowing the stack', () => {
    const items = Array.from({ length: 5_000 }, (_, k) => `a${k} = ${k}`);
    const text = print(parse(items.join(' or ')));
    expect(text.split('\n')).toHaveLength(5_000);
    expect(print(parse(text), { width: 1e9 })).toBe(items.join(' or '));
  });
});

describe('print: round trip', () => {
  it('parses its output back to the same tree (generated trees)', () => {
    fc.assert(
      fc.property(expr, fc.integer({ min: 10, max: 120 }), (e, width) => {
        const text = print(e, { width });
        expect(stripSpans(parse(text))).toEqual(stripSpans(e));
      }),
      { numRuns: 1500 },
    );
  });

  it('is a fixed point: print(parse(print(parse(x)))) = print(parse(x)) (generated text)', () => {
    fc.assert(
      fc.property(tokenSoup, (source) => {
        let once: string;
        try {
          once = print(parse(source));
        } catch (e) {
          expect(e).toBeInstanceOf(SegmentError);
          return;
        }
        expect(print(parse(once))).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('is a fixed point on text in any valid style', () => {
    fc.assert(
      fc.property(styledSource, fc.integer({ min: 10, max: 120 }), ({ source }, width) => {
        const once = print(parse(source), { width });
        expect(print(parse(once), { width })).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('is a fixed point on the seed segments and awkward examples', () => {
    const examples = [
      'event("page_view").where(offer = "summer-pass").within(7 days).count() >= 5 and event("purchase").where(offer = "summer-pass").count() = 0',
      'in_segment("VIP Arabic Speakers") and not in_segment("Inactive 30+ Days")',
      'country = "OM" and carrier in ["Omantel", "Ooredoo"]',
      '`a\\`b` = "\\u2028" or `\\`` = "\\ud800" or `x\\\\y` is empty',
      'not (a = 1 or not (b = 2 and c = 3)) and d is not empty',
    ];
    for (const source of examples) {
      const once = print(parse(source));
      expect(print(parse(once)), source).toBe(once);
      expect(stripSpans(parse(once))).toEqual(stripSpans(parse(source)));
    }
  });
});
