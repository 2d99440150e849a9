/** Get Many: the saved segments (the Segments page), one item each, up to the limit unless all are asked for. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SegmentCatalog, SegmentState } from 'n8n-nodes-segments/server';
import { summaryJson } from './shared';

export async function getAll(this: IExecuteFunctions, catalog: SegmentCatalog, itemIndex: number): Promise<IDataObject[]> {
  const state = this.getNodeParameter('state', itemIndex, 'active') as SegmentState | 'all';
  const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
  const list = await catalog.list({ state });
  const limited = returnAll ? list : list.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
  return limited.map(summaryJson);
}
