import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { searchSegments, testConnection } from '../shared/methods';
import { description } from './description';
import { execute } from './suppress.operation';

export class Suppression implements INodeType {
  description: INodeTypeDescription = description;

  methods = {
    listSearch: { searchSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return execute.call(this);
  }
}
