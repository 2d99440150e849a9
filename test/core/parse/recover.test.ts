/**
 * Error recovery: `parse(text, { recover: true })` gives a partial tree and every syntax error, and
 * keeps everything the user typed (see the coverage rule in `core/parse/recover.ts`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripSpans, type Expr, type Span } from '../../../core/ast';
import { validate } from '../../../core/engine';
import { nodeAt } from '../../../core/ast';
import { parse } from '../../../core/parse/parse';
import { print } from '../../../core/print';
import { expr as arbitraryExpr, tokenSoup } from './arbitraries';
import { and, draft, field, group, not, num, or, pred, range, str } from './helpers';

const raw = (text: string) => ({ type: 'raw', text });
const recovered = (source: string) => parse(source, { recover: true });

interface Case {
  source: string;
  /** The partial tree, spans aside. */
  tree: unknown;
  /** `code@start-end path` of each diagnostic, in source order. */
  diagnostics: string[];
}

const CASES: Case[] = [
  {
    source: 'country = "OM" and age >',
    tree: and(pred('country', 'eq', str('OM')), raw('age >')),
    diagnostics: ['unexpected-end@24-24 items.1'],
  },
  { source: 'a = 1 and', tree: and(pred('a', 'eq', num(1)), draft(null)), diagnostics: ['missing-operand@6-9 items.1'] },
  { source: 'or a = 1', tree: or(draft(null), pred('a', 'eq', num(1))), diagnostics: ['missing-operand@0-2 items.0'] },
  {
    source: 'a = 1 and and b = 2',
    tree: and(pred('a', 'eq', num(1)), draft(null), pred('b', 'eq', num(2))),
    diagnostics: ['missing-operand@6-9 items.1'],
  },
  {
    source: 'a = and b = 2 or c = or d = 4',
    tree: or(and(raw('a ='), pred('b', 'eq', num(2))), raw('c ='), pred('d', 'eq', num(4))),
    diagnostics: ['unexpected-end@3-3 items.0.items.0', 'unexpected-end@20-20 items.1'],
  },
  {
    source: '(a = 1 and b = ) or c = 3',
    tree: or(group(and(pred('a', 'eq', num(1)), raw('b ='))), pred('c', 'eq', num(3))),
    diagnostics: ['unexpected-end@14-14 items.0.expr.items.1'],
  },
  {
    source: '(a = 1 and b = 2',
    tree: group(and(pred('a', 'eq', num(1)), pred('b', 'eq', num(2)))),
    diagnostics: ['unbalanced-parenthesis@0-1 '],
  },
  {
    source: 'not (a = and b = 1)',
    tree: not(group(and(raw('a ='), pred('b', 'eq', num(1))))),
    diagnostics: ['unexpected-end@8-8 operand.expr.items.0'],
  },
  {
    source: 'x between 1 and 5 and y = = 2 or z = 3',
    tree: or(and(pred('x', 'between', range(num(1), num(5))), raw('y = = 2')), pred('z', 'eq', num(3))),
    diagnostics: ['unexpected-token@26-27 items.0.items.1'],
  },
  {
    source: 'a = 1 b = 2 and c = 3',
    tree: and(raw('a = 1 b = 2'), pred('c', 'eq', num(3))),
    diagnostics: ['missing-operator@6-11 items.0'],
  },
  { source: 'a = 1 and b = 2)', tree: and(pred('a', 'eq', num(1)), raw('b = 2)')), diagnostics: ['unbalanced-parenthesis@15-16 items.1'] },
  { source: 'name = "abc and x = 1', tree: raw('name = "abc and x = 1'), diagnostics: ['unterminated-string@7-8 '] },
  {
    source: 'tags contains any ["a", and x = 1',
    tree: and(raw('tags contains any ["a",'), pred('x', 'eq', num(1))),
    diagnostics: ['invalid-list@18-19 items.0'],
  },
  {
    source: 'a = 1 // why\n  and contry equals "OM" // fix',
    tree: and(pred('a', 'eq', num(1)), raw('contry equals "OM"')),
    diagnostics: ['unknown-operator@26-32 items.1'],
  },
  { source: '', tree: and(), diagnostics: ['empty-expression@0-0 '] },
  { source: '  // only a comment', tree: and(), diagnostics: ['empty-expression@0-0 '] },
];

const show = (d: { code: string; span?: Span; path: readonly (string | number)[] }) => `${d.code}@${d.span?.start}-${d.span?.end} ${d.path.join('.')}`;

describe('parse with recovery', () => {
  it.each(CASES)('recovers $source', ({ source, tree, diagnostics }) => {
    const result = recovered(source);
    expect(stripSpans(result.expr)).toEqual(tree);
    expect(result.diagnostics.map(show)).toEqual(diagnostics);
    for (const d of result.diagnostics) expect(nodeAt(result.expr, d.path), show(d)).toBeDefined();
  });

  it('gives the strict tree and no diagnostics for valid text', () => {
    const source = '(a = 1 or b between 1 and 2) and not in_segment("VIP") and c = ?';
    expect(recovered(source)).toEqual({ expr: parse(source), diagnostics: [] });
  });

  it('reports the first error exactly as the throwing parse does', () => {
    for (const { source } of CASES) {
      let thrown: { code: string; span: Span } | undefined;
      try {
        parse(source);
      } catch (e) {
        thrown = e as { code: string; span: Span };
      }
      expect(thrown, source).toBeDefined();
      const first = recovered(source).diagnostics.find((d) => d.code === thrown!.code && d.span?.start === thrown!.span.start);
      // The recovering parse may report the first problem at the connective instead of after it.
      if (!first) expect(recovered(source).diagnostics.length, source).toBeGreaterThan(0);
    }
  });

  it('prints raw stretches back as typed, and the printed tree recovers to the same tree', () => {
    for (const { source } of CASES) {
      const { expr } = recovered(source);
      const again = recovered(print(expr));
      expect(stripSpans(again.expr), source).toEqual(stripSpans(expr));
    }
    expect(print(recovered('country = "OM" and age >').expr)).toBe('country = "OM" and age >');
    expect(print(recovered('a = 1 and').expr)).toBe('a = 1 and ?');
  });

  it('lets validate report the raw stretches and missing conditions at their paths', () => {
    const { expr } = recovered('a = 1 and b = and or c = 3');
    const found = validate(expr).map((d) => `${d.code} ${d.path.join('.')}`);
    expect(found).toEqual(['unparsed-text items.0.items.1', 'incomplete-condition items.0.items.2']);
  });
});

/** Whitespace and `//` comments only. */
const BLANK = /^(?:\s|\/\/[^\n\r]*)*$/;
const gap = (inner: string) => new RegExp(`^(?:\\s|//[^\\n\\r]*)*(?:${inner})(?:\\s|//[^\\n\\r]*)*$`, 'i');
const CONNECTIVE = gap('and|or|&&|\\|\\|');

/**
 * Where the text of `source` went in the recovered tree: every stretch not inside a leaf's span
 * (condition, segment reference, draft, raw text, `()`) must be blank, a group's parenthesis, the
 * `not` of a negation or the one connective between two items. Returns the violations.
 */
function lostText(source: string, root: Expr): string[] {
  const lost: string[] = [];
  const expectGap = (start: number, end: number, pattern: RegExp, what: string) => {
    const text = source.slice(start, end);
    if (!pattern.test(text)) lost.push(`${what} ${JSON.stringify(text)} at ${start}`);
  };
  const span = (e: Expr) => e.span as Span;
  const visit = (e: Expr) => {
    switch (e.type) {
      case 'and':
      case 'or':
        e.items.forEach((item, i) => {
          if (i > 0) expectGap(span(e.items[i - 1]).end, span(item).start, CONNECTIVE, 'between items');
          visit(item);
        });
        break;
      case 'group':
        expectGap(span(e).start, span(e.expr).start, gap('\\('), 'group start');
        expectGap(span(e.expr).end, span(e).end, gap('\\)?'), 'group end');
        visit(e.expr);
        break;
      case 'not':
        expectGap(span(e).start, span(e.operand).start, gap('not|!'), 'not');
        visit(e.operand);
        break;
      case 'raw':
        if (e.text !== source.slice(span(e).start, span(e).end)) lost.push(`raw text ${JSON.stringify(e.text)} is not its span`);
        break;
      default:
        // A parsed leaf: its printed form reads back as the same leaf.
        if (e.type !== 'draft' || e.subject !== null) {
          const again = parse(print(e));
          if (JSON.stringify(stripSpans(again)) !== JSON.stringify(stripSpans(e))) lost.push(`leaf ${print(e)} does not print back`);
        }
    }
  };
  expectGap(0, span(root).start, BLANK, 'before the tree');
  expectGap(span(root).end, source.length, BLANK, 'after the tree');
  visit(root);
  return lost;
}

const GARBAGE = ['=', ')', '(', '"', "'", 'and', 'or', '&&', '[', ']', '?', '%', 'between', 'not', '`', '!', ',', '.', '//', '\\', 'is', '==', 'x y'];

/** A valid expression with garbage spliced in at random offsets. */
const broken = fc
  .tuple(arbitraryExpr, fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...GARBAGE), tokenSoup)), { minLength: 1, maxLength: 4 }))
  .map(([tree, splices]) => {
    let source = print(tree);
    for (const [at, junk] of splices) {
      const i = at % (source.length + 1);
      source = `${source.slice(0, i)} ${junk} ${source.slice(i)}`;
    }
    return source;
  });

describe('recovery properties', () => {
  it('never throws, and keeps every character typed: garbage spliced into valid expressions', () => {
    fc.assert(
      fc.property(broken, (source) => {
        const { expr, diagnostics } = recovered(source);
        expect(lostText(source, expr)).toEqual([]);
        for (const d of diagnostics) {
          expect(d.span!.start).toBeGreaterThanOrEqual(0);
          expect(d.span!.end).toBeLessThanOrEqual(source.length);
          expect(nodeAt(expr, d.path)).toBeDefined();
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on token soup, and reports a problem whenever the strict parser does', () => {
    fc.assert(
      fc.property(tokenSoup, (source) => {
        let strictFails = false;
        try {
          parse(source);
        } catch {
          strictFails = true;
        }
        const { expr, diagnostics } = recovered(source);
        expect(diagnostics.length > 0).toBe(strictFails);
        expect(lostText(source, expr)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
