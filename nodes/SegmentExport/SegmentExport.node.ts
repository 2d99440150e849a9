import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { profileOptions, segmentSource } from '../shared/descriptions';
import { getSegments, searchSegments, testConnection } from '../shared/methods';
import { execute } from './export.operation';

export class SegmentExport implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Export',
    name: 'segmentExport',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['output'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{"from " + ($parameter["profiles"] === "items" ? "the items" : "the database")}}',
    description: "Export a segment's profiles as the catalogue's CSV file (Custom ID, Profile ID, Phone, Email); admins only",
    defaults: { name: 'Segment Export' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'segmentsDatabaseApi', required: true, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: [
      {
        displayName: 'Profiles From',
        name: 'profiles',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: "The Credential's Database", value: 'database', description: 'The segment runs as SQL in the database; rows are streamed' },
          { name: 'The Incoming Items', value: 'items', description: 'Each item is a profile' },
        ],
        default: 'database',
      },
      ...segmentSource,
      {
        displayName: 'Segment Name',
        name: 'name',
        type: 'string',
        default: 'segment',
        description: 'Names the file (name_date.csv) when the segment is written here',
        displayOptions: { show: { source: ['expression'] } },
      },
      {
        displayName: 'Put Output File in Field',
        name: 'binaryPropertyName',
        type: 'string',
        default: 'data',
        required: true,
        hint: 'The name of the output binary field to put the file in',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          ...profileOptions.filter((p) => p.name !== 'mapping'),
          {
            displayName: 'Contact Fields',
            name: 'contactFields',
            type: 'fixedCollection',
            default: {},
            description: 'Where the profile ID, custom ID, phone and email are on a profile',
            options: [
              {
                displayName: 'Fields',
                name: 'fields',
                values: [
                  { displayName: 'Profile ID', name: 'id', type: 'string', default: 'id' },
                  { displayName: 'Custom ID', name: 'customId', type: 'string', default: 'custom_id' },
                  { displayName: 'Phone', name: 'phone', type: 'string', default: 'phone' },
                  { displayName: 'Email', name: 'email', type: 'string', default: 'email', placeholder: 'email' },
                ],
              },
            ],
          },
          {
            displayName: 'Output Rows as Items',
            name: 'rowsAsItems',
            type: 'boolean',
            default: false,
            description: 'Whether the exported rows also come out as items, after the file item',
          },
          {
            displayName: 'Byte Order Mark',
            name: 'bom',
            type: 'boolean',
            default: false,
            description: 'Whether the file starts with a UTF-8 byte order mark (helps old Excel versions)',
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
