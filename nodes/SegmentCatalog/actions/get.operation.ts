/** Get: a saved segment with its expression or member count, references and usage. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SegmentCatalog } from 'n8n-nodes-segments/server';
import { recordJson, segmentRef } from './shared';

export async function get(this: IExecuteFunctions, catalog: SegmentCatalog, itemIndex: number): Promise<IDataObject> {
  return recordJson(await catalog.get(segmentRef(this, itemIndex)));
}
