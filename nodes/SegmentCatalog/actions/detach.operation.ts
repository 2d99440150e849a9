/** Detach Workflow: removes this workflow's usage record from the segment (`detached: false` if there was none). */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SegmentCatalog } from 'n8n-nodes-segments/server';
import { automationId, segmentRef } from './shared';

export async function detach(this: IExecuteFunctions, catalog: SegmentCatalog, itemIndex: number): Promise<IDataObject> {
  const ref = segmentRef(this, itemIndex);
  const id = automationId(this, itemIndex);
  const detached = await catalog.detach(ref, { id, kind: 'automation' });
  const record = await catalog.get(ref);
  return { segment: { id: record.id, name: record.name }, automation: id, detached };
}
