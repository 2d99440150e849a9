/**
 * Runs the chosen operation for each input item on one connection to the credential's database,
 * with `pairedItem` on every output item and per-item errors honouring continue-on-fail.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { SegmentCatalog } from 'n8n-nodes-segments/server';
import { asCredential, withDatabase } from '../../shared/database';
import { nodeError } from '../../shared/errors';
import { CREDENTIAL_NAME } from '../../shared/methods';
import { attach } from './attach.operation';
import { detach } from './detach.operation';
import { get } from './get.operation';
import { getAll } from './getAll.operation';

export type CatalogOperation = (this: IExecuteFunctions, catalog: SegmentCatalog, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const OPERATIONS: Record<string, CatalogOperation> = { attach, detach, get, getAll };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const node = this.getNode();
  const items = this.getInputData();
  const operationName = this.getNodeParameter('operation', 0) as string;
  const operation = OPERATIONS[operationName];
  if (operation === undefined) throw nodeError(node, new Error(`The operation "${operationName}" is not known`));
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const out: INodeExecutionData[] = [];
  await withDatabase(credential, async (db) => {
    let catalog: SegmentCatalog;
    try {
      catalog = await SegmentCatalog.open(db);
    } catch (error) {
      throw nodeError(node, error);
    }
    for (let i = 0; i < items.length; i++) {
      try {
        const result = await operation.call(this, catalog, i);
        for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: i } });
      } catch (error) {
        const failure = nodeError(node, error, i);
        if (!this.continueOnFail()) throw failure;
        out.push({ json: { error: { message: failure.message, ...(failure.description ? { description: failure.description } : {}) } }, pairedItem: { item: i } });
      }
    }
  });
  return [out];
}
