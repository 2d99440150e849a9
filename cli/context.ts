/**
 * What the commands share: the schema and saved segments from the options, checking an expression,
 * and compiling segments against a profile stream (inferring the schema from its head if needed).
 */
import { check, compileSegment, inferSchema, SegmentErrors, type CompiledSegment, type Expr, type Profile, type Schema, type SegmentDefinition } from '../core/index';
import { userError, userErrorsOf } from './errors';
import { printError } from './io';
import { loadSchema, loadSegments, type CommonOptions } from './inputs';
import type { DbRunOptions } from './optional';
import { openProfiles, peekProfiles, type ProfileStream } from './profiles';

/** How many profiles a schema is inferred from when no `--schema` is given. */
export const INFER_FROM = 10_000;

export interface Context {
  schema: Schema | undefined;
  segments: SegmentDefinition[] | undefined;
}

export async function context(options: CommonOptions): Promise<Context> {
  const [schema, segments] = await Promise.all([
    options.schema === undefined ? undefined : loadSchema(options.schema),
    options.segments === undefined ? undefined : loadSegments(options.segments),
  ]);
  return { schema, segments };
}

/** The tree of a valid expression; throws every problem at once (syntax, validation, segment references). */
export function checked(source: string, ctx: Context): Expr {
  const result = check(source, { schema: ctx.schema, segments: ctx.segments });
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  return result.expr;
}

export function dbOptions(expression: string, options: CommonOptions, ctx: Context): DbRunOptions {
  return { url: options.db!, expression, schema: ctx.schema, segments: ctx.segments, now: options.now, timeZone: options.tz };
}

/** Throws when neither or both of `--data` and `--db` are given; says which one is used. */
export function source(options: CommonOptions): 'data' | 'db' {
  if (options.db !== undefined && options.data !== undefined) {
    throw userError('invalid-option', 'both --data and --db given', 'read profiles from a file (--data) or from a database (--db), not both');
  }
  if (options.db !== undefined) return 'db';
  if (options.data === undefined) {
    throw userError('invalid-option', 'no profiles given', 'pass --data <profiles.jsonl|profiles.csv> (or --db <url> for a database)');
  }
  return 'data';
}

/**
 * Compiles the expressions and opens `--data`. Expression problems are reported before any data is
 * read; without `--schema`, the schema is inferred from the first 10,000 profiles, which are then
 * replayed (the file is read once).
 */
export async function prepare(sources: readonly string[], options: CommonOptions, ctx: Context): Promise<{ segments: CompiledSegment[]; stream: ProfileStream }> {
  for (const s of sources) checked(s, ctx);
  const { segments, stream } = await prepareEach(sources, options, ctx);
  const failed = segments.find((s): s is SegmentErrors => s instanceof SegmentErrors);
  if (failed) throw failed;
  return { segments: segments as CompiledSegment[], stream };
}

/** Like `prepare`, each source on its own: one that does not compile is its errors, and the others still run. */
export async function prepareEach(sources: readonly string[], options: CommonOptions, ctx: Context): Promise<{ segments: (CompiledSegment | SegmentErrors)[]; stream: ProfileStream; schema: Schema | undefined }> {
  let stream = await openProfiles(options.data!, { schema: ctx.schema, skipBadLines: options.skipBadLines, maxLineLength: options.maxLineLength });
  let schema = ctx.schema;
  if (schema === undefined) {
    const peeked = await peekProfiles(stream, INFER_FROM);
    schema = inferFrom(peeked.head);
    stream = peeked.rest;
  }
  const segments = sources.map((s) => {
    try {
      return compileSegment(s, { schema, segments: ctx.segments, now: options.now, timeZone: options.tz });
    } catch (e) {
      const errors = userErrorsOf(e);
      if (errors === undefined) throw e;
      return new SegmentErrors(errors);
    }
  });
  return { segments, stream, schema };
}

/** The schema of sample profiles; none (nothing to check against) when there are no profiles. */
export function inferFrom(profiles: readonly Profile[]): Schema | undefined {
  return profiles.length === 0 ? undefined : inferSchema(profiles);
}

export function reportSkipped(stream: ProfileStream): void {
  const { skipped, firstSkipped } = stream.stats;
  if (skipped > 0) printError(`skipped ${skipped} bad line${skipped === 1 ? '' : 's'} (first: ${firstSkipped})`);
}
