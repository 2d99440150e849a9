/**
 * Add to Segment: the people the items name become members of the manual segment (the catalogue
 * records who entered, so a Segment Trigger on it fires). Items that match no profile go to the
 * second output with the reason.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { withMatchedItems } from './match';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return withMatchedItems.call(this, async (catalog, ref, ids) => {
    const result = ids.length === 0 ? { segment: (await catalog.get(ref)).name, added: [] as string[] } : await catalog.addMembers(ref, ids);
    return { segment: result.segment, changed: new Set(result.added), verb: 'added', unchangedVerb: 'alreadyMember' };
  });
}
