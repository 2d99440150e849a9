/**
 * Remove From Segment: the people the items name stop being members of the manual segment (the
 * catalogue records who left). Items that match no profile go to the second output with the reason.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { withMatchedItems } from './match';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return withMatchedItems.call(this, async (catalog, ref, ids) => {
    const result = ids.length === 0 ? { segment: (await catalog.get(ref)).name, removed: [] as string[] } : await catalog.removeMembers(ref, ids);
    return { segment: result.segment, changed: new Set(result.removed), verb: 'removed', unchangedVerb: 'notMember' };
  });
}
