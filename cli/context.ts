/**
 * What the commands share: the schema and saved segments from the options, checking an expression,
 * and compiling segments against a profile stream (inferring the schema from its head if needed).
 */
import { check, compileSegment, SegmentErrors, type CheckResult, type CompiledSegment, type Profile, type Schema, type SegmentDefinition } from '../core/index';
import { inferSchema } from '../core/infer-schema';
import { userError, userErrorsOf } from './errors';
import { printError } from './io';
import { loadSchema, loadSegments, type CommonOptions } from './inputs';
import type { DbRunOptions } from './contracts';
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

/**
 * A valid expression checked against `schema` (default: the context's): its tree and the segments
 * it reaches; throws every problem at once (syntax, validation, segment references). Each
 * expression is checked once per run, when its schema is known, and that result is what is
 * compiled (in memory or to SQL): never checked again.
 */
export function checked(source: string, ctx: Context, schema: Schema | undefined = ctx.schema): CheckResult {
  const result = check(source, { schema, segments: ctx.segments });
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  return result;
}

/**
 * What a `--db` run needs. With `--schema`, the expression is checked here, before the database is
 * opened, and the result travels with the options; without, the database's saved schema is needed
 * first, and the database side checks it (once).
 */
export function dbOptions(expression: string, options: CommonOptions, ctx: Context): DbRunOptions {
  const result = ctx.schema === undefined ? undefined : checked(expression, ctx);
  return { url: options.db!, expression, checked: result, schema: ctx.schema, segments: ctx.segments, now: options.now, timeZone: options.tz };
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
 * Checks and compiles the expressions and opens `--data`. With `--schema`, expression problems are
 * reported before any data is read; without, the schema is inferred from the first 10,000 profiles
 * (then replayed: the file is read once) and each expression is checked against it. Either way each
 * expression is checked once.
 */
export async function prepare(sources: readonly string[], options: CommonOptions, ctx: Context): Promise<{ segments: CompiledSegment[]; stream: ProfileStream }> {
  const { segments, stream } = await prepareEach(sources, options, ctx, true);
  return { segments: segments as CompiledSegment[], stream };
}

/** What `prepareEach` gives: per source, its compiled segment (or its errors) and its check. */
export interface Prepared {
  segments: (CompiledSegment | SegmentErrors)[];
  /** Per source, what `check` returned (against `schema`), or undefined where it did not check. */
  checks: (CheckResult | undefined)[];
  stream: ProfileStream;
  /** The schema the sources were checked against: given, or inferred from the head of the file. */
  schema: Schema | undefined;
}

/**
 * Like `prepare`, each source on its own: one that does not compile is its errors, and the others
 * still run. With `failFast`, the first source that does not compile is thrown instead.
 */
export async function prepareEach(sources: readonly string[], options: CommonOptions, ctx: Context, failFast = false): Promise<Prepared> {
  const compileAll = (schema: Schema | undefined) => {
    const checks: (CheckResult | undefined)[] = [];
    const segments: (CompiledSegment | SegmentErrors)[] = [];
    for (const s of sources) {
      let result: CheckResult | undefined;
      try {
        result = checked(s, ctx, schema);
        segments.push(compileSegment(result, { schema, segments: ctx.segments, now: options.now, timeZone: options.tz, evaluator: options.evaluator }));
      } catch (e) {
        const errors = userErrorsOf(e);
        if (errors === undefined || failFast) throw e;
        segments.push(new SegmentErrors(errors));
      }
      checks.push(result);
    }
    return { segments, checks };
  };
  // With a schema, every expression is checked before the file is opened.
  const known = ctx.schema === undefined ? undefined : compileAll(ctx.schema);
  const stream = await openProfiles(options.data!, { schema: ctx.schema, skipBadLines: options.skipBadLines, maxLineLength: options.maxLineLength });
  if (known !== undefined) return { ...known, stream, schema: ctx.schema };
  const peeked = await peekProfiles(stream, INFER_FROM);
  const schema = inferFrom(peeked.head);
  try {
    return { ...compileAll(schema), stream: peeked.rest, schema };
  } catch (e) {
    await peeked.close();
    throw e;
  }
}

/** The schema of sample profiles; none (nothing to check against) when there are no profiles. */
export function inferFrom(profiles: readonly Profile[]): Schema | undefined {
  return profiles.length === 0 ? undefined : inferSchema(profiles);
}

export function reportSkipped(stream: ProfileStream): void {
  const { skipped, firstSkipped } = stream.stats;
  if (skipped > 0) printError(`skipped ${skipped} bad line${skipped === 1 ? '' : 's'} (first: ${firstSkipped})`);
}
