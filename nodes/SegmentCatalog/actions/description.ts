/**
 * Segment Catalog's parameters, as data: the operation, the saved segment it works on, and each
 * operation's own fields.
 */
import type { INodeProperties } from 'n8n-workflow';

const SEGMENT_OPERATIONS = ['attach', 'detach', 'get'];

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    options: [
      {
        name: 'Attach Workflow',
        value: 'attach',
        description: 'Record that this workflow uses the segment: while the workflow is active the segment cannot be deleted',
        action: 'Attach this workflow to a segment',
      },
      {
        name: 'Detach Workflow',
        value: 'detach',
        description: 'Remove the record that this workflow uses the segment',
        action: 'Detach this workflow from a segment',
      },
      { name: 'Get', value: 'get', description: 'Get a saved segment with its usage', action: 'Get a segment' },
      { name: 'Get Many', value: 'getAll', description: 'List the saved segments', action: 'Get many segments' },
    ],
    default: 'attach',
  },
  {
    displayName: 'Saved Segment',
    name: 'segment',
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    required: true,
    description: "A segment saved in the credential's catalogue",
    modes: [
      { displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchSegments', searchable: true } },
      {
        displayName: 'By ID',
        name: 'id',
        type: 'string',
        placeholder: '12',
        validation: [{ type: 'regex', properties: { regex: '^[0-9]+$', errorMessage: 'A segment ID is a whole number' } }],
      },
    ],
    displayOptions: { show: { operation: SEGMENT_OPERATIONS } },
  },
  {
    displayName: 'Status',
    name: 'status',
    type: 'options',
    options: [
      { name: 'Complete', value: 'complete' },
      { name: 'Draft', value: 'draft' },
      { name: 'From the Workflow', value: 'auto', description: 'Running while the workflow is active (a production run), draft for a manual run' },
      { name: 'Paused', value: 'paused' },
      { name: 'Running', value: 'running', description: 'Protects the segment from deletion' },
      { name: 'Scheduled', value: 'scheduled' },
    ],
    default: 'auto',
    description: 'The status recorded for this workflow; only Running protects the segment from deletion',
    displayOptions: { show: { operation: ['attach'] } },
  },
  {
    displayName: 'Automation ID',
    name: 'automationId',
    type: 'string',
    default: '',
    placeholder: 'n8n:1a2b3c',
    description: 'How the catalogue names this workflow; empty for n8n: and the workflow ID',
    displayOptions: { show: { operation: ['attach', 'detach'] } },
  },
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
    displayOptions: { show: { operation: ['getAll'] } },
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { operation: ['getAll'], returnAll: [false] } },
  },
  {
    displayName: 'State',
    name: 'state',
    type: 'options',
    options: [
      { name: 'Active', value: 'active' },
      { name: 'Archived', value: 'archived' },
      { name: 'All', value: 'all' },
    ],
    default: 'active',
    description: 'Which segments to list',
    displayOptions: { show: { operation: ['getAll'] } },
  },
];
