/**
 * The driver: chains parse → validate (with segment resolution) → compile / print / describe.
 * Each phase lives in its own file; this one only wires them and owns no language logic.
 */
import type { Expr } from './ast';
import { describe as describeExpr } from './describe';
import { SegmentError, SegmentErrors } from './errors';
import { compilePredicate, type Profile } from './evaluate/compile';
import { parse } from './parse/parse';
import { print, type PrintOptions } from './print';
import { resolveSegments } from './resolve-segments';
import { DEFAULT_ID_FIELD, type Schema } from './schema';
import type { ResolvedSegments, SegmentDefinition } from './segments';
import { createClock, type Clock, type ClockOptions } from './time';
import { validate } from './validate';

export interface EngineOptions extends ClockOptions {
  /** The field schema; without one, fields and events are not checked (and compile by literal type). */
  schema?: Schema;
  /** Saved segments that `in_segment("…")` may reference. */
  segments?: readonly SegmentDefinition[];
  /** What the source is, for error messages (`expression`, a file name). */
  origin?: string;
}

export interface CheckResult {
  /** The tree, when the source parsed. */
  expr: Expr | undefined;
  /** Every syntax and validation problem (empty when the segment is valid). */
  errors: SegmentError[];
  /** Segments the expression reaches, resolved (only when `errors` is empty). */
  segments: ResolvedSegments;
}

const EMPTY_SCHEMA: Schema = { fields: {} };

/** Parses and validates, collecting every problem instead of throwing. */
export function check(source: string, options: EngineOptions = {}): CheckResult {
  let expr: Expr;
  try {
    expr = parse(source);
  } catch (e) {
    if (e instanceof SegmentError) return { expr: undefined, errors: [withOrigin(e, options.origin)], segments: new Map() };
    throw e;
  }
  const schema = options.schema;
  const errors = schema ? validate(expr, { schema, source, origin: options.origin }) : [];
  const resolved = resolveSegments(expr, {
    source,
    origin: options.origin,
    definitions: options.segments ?? [],
    schema,
    parse,
  });
  errors.push(...resolved.errors);
  errors.sort((a, b) => a.span.start - b.span.start);
  return { expr, errors, segments: resolved.segments };
}

export interface CompiledSegment {
  readonly expr: Expr;
  readonly clock: Clock;
  /** Whether one profile is in the segment. */
  test(profile: Profile): boolean;
  /** The profiles in the segment, in input order. */
  filter<P extends Profile>(profiles: Iterable<P>): P[];
  /** How many profiles are in the segment. */
  count(profiles: Iterable<Profile>): number;
}

/** Parse, validate and compile once; evaluate many times. Throws `SegmentErrors` listing every problem. */
export function compileSegment(source: string, options: EngineOptions = {}): CompiledSegment {
  const result = check(source, options);
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  const expr = result.expr;
  const clock = createClock(options);
  const test = compilePredicate(expr, {
    schema: options.schema ?? EMPTY_SCHEMA,
    idField: options.schema?.idField ?? DEFAULT_ID_FIELD,
    segments: result.segments,
    clock,
  });
  return {
    expr,
    clock,
    test,
    filter(profiles) {
      const out = [];
      for (const p of profiles) if (test(p)) out.push(p);
      return out;
    },
    count(profiles) {
      let n = 0;
      for (const p of profiles) if (test(p)) n++;
      return n;
    },
  };
}

/** The canonical text of a segment (throws the syntax error if it does not parse). */
export function format(source: string, options: PrintOptions = {}): string {
  return print(parse(source), options);
}

/** One plain-English sentence for a segment (throws the syntax error if it does not parse). */
export function explain(source: string, options: { schema?: Schema } = {}): string {
  return describeExpr(parse(source), options);
}

function withOrigin(e: SegmentError, origin: string | undefined): SegmentError {
  if (origin === undefined || e.origin !== undefined) return e;
  return new SegmentError({ code: e.code, span: e.span, summary: e.summary, hint: e.hint, source: e.source, origin });
}
