/**
 * The boundary table for aggregate comparisons: every comparison operator × the thresholds
 * 0, 0.5, 1, 1.5, 2, 3 × profiles with 0 to 3 matching events, for count, sum, min, max and avg, with
 * and without `.where` and `.within` (docs/LANGUAGE.md §5, §7.1, §7.5).
 *
 * The expected ids are not produced by the code under test: `expectedIds` applies the rules of the
 * language to the profiles with plain JavaScript (filter the events, fold their amounts, compare), a
 * rule short enough to check by reading. `aggregates.test.ts` also pins a handful of rows by hand.
 */
import type { Schema } from '../../core/schema';

export const NOW = '2026-11-24T12:00:00Z';
const NOW_MS = Date.parse(NOW);
const DAY = 86_400_000;
/** `.within(30 days)`: now − 30 days ≤ timestamp ≤ now. */
const WINDOW_START = NOW_MS - 30 * DAY;

export const aggregateSchema: Schema = {
  idField: 'id',
  fields: { id: { type: 'text' } },
  events: {
    purchase: { properties: { amount: { type: 'number' }, kind: { type: 'text' } } },
    refund: { properties: { amount: { type: 'number' }, kind: { type: 'text' } } },
  },
};

/**
 * The events every variant counts (name `purchase` in any case, kind "a", inside the window): their
 * amounts. `null` is an event without an amount, `'1'` an amount of the wrong type; both count for
 * `count()` and are skipped by the others.
 */
const cores: [string, unknown[]][] = [
  ['none', []],
  ['one-0', [0]],
  ['one-0.5', [0.5]],
  ['one-1', [1]],
  ['one-2', [2]],
  ['one-unknown', [null]],
  ['two-1-1', [1, 1]],
  ['two-0.5-1', [0.5, 1]],
  ['two-1-2', [1, 2]],
  ['two-1-text', [1, '1']],
  ['three-1-1-1', [1, 1, 1]],
  ['three-0.5-1-1.5', [0.5, 1, 1.5]],
  ['three-0-1.5-3', [0, 1.5, 3]],
  ['three-neg', [-1, 1, 3]],
];

// Inside the window, at both of its ends too; names in every case (event names ignore case).
const CORE_TIMES = ['2026-11-24T12:00:00Z', '2026-10-25T12:00:00.000Z', '2026-11-20T08:00:00+04:00'];
const CORE_NAMES = ['purchase', 'PURCHASE', 'Purchase'];

interface RawEvent {
  event: string;
  timestamp: string;
  properties?: Record<string, unknown> | null;
}

/** Events that `.where(kind = "a")` drops (inside the window). */
const whereDecoys: RawEvent[] = [
  { event: 'purchase', timestamp: '2026-11-23T00:00:00Z', properties: { kind: 'b', amount: 1 } },
  { event: 'purchase', timestamp: '2026-11-22T00:00:00Z', properties: { amount: 0.5 } },
  { event: 'purchase', timestamp: '2026-11-21T00:00:00Z', properties: null },
];
/** Events that `.within(30 days)` drops (kind "a"): one millisecond too old, one millisecond in the future. */
const withinDecoys: RawEvent[] = [
  { event: 'purchase', timestamp: '2026-10-25T11:59:59.999Z', properties: { kind: 'a', amount: 1 } },
  { event: 'purchase', timestamp: '2026-11-24T12:00:00.001Z', properties: { kind: 'A', amount: 0.5 } },
];
/** An event both drop, and events no variant counts (another name, a name with a space). */
const bothDecoy: RawEvent = { event: 'purchase', timestamp: '2020-01-01T00:00:00Z', properties: { kind: 'b', amount: 2 } };
const otherEvents: RawEvent[] = [
  { event: 'refund', timestamp: '2026-11-24T00:00:00Z', properties: { kind: 'a', amount: 1 } },
  { event: 'purchase ', timestamp: '2026-11-24T00:00:00Z', properties: { kind: 'a', amount: 1 } },
];

const DECOYS: Record<string, RawEvent[]> = {
  plain: [],
  w: whereDecoys,
  t: withinDecoys,
  wt: [...whereDecoys, ...withinDecoys, bothDecoy],
};

export const aggregateProfiles: Record<string, unknown>[] = cores.flatMap(([name, amounts], c) =>
  Object.entries(DECOYS).map(([family, decoys]) => {
    const core: RawEvent[] = amounts.map((amount, i) => ({
      event: CORE_NAMES[(c + i) % 3],
      timestamp: CORE_TIMES[(c + i) % 3],
      properties: amount === null ? { kind: 'a' } : { kind: i % 2 === 0 ? 'a' : 'A', amount },
    }));
    // Decoys first in some profiles, last in others: order never matters.
    const events = c % 2 === 0 ? [...core, ...decoys, ...otherEvents] : [...otherEvents, ...decoys, ...core];
    return { id: `${name}/${family}`, events };
  }),
);

export type AggregateName = 'count' | 'sum' | 'min' | 'max' | 'avg';
export const AGGREGATES: AggregateName[] = ['count', 'sum', 'min', 'max', 'avg'];
export const THRESHOLDS = [0, 0.5, 1, 1.5, 2, 3];
export const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'between', 'not between', 'in', 'not in'] as const;
export type ComparisonOperator = (typeof OPERATORS)[number];

export interface Variant {
  where: boolean;
  within: boolean;
}
export const VARIANTS: Variant[] = [
  { where: false, within: false },
  { where: true, within: false },
  { where: false, within: true },
  { where: true, within: true },
];

/** The list of the `in` rows: the threshold, a half above it and 2 above it. */
export const listOf = (t: number): number[] => [t, t + 0.5, t + 2];

/** The expression of one row; `between t and t + 1` for the range operators, `in [t, t + 0.5, t + 2]` for the lists. */
export function aggregateExpression(aggregate: AggregateName, variant: Variant, op: ComparisonOperator, threshold: number): string {
  const chain = `event("purchase")${variant.where ? '.where(kind = "a")' : ''}${variant.within ? '.within(30 days)' : ''}`;
  const call = aggregate === 'count' ? 'count()' : `${aggregate}("amount")`;
  const operand =
    op === 'between' || op === 'not between' ? `${threshold} and ${threshold + 1}` : op === 'in' || op === 'not in' ? `[${listOf(threshold).join(', ')}]` : `${threshold}`;
  return `${chain}.${call} ${op} ${operand}`;
}

/** The aggregate's value for a profile, or undefined (unknown), by the rules of §5 written out plainly. */
export function aggregateValue(profile: Record<string, unknown>, aggregate: AggregateName, variant: Variant): number | undefined {
  const events = profile.events as RawEvent[];
  const kept = events.filter((e) => {
    if (e.event.toLowerCase() !== 'purchase') return false;
    const kind = e.properties?.kind;
    if (variant.where && !(typeof kind === 'string' && kind.toLowerCase() === 'a')) return false;
    const t = Date.parse(e.timestamp);
    if (variant.within && !(t >= WINDOW_START && t <= NOW_MS)) return false;
    return true;
  });
  if (aggregate === 'count') return kept.length;
  const amounts = kept.map((e) => e.properties?.amount).filter((a): a is number => typeof a === 'number');
  if (aggregate === 'sum') return amounts.reduce((s, a) => s + a, 0);
  if (amounts.length === 0) return undefined;
  if (aggregate === 'min') return Math.min(...amounts);
  if (aggregate === 'max') return Math.max(...amounts);
  return amounts.reduce((s, a) => s + a, 0) / amounts.length;
}

/** Positive forms are false on unknown; `!=`, `not between` and `not in` are their complements (§7.1). */
export function compare(value: number | undefined, op: ComparisonOperator, t: number): boolean {
  if (op === '!=') return !compare(value, '=', t);
  if (op === 'not between') return !compare(value, 'between', t);
  if (op === 'not in') return !compare(value, 'in', t);
  if (value === undefined) return false;
  switch (op) {
    case '=':
      return value === t;
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case 'between':
      return value >= t && value <= t + 1;
    case 'in':
      return listOf(t).includes(value);
  }
}

export interface AggregateRow {
  expression: string;
  expected: string[];
}

/** Every row of the table for one aggregate and variant. */
export function aggregateRows(aggregate: AggregateName, variant: Variant): AggregateRow[] {
  return OPERATORS.flatMap((op) =>
    THRESHOLDS.map((t) => ({
      expression: aggregateExpression(aggregate, variant, op, t),
      expected: aggregateProfiles
        .filter((p) => compare(aggregateValue(p, aggregate, variant), op, t))
        .map((p) => p.id as string)
        .sort(),
    })),
  );
}

export function variantName(v: Variant): string {
  return v.where && v.within ? 'where and within' : v.where ? 'where' : v.within ? 'within' : 'no filter';
}
