/**
 * A ready `countProvider` for `<segment-builder>` hosts: the reach index runs in a worker (see
 * `worker.ts`), so live counts over a million profiles never block the page.
 *
 * ```ts
 * import { createReachCountProvider } from 'n8n-nodes-segments/reach';
 * const worker = new Worker(new URL('n8n-nodes-segments/reach/worker', import.meta.url), { type: 'module' });
 * const reach = createReachCountProvider(worker, { schema, segments });
 * await reach.add(profiles);                 // or reach.addJsonLines(text)
 * builder.countProvider = reach.countProvider;
 * await reach.upsert([changedProfile]);      // counts follow
 * ```
 */
import { SegmentError } from '../errors';
import type { EvaluatorOption } from '../evaluate/context';
import type { Schema } from '../schema';
import type { SegmentDefinition } from '../segments';
import type { ReachReply, ReachRequest } from './worker';

/** What the provider needs of a worker: a Web Worker, or Node's `worker_threads` Worker. */
export interface WorkerLike {
  postMessage(message: ReachRequest): void;
  addEventListener?(type: 'message', listener: (event: { data: ReachReply }) => void): void;
  on?(type: 'message', listener: (data: ReachReply) => void): void;
  terminate(): unknown;
}

/** An `AbortSignal` (typed here without the DOM library). */
export interface SignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

export interface ReachCountProviderOptions {
  schema?: Schema;
  /** Saved segments that `in_segment("…")` may reference. */
  segments?: readonly SegmentDefinition[];
  /** Evaluation instant (default: the worker's current time at each count) and zone. */
  now?: number | string;
  timeZone?: string;
  /** How the worker evaluates what its columns do not answer natively (`compileSegment`'s option; default `auto`). */
  evaluator?: EvaluatorOption;
}

export interface ReachCountProvider {
  /** For `<segment-builder>`'s `countProvider`: counts one expression; rejects with `AbortError` once aborted. */
  countProvider(expression: string, options: { signal: SignalLike }): Promise<number>;
  /** Counts several expressions in one round trip (the builder's groups). */
  counts(expressions: readonly string[]): Promise<number[]>;
  add(profiles: readonly unknown[]): Promise<number>;
  addJsonLines(text: string): Promise<number>;
  upsert(profiles: readonly unknown[]): Promise<number>;
  delete(ids: readonly (string | number)[]): Promise<number>;
  /** Saved segments for later counts. */
  setSegments(segments: readonly SegmentDefinition[]): void;
  terminate(): void;
}

const CHUNK = 20_000;

type Omit2<T> = T extends unknown ? Omit<T, 'id'> : never;

export function createReachCountProvider(worker: WorkerLike, options: ReachCountProviderOptions = {}): ReachCountProvider {
  let next = 1;
  let segments = options.segments;
  const waiting = new Map<number, { resolve: (r: ReachReply) => void }>();
  const receive = (reply: ReachReply): void => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    w?.resolve(reply);
  };
  if (worker.addEventListener !== undefined) worker.addEventListener('message', (event) => receive(event.data));
  else worker.on?.('message', receive);

  const send = (request: Omit2<ReachRequest>): Promise<ReachReply & { ok: true }> => {
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, {
        resolve: (reply) => {
          if (reply.ok) resolve(reply);
          else {
            const d = reply.diagnostics?.[0];
            reject(d === undefined ? new Error(reply.message) : new SegmentError({ code: d.code, summary: d.summary, hint: d.hint, span: d.span, path: d.path }));
          }
        },
      });
      worker.postMessage({ ...request, id } as ReachRequest);
    });
  };
  const inChunks = async (type: 'add' | 'upsert', profiles: readonly unknown[]): Promise<number> => {
    let size = 0;
    for (let i = 0; i < profiles.length || i === 0; i += CHUNK) size = (await send({ type, profiles: profiles.slice(i, i + CHUNK) })).size;
    return size;
  };
  void send({ type: 'init', schema: options.schema });
  const counts = async (expressions: readonly string[]): Promise<number[]> =>
    (await send({ type: 'count', expressions: [...expressions], segments: segments === undefined ? undefined : [...segments], now: options.now, timeZone: options.timeZone, evaluator: options.evaluator })).counts ?? [];

  return {
    async countProvider(expression, { signal }) {
      if (signal.aborted) throw abortError();
      const result = counts([expression]);
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError()), { once: true }));
      return (await Promise.race([result, aborted]))[0];
    },
    counts,
    add: (profiles) => inChunks('add', profiles),
    addJsonLines: async (text) => (await send({ type: 'jsonl', text })).size,
    upsert: (profiles) => inChunks('upsert', profiles),
    delete: async (ids) => (await send({ type: 'delete', ids: [...ids] })).size,
    setSegments(s) {
      segments = s;
    },
    terminate() {
      worker.terminate();
    },
  };
}

function abortError(): Error {
  const Dom = (globalThis as { DOMException?: new (message: string, name: string) => Error }).DOMException;
  return Dom !== undefined ? new Dom('the count was aborted', 'AbortError') : Object.assign(new Error('the count was aborted'), { name: 'AbortError' });
}
