/**
 * `segment count`: how many profiles are in a segment, streaming `--data` (or in a database with
 * `--db`). With `--every-segment`, counts each saved segment of `--segments` in one pass.
 */
import { SegmentErrors, segmentSource, type SegmentDefinition } from '../core/index';
import { context, dbOptions, reportSkipped, source, type Context } from './context';
import { EXIT_USAGE, errorsJson, reportFailure, userError, userErrorsOf } from './errors';
import { printError, printJson, printText } from './io';
import { readExpression, type CommonOptions } from './inputs';
import { loadDb } from './optional';
import { progress } from './output';
import { countWithIndex } from './reach';

export interface CountOptions extends CommonOptions {
  everySegment?: boolean;
}

interface Target {
  /** The saved segment's name (with --every-segment). */
  name?: string;
  expression: string;
}

export async function runCount(expression: string | undefined, options: CountOptions): Promise<void | number> {
  const started = performance.now();
  const from = source(options);
  const ctx = await context(options);
  const targets = options.everySegment ? everySegment(expression, ctx) : [{ expression: await readExpression(expression) }];
  const counted = from === 'db' ? await countInDatabase(targets, options, ctx) : await countInFile(targets, options, ctx);
  const ms = Math.round(performance.now() - started);
  const { counts, scanned, skipped } = counted;
  // With --every-segment, a segment that cannot be counted does not stop the others (exit 2 after).
  const failed = counts.filter((c): c is SegmentErrors => c instanceof SegmentErrors);
  if (!options.everySegment && failed.length > 0) throw failed[0];
  if (options.json) {
    const extra = { ...(scanned === undefined ? {} : { scanned }), ms, ...(options.skipBadLines ? { skipped } : {}) };
    const each = (t: Target, c: number | SegmentErrors) => (c instanceof SegmentErrors ? { name: t.name, ...errorsJson(c.errors) } : { name: t.name, count: c });
    const body = options.everySegment ? { ...(failed.length > 0 ? { ok: false } : {}), segments: targets.map((t, i) => each(t, counts[i])) } : { count: counts[0] };
    printJson({ ...body, ...extra });
  } else {
    if (process.stderr.isTTY && scanned !== undefined) printError(`scanned ${scanned.toLocaleString('en-US')} profiles in ${ms} ms`);
    const lines = options.everySegment ? targets.flatMap((t, i) => (counts[i] instanceof SegmentErrors ? [] : [`${t.name}\t${counts[i]}`])) : [String(counts[0])];
    if (lines.length > 0) printText(lines.join('\n'));
    for (const f of failed) reportFailure(f, false);
  }
  return failed.length > 0 ? EXIT_USAGE : undefined;
}

/**
 * Every saved segment as what selects it (`segmentSource`: a dynamic one's own expression, so it
 * reaches the segments it uses and not itself), so dynamic and manual ones count alike.
 */
function everySegment(expression: string | undefined, ctx: Context): Target[] {
  if (expression !== undefined) throw userError('invalid-option', '--every-segment counts the saved segments: give no expression');
  const defs: readonly SegmentDefinition[] = ctx.segments ?? [];
  if (defs.length === 0) throw userError('invalid-option', '--every-segment needs saved segments', 'pass --segments <file>: a JSON list of {"name","expression"} or {"name","members"}');
  return defs.map((d) => ({ name: d.name, expression: segmentSource(d) }));
}

interface Counted {
  /** Per target: its count, or why it cannot be counted. */
  counts: (number | SegmentErrors)[];
  scanned?: number;
  skipped?: number;
}

/**
 * A target's user errors as one value (in its count's place) with --every-segment, so the others
 * are still counted; a single expression's errors are thrown at once, before any data is read.
 */
function failure(e: unknown, options: CountOptions): SegmentErrors {
  const errors = userErrorsOf(e);
  if (errors === undefined || !options.everySegment) throw e;
  return new SegmentErrors(errors);
}

async function countInDatabase(targets: readonly Target[], options: CountOptions, ctx: Context): Promise<Counted> {
  const db = await loadDb();
  const counts: (number | SegmentErrors)[] = [];
  for (const t of targets) {
    try {
      counts.push(await db.dbCount(dbOptions(t.expression, options, ctx)));
    } catch (e) {
      counts.push(failure(e, options));
    }
  }
  return { counts };
}

async function countInFile(targets: readonly Target[], options: CountOptions, ctx: Context): Promise<Counted> {
  // The profiles are read once into the reach index, and every target is counted over it. A single
  // expression's errors are thrown (before any data is read when the schema is given).
  const { counts, stream, scanned } = await countWithIndex(
    targets.map((t) => t.expression),
    options,
    ctx,
    progress,
    !options.everySegment,
  );
  reportSkipped(stream);
  return { counts, scanned, skipped: stream.stats.skipped };
}
