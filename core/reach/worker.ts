/**
 * The reach index in a worker: the messages a host sends, and `serveReach`, which answers them
 * inside the worker (a Web Worker's `self`, or Node's `worker_threads` `parentPort`). The page
 * side is `count-provider.ts`. Profiles are sent once (in chunks) and live in the worker; each
 * count is a short message, so the page never blocks on a million profiles.
 */
import type { EvaluatorOption } from '../evaluate/context';
import type { Schema } from '../schema';
import type { SegmentDefinition } from '../segments';
import { isSegmentError, SegmentErrors, type DiagnosticJSON } from '../errors';
import { compileReach } from './query';
import { addJsonLines, ReachIndex } from './store';

export type ReachRequest =
  | { id: number; type: 'init'; schema?: Schema }
  | { id: number; type: 'add'; profiles: unknown[] }
  | { id: number; type: 'jsonl'; text: string }
  | { id: number; type: 'upsert'; profiles: unknown[] }
  | { id: number; type: 'delete'; ids: (string | number)[] }
  | { id: number; type: 'count'; expressions: string[]; segments?: SegmentDefinition[]; now?: number | string; timeZone?: string; evaluator?: EvaluatorOption };

export type ReachReply =
  | { id: number; ok: true; size: number; counts?: number[] }
  | { id: number; ok: false; message: string; diagnostics?: DiagnosticJSON[] };

/** What `serveReach` needs of the worker's global scope (or of `parentPort`). */
export interface ReachPort {
  postMessage(message: ReachReply): void;
  addEventListener?(type: 'message', listener: (event: { data: ReachRequest }) => void): void;
  on?(type: 'message', listener: (data: ReachRequest) => void): void;
}

/** Answers the host's requests, one at a time, in order. */
export function serveReach(port: ReachPort): void {
  let index = new ReachIndex();
  let queue = Promise.resolve();
  const handle = async (request: ReachRequest): Promise<ReachReply> => {
    try {
      switch (request.type) {
        case 'init':
          index = new ReachIndex({ schema: request.schema });
          break;
        case 'add':
          for (const p of request.profiles) index.add(p);
          break;
        case 'jsonl':
          await addJsonLines(index, [request.text]);
          break;
        case 'upsert':
          for (const p of request.profiles) index.upsert(p);
          break;
        case 'delete':
          for (const id of request.ids) index.deleteId(id);
          break;
        case 'count': {
          const options = { segments: request.segments, now: request.now, timeZone: request.timeZone, evaluator: request.evaluator };
          const counts = request.expressions.map((e) => compileReach(index, e, options).count());
          return { id: request.id, ok: true, size: index.size, counts };
        }
      }
      return { id: request.id, ok: true, size: index.size };
    } catch (e) {
      const errors = e instanceof SegmentErrors ? e.errors : isSegmentError(e) ? [e] : undefined;
      return { id: request.id, ok: false, message: errors?.map((x) => x.message).join('\n') ?? String(e), diagnostics: errors?.map((x) => x.toJSON()) };
    }
  };
  const receive = (request: ReachRequest): void => {
    queue = queue.then(async () => port.postMessage(await handle(request)));
  };
  if (port.addEventListener !== undefined) port.addEventListener('message', (event) => receive(event.data));
  else port.on?.('message', receive);
}
