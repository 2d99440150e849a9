/**
 * Parameters shared by the nodes, as data: where the segment comes from (typed in the language or
 * picked from the catalogue) and the options that say how items are read as profiles.
 */
import type { INodeProperties } from 'n8n-workflow';

export const LANGUAGE_DOCS = 'https://github.com/n8n-nodes-segments/n8n-nodes-segments/blob/main/docs/LANGUAGE.md';

/** Several saved segments at once (the trigger watches them; Filter and Export take anyone in any of them). */
export const savedSegmentsParameter: INodeProperties = {
  displayName: 'Saved Segment Names or IDs',
  name: 'segments',
  type: 'multiOptions',
  typeOptions: { loadOptionsMethod: 'getSegments' },
  default: [],
  required: true,
  description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

export const segmentSource: INodeProperties[] = [
  {
    displayName: 'Segment',
    name: 'source',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Written Here', value: 'expression', description: 'Type the segment in the segment language' },
      { name: 'Saved Segment', value: 'saved', description: "Pick a segment saved in the credential's catalogue" },
      { name: 'Several Saved Segments', value: 'savedMany', description: 'People in any of them, each once (up to 10 segments)' },
    ],
    default: 'expression',
  },
  {
    displayName: 'Expression',
    name: 'expression',
    type: 'string',
    typeOptions: { rows: 3 },
    default: '',
    required: true,
    placeholder: 'tags contains "VIP" and language = "ar"',
    hint: `Written in the segment language: <a href="${LANGUAGE_DOCS}" target="_blank">fields, operators and examples</a>`,
    description: 'Which profiles are in the segment; may use n8n expressions',
    displayOptions: { show: { source: ['expression'] } },
  },
  {
    displayName: 'Saved Segment',
    name: 'segment',
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    required: true,
    description: "A segment saved in the credential's catalogue",
    modes: [
      {
        displayName: 'From List',
        name: 'list',
        type: 'list',
        typeOptions: { searchListMethod: 'searchSegments', searchable: true },
      },
      {
        displayName: 'By ID',
        name: 'id',
        type: 'string',
        placeholder: '12',
        validation: [{ type: 'regex', properties: { regex: '^[0-9]+$', errorMessage: 'A segment ID is a whole number' } }],
      },
    ],
    displayOptions: { show: { source: ['saved'] } },
  },
  { ...savedSegmentsParameter, displayOptions: { show: { source: ['savedMany'] } } },
];

/** How items are read as profiles. */
export const profileOptions: INodeProperties[] = [
  {
    displayName: 'Field Mapping',
    name: 'mapping',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    default: {},
    placeholder: 'Add Field',
    description: 'Segment fields that live elsewhere on the items (e.g. the field email read from contact.email)',
    options: [
      {
        displayName: 'Field',
        name: 'fields',
        values: [
          { displayName: 'Segment Field', name: 'field', type: 'string', default: '', placeholder: 'email' },
          { displayName: 'Item Path', name: 'path', type: 'string', default: '', placeholder: 'contact.email' },
        ],
      },
    ],
  },
  {
    displayName: 'Schema',
    name: 'schema',
    type: 'options',
    options: [
      { name: 'None', value: 'none', description: 'Fields are not checked; values compare by their own type' },
      { name: 'Inferred From the Items', value: 'infer', description: 'Field types read from the incoming items' },
      { name: "From the Credential's Database", value: 'database', description: 'The schema saved with the profile layout' },
    ],
    default: 'none',
    description: 'The field types the segment is checked against',
  },
  {
    displayName: 'Time Zone',
    name: 'timeZone',
    type: 'string',
    default: '',
    placeholder: 'Asia/Muscat',
    description: "IANA time zone for dates and relative times; empty for the workflow's time zone",
  },
  {
    displayName: 'Now',
    name: 'now',
    type: 'string',
    default: '',
    placeholder: '2026-11-24T12:00:00Z',
    description: 'The moment relative times ("in the last 7 days") count from; empty for the time of the run',
  },
  {
    displayName: 'Convert Types Where Required',
    name: 'looseTypes',
    type: 'boolean',
    default: false,
    description: 'Whether numeric and true/false strings are read as numbers and booleans for fields the schema types so',
  },
];

