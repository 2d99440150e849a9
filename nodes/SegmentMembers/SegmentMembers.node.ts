import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { searchSegments, testConnection } from '../shared/methods';
import * as add from './add.operation';
import * as remove from './remove.operation';
import { memberProperties } from './description';

export class SegmentMembers implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Members',
    name: 'segmentMembers',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['output'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{$parameter["operation"] === "remove" ? "Remove from manual segment" : "Add to manual segment"}}',
    description: 'Add the incoming people to a manual segment, or remove them from it, by profile ID, custom ID, email or phone',
    defaults: { name: 'Segment Members' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Done', 'No Profile'],
    credentials: [{ name: 'segmentsDatabaseApi', required: true, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: memberProperties,
  };

  methods = {
    listSearch: { searchSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const operation = this.getNodeParameter('operation', 0) as 'add' | 'remove';
    return operation === 'remove' ? remove.execute.call(this) : add.execute.call(this);
  }
}
