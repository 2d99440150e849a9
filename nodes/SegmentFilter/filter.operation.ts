/**
 * Segment Filter's one operation: each item's JSON is tested as a profile; matched items go to the
 * first output and the others to the second, with `pairedItem` on each.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
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
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      const segment = runner.segmentFor(i);
      (segment.test(runner.read(item.json)) ? matched : notMatched).push({ json: item.json, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: i } });
    } catch (error) {
      if (onItemError === 'drop') continue;
      if (onItemError === 'notMatched') {
        notMatched.push({ json: item.json, pairedItem: { item: i } });
        continue;
      }
      const failure = nodeError(this.getNode(), error, i);
      if (!this.continueOnFail()) throw failure;
      notMatched.push({ json: errorJson(item.json, failure), pairedItem: { item: i } });
    }
  }
  return [matched, notMatched];
}
