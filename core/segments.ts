/**
 * Saved segments as the language sees them: definitions (dynamic = an expression, manual = member
 * ids) and, after resolution, the trees and member sets the compilers use.
 *
 * Names are matched case-insensitively. References may nest; a cycle is an error; one expression may
 * reference at most `MAX_SEGMENT_REFERENCES` distinct segments, directly or through others.
 */
import type { Expr } from './ast';
import { quoteString } from './print';

export const MAX_SEGMENT_REFERENCES = 10;

export interface DynamicSegmentDefinition {
  name: string;
  expression: string;
}

export interface ManualSegmentDefinition {
  name: string;
  /** Profile ids (compared as strings); empty when `stored`. */
  members: readonly (string | number)[];
  /**
   * The members stay in the catalogue's member table (`members` is empty): only SQL over the
   * database that holds that table reads them (a join), so no member id is loaded into memory.
   * Evaluating such a segment elsewhere is an error, never an empty segment.
   */
  stored?: boolean;
}

export type SegmentDefinition = DynamicSegmentDefinition | ManualSegmentDefinition;

export function isManual(def: SegmentDefinition): def is ManualSegmentDefinition {
  return Array.isArray((def as ManualSegmentDefinition).members);
}

export type ResolvedSegment =
  | { kind: 'dynamic'; name: string; expr: Expr; source: string }
  | { kind: 'manual'; name: string; members: ReadonlySet<string>; stored?: boolean };

/** Lower-cased segment name → resolved segment, for every segment an expression reaches. */
export type ResolvedSegments = ReadonlyMap<string, ResolvedSegment>;

/**
 * The expression that selects a saved segment's profiles: a dynamic segment's own expression, a
 * manual one's `in_segment("…")`. Count, reach and export evaluate a saved segment through this, so
 * it reaches exactly the segments it was checked against when saved: `in_segment("S")` would count
 * S itself as an eleventh segment for a segment that uses ten.
 */
export function segmentSource(def: SegmentDefinition): string {
  return isManual(def) ? `in_segment(${quoteString(def.name)})` : def.expression;
}

/** The key of a segment name in lookups. */
export function segmentKey(name: string): string {
  return name.toLowerCase();
}
