import { beforeAll, describe, expect, it } from 'vitest';
import type { Expr } from '../../../core/ast';
import { SegmentError } from '../../../core/errors';
import { compilePredicate, type CompileContext, type EvaluatorOption, type Profile } from '../../../core/evaluate/compile';
import type { Schema } from '../../../core/schema';
import type { ResolvedSegment } from '../../../core/segments';
import { createClock } from '../../../core/time';
import { EVALUATORS } from '../../conformance/cases';
import { ast, NOW } from '../../support/arbitraries';

const { pred, field, str, num, bool, list, range, dur, ago, and, or, not, segment, event } = ast;

const schema: Schema = {
  fields: {
    id: { type: 'text' },
    name: { type: 'text' },
    country: { type: 'text' },
    age: { type: 'number' },
    vip: { type: 'boolean' },
    seen: { type: 'date' },
    tags: { type: 'list', items: 'text' },
    scores: { type: 'list', items: 'number' },
    'attributes.tier': { type: 'enum', values: ['gold', 'silver'] },
  },
  events: { Purchase: { properties: { amount: { type: 'number' }, offer: { type: 'text' }, 'meta.source': { type: 'text' } } } },
};

/** The evaluator of the block running (each block below runs once per evaluator). */
let evaluator: EvaluatorOption = 'generated';

function context(overrides: Partial<CompileContext> = {}): CompileContext {
  return { schema, idField: 'id', segments: new Map(), clock: createClock({ now: NOW }), evaluator, ...overrides };
}

function compile(expr: Expr, overrides: Partial<CompileContext> = {}): (p: Profile) => boolean {
  return compilePredicate(expr, context(overrides));
}

const NOW_MS = Date.parse(NOW);

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    return e instanceof SegmentError ? e.code : `not a SegmentError: ${String(e)}`;
  }
  return undefined;
}
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

// Every case below holds for both evaluators: the generated code and the closures.
describe.each(EVALUATORS)('%s evaluator', (each) => {
  beforeAll(() => {
    evaluator = each;
  });

  describe('compilePredicate: text', () => {
    const isZoe = compile(pred('name', 'eq', str('Zoë')));

    it('compares text ignoring case, with accents and spaces counting', () => {
      expect(isZoe({ name: 'ZOË' })).toBe(true);
      expect(isZoe({ name: 'zoë' })).toBe(true);
      expect(isZoe({ name: 'Zoe' })).toBe(false);
      expect(isZoe({ name: 'Zoë ' })).toBe(false);
    });

    it('is false on unknown and wrong-type values, and != is true there', () => {
      const notZoe = compile(pred('name', 'neq', str('Zoë')));
      for (const p of [{}, { name: null }, { name: 5 }, { name: ['Zoë'] }]) {
        expect(isZoe(p)).toBe(false);
        expect(notZoe(p)).toBe(true);
      }
    });

    it('does not coerce a number to text', () => {
      expect(compile(pred('name', 'eq', str('5')))({ name: 5 })).toBe(false);
    });

    it('matches substrings, prefixes and suffixes ignoring case', () => {
      expect(compile(pred('name', 'contains', str('OË')))({ name: 'Zoë' })).toBe(true);
      expect(compile(pred('name', 'starts_with', str('zo')))({ name: 'Zoë' })).toBe(true);
      expect(compile(pred('name', 'ends_with', str('Ë')))({ name: 'Zoë' })).toBe(true);
      expect(compile(pred('name', 'ends_with', str('e')))({ name: 'Zoë' })).toBe(false);
    });

    it('tests membership in short and long lists ignoring case', () => {
      const short = compile(pred('country', 'in', list(str('om'), str('AE'))));
      const long = compile(pred('country', 'in', list(...['om', 'ae', 'sa', 'in', 'us', 'fr'].map(str))));
      for (const test of [short, long]) {
        expect(test({ country: 'OM' })).toBe(true);
        expect(test({ country: 'GB' })).toBe(false);
        expect(test({})).toBe(false);
      }
      expect(compile(pred('country', 'not_in', list(str('om'))))({})).toBe(true);
    });

    it('treats unknown, "" and [] as empty, and only absent or null as unknown', () => {
      const empty = compile(pred('name', 'is_empty'));
      expect([{}, { name: null }, { name: '' }, { name: ' ' }].map(empty)).toEqual([true, true, true, false]);
      const listEmpty = compile(pred('tags', 'is_empty'));
      expect([{}, { tags: [] }, { tags: [''] }].map(listEmpty)).toEqual([true, true, false]);
      const unknown = compile(pred('name', 'is_unknown'));
      expect([{}, { name: null }, { name: '' }, { name: 0 }].map(unknown)).toEqual([true, true, false, false]);
    });
  });

  describe('compilePredicate: numbers, booleans, lists', () => {
    it('compares numbers without coercion, 0 equal to -0', () => {
      const gt = compile(pred('age', 'gt', num(4)));
      expect([{ age: 5 }, { age: '5' }, { age: 4 }, {}, { age: true }].map(gt)).toEqual([true, false, false, false, false]);
      expect(compile(pred('age', 'eq', num(0)))({ age: -0 })).toBe(true);
    });

    it('includes both bounds of between, and not between is its complement', () => {
      const between = compile(pred('age', 'between', range(num(1), num(3))));
      const outside = compile(pred('age', 'not_between', range(num(1), num(3))));
      expect([0, 1, 3, 4].map((age) => between({ age }))).toEqual([false, true, true, false]);
      expect(outside({})).toBe(true);
      expect(outside({ age: '2' })).toBe(true);
    });

    it('compares booleans strictly', () => {
      const optedIn = compile(pred('vip', 'eq', bool(false)));
      expect([{ vip: false }, { vip: 0 }, { vip: 'false' }, {}].map(optedIn)).toEqual([true, false, false, false]);
    });

    it('tests list elements ignoring case and by exact number', () => {
      expect(compile(pred('tags', 'contains', str('vip')))({ tags: ['VIP'] })).toBe(true);
      expect(compile(pred('tags', 'contains', str('vi')))({ tags: ['VIP'] })).toBe(false);
      expect(compile(pred('scores', 'contains', num(5)))({ scores: ['5'] })).toBe(false);
      const any = compile(pred('tags', 'contains_any', list(str('a'), str('B'))));
      const all = compile(pred('tags', 'contains_all', list(str('a'), str('B'))));
      const none = compile(pred('tags', 'contains_none', list(str('a'), str('B'))));
      expect([any, all, none].map((t) => t({ tags: ['b', 'C'] }))).toEqual([true, false, false]);
      expect([any, all, none].map((t) => t({ tags: ['A', 'b'] }))).toEqual([true, true, false]);
      expect([any, all, none].map((t) => t({}))).toEqual([false, false, true]);
    });
  });

  describe('compilePredicate: dates', () => {
    const within = compile(pred('seen', 'within_last', dur(30, 'day')));
    const older = compile(pred('seen', 'older_than', dur(30, 'day')));

    it('keeps now − d ≤ f ≤ now for within last, and f < now − d for older than', () => {
      const at = (ms: number) => ({ seen: iso(ms) });
      expect(within(at(NOW_MS - 30 * DAY))).toBe(true);
      expect(within(at(NOW_MS - 30 * DAY - 1))).toBe(false);
      expect(within(at(NOW_MS))).toBe(true);
      expect(within(at(NOW_MS + 1))).toBe(false);
      expect(older(at(NOW_MS - 30 * DAY))).toBe(false);
      expect(older(at(NOW_MS - 30 * DAY - 1))).toBe(true);
    });

    it('reads ISO strings without time or offset as UTC, offsets as instants, and Date objects', () => {
      const exact = compile(pred('seen', 'eq', str('2026-11-24T12:00:00Z')));
      expect(exact({ seen: '2026-11-24T16:00:00+04:00' })).toBe(true);
      expect(exact({ seen: '2026-11-24T12:00:00' })).toBe(true);
      expect(exact({ seen: new Date(NOW_MS) })).toBe(true);
      expect(compile(pred('seen', 'eq', str('2026-11-24')))({ seen: '2026-11-24T00:00:00.000Z' })).toBe(true);
    });

    it('does not read numbers or other text as dates', () => {
      for (const seen of [NOW_MS, 'yesterday', '2026-02-30', '24/11/2026']) {
        expect(within({ seen })).toBe(false);
        expect(older({ seen })).toBe(false);
      }
    });

    it('makes before and after strict', () => {
      const before = compile(pred('seen', 'before', str('2026-01-01')));
      const after = compile(pred('seen', 'after', str('2026-01-01')));
      expect([before({ seen: '2026-01-01' }), after({ seen: '2026-01-01' })]).toEqual([false, false]);
      expect(before({ seen: '2025-12-31T23:59:59.999Z' })).toBe(true);
    });

    it('computes windows from the clock once, at compile time', () => {
      const clock = createClock({ now: NOW });
      let calls = 0;
      const counting = { ...clock, ago: (d: Parameters<typeof clock.ago>[0]) => (calls++, clock.ago(d)) };
      const test = compilePredicate(pred('seen', 'gt', ago(2, 'day')), context({ clock: counting }));
      const before = calls;
      for (let i = 0; i < 100; i++) test({ seen: iso(NOW_MS - i * 3_600_000) });
      expect(calls).toBe(before);
    });

    it('steps months in the configured time zone and starts today there', () => {
      const muscat = createClock({ now: '2026-11-24T21:00:00Z', timeZone: 'Asia/Muscat' });
      const today = compilePredicate(pred('seen', 'gte', ast.today()), context({ clock: muscat }));
      expect(today({ seen: '2026-11-24T20:00:00Z' })).toBe(true);
      expect(today({ seen: '2026-11-24T19:59:59Z' })).toBe(false);
    });
  });

  describe('compilePredicate: fields', () => {
    it('reads nested paths, or a literal dotted key when the parent is absent', () => {
      const gold = compile(pred('attributes.tier', 'eq', str('GOLD')));
      expect(gold({ attributes: { tier: 'gold' } })).toBe(true);
      expect(gold({ 'attributes.tier': 'Gold' })).toBe(true);
      expect(gold({ attributes: {}, 'attributes.tier': 'Gold' })).toBe(false);
      expect(gold({ attributes: null })).toBe(false);
      expect(gold({ attributes: 'gold' })).toBe(false);
    });

    it('does not see inherited properties such as constructor as values', () => {
      const known = compile(pred('constructor', 'is_known'), { schema: { fields: {} } });
      expect(known({})).toBe(false);
      expect(known({ constructor: 'x' })).toBe(true);
      expect(compile(pred('__proto__', 'is_known'))({})).toBe(false);
    });

    it('falls back on the literal type for fields missing from the schema', () => {
      const bare = { schema: { fields: {} } };
      expect(compile(pred('n', 'gt', num(1)), bare)({ n: 2 })).toBe(true);
      expect(compile(pred('d', 'gt', str('2026-01-01')), bare)({ d: '2026-06-01' })).toBe(true);
      expect(compile(pred('t', 'eq', str('2026-01-01')), bare)({ t: '2026-01-01T00:00:00Z' })).toBe(false);
      expect(compile(pred('t', 'contains', str('a')), bare)({ t: 'CAT' })).toBe(true);
      expect(compile(pred('t', 'contains', str('a')), bare)({ t: ['x', 'A'] })).toBe(true);
    });

    it('treats a profile that is not an object as having no fields', () => {
      const unknown = compile(pred('name', 'is_unknown'));
      expect(unknown(null as unknown as Profile)).toBe(true);
      expect(unknown('x' as unknown as Profile)).toBe(true);
    });
  });

  describe('compilePredicate: events', () => {
    const at = (days: number): string => iso(NOW_MS - days * DAY);
    const profile = {
      events: [
        { event: 'purchase', timestamp: at(1), properties: { amount: 10, offer: 'Summer' } },
        { event: 'PURCHASE', timestamp: at(10), properties: { amount: '5', offer: 'summer' } },
        { event: 'Purchase', timestamp: at(40), properties: { amount: 30, meta: { source: 'SMS' } } },
        { event: 'purchase', timestamp: 'not a date', properties: null },
        { event: 'page_view', timestamp: at(0), properties: { amount: 1000 } },
        null,
        { timestamp: at(0) },
      ],
    };
    const value = (fn: Parameters<typeof event>[1], options: Parameters<typeof event>[2] = {}, op: 'eq' | 'is_unknown' = 'is_unknown', n?: number) =>
      compile(pred(event('purchase', fn, options), op, n === undefined ? null : num(n)))(profile);

    it('counts events by name ignoring case, with where and within', () => {
      expect(value('count', {}, 'eq', 4)).toBe(true);
      expect(value('count', { within: dur(30, 'day') }, 'eq', 2)).toBe(true);
      expect(value('count', { where: pred('offer', 'eq', str('SUMMER')) }, 'eq', 2)).toBe(true);
      expect(value('count', { where: pred('meta.source', 'eq', str('sms')) }, 'eq', 1)).toBe(true);
    });

    it('folds numeric properties, skipping non-numbers', () => {
      expect(value('sum', { property: 'amount' }, 'eq', 40)).toBe(true);
      expect(value('min', { property: 'amount' }, 'eq', 10)).toBe(true);
      expect(value('max', { property: 'amount' }, 'eq', 30)).toBe(true);
      expect(value('avg', { property: 'amount' }, 'eq', 20)).toBe(true);
    });

    it('gives 0 for count and sum of no events and unknown for the other aggregates', () => {
      const none = { within: dur(1, 'minute') };
      expect(value('count', none, 'eq', 0)).toBe(true);
      expect(value('sum', { ...none, property: 'amount' }, 'eq', 0)).toBe(true);
      for (const fn of ['min', 'max', 'avg'] as const) expect(value(fn, { ...none, property: 'amount' })).toBe(true);
      for (const fn of ['first_at', 'last_at'] as const) expect(value(fn, none)).toBe(true);
    });

    it('returns first and last timestamps as dates', () => {
      const last = compile(pred(event('purchase', 'last_at'), 'within_last', dur(2, 'day')));
      const first = compile(pred(event('purchase', 'first_at'), 'older_than', dur(39, 'day')));
      expect(last(profile)).toBe(true);
      expect(first(profile)).toBe(true);
      expect(last({})).toBe(false);
    });
  });

  describe('compilePredicate: segments and structure', () => {
    const vip: ResolvedSegment = { kind: 'dynamic', name: 'VIP', expr: pred('tags', 'contains', str('vip')), source: '' };
    const attendees: ResolvedSegment = { kind: 'manual', name: 'Attendees', members: new Set(['u1', '42']) };
    const both: ResolvedSegment = { kind: 'dynamic', name: 'Both', expr: and(segment('vip'), segment('ATTENDEES')), source: '' };
    const segments = new Map<string, ResolvedSegment>([
      ['vip', vip],
      ['attendees', attendees],
      ['both', both],
    ]);

    it('evaluates nested dynamic and manual segments by name ignoring case', () => {
      const test = compile(segment('Both'), { segments });
      expect(test({ id: 'u1', tags: ['VIP'] })).toBe(true);
      expect(test({ id: 'u2', tags: ['VIP'] })).toBe(false);
      expect(compile(segment('attendees'), { segments })({ id: 42 })).toBe(true);
      expect(compile(segment('attendees'), { segments })({})).toBe(false);
    });

    it('throws unknown-segment and segment-cycle errors at compile time', () => {
      const loop: ResolvedSegment = { kind: 'dynamic', name: 'Loop', expr: or(segment('vip'), segment('loop')), source: '' };
      const withLoop = new Map<string, ResolvedSegment>([...segments, ['loop', loop]]);
      expect(errorCode(() => compile(segment('nope'), { segments }))).toBe('unknown-segment');
      expect(errorCode(() => compile(segment('loop'), { segments: withLoop }))).toBe('segment-cycle');
    });

    it('negates with not, so A or not A is everyone', () => {
      const a = pred('name', 'eq', str('x'));
      const test = compile(or(a, not(a)));
      for (const p of [{}, { name: 'X' }, { name: 5 }]) expect(test(p)).toBe(true);
      expect(compile(not(not(a)))({ name: 'x' })).toBe(true);
    });

    it('compiles and runs a 10k-term and, a 10k-deep nesting and a 10k not chain', () => {
      const wide = and(...Array.from({ length: 10_000 }, (_, i) => pred(`f${i % 40}`, 'neq', str(`v${i}`))));
      expect(compile(wide)({})).toBe(true);
      let deep: Expr = pred('name', 'is_unknown');
      for (let i = 0; i < 10_000; i++) deep = i % 2 ? and(pred('age', 'is_unknown'), deep) : or(pred('age', 'is_known'), deep);
      expect(compile(deep)({})).toBe(true);
      let nots: Expr = pred('name', 'is_unknown');
      for (let i = 0; i < 10_001; i++) nots = not(nots);
      expect(compile(nots)({})).toBe(false);
    });
  });

  describe('compilePredicate: hostile input', () => {
    const hostile = ['"); process.exit(1); ("', "'); process.exit(1); ('", '\\', '*/ process.exit(1) /*', '\u2028\u2029', '${process.exit(1)}', '`', '\0'];

    it('keeps hostile strings as data in values, field names, event names, properties and segment names', () => {
      for (const s of hostile) {
        const fieldName = `x${s}`;
        const members: ResolvedSegment = { kind: 'manual', name: s, members: new Set([s]) };
        const expr = and(
          pred(fieldName, 'eq', str(s)),
          pred('name', 'in', list(...Array.from({ length: 6 }, () => str(s)))),
          pred(event(s, 'sum', { property: s, where: pred(s, 'is_known') }), 'eq', num(1)),
          segment(s),
        );
        const test = compilePredicate(expr, context({ schema: { fields: {} }, idField: s, segments: new Map([[s.toLowerCase(), members]]) }));
        const profile = { [fieldName]: s.toUpperCase(), name: s, [s]: s, events: [{ event: s, timestamp: NOW, properties: { [s]: 1 } }] };
        expect(test(profile)).toBe(true);
      }
    });
  });

  describe('compilePredicate: deep event filters', () => {
    it('compiles and runs a 10k-deep where filter used twice', () => {
      let where: Expr = pred('amount', 'is_known');
      for (let i = 0; i < 10_000; i++) where = i % 2 ? and(pred('offer', 'is_unknown'), where) : or(pred('offer', 'eq', str('x')), where);
      const deep = pred(event('purchase', 'count', { where }), 'eq', num(1));
      const test = compile(or(deep, deep));
      expect(test({ events: [{ event: 'purchase', timestamp: NOW, properties: { amount: 1 } }] })).toBe(true);
      expect(test({ events: [] })).toBe(false);
    });
  });
});
