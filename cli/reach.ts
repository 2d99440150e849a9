/**
 * Counting many segments over `--data` with the reach index: the profiles are read once into the
 * index (columns, built once per run), then each segment is counted over it. Used by
 * `segment count --data` (with or without `--every-segment`) and `segment segments reach --data`.
 * The counts are the row engine's (the index answers exactly as `compileSegment` does); the
 * segments are checked first, so a bad one is reported before any data is read.
 */
import { SegmentErrors, type Expr, type ResolvedSegments } from '../core/index';
import { compileReach, ReachIndex, schemaFor } from '../core/reach/index';
import { prepareEach, type Context } from './context';
import type { CommonOptions } from './inputs';
import type { ProfileStream } from './profiles';

export interface IndexedCounts {
  /** Per source: its count, or why it cannot be counted. */
  counts: (number | SegmentErrors)[];
  stream: ProfileStream;
  scanned: number;
}

/** Progress shown while reading (`output.ts`'s bar, given the stream's stats). */
type Progress = (stats: ProfileStream['stats']) => { update(): void; done(): void };

export async function countWithIndex(sources: readonly string[], options: CommonOptions, ctx: Context, progress?: Progress, failFast = false): Promise<IndexedCounts> {
  // Each source is checked once, there; its check is what the index counts.
  const { segments, checks, stream, schema } = await prepareEach(sources, options, ctx, failFast);
  const bar = progress?.(stream.stats);
  // Only what the segments read, typed by the schema they were checked against (given, or
  // inferred from the head of the file): the index holds a few bytes a profile, not the file.
  const exprs: Expr[] = [];
  let resolved: ResolvedSegments = new Map();
  for (const [i, s] of segments.entries()) {
    if (s instanceof SegmentErrors) continue;
    exprs.push(s.expr);
    resolved = new Map([...resolved, ...checks[i]!.segments]);
  }
  const index = new ReachIndex(schema === undefined ? { ids: false } : { schema: schemaFor(exprs, resolved, schema), events: 'schema', ids: false });
  let scanned = 0;
  for await (const batch of stream.batches()) {
    for (let i = 0; i < batch.length; i++) index.add(batch[i]);
    scanned += batch.length;
    bar?.update();
  }
  bar?.done();
  const counts = segments.map((s, i) => {
    if (s instanceof SegmentErrors) return s;
    // The same instant and zone as the compiled segment.
    return compileReach(index, checks[i]!, { segments: ctx.segments, now: s.clock.now, timeZone: s.clock.timeZone }).count();
  });
  return { counts, stream, scanned };
}
