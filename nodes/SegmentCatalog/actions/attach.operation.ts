/**
 * Attach Workflow: records this workflow as an automation using the segment, with its status
 * (by default running when the workflow is active, draft for a manual run). While it is running,
 * the catalogue refuses to delete the segment (`segment segments delete` says which workflow).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { OrchestrationStatus, SegmentCatalog } from 'n8n-nodes-segments/server';
import { automationId, segmentRef, usageJson } from './shared';

export async function attach(this: IExecuteFunctions, catalog: SegmentCatalog, itemIndex: number): Promise<IDataObject> {
  const chosen = this.getNodeParameter('status', itemIndex, 'auto') as OrchestrationStatus | 'auto';
  const workflow = this.getWorkflow();
  const status: OrchestrationStatus = chosen === 'auto' ? (workflow.active ? 'running' : 'draft') : chosen;
  const ref = segmentRef(this, itemIndex);
  const usage = await catalog.attach(ref, { id: automationId(this, itemIndex), kind: 'automation', status });
  const record = await catalog.get(ref);
  return { segment: { id: record.id, name: record.name }, workflow: { id: workflow.id ?? null, name: workflow.name ?? null, active: workflow.active }, attached: usageJson(usage) };
}
