import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { profileOptions, segmentSource } from '../shared/descriptions';
import { getSegments, searchSegments, testConnection } from '../shared/methods';
import { execute } from './filter.operation';

export class SegmentFilter implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Filter',
    name: 'segmentFilter',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['transform'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{$parameter["source"] === "saved" ? "Saved segment" : $parameter["expression"]}}',
    description: 'Route items by a customer segment: the profiles in it go to Matched, the others to Not Matched',
    defaults: { name: 'Segment Filter' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Matched', 'Not Matched'],
    // One entry: n8n looks a node's credential up by name, so a second entry of the same type
    // (to show it for either a saved segment or the database schema) would never be used.
    credentials: [{ name: 'segmentsDatabaseApi', required: false, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: [
      ...segmentSource,
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          ...profileOptions,
          {
            displayName: 'Items That Fail',
            name: 'onItemError',
            type: 'options',
            options: [
              { name: 'Stop the Workflow', value: 'error', description: 'Unless the node is set to continue on fail' },
              { name: 'Send to Not Matched', value: 'notMatched' },
              { name: 'Drop', value: 'drop' },
            ],
            default: 'error',
            description: 'What happens to an item that cannot be evaluated (its segment does not compile, or it cannot be read as a profile)',
          },
        ],
      },
    ],
  };

  methods = {
    listSearch: { searchSegments },
    loadOptions: { getSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return execute.call(this);
  }
}
