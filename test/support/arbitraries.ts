/**
 * fast-check arbitraries shared by the engines' tests: a schema that covers every field type, valid
 * segment trees for it (every operator with operands of the right kind, events with where/within
 * and every aggregate, not/and/or nesting), and hurtful profiles (mixed case, accents, trailing
 * spaces, "", null, absent keys, [], wrong types, Date objects, ISO strings with and without time
 * and offsets, instants exactly on window bounds, events with missing properties), widened by random
 * inputs: small integers 2–4 (aggregate thresholds), random integers and floats, random text from
 * letters that hurt (case folding, LIKE wildcards, quotes, combining marks, Arabic, emoji), random
 * instants written with random offsets, dotted paths written nested, flat, both, or beside a null or
 * non-object parent, and (on request) fields outside the schema under every operator.
 *
 * The in-memory engine's property tests use them; the SQL engine reuses them for differential
 * testing. Also exports small AST builders (`ast`) for hand-written trees.
 */
import fc from 'fast-check';
import type { AggregateFn, DurationLiteral, EventAggregate, Expr, FieldRef, Literal, Operand, PredicateExpr, Span } from '../../core/ast';
import type { DurationUnit } from '../../core/durations';
import { OPERATORS, operatorsFor, type FieldKind, type OperatorDef, type OperatorId } from '../../core/operators';
import { kindOf, type FieldSchema, type Schema } from '../../core/schema';

/** The evaluation instant every arbitrary is built around. */
export const NOW = '2026-11-24T12:00:00Z';
const NOW_MS = Date.parse(NOW);
const DAY = 86_400_000;
const SPAN: Span = { start: 0, end: 0 };

/** Small builders for hand-written trees (spans are all {0, 0}). */
export const ast = {
  field: (path: string): FieldRef => ({ type: 'field', path: path.split('.'), span: SPAN }),
  str: (value: string): Literal => ({ type: 'string', value, span: SPAN }),
  num: (value: number): Literal => ({ type: 'number', value, span: SPAN }),
  bool: (value: boolean): Literal => ({ type: 'boolean', value, span: SPAN }),
  now: (): Literal => ({ type: 'now', span: SPAN }),
  today: (): Literal => ({ type: 'today', span: SPAN }),
  dur: (amount: number, unit: DurationUnit): DurationLiteral => ({ type: 'duration', amount, unit, span: SPAN }),
  ago: (amount: number, unit: DurationUnit): Literal => ({ type: 'ago', duration: ast.dur(amount, unit), span: SPAN }),
  list: (...items: Literal[]): Operand => ({ type: 'list', items, span: SPAN }),
  range: (low: Literal, high: Literal): Operand => ({ type: 'range', low, high, span: SPAN }),
  pred: (subject: string | PredicateExpr['subject'], op: OperatorId, operand: Operand | null = null): PredicateExpr => ({
    type: 'predicate',
    subject: typeof subject === 'string' ? ast.field(subject) : subject,
    op,
    operand,
    opSpan: SPAN,
    span: SPAN,
  }),
  and: (...items: Expr[]): Expr => ({ type: 'and', items, span: SPAN }),
  or: (...items: Expr[]): Expr => ({ type: 'or', items, span: SPAN }),
  not: (operand: Expr): Expr => ({ type: 'not', operand, span: SPAN }),
  segment: (name: string): Expr => ({ type: 'segment', name, span: SPAN }),
  event: (
    name: string,
    fn: AggregateFn,
    options: { where?: Expr; within?: DurationLiteral; property?: string } = {},
  ): EventAggregate => ({
    type: 'aggregate',
    event: { type: 'string', value: name, span: SPAN },
    where: options.where ?? null,
    within: options.within ?? null,
    fn,
    property: options.property === undefined ? null : { type: 'string', value: options.property, span: SPAN },
    span: SPAN,
  }),
};

/** A schema with every field type, an enum, lists of text and numbers, nested paths and typed events. */
export const schemaForArbitraries: Schema = {
  idField: 'id',
  fields: {
    id: { type: 'text' },
    name: { type: 'text' },
    city: { type: 'text' },
    plan: { type: 'enum', values: ['free', 'Pro', 'team'] },
    age: { type: 'number' },
    score: { type: 'number' },
    vip: { type: 'boolean' },
    signed_up: { type: 'date' },
    last_seen: { type: 'date' },
    tags: { type: 'list', items: 'text' },
    scores: { type: 'list', items: 'number' },
    'attributes.tier': { type: 'enum', values: ['bronze', 'silver', 'gold'] },
    'attributes.ltv': { type: 'number' },
  },
  events: {
    purchase: { properties: { amount: { type: 'number' }, offer: { type: 'text' }, gift: { type: 'boolean' }, 'meta.channel': { type: 'text' } } },
    page_view: { properties: { url: { type: 'text' }, seconds: { type: 'number' } } },
    login: { properties: { device: { type: 'enum', values: ['ios', 'android', 'web'] } } },
  },
};

// ——— value pools: the same nasties for literals and for profile values, so predicates hit ———

const TEXTS = ['Zoë', 'zoë', 'Zoe', 'ZOË', 'zoë ', ' zoe', '', 'VIP', 'vip', 'Vip', 'lead', 'a', 'ab', 'İ', 'ß', 'SS', '5', 'free', 'PRO', 'gold', "o'neil \"x\" \\ */ \u2028"];
const NUMBERS = [0, -0, 1, -1, 5, 2.5, 1e9, -1e9, 25000, Number.MAX_SAFE_INTEGER];
const isoAt = (ms: number): string => new Date(ms).toISOString();
const DATE_TEXTS = [
  isoAt(NOW_MS),
  isoAt(NOW_MS + 1),
  isoAt(NOW_MS - 30 * DAY),
  isoAt(NOW_MS - 30 * DAY - 1),
  isoAt(NOW_MS - 7 * DAY),
  isoAt(NOW_MS - 400 * DAY),
  '2026-11-24',
  '2026-10-24',
  '2026-11-24T12:00:00',
  '2026-11-24T16:00:00+04:00',
  '2026-11-24T07:00:00-05:00',
  '2025-01-01',
];
const BAD_DATES = ['2026-02-30', 'yesterday', '24/11/2026', ''];
const WRONG_TYPES: unknown[] = ['5', 5, true, [], {}, 'not a date'];

const DURATIONS: DurationLiteral[] = [ast.dur(30, 'day'), ast.dur(7, 'day'), ast.dur(12, 'hour'), ast.dur(1, 'month'), ast.dur(1, 'year'), ast.dur(2, 'week'), ast.dur(15, 'minute')];

/** Letters that hurt: case folding (İ ı ß ẞ ſ K Σ), LIKE wildcards and escapes, quotes, a combining accent, Arabic, an emoji. */
const HURTFUL_CHARS = ['a', 'b', 'Z', 'é', 'É', 'ë', 'İ', 'ı', 'ß', 'ẞ', 'ſ', '\u212a', 'Σ', 'σ', ' ', '%', '_', '\\', "'", '"', 'ع', 'ب', '😀', '\u00a0', '\u0301', '0', '5', '.'];
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TEXTS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...HURTFUL_CHARS), maxLength: 6 }) },
);
/** Fixed nasties, the small integers aggregates are compared with, random integers, and floats. */
const number: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  // Multiples of 1/8: sums are exact in any order, so the engines may add in different orders.
  { weight: 1, arbitrary: fc.integer({ min: -8_000_000, max: 8_000_000 }).map((k) => k / 8) },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
);
const duration = fc.constantFrom(...DURATIONS);
const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
/** An instant written with an offset of `minutes` (the same instant, local time + offset). */
function withOffset(ms: number, minutes: number): string {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 23);
  return `${local}${minutes < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}
/** Random instants from 800 days before NOW to 30 days after it, in UTC or with an offset. */
const randomDateText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: NOW_MS - 800 * DAY, max: NOW_MS + 30 * DAY }), fc.constantFrom(0, 0, 60, -300, 345, 330, -570, 840, -720))
  .map(([ms, offset]) => (offset === 0 ? isoAt(ms) : withOffset(ms, offset)));
const dateText: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...DATE_TEXTS) }, { weight: 1, arbitrary: randomDateText });

function literalOf(kind: FieldKind, field: FieldSchema | undefined, numbers: fc.Arbitrary<number> = number): fc.Arbitrary<Literal> {
  switch (kind) {
    case 'text':
      return field?.values ? fc.constantFrom(...field.values).map(ast.str) : text.map(ast.str);
    case 'number':
      return numbers.map(ast.num);
    case 'boolean':
      return fc.boolean().map(ast.bool);
    case 'date':
      return fc.oneof(dateText.map(ast.str), fc.constant(ast.now()), fc.constant(ast.today()), duration.map((d) => ({ type: 'ago', duration: d, span: SPAN }) as Literal));
    case 'list':
      return field?.items === 'number' ? number.map(ast.num) : text.map(ast.str);
  }
}

function operandFor(def: OperatorDef, kind: FieldKind, field: FieldSchema | undefined, numbers: fc.Arbitrary<number> = number): fc.Arbitrary<Operand | null> {
  const element: FieldKind = kind === 'list' ? (field?.items === 'number' ? 'number' : 'text') : kind;
  switch (def.operand) {
    case 'none':
      return fc.constant(null);
    case 'value':
      return literalOf(def.id === 'contains' || def.id === 'not_contains' ? element : kind, field, numbers);
    case 'list':
      return fc.array(literalOf(element, field, numbers), { minLength: 1, maxLength: 6 }).map((items) => ast.list(...items));
    case 'range':
      return fc.tuple(literalOf(kind, field, numbers), literalOf(kind, field, numbers)).map(([low, high]) => ast.range(low, high));
    case 'duration':
      return duration;
  }
}

function predicateOn(subject: fc.Arbitrary<PredicateExpr['subject']>, kind: FieldKind, field: FieldSchema | undefined, numbers: fc.Arbitrary<number> = number): fc.Arbitrary<Expr> {
  return fc
    .tuple(subject, fc.constantFrom(...operatorsFor(kind)))
    .chain(([s, def]) => operandFor(def, kind, field, numbers).map((operand) => ast.pred(s, def.id, operand)));
}

/** Aggregates are compared mostly with the counts and sums profiles reach (0–4, halves), sometimes with anything. */
const threshold: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1.5, 2.5, -1) },
  { weight: 1, arbitrary: number },
);

function fieldPredicate(fields: Readonly<Record<string, FieldSchema>>): fc.Arbitrary<Expr> {
  return fc.constantFrom(...Object.keys(fields)).chain((key) => {
    const field = fields[key];
    return predicateOn(fc.constant(ast.field(key)), kindOf(field), field);
  });
}

function aggregatePredicate(schema: Schema, depth: number): fc.Arbitrary<Expr> {
  const events = schema.events ?? {};
  return fc.constantFrom(...Object.keys(events)).chain((name) => {
    const properties = events[name].properties;
    const numeric = Object.keys(properties).filter((p) => properties[p].type === 'number');
    // count twice: its SQL has shortcuts (no GROUP BY) that only thresholds near the counts reach.
    const fns: AggregateFn[] = ['count', 'count', 'first_at', 'last_at', ...(numeric.length > 0 ? (['sum', 'min', 'max', 'avg'] as const) : [])];
    const where = depth > 0 ? fc.option(exprFor(properties, schema, Math.min(depth - 1, 1), false), { nil: undefined }) : fc.constant(undefined);
    return fc
      .record({
        spelled: fc.constantFrom(name, name.toUpperCase()),
        fn: fc.constantFrom(...fns),
        where,
        within: fc.option(duration, { nil: undefined }),
        property: numeric.length > 0 ? fc.constantFrom(...numeric) : fc.constant(undefined),
      })
      .chain(({ spelled, fn, where: w, within, property }) => {
        const agg = ast.event(spelled, fn, { where: w, within, property: fn === 'sum' || fn === 'min' || fn === 'max' || fn === 'avg' ? property : undefined });
        return predicateOn(fc.constant(agg), fn === 'first_at' || fn === 'last_at' ? 'date' : 'number', undefined, threshold);
      });
  });
}

function exprFor(fields: Readonly<Record<string, FieldSchema>>, schema: Schema, depth: number, events: boolean): fc.Arbitrary<Expr> {
  const leaf = events ? fc.oneof({ weight: 4, arbitrary: fieldPredicate(fields) }, { weight: 1, arbitrary: aggregatePredicate(schema, depth) }) : fieldPredicate(fields);
  if (depth <= 0) return leaf;
  const sub = exprFor(fields, schema, depth - 1, events);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((items) => ast.and(...items)) },
    { weight: 1, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((items) => ast.or(...items)) },
    { weight: 1, arbitrary: sub.map(ast.not) },
  );
}

/** Valid segment trees for `schema` (fields, operators and operand kinds all fit). */
export function exprArbitrary(schema: Schema = schemaForArbitraries, options: { depth?: number; outside?: boolean } = {}): fc.Arbitrary<Expr> {
  const tree = exprFor(schema.fields, schema, options.depth ?? 3, Object.keys(schema.events ?? {}).length > 0);
  if (options.outside !== true) return tree;
  return fc.oneof(
    { weight: 2, arbitrary: tree },
    { weight: 1, arbitrary: outsidePredicate },
    { weight: 1, arbitrary: fc.tuple(tree, outsidePredicate, fc.boolean()).map(([t, o, both]) => (both ? ast.and(t, o) : ast.or(o, t))) },
  );
}

/** Fields that are not in `schemaForArbitraries` (the in-memory engine reads them by the literal's kind; SQL refuses them). */
export const OUTSIDE_FIELDS = ['nickname', 'extra.deep', 'ghost'];
/** Any literal at all: the operand's kind decides what an outside field is compared as. */
const anyLiteral: fc.Arbitrary<Literal> = fc.oneof(
  text.map(ast.str),
  number.map(ast.num),
  fc.boolean().map(ast.bool),
  dateText.map(ast.str),
  fc.constantFrom(ast.now(), ast.today()),
  duration.map((d) => ({ type: 'ago', duration: d, span: SPAN }) as Literal),
);
const listLiteral: fc.Arbitrary<Literal> = fc.oneof(text.map(ast.str), number.map(ast.num), fc.boolean().map(ast.bool));

/** Every operator on a field outside the schema, with an operand of any kind. */
const outsidePredicate: fc.Arbitrary<Expr> = fc.tuple(fc.constantFrom(...OUTSIDE_FIELDS), fc.constantFrom(...Object.values(OPERATORS))).chain(([key, def]) => {
  const operand: fc.Arbitrary<Operand | null> =
    def.operand === 'none'
      ? fc.constant(null)
      : def.operand === 'value'
        ? anyLiteral
        : def.operand === 'list'
          ? fc.array(listLiteral, { minLength: 1, maxLength: 5 }).map((items) => ast.list(...items))
          : def.operand === 'range'
            ? fc.oneof(fc.tuple(number, number).map(([a, b]) => ast.range(ast.num(a), ast.num(b))), fc.tuple(anyLiteral, anyLiteral).map(([a, b]) => ast.range(a, b)))
            : duration;
  return operand.map((o) => ast.pred(key, def.id, o));
});

/** Values for the fields outside the schema: anything a profile may hold. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  text,
  number,
  fc.boolean(),
  dateText,
  fc.constant(null),
  fc.array(fc.oneof(text, number), { maxLength: 3 }),
  fc.constantFrom<unknown>({}, new Date(NOW_MS)),
);
const outsideValues: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ nickname: anyValue, deep: anyValue, flat: fc.boolean() }, { requiredKeys: [] })
  .map(({ nickname, deep, flat }) => {
    const out: Record<string, unknown> = {};
    if (nickname !== undefined) out.nickname = nickname;
    if (deep !== undefined) {
      if (flat) out['extra.deep'] = deep;
      else out.extra = { deep };
    }
    return out;
  });

/** A positive-form predicate with its negative form (e.g. `=` and `!=`) on the same subject and operand. */
export function negativePairArbitrary(schema: Schema = schemaForArbitraries): fc.Arbitrary<[PredicateExpr, PredicateExpr]> {
  return exprArbitrary(schema, { depth: 0 })
    .filter((e): e is PredicateExpr => e.type === 'predicate' && OPERATORS[e.op].negates !== undefined)
    .map((negative) => [{ ...negative, op: OPERATORS[negative.op].negates as OperatorId }, negative]);
}

// ——— profiles ———

function valueOf(field: FieldSchema): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'text':
      return text;
    case 'enum':
      return fc.constantFrom(...(field.values ?? []), ...(field.values ?? []).map((v) => v.toUpperCase()), 'unknown value');
    case 'number':
      return number;
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.oneof(dateText, dateText.map((s) => new Date(Date.parse(s.length === 10 || s.endsWith('Z') || /[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`))), fc.constantFrom(...BAD_DATES));
    case 'list':
      return fc.array(field.items === 'number' ? fc.oneof(number, fc.constant<unknown>('5')) : fc.oneof(text, fc.constant<unknown>(5)), { maxLength: 4 });
  }
}

/** Absent (undefined: the key is left out), null, a value of the right type, or one of the wrong type. */
function slot(field: FieldSchema): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary: valueOf(field) }, { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES) });
}

/**
 * How the fields under one parent (`attributes.tier`, `attributes.ltv`) are written: nested; as flat
 * dotted keys; both (flat keys holding other values); or flat keys beside a parent that is null, {},
 * text, a number, a boolean or a list (docs/LANGUAGE.md §7.6: a present parent wins).
 */
type Shape = 'nested' | 'flat' | 'both' | { parent: unknown };
const shape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Shape>('nested') },
  { weight: 2, arbitrary: fc.constant<Shape>('flat') },
  { weight: 1, arbitrary: fc.constant<Shape>('both') },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, {}, 'gold', 5, true, [], [{ tier: 'gold' }]).map((parent): Shape => ({ parent })) },
);

function objectOf(fields: Readonly<Record<string, FieldSchema>>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  const parents = [...new Set(keys.filter((k) => k.includes('.')).map((k) => k.split('.')[0]))];
  return fc.tuple(fc.tuple(...keys.map((k) => slot(fields[k]))), fc.tuple(...parents.map(() => shape)), fc.tuple(...keys.map((k) => valueOf(fields[k])))).map(([values, shapes, others]) => {
    const out: Record<string, unknown> = {};
    const shapeOf = new Map(parents.map((p, i) => [p, shapes[i]]));
    values.forEach((value, i) => {
      if (value === undefined) return;
      const path = keys[i].split('.');
      const how = shapeOf.get(path[0]) ?? 'nested';
      if (how === 'flat' || typeof how === 'object') {
        out[keys[i]] = value;
        return;
      }
      let target = out;
      for (const segment of path.slice(0, -1)) target = (target[segment] ??= {}) as Record<string, unknown>;
      target[path[path.length - 1]] = value;
      if (how === 'both') out[keys[i]] = others[i];
    });
    for (const [parent, how] of shapeOf) if (typeof how === 'object') out[parent] = how.parent;
    return out;
  });
}

function eventArbitrary(schema: Schema): fc.Arbitrary<unknown> {
  const events = schema.events ?? {};
  const names = Object.keys(events);
  return fc.constantFrom(...names).chain((name) =>
    fc.record(
      {
        event: fc.constantFrom(name, name.toUpperCase(), `${name} `, 'other'),
        timestamp: fc.oneof({ weight: 5, arbitrary: dateText }, { weight: 1, arbitrary: fc.constantFrom<unknown>(...BAD_DATES, null, 5) }),
        properties: fc.oneof({ weight: 6, arbitrary: objectOf(events[name].properties) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], 'x') }),
      },
      { requiredKeys: ['event'] },
    ),
  );
}

/** Hurtful profiles for `schema`: every field absent, null, right-typed or wrong-typed; 0–5 events. */
export function profileArbitrary(schema: Schema = schemaForArbitraries): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(objectOf(schema.fields), fc.option(fc.array(eventArbitrary(schema), { maxLength: 5 }), { nil: undefined, freq: 5 }), outsideValues)
    .map(([profile, events, outside]) => (events === undefined ? { ...outside, ...profile } : { ...outside, ...profile, events }));
}

/** Time zones with DST (north and south, a half-hour one), odd offsets, and none; evaluation instants on and beside DST changes. */
export const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Muscat', 'Pacific/Kiritimati'];
const DST_CHANGES = [
  '2026-03-29T01:00:00Z', // Europe: clocks forward
  '2026-10-25T01:00:00Z', // Europe: clocks back
  '2026-03-08T07:00:00Z', // New York: forward
  '2026-11-01T06:00:00Z', // New York: back
  '2026-04-04T15:00:00Z', // Lord Howe: back half an hour
  '2026-10-03T15:30:00Z', // Lord Howe: forward
  '2026-04-05T13:45:00Z', // Chatham
].map(Date.parse);

/** An evaluation clock: NOW, a DST change (± 1 ms, ± 1 hour), or a random instant; any of ZONES. */
export const clockOptionsArbitrary: fc.Arbitrary<{ now: string; timeZone: string }> = fc.record({
  now: fc.oneof(
    { weight: 2, arbitrary: fc.constant(NOW_MS) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...DST_CHANGES), fc.constantFrom(0, 1, -1, 3_600_000, -3_600_000)).map(([t, d]) => t + d) },
    { weight: 1, arbitrary: fc.integer({ min: NOW_MS - 400 * DAY, max: NOW_MS + 30 * DAY }) },
  ).map(isoAt),
  timeZone: fc.constantFrom(...ZONES),
});

/** Many profiles with distinct ids (`u0`, `u1`…). */
export function profilesArbitrary(schema: Schema = schemaForArbitraries, options: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<Record<string, unknown>[]> {
  return fc.array(profileArbitrary(schema), { minLength: options.minLength ?? 1, maxLength: options.maxLength ?? 30 }).map((ps) => ps.map((p, i) => ({ ...p, id: `u${i}` })));
}
