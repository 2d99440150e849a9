import { describe, expect, it } from 'vitest';
import type { AndExpr, DraftExpr, GroupExpr, NotExpr, PredicateExpr } from '../../../core/ast';
import { parse } from '../../../core/parse/parse';
import { ago, and, bool, draft, dur, field, group, list, not, num, or, pred, range, segment, str, textOf, tree } from './helpers';

describe('lexical', () => {
  it('reads keywords in any case', () => {
    const expected = and(pred('a', 'eq', num(1)), pred('b', 'eq', num(2)));
    expect(tree('a = 1 and b = 2')).toEqual(expected);
    expect(tree('a = 1 AND b = 2')).toEqual(expected);
    expect(tree('a = 1 And b = 2')).toEqual(expected);
    expect(tree('a = 1 aNd b = 2')).toEqual(expected);
    expect(tree('tags Contains Any ["a"]')).toEqual(pred('tags', 'contains_any', list(str('a'))));
    expect(tree('x IS NOT NULL')).toEqual(pred('x', 'is_known'));
    expect(tree('NOT x = TRUE')).toEqual(not(pred('x', 'eq', bool(true))));
  });

  it('accepts &&, ||, ! and == as synonyms', () => {
    expect(tree('a == 1 && b = 2 || !c = 3')).toEqual(tree('a = 1 and b = 2 or not c = 3'));
  });

  it('skips // comments to the end of the line but not inside strings', () => {
    expect(tree('// heading\na = "x // not a comment" // trailing\n and b = 1 // end')).toEqual(
      and(pred('a', 'eq', str('x // not a comment')), pred('b', 'eq', num(1))),
    );
  });

  it('treats newlines, tabs and carriage returns as whitespace', () => {
    expect(tree('a\n=\t1\r\nand\n\nb = 2')).toEqual(and(pred('a', 'eq', num(1)), pred('b', 'eq', num(2))));
  });

  it('decodes string escapes in both quote styles', () => {
    expect(tree(String.raw`x = "a\"b\\c\nd\te\rf\u00e9"`)).toEqual(pred('x', 'eq', str('a"b\\c\nd\te\rfé')));
    expect(tree(String.raw`x = 'it\'s "fine"'`)).toEqual(pred('x', 'eq', str(`it's "fine"`)));
  });

  it('reads numbers, negative and decimal and with exponents', () => {
    expect(tree('x = -12.5')).toEqual(pred('x', 'eq', num(-12.5)));
    expect(tree('x > 0')).toEqual(pred('x', 'gt', num(0)));
    expect(tree('x < 1e-7')).toEqual(pred('x', 'lt', num(1e-7)));
    expect(tree('x < 2.5E+21')).toEqual(pred('x', 'lt', num(2.5e21)));
  });

  it('reads booleans, now and today', () => {
    expect(tree('x = false')).toEqual(pred('x', 'eq', bool(false)));
    expect(tree('x < now')).toEqual(pred('x', 'lt', { type: 'now' }));
    expect(tree('x >= Today')).toEqual(pred('x', 'gte', { type: 'today' }));
  });

  it('reads durations in word and compact forms', () => {
    const cases: [string, number, string][] = [
      ['30 days', 30, 'day'], ['1 day', 1, 'day'], ['12 hours', 12, 'hour'], ['15 minutes', 15, 'minute'],
      ['2 weeks', 2, 'week'], ['6 months', 6, 'month'], ['1 year', 1, 'year'], ['30d', 30, 'day'], ['12h', 12, 'hour'],
      ['15min', 15, 'minute'], ['2w', 2, 'week'], ['6mo', 6, 'month'], ['1y', 1, 'year'], ['3 DAYS', 3, 'day'],
    ];
    for (const [text, amount, unit] of cases) {
      expect(tree(`x within last ${text}`), text).toEqual(pred('x', 'within_last', dur(amount, unit as 'day')));
    }
  });

  it('reads `<duration> ago` as a date value', () => {
    expect(tree('signed_up > 30 days ago')).toEqual(pred('signed_up', 'gt', ago(30, 'day')));
    expect(tree('signed_up before 6mo ago')).toEqual(pred('signed_up', 'before', ago(6, 'month')));
  });

  it('reads field paths with dots and back-quoted segments', () => {
    expect(tree('attributes.plan = "pro"')).toEqual(pred(field('attributes', 'plan'), 'eq', str('pro')));
    expect(tree('`favorite color` = "red"')).toEqual(pred(field('favorite color'), 'eq', str('red')));
    expect(tree('attributes.`loyalty tier` = "gold"')).toEqual(pred(field('attributes', 'loyalty tier'), 'eq', str('gold')));
    expect(tree('`a.b`.c is known')).toEqual(pred(field('a.b', 'c'), 'is_known'));
    expect(tree('`not` = 1')).toEqual(pred(field('not'), 'eq', num(1)));
    expect(tree('Zoë = 1')).toEqual(pred(field('Zoë'), 'eq', num(1)));
  });

  it('reads lists of scalar literals', () => {
    expect(tree('x in ["a", \'b\', 3, true]')).toEqual(pred('x', 'in', list(str('a'), str('b'), num(3), bool(true))));
    expect(tree('x in []')).toEqual(pred('x', 'in', list()));
    expect(tree('x in [\n  "a", // first\n  "b"\n]')).toEqual(pred('x', 'in', list(str('a'), str('b'))));
  });
});

describe('predicates', () => {
  const cases: [string, unknown][] = [
    ['country = "OM"', pred('country', 'eq', str('OM'))],
    ['country != "OM"', pred('country', 'neq', str('OM'))],
    ['country is "OM"', pred('country', 'eq', str('OM'))],
    ['country is not "OM"', pred('country', 'neq', str('OM'))],
    ['age > 18', pred('age', 'gt', num(18))],
    ['age >= 18', pred('age', 'gte', num(18))],
    ['age < 18', pred('age', 'lt', num(18))],
    ['age <= 18', pred('age', 'lte', num(18))],
    ['carrier in ["Omantel", "Ooredoo"]', pred('carrier', 'in', list(str('Omantel'), str('Ooredoo')))],
    ['carrier not in ["Omantel"]', pred('carrier', 'not_in', list(str('Omantel')))],
    ['age between 18 and 30', pred('age', 'between', range(num(18), num(30)))],
    ['age not between 18 and 30', pred('age', 'not_between', range(num(18), num(30)))],
    ['tags contains "VIP"', pred('tags', 'contains', str('VIP'))],
    ['tags not contains "VIP"', pred('tags', 'not_contains', str('VIP'))],
    ['name starts with "Al"', pred('name', 'starts_with', str('Al'))],
    ['email ends with ".om"', pred('email', 'ends_with', str('.om'))],
    ['tags contains any ["a", "b"]', pred('tags', 'contains_any', list(str('a'), str('b')))],
    ['tags contains all ["a", "b"]', pred('tags', 'contains_all', list(str('a'), str('b')))],
    ['tags contains none ["a", "b"]', pred('tags', 'contains_none', list(str('a'), str('b')))],
    ['email is known', pred('email', 'is_known')],
    ['email is unknown', pred('email', 'is_unknown')],
    ['email is not null', pred('email', 'is_known')],
    ['email is null', pred('email', 'is_unknown')],
    ['tags is empty', pred('tags', 'is_empty')],
    ['tags is not empty', pred('tags', 'is_not_empty')],
    ['seen within last 7 days', pred('seen', 'within_last', dur(7, 'day'))],
    ['seen within 7 days', pred('seen', 'within_last', dur(7, 'day'))],
    ['seen older than 30 days', pred('seen', 'older_than', dur(30, 'day'))],
    ['seen before "2026-01-01"', pred('seen', 'before', str('2026-01-01'))],
    ['seen after "2026-01-01T10:00:00Z"', pred('seen', 'after', str('2026-01-01T10:00:00Z'))],
    ['seen between 30 days ago and now', pred('seen', 'between', range(ago(30, 'day'), { type: 'now' }))],
    ['in_segment("VIP Arabic Speakers")', segment('VIP Arabic Speakers')],
  ];
  for (const [source, expected] of cases) {
    it(`reads ${source}`, () => expect(tree(source)).toEqual(expected));
  }

  it('matches multi-word operators across any whitespace and comments', () => {
    expect(tree('x not   in ["a"]')).toEqual(pred('x', 'not_in', list(str('a'))));
    expect(tree('x starts\nwith "a"')).toEqual(pred('x', 'starts_with', str('a')));
    expect(tree('x is // why\n not  empty')).toEqual(pred('x', 'is_not_empty'));
  });

  it('reads `is` followed by a keyword as that operator and otherwise as equality', () => {
    expect(tree('x is true')).toEqual(pred('x', 'eq', bool(true)));
    expect(tree('x is not false')).toEqual(pred('x', 'neq', bool(false)));
    expect(tree('x is now')).toEqual(pred('x', 'eq', { type: 'now' }));
    expect(tree('x is not 3')).toEqual(pred('x', 'neq', num(3)));
  });

  it('keeps `between a and b` whole inside a longer and-chain', () => {
    expect(tree('age between 1 and 5 and b = 2')).toEqual(and(pred('age', 'between', range(num(1), num(5))), pred('b', 'eq', num(2))));
  });
});

describe('events', () => {
  const agg = (event: string, rest: Record<string, unknown>) => ({ type: 'aggregate', event: str(event), where: null, within: null, property: null, ...rest });

  it('reads where, within and the aggregate', () => {
    expect(tree('event("page_view").where(offer = "summer-pass").within(7 days).count() >= 5')).toEqual(
      pred(agg('page_view', { where: pred('offer', 'eq', str('summer-pass')), within: dur(7, 'day'), fn: 'count' }), 'gte', num(5)),
    );
  });

  it('accepts within before where and line breaks around the dots', () => {
    expect(tree('event("x")\n  .within(7d)\n  .where(a = 1)\n  .count() > 0')).toEqual(tree('event("x").where(a = 1).within(7 days).count() > 0'));
  });

  it('reads every aggregate', () => {
    expect(tree('event("buy").sum("amount") > 100')).toEqual(pred(agg('buy', { fn: 'sum', property: str('amount') }), 'gt', num(100)));
    for (const fn of ['min', 'max', 'avg']) {
      expect(tree(`event("buy").${fn}("amount") > 1`)).toEqual(pred(agg('buy', { fn, property: str('amount') }), 'gt', num(1)));
    }
    expect(tree('event("sms_received").last_at() older than 30 days')).toEqual(pred(agg('sms_received', { fn: 'last_at' }), 'older_than', dur(30, 'day')));
    expect(tree('event("x").first_at() is known')).toEqual(pred(agg('x', { fn: 'first_at' }), 'is_known'));
  });

  it('reads a where with and/or/not inside', () => {
    expect(tree('event("x").where(a = 1 and (b = 2 or not c = 3)).count() = 0')).toEqual(
      pred(agg('x', { where: and(pred('a', 'eq', num(1)), group(or(pred('b', 'eq', num(2)), not(pred('c', 'eq', num(3)))))), fn: 'count' }), 'eq', num(0)),
    );
  });

  it('reads method names in any case', () => {
    expect(tree('EVENT("x").Within(1 day).COUNT() > 0')).toEqual(tree('event("x").within(1 day).count() > 0'));
  });
});

describe('structure', () => {
  it('gives or the lowest and not the highest precedence', () => {
    expect(tree('a = 1 or b = 2 and c = 3')).toEqual(or(pred('a', 'eq', num(1)), and(pred('b', 'eq', num(2)), pred('c', 'eq', num(3)))));
    expect(tree('not a = 1 and b = 2')).toEqual(and(not(pred('a', 'eq', num(1))), pred('b', 'eq', num(2))));
    expect(tree('not country = "OM"')).toEqual(not(pred('country', 'eq', str('OM'))));
  });

  it('keeps the parentheses the user wrote as groups, and negates whole groups', () => {
    expect(tree('(a = 1 or b = 2) and c = 3')).toEqual(and(group(or(pred('a', 'eq', num(1)), pred('b', 'eq', num(2)))), pred('c', 'eq', num(3))));
    expect(tree('not (a = 1 or b = 2)')).toEqual(not(group(or(pred('a', 'eq', num(1)), pred('b', 'eq', num(2))))));
    expect(tree('not not a = 1')).toEqual(not(not(pred('a', 'eq', num(1)))));
    expect(tree('((a = 1))')).toEqual(group(pred('a', 'eq', num(1))));
    expect(tree('( (\n(a = 1)) )')).toEqual(group(pred('a', 'eq', num(1))));
  });

  it('flattens and/or chains, but not across the parentheses the user wrote', () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => pred(String.fromCharCode(96 + n), 'eq', num(n)));
    expect(tree('a = 1 and b = 2 and c = 3')).toEqual(and(a, b, c));
    expect(tree('a = 1 && b = 2 AND c = 3')).toEqual(and(a, b, c));
    expect(tree('(a = 1 and b = 2) and c = 3')).toEqual(and(group(and(a, b)), c));
    expect(tree('a = 1 and (b = 2 and c = 3)')).toEqual(and(a, group(and(b, c))));
    expect(tree('a = 1 or (b = 2 or c = 3) or d = 4')).toEqual(or(a, group(or(b, c)), d));
  });

  it('reads () as the empty group and ? as the missing pieces of a draft', () => {
    expect(tree('()')).toEqual(and());
    expect(tree('( // nothing yet\n)')).toEqual(and());
    expect(tree('a = 1 and ()')).toEqual(and(pred('a', 'eq', num(1)), and()));
    expect(tree('(())')).toEqual(and());
    expect(tree('?')).toEqual(draft(null));
    expect(tree('? ?')).toEqual(draft(null));
    expect(tree('country ?')).toEqual(draft('country'));
    expect(tree('country = ?')).toEqual(draft('country', 'eq'));
    expect(tree('age between ?')).toEqual(draft('age', 'between'));
    expect(tree('? = "OM"')).toEqual(draft(null, 'eq', str('OM')));
    expect(tree('? not in [1]')).toEqual(draft(null, 'not_in', list(num(1))));
    expect(tree('? is known')).toEqual(draft(null, 'is_known'));
    expect(tree('not ? and ? or x ?')).toEqual(or(and(not(draft(null)), draft(null)), draft('x')));
    expect(tree('event("x").count() ?')).toEqual(draft({ type: 'aggregate', event: str('x'), where: null, within: null, fn: 'count', property: null }));
    expect(tree('event("x").where(?).count() > ?')).toEqual(
      draft({ type: 'aggregate', event: str('x'), where: draft(null), within: null, fn: 'count', property: null }, 'gt'),
    );
  });

  it('reads the seed segments', () => {
    expect(tree('in_segment("VIP Arabic Speakers") and not in_segment("Inactive 30+ Days")')).toEqual(
      and(segment('VIP Arabic Speakers'), not(segment('Inactive 30+ Days'))),
    );
  });
});

describe('spans', () => {
  it('covers a predicate from subject to operand, with the operator words apart', () => {
    const source = '  country  is   not  "OM" ';
    const p = parse(source) as PredicateExpr;
    expect(p.span).toEqual({ start: 2, end: 25 });
    expect(textOf(source, p.subject)).toBe('country');
    expect(textOf(source, { span: p.opSpan })).toBe('is   not');
    expect(textOf(source, p.operand as { span: { start: number; end: number } })).toBe('"OM"');
  });

  it('covers and/or from the first item to the last, and groups with their parentheses', () => {
    const source = '(a = 1) and b = 2 and ( c = 3 or d = 4 )';
    const e = parse(source) as AndExpr;
    expect(e.span).toEqual({ start: 0, end: source.length });
    expect(textOf(source, e.items[0])).toBe('(a = 1)');
    expect(textOf(source, (e.items[0] as GroupExpr).expr)).toBe('a = 1');
    expect(textOf(source, e.items[2])).toBe('( c = 3 or d = 4 )');
    expect(textOf(source, (e.items[2] as GroupExpr).expr)).toBe('c = 3 or d = 4');
  });

  it('covers not up to its closing parenthesis', () => {
    const source = 'not ( a = 1 )';
    const e = parse(source) as NotExpr;
    expect(e.span).toEqual({ start: 0, end: source.length });
    expect(textOf(source, e.operand)).toBe('( a = 1 )');
  });

  it('covers drafts and the empty group', () => {
    const source = 'country =  ? and (  ) and ?';
    const e = parse(source) as AndExpr;
    expect(e.items.map((i) => textOf(source, i))).toEqual(['country =  ?', '(  )', '?']);
    expect(textOf(source, { span: (e.items[0] as DraftExpr).opSpan })).toBe('=');
  });

  it('covers every part of an event predicate', () => {
    const source = 'event("x").where(a = 1).within(7d).sum("amount") > 30 days ago';
    const p = parse(source) as PredicateExpr;
    expect(textOf(source, p)).toBe(source);
    const a = p.subject;
    if (a.type !== 'aggregate') throw new Error('expected an aggregate');
    expect(textOf(source, a)).toBe('event("x").where(a = 1).within(7d).sum("amount")');
    expect(textOf(source, a.event)).toBe('"x"');
    expect(textOf(source, a.where as PredicateExpr)).toBe('a = 1');
    expect(textOf(source, a.within as { span: { start: number; end: number } })).toBe('7d');
    expect(textOf(source, a.property as { span: { start: number; end: number } })).toBe('"amount"');
    expect(textOf(source, p.operand as { span: { start: number; end: number } })).toBe('30 days ago');
  });

  it('covers lists, ranges and their items', () => {
    const source = 'x in ["a", 2] and y between 1 and 5';
    const [inList, between] = (parse(source) as AndExpr).items as PredicateExpr[];
    expect(textOf(source, inList.operand as { span: { start: number; end: number } })).toBe('["a", 2]');
    expect(textOf(source, between.operand as { span: { start: number; end: number } })).toBe('1 and 5');
  });
});
