/**
 * Segment Filter's one operation: each item's JSON is tested as a profile; matched items go to the
 * first output and the others to the second, with `pairedItem` on each.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { nodeError } from '../shared/errors';
import { errorJson, prepareSegments, type ProfileOptions } from '../shared/segments';

interface FilterOptions extends ProfileOptions {
  onItemError?: 'error' | 'notMatched' | 'drop';
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const options = this.getNodeParameter('options', 0, {}) as FilterOptions;
  const onItemError = options.onItemError ?? 'error';
  const runner = await prepareSegments.call(this, items, options, onItemError === 'error' && !this.continueOnFail());
  const matched: INodeExecutionData[] = [];
  const notMatched: INodeExecutionData[] = [];
  const test = runner.uniform ?? ((json: IDataObject, i: number) => runner.segmentFor(i).test(runner.read(json)));
  const failed: { error?: unknown } = {};
  for (let i = 0; i < items.length; ) {
    const to = Math.min(items.length, i + CHUNK);
    const stopped = route(items, test, matched, notMatched, i, to, failed);
    i = stopped + 1;
    if (stopped === to) {
      i = to;
      continue;
    }
    // The item at `stopped` could not be evaluated.
    const item = items[stopped]!;
    if (onItemError === 'drop') continue;
    if (onItemError === 'notMatched') {
      notMatched.push({ json: item.json, pairedItem: { item: stopped } });
      continue;
    }
    const failure = nodeError(this.getNode(), failed.error, stopped);
    if (!this.continueOnFail()) throw failure;
    notMatched.push({ json: errorJson(item.json, failure), pairedItem: { item: stopped } });
  }
  return [matched, notMatched];
}

/** Items routed per call of `route`. */
const CHUNK = 512;

/**
 * Routes `items[from..to)` by `test`, with `pairedItem`; returns `to`, or the index of the first
 * item whose test threw (its error in `failed`). Module-level and called once per chunk rather than
 * one loop in `execute`: V8 then optimises it as a function, once, and the optimised code serves
 * every later execution (a loop in `execute` was recompiled on the stack in each one, tens of ms of
 * CPU per run, whatever the item count).
 */
function route(
  items: INodeExecutionData[],
  test: (json: IDataObject, i: number) => boolean,
  matched: INodeExecutionData[],
  notMatched: INodeExecutionData[],
  from: number,
  to: number,
  failed: { error?: unknown },
): number {
  for (let i = from; i < to; i++) {
    const item = items[i]!;
    const json = item.json;
    let isIn: boolean;
    try {
      isIn = test(json, i);
    } catch (error) {
      failed.error = error;
      return i;
    }
    (isIn ? matched : notMatched).push(item.binary ? { json, binary: item.binary, pairedItem: { item: i } } : { json, pairedItem: { item: i } });
  }
  return to;
}
