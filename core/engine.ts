/**
 * The driver: chains parse → validate (with segment resolution) → compile / print / describe.
 * Each phase lives in its own file; this one only wires them and owns no language logic.
 */
import type { Expr } from './ast';
import { describe as describeExpr } from './describe';
import { quietly, SegmentError, SegmentErrors, toErrors, type Diagnostic } from './errors';
import { compilePredicate, type EvaluatorOption, type Profile } from './evaluate/compile';
import { parse } from './parse/parse';
import { print, type PrintOptions } from './print';
import { resolveSegments } from './resolve-segments';
import { DEFAULT_ID_FIELD, type Schema } from './schema';
import type { ResolvedSegments, SegmentDefinition } from './segments';
import { createClock, type Clock, type ClockOptions } from './time';
import { validateTree } from './validate';

export interface EngineOptions extends ClockOptions {
  /** The field schema; without one, fields and events are not checked (and compile by literal type). */
  schema?: Schema;
  /** Saved segments that `in_segment("…")` may reference. */
  segments?: readonly SegmentDefinition[];
  /** What the source is, for error messages (`expression`, a file name). */
  origin?: string;
  /**
   * How `compileSegment` builds the predicate: `generated` code (fastest; needs `new Function`),
   * `closures` (no code generation: for a Content-Security-Policy without `unsafe-eval`), or `auto`
   * (the default: generated where allowed, closures otherwise). Both select the same profiles.
   */
  evaluator?: EvaluatorOption;
}

export interface CheckResult {
  /** The text that was checked. */
  source: string;
  /** The tree, when the source parsed. */
  expr: Expr | undefined;
  /** Every syntax and validation problem (empty when the segment is valid), with the source for messages. */
  errors: SegmentError[];
  /**
   * The same problems as data, in source order: those about the expression carry its `path`; those
   * inside a referenced segment's text carry `origin` (`segment "Name"`).
   */
  diagnostics: Diagnostic[];
  /** Segments the expression reaches, resolved (only when `errors` is empty). */
  segments: ResolvedSegments;
}

const EMPTY_SCHEMA: Schema = { fields: {} };

/**
 * Parses and validates, collecting every problem instead of throwing. The language's rules
 * (durations, dates of `before`/`after`, drafts…) are checked with or without a schema; fields and
 * events only with one.
 */
export function check(source: string, options: EngineOptions = {}): CheckResult {
  let expr: Expr;
  try {
    expr = parse(source);
  } catch (e) {
    if (e instanceof SegmentError) {
      return { source, expr: undefined, errors: toErrors([e.diagnostic], { source: e.source ?? source, origin: options.origin }), diagnostics: [e.diagnostic], segments: new Map() };
    }
    throw e;
  }
  const diagnostics = validateTree(expr, { schema: options.schema });
  const resolved = resolveSegments(expr, {
    source,
    origin: options.origin,
    definitions: options.segments ?? [],
    schema: options.schema,
    parse,
  });
  // Validation's problems are in this text; resolution's carry their own text when elsewhere.
  const found = diagnostics.map((d) => ({ d, source: source as string | undefined }));
  resolved.diagnostics.forEach((d, i) => found.push({ d, source: d.origin === undefined ? source : resolved.errors[i].source }));
  found.sort((a, b) => (a.d.span?.start ?? Infinity) - (b.d.span?.start ?? Infinity));
  const errors = quietly(() => found.map((f) => new SegmentError({ ...f.d, source: f.source, origin: f.d.origin ?? options.origin })));
  return { source, expr, errors, diagnostics: found.map((f) => f.d), segments: resolved.segments };
}

export interface TreeValidateOptions {
  /** The field schema; without one, fields and events are not checked (the language's rules still are). */
  schema?: Schema;
  /** Saved segments: when given, `in_segment("…")` references are resolved (unknown names, cycles, the limit). */
  segments?: readonly SegmentDefinition[];
}

/**
 * Every problem of a tree (parsed, or built by an editor), as diagnostics with the `path` of the
 * node each is about (and its `span` on a parsed tree). Drafts, empty groups and unparsed text are
 * reported, never thrown on.
 */
export function validate(expr: Expr, options: TreeValidateOptions = {}): Diagnostic[] {
  const diagnostics = validateTree(expr, { schema: options.schema });
  if (options.segments !== undefined) {
    const resolved = resolveSegments(expr, { definitions: options.segments, schema: options.schema, parse });
    for (const d of resolved.diagnostics) if (d.origin === undefined) diagnostics.push(d);
  }
  return diagnostics;
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

/**
 * Parse, validate and compile once; evaluate many times. Throws `SegmentErrors` listing every problem.
 * `input` is the text, or what `check` returned for it with the same `schema` and `segments` (so
 * a host that checked it already does not check it twice).
 */
export function compileSegment(input: string | CheckResult, options: EngineOptions = {}): CompiledSegment {
  const result = typeof input === 'string' ? check(input, options) : input;
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  const expr = result.expr;
  const clock = createClock(options);
  const test = compilePredicate(expr, {
    schema: options.schema ?? EMPTY_SCHEMA,
    idField: options.schema?.idField ?? DEFAULT_ID_FIELD,
    segments: result.segments,
    clock,
    evaluator: options.evaluator,
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
