/**
 * Segments over the reach index: `compileReach` (checked once, counted live) and `reachCount`.
 */
import { check, type CheckResult } from '../engine';
import { SegmentErrors } from '../errors';
import type { EvaluatorOption } from '../evaluate/compile';
import type { SegmentDefinition } from '../segments';
import { createClock, type Clock, type ClockOptions } from '../time';
import { cardinality, slotsOf, type Selection } from './bitset';
import { Evaluator } from './evaluate';
import type { ReachIndex } from './store';
import type { Expr } from '../ast';


export interface ReachOptions extends ClockOptions {
  /** Saved segments that `in_segment("…")` may reference. */
  segments?: readonly SegmentDefinition[];
  /** What the source is, for error messages. */
  origin?: string;
  /** How the conditions the columns do not answer natively are evaluated (as `compileSegment`'s option; default `auto`). */
  evaluator?: EvaluatorOption;
}

export interface ReachQuery {
  readonly expr: Expr;
  readonly clock: Clock;
  /** How many profiles of the index are in the segment now. */
  count(): number;
  /** The slots in the segment now (a bitmap: bit i of word i >> 5). */
  selection(): Selection;
  /** The slots in the segment now, in increasing order. */
  slots(): Generator<number>;
  /** The ids of the profiles in the segment now, in slot order. */
  ids(): Generator<unknown>;
}

/**
 * Checks a segment against the index's schema (and the saved segments) and prepares it for
 * counting. Throws `SegmentErrors` listing every problem. The clock (`now`, the zone) is fixed here,
 * as for `compileSegment`; the profiles are read at each `count()`, so counts follow updates.
 */
export function compileReach(index: ReachIndex, input: string | CheckResult, options: ReachOptions = {}): ReachQuery {
  // A text already checked (against the index's schema, or one it was pruned from) is not checked again.
  const result = typeof input === 'string' ? check(input, { schema: index.hasSchema ? index.schema : undefined, segments: options.segments, origin: options.origin }) : input;
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  const expr = result.expr;
  const clock = createClock(options);
  const evaluator = new Evaluator(index, clock, result.segments, options.evaluator);
  let cached: { version: number; selection: Selection } | undefined;
  const selection = (): Selection => {
    if (cached === undefined || cached.version !== index.version) cached = { version: index.version, selection: evaluator.select(expr) };
    return cached.selection;
  };
  return {
    expr,
    clock,
    count: () => cardinality(selection()),
    selection: () => selection().slice(),
    slots: () => slotsOf(selection()),
    *ids() {
      for (const slot of slotsOf(selection())) yield index.idAt(slot);
    },
  };
}

/** Counts one segment (compile and count once). */
export function reachCount(index: ReachIndex, source: string, options: ReachOptions = {}): number {
  return compileReach(index, source, options).count();
}
