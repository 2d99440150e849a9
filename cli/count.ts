/**
 * `segment count`: how many profiles are in a segment, streaming `--data` (or in a database with
 * `--db`). With `--every-segment`, counts each saved segment of `--segments` in one pass.
 */
import { print, type SegmentDefinition } from '../core/index';
import { checked, context, dbOptions, prepare, reportSkipped, source, type Context } from './context';
import { userError } from './errors';
import { readExpression, type CommonOptions } from './inputs';
import { loadDb } from './optional';
import { progress } from './output';

export interface CountOptions extends CommonOptions {
  everySegment?: boolean;
}

interface Target {
  /** The saved segment's name (with --every-segment). */
  name?: string;
  expression: string;
}

export async function runCount(expression: string | undefined, options: CountOptions): Promise<void> {
  const started = performance.now();
  const from = source(options);
  const ctx = await context(options);
  const targets = options.everySegment ? everySegment(expression, ctx) : [{ expression: await readExpression(expression) }];
  const counted = from === 'db' ? await countInDatabase(targets, options, ctx) : await countInFile(targets, options, ctx);
  const ms = Math.round(performance.now() - started);
  const { counts, scanned, skipped } = counted;
  if (options.json) {
    const extra = { ...(scanned === undefined ? {} : { scanned }), ms, ...(options.skipBadLines ? { skipped } : {}) };
    const body = options.everySegment ? { segments: targets.map((t, i) => ({ name: t.name, count: counts[i] })) } : { count: counts[0] };
    process.stdout.write(`${JSON.stringify({ ...body, ...extra })}\n`);
    return;
  }
  if (process.stderr.isTTY && scanned !== undefined) process.stderr.write(`scanned ${scanned.toLocaleString('en-US')} profiles in ${ms} ms\n`);
  const lines = options.everySegment ? targets.map((t, i) => `${t.name}\t${counts[i]}`) : [String(counts[0])];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Every saved segment as `in_segment("name")`, so dynamic and manual ones count alike. */
function everySegment(expression: string | undefined, ctx: Context): Target[] {
  if (expression !== undefined) throw userError('invalid-option', '--every-segment counts the saved segments: give no expression');
  const defs: readonly SegmentDefinition[] = ctx.segments ?? [];
  if (defs.length === 0) throw userError('invalid-option', '--every-segment needs saved segments', 'pass --segments <file>: a JSON list of {"name","expression"} or {"name","members"}');
  return defs.map((d) => ({ name: d.name, expression: print({ type: 'segment', name: d.name, span: { start: 0, end: 0 } }) }));
}

interface Counted {
  counts: number[];
  scanned?: number;
  skipped?: number;
}

async function countInDatabase(targets: readonly Target[], options: CountOptions, ctx: Context): Promise<Counted> {
  for (const t of targets) checked(t.expression, ctx);
  const db = await loadDb();
  const counts: number[] = [];
  for (const t of targets) counts.push(await db.dbCount(dbOptions(t.expression, options, ctx)));
  return { counts };
}

async function countInFile(targets: readonly Target[], options: CountOptions, ctx: Context): Promise<Counted> {
  const { segments, stream } = await prepare(
    targets.map((t) => t.expression),
    options,
    ctx,
  );
  const tests = segments.map((s) => s.test);
  const counts = tests.map(() => 0);
  const bar = progress(stream.stats);
  let scanned = 0;
  for await (const batch of stream.batches()) {
    for (let t = 0; t < tests.length; t++) {
      const test = tests[t];
      let n = 0;
      for (let i = 0; i < batch.length; i++) if (test(batch[i])) n++;
      counts[t] += n;
    }
    scanned += batch.length;
    bar.update();
  }
  bar.done();
  reportSkipped(stream);
  return { counts, scanned, skipped: stream.stats.skipped };
}
