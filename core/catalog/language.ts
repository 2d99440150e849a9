/**
 * The catalogue's use of the language: validating an expression against the saved segments (through
 * the engine's `check`, which owns references, cycles and the 10-segment limit), finding its
 * `in_segment(…)` references with their spans, and printing them back by current names.
 */
import type { SegmentRefExpr, Span } from '../ast';
import { check } from '../engine';
import type { SegmentError } from '../errors';
import type { Schema } from '../schema';
import { segmentRefs } from '../segment-graph';
import type { SegmentDefinition } from '../segments';

/** An `in_segment(…)` node of a parsed text: it always has its span. */
export type SpannedRef = SegmentRefExpr & { span: Span };

export interface Analysis {
  errors: SegmentError[];
  /** The `in_segment(…)` nodes, in source order. */
  references: SpannedRef[];
}

export function analyse(source: string, options: { definitions: readonly SegmentDefinition[]; schema?: Schema; origin: string }): Analysis {
  const result = check(source, { segments: options.definitions, schema: options.schema, origin: options.origin });
  const references = result.expr ? segmentRefs(result.expr).filter((r): r is SpannedRef => r.span !== undefined) : [];
  return { errors: result.errors, references };
}
