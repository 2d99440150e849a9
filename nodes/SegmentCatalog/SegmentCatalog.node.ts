import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { searchSegments, testConnection } from '../shared/methods';
import { description } from './actions/description';
import { router } from './actions/router';

export class SegmentCatalog implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Catalog',
    name: 'segmentCatalog',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['transform'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{$parameter["operation"]}}',
    description: 'Attach this workflow to a saved segment (so the segment cannot be deleted while the workflow is active), detach it, or read the catalogue',
    defaults: { name: 'Segment Catalog' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'segmentsDatabaseApi', required: true, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: description,
  };

  methods = {
    listSearch: { searchSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
