/**
 * The AST as an editor's model: factories, normalize, groups, drafts, diagnostics as data with
 * paths, and the throwing APIs' SegmentError wrapping them.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  check,
  compilePredicate,
  compileSegment,
  formatDiagnostic,
  nodeAt,
  nodes as n,
  normalize,
  parse,
  print,
  SegmentError,
  SegmentErrors,
  stripSpans,
  validate,
  OPERATORS,
  type Diagnostic,
  type DraftExpr,
  type Expr,
  type Schema,
} from '../../core/index';
import { checkSchema } from '../../core/infer-schema';
import { schemaForArbitraries } from '../support/arbitraries';
import { expr as normalTree, factoryTree } from './parse/arbitraries';

const schema = checkSchema(JSON.parse(readFileSync(new URL('../../sample/schema.json', import.meta.url), 'utf8')));

/** Every node of a tree with its path, for checking that diagnostics' paths lead somewhere. */
function* walk(node: unknown, path: (string | number)[] = []): Generator<[unknown, (string | number)[]]> {
  yield [node, path];
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'span' || key === 'opSpan') continue;
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* walk(value[i], [...path, key, i]);
    else if (value !== null && typeof value === 'object') yield* walk(value, [...path, key]);
  }
}

describe('factories and normalize: trees built in code survive a trip through text', () => {
  it('prints any normalized factory-built tree to text that parses back to the same tree (spans stripped)', () => {
    fc.assert(
      fc.property(normalTree, fc.integer({ min: 10, max: 120 }), (tree, width) => {
        expect(stripSpans(parse(print(tree, { width })))).toEqual(stripSpans(tree));
      }),
      { numRuns: 1500 },
    );
  });

  it('parses the printed form of any factory-built tree, in any shape, to its normalized form', () => {
    fc.assert(
      fc.property(factoryTree, (tree) => {
        expect(stripSpans(parse(print(tree)))).toEqual(stripSpans(normalize(tree)));
        expect(normalize(normalize(tree))).toEqual(normalize(tree));
      }),
      { numRuns: 1500 },
    );
  });

  it('builds nodes from plain values', () => {
    expect(n.condition('attributes.plan', 'in', ['gold', 'pro'])).toEqual({
      type: 'predicate',
      subject: { type: 'field', path: ['attributes', 'plan'] },
      op: 'in',
      operand: { type: 'list', items: [{ type: 'string', value: 'gold' }, { type: 'string', value: 'pro' }] },
    });
    expect(n.condition('age', 'between', [18, 30]).operand).toEqual({ type: 'range', low: { type: 'number', value: 18 }, high: { type: 'number', value: 30 } });
    expect(n.condition(['a.b'], 'is_known')).toEqual({ type: 'predicate', subject: { type: 'field', path: ['a.b'] }, op: 'is_known', operand: null });
    expect(print(n.condition('last_seen', 'within_last', n.duration(30, 'day')))).toBe('last_seen within last 30 days');
    expect(print(n.condition(n.event('purchase', 'sum', { property: 'amount', within: n.duration(7, 'day') }), 'gt', 500))).toBe(
      'event("purchase").within(7 days).sum("amount") > 500',
    );
    expect(print(n.condition('signed_up', 'after', n.ago(3, 'month')))).toBe('signed_up after 3 months ago');
  });

  it('keeps explicit groups, collapses doubled ones and gives nested chains the group their parentheses make', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((f) => n.condition(f, 'eq', 1));
    expect(normalize(n.and(n.and(a, b), c))).toEqual(n.and(n.group(n.and(a, b)), c));
    expect(normalize(n.and(n.or(a, b), c))).toEqual(n.and(n.group(n.or(a, b)), c));
    expect(normalize(n.or(n.and(a, b), c))).toEqual(n.or(n.and(a, b), c));
    expect(normalize(n.group(n.group(a)))).toEqual(n.group(a));
    expect(normalize(n.not(n.or(a, b)))).toEqual(n.not(n.group(n.or(a, b))));
    expect(normalize(n.and(a))).toEqual(a);
    expect(normalize(n.or())).toEqual(n.and());
    expect(normalize(n.group(n.or()))).toEqual(n.and());
  });

  it('turns a complete draft into a condition and a condition missing its operand into a draft', () => {
    expect(normalize(n.draft({ subject: 'country', op: 'eq', operand: 'OM' }))).toEqual(n.condition('country', 'eq', 'OM'));
    expect(normalize(n.draft({ subject: 'email', op: 'is_known' }))).toEqual(n.condition('email', 'is_known'));
    expect(normalize(n.condition('country', 'eq'))).toEqual(n.draft({ subject: 'country', op: 'eq' }));
  });

  it('keeps the user grouping: (a and b) and c is not a and b and c', () => {
    expect(print(parse('(a = 1 and b = 2) and c = 3'))).toBe('(a = 1 and b = 2) and c = 3');
    expect(print(parse('(a = 1 and b = 2) and c = 3'), { width: 12 })).toBe('(\n  a = 1\n  and b = 2\n)\nand c = 3');
  });
});

describe('validate: trees an editor holds', () => {
  it('reports a problem in a tree built in code (no spans) with the path of the node, never a TypeError', () => {
    const tree = n.and(n.condition('country', 'eq', 'OM'), n.condition('b', 'eq', 1));
    const [d, ...rest] = validate(tree, { schema });
    expect(rest).toEqual([]);
    expect(d).toEqual({ code: 'unknown-field', severity: 'error', summary: 'unknown field `b`', hint: 'did you mean `id`?', path: ['items', 1, 'subject'] });
    expect(nodeAt(tree, d.path)).toEqual({ type: 'field', path: ['b'] });
  });

  it('points at the operator and the values by path', () => {
    const tree = n.and(n.condition('country', 'gt', 5), n.condition('clicks_count', 'in', [1, 'x']));
    const found = validate(tree, { schema }).map((d) => [d.code, d.path]);
    expect(found).toEqual([
      ['operator-type-mismatch', ['items', 0, 'op']],
      ['value-type-mismatch', ['items', 1, 'operand', 'items', 1]],
    ]);
    expect(nodeAt(tree, ['items', 0, 'op'])).toBe('gt');
  });

  it('reports drafts, empty groups and raw text, with or without a schema', () => {
    const tree = n.and(n.draft({ subject: 'country' }), n.or(), n.draft({ subject: 'clicks_count', op: 'between' }), n.raw('plan equals "x"'), n.draft());
    for (const options of [{}, { schema }]) {
      expect(validate(tree, options).map((d) => [d.code, d.path, d.summary])).toEqual([
        ['incomplete-condition', ['items', 0], 'this condition is not finished: it needs an operator'],
        ['empty-group', ['items', 1], 'this group is empty'],
        ['incomplete-condition', ['items', 2], 'this condition is not finished: it needs two values'],
        ['unparsed-text', ['items', 3], '`plan equals "x"` is not a condition'],
        ['incomplete-condition', ['items', 4], 'this condition is not finished: it needs a field and an operator'],
      ]);
    }
  });

  it('checks the pieces a draft has: an unknown field, an operator that does not fit, a bad value', () => {
    expect(validate(n.draft({ subject: 'contry' }), { schema }).map((d) => d.code)).toEqual(['unknown-field', 'incomplete-condition']);
    expect(validate(n.draft({ subject: 'country', op: 'gt' }), { schema }).map((d) => d.code)).toEqual(['operator-type-mismatch', 'incomplete-condition']);
    expect(validate(n.draft({ op: 'within_last', operand: n.duration(1.5, 'month') }), {}).map((d) => d.code)).toEqual(['invalid-duration', 'incomplete-condition']);
  });

  it('validates any factory-built tree with drafts without throwing, every path leading to a node of the tree', () => {
    fc.assert(
      fc.property(factoryTree, fc.boolean(), (tree, withSchema) => {
        const found = validate(tree, withSchema ? { schema: schemaForArbitraries } : {});
        for (const d of found) expect(nodeAt(tree, d.path)).not.toBeUndefined();
        const incomplete = (d: DraftExpr) => d.subject === null || d.op === null || (OPERATORS[d.op].operand !== 'none' && d.operand === null);
        const drafts = [...walk(tree)].filter(([node]) => (node as Expr | null)?.type === 'draft' && incomplete(node as DraftExpr)).length;
        expect(found.filter((d) => d.code === 'incomplete-condition').length).toBe(drafts);
        const empty = [...walk(tree)].filter(([node]) => ['and', 'or'].includes((node as Expr | null)?.type ?? '') && (node as { items: unknown[] }).items.length === 0).length;
        expect(found.filter((d) => d.code === 'empty-group').length).toBe(empty);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers a malformed tree (from JSON, say) with invalid-node, never an exception', () => {
    const bad: unknown[] = [
      { type: 'bogus' },
      { type: 'and', items: 'x' },
      { type: 'predicate', subject: { type: 'field', path: ['a'] }, op: 'zz', operand: null },
      { type: 'predicate', op: 'eq', operand: { type: 'number', value: 1 } },
      { type: 'and', items: [null, 5] },
      { type: 'predicate', subject: { type: 'field', path: ['a'] }, op: 'within_last', operand: { type: 'duration', amount: 1, unit: 'fortnight' } },
    ];
    for (const tree of bad) {
      const found = validate(tree as Expr, { schema });
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((d) => d.code === 'invalid-node' || d.code === 'unknown-field')).toBe(true);
    }
  });

  it('resolves segment references when given the saved segments, reporting at the in_segment node', () => {
    const tree = n.and(n.condition('country', 'eq', 'OM'), n.not(n.segment('VIP Arabic Speaker')));
    const found = validate(tree, { schema, segments: [{ name: 'VIP Arabic Speakers', expression: 'language = "ar"' }] });
    expect(found).toEqual([
      { code: 'unknown-segment', severity: 'error', summary: 'unknown segment "VIP Arabic Speaker"', hint: 'did you mean "VIP Arabic Speakers"?', path: ['items', 1, 'operand'] },
    ]);
  });
});

describe('check: the language rules hold without a schema', () => {
  it('refuses fractional months and years and absurd durations, as count does', () => {
    expect(check('created_at within last 1.5 months').errors.map((e) => e.code)).toEqual(['invalid-duration']);
    expect(check('created_at within last 1e300 days').errors.map((e) => e.code)).toEqual(['invalid-duration']);
    expect(check('created_at > 2.5 years ago').errors.map((e) => e.code)).toEqual(['invalid-duration']);
    expect(check('event("x").within(0 days).count() > 1').errors.map((e) => e.code)).toEqual(['invalid-duration']);
    expect(check('created_at before "yesterday"').errors.map((e) => e.code)).toEqual(['invalid-date']);
    expect(check('anything = "goes"').errors).toEqual([]);
  });

  it('reports drafts in text and refuses to compile them', () => {
    const result = check('country = ? and (a = 1 or ?)');
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['incomplete-condition', ['items', 0]],
      ['incomplete-condition', ['items', 1, 'expr', 'items', 1]],
    ]);
    expect(() => compileSegment('country = ?')).toThrow(SegmentErrors);
    expect(() => compilePredicate(n.draft(), { schema: { fields: {} }, idField: 'id', segments: new Map(), clock: { now: 0 } as never })).toThrow(SegmentError);
  });

  it('returns each problem as data and as a SegmentError with the caret text', () => {
    const result = check('contry = "OM" and clicks_count > "x"', { schema, origin: 'expression' });
    expect(result.diagnostics.map((d) => [d.code, d.path, d.span])).toEqual([
      ['unknown-field', ['items', 0, 'subject'], { start: 0, end: 6 }],
      ['value-type-mismatch', ['items', 1, 'operand'], { start: 33, end: 36 }],
    ]);
    expect(result.errors.map((e) => e.diagnostic)).toEqual(result.diagnostics);
    expect(result.errors[0].message).toBe(formatDiagnostic(result.diagnostics[0], { source: 'contry = "OM" and clicks_count > "x"', origin: 'expression' }));
  });
});

describe('formatDiagnostic and SegmentError', () => {
  const d: Diagnostic = { code: 'unknown-field', severity: 'error', summary: 'unknown field `contry`', hint: 'did you mean `country`?', span: { start: 6, end: 12 }, path: ['items', 1, 'subject'] };

  it('formats with the caret under the span, with or without an origin', () => {
    expect(formatDiagnostic(d, { source: 'a = 1 contry = "OM"', origin: 'expression' })).toBe(
      ['error[unknown-field] at expression 1:7: unknown field `contry`', '  1 | a = 1 contry = "OM"', '    |       ^^^^^^', '  hint: did you mean `country`?'].join('\n'),
    );
    expect(formatDiagnostic(d)).toBe('error[unknown-field]: unknown field `contry`\n  hint: did you mean `country`?');
    expect(formatDiagnostic({ ...d, severity: 'warning', span: undefined }, { source: 'x', origin: 'expression' })).toBe(
      'warning[unknown-field] in expression: unknown field `contry`\n  hint: did you mean `country`?',
    );
  });

  it('wraps a diagnostic, with the fields other code reads and a plain JSON form', () => {
    const e = new SegmentError({ ...d, source: 'a = 1 contry = "OM"', origin: 'expression' });
    expect([e.code, e.summary, e.hint, e.span, e.path, e.severity, e.name]).toEqual(['unknown-field', 'unknown field `contry`', 'did you mean `country`?', d.span, d.path, 'error', 'SegmentError']);
    expect(e.message).toContain('^^^^^^');
    expect(e).toBeInstanceOf(Error);
    expect(String(e)).toBe(`SegmentError: ${e.message}`);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ ...d, origin: 'expression', start: { line: 1, column: 7 }, end: { line: 1, column: 13 }, message: e.message });
    const old = new SegmentError({ code: 'invalid-option', span: { start: 0, end: 0 }, summary: 'no profiles given' });
    expect([old.span, old.path, old.severity, old.message]).toEqual([{ start: 0, end: 0 }, [], 'error', 'error[invalid-option]: no profiles given']);
    expect(new SegmentErrors([e, old]).message).toBe(`${e.message}\n\n${old.message}`);
  });
});

describe('the schema of these tests', () => {
  it('is the sample schema', () => {
    expect((schema as Schema).fields.country).toBeDefined();
  });
});
