import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { searchSegments, testConnection } from '../shared/methods';
import { execute } from './suppress.operation';

export class SegmentSuppression implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Suppression',
    name: 'segmentSuppression',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['transform'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{"at least " + $parameter["threshold"] + " messages, no click"}}',
    description: 'Drop contacts that got many messages and never clicked, and contacts on suppression lists',
    defaults: { name: 'Suppression' },
    usableAsTool: true,
    inputs: [
      { type: NodeConnectionTypes.Main, displayName: 'Contacts' },
      { type: NodeConnectionTypes.Main, displayName: 'Suppression List', required: false },
    ],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Kept', 'Suppressed'],
    // Optional and always shown: the database serves the list (a saved segment, a table) or the rule's
    // counts, and n8n's display options cannot say "either"; the node says which choice needs it.
    credentials: [{ name: 'segmentsDatabaseApi', required: false, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: [
      {
        displayName: 'Global Suppression',
        name: 'globalRule',
        type: 'boolean',
        default: true,
        description: 'Whether contacts that received at least the threshold of messages and never clicked are suppressed',
      },
      {
        displayName: 'Threshold (Messages)',
        name: 'threshold',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 10,
        description: 'How many messages a contact may receive without clicking before being suppressed',
        displayOptions: { show: { globalRule: [true] } },
      },
      {
        displayName: 'Counts From',
        name: 'countsFrom',
        type: 'options',
        options: [
          { name: 'Item Fields', value: 'fields', description: 'Numbers on each item' },
          { name: "The Item's Events", value: 'events', description: 'Counted from the events list on each item' },
          { name: 'Events in the Database', value: 'database', description: "Counted from the events the credential's database holds for the profile each item names" },
        ],
        default: 'fields',
        displayOptions: { show: { globalRule: [true] } },
      },
      {
        displayName: 'Match Items By',
        name: 'matchBy',
        type: 'options',
        options: [
          { name: 'Profile ID', value: 'profile_id', description: 'The Profile ID Field of the item (see Options) is the stored profile ID' },
          { name: 'Email', value: 'email', description: 'The Email Field of the item, compared case-insensitively' },
          { name: 'Phone', value: 'phone', description: 'The Phone Field of the item, compared in E.164 form (see Default Country)' },
        ],
        default: 'profile_id',
        description: 'How an item finds its profile in the database; an item that finds none has received nothing the database knows of and is kept',
        displayOptions: { show: { globalRule: [true], countsFrom: ['database'] } },
      },
      { displayName: 'Messages Field', name: 'messagesField', type: 'string', default: 'sent_count', displayOptions: { show: { globalRule: [true], countsFrom: ['fields'] } } },
      { displayName: 'Clicks Field', name: 'clicksField', type: 'string', default: 'clicks_count', displayOptions: { show: { globalRule: [true], countsFrom: ['fields'] } } },
      { displayName: 'Message Event', name: 'messageEvent', type: 'string', default: 'message_received', displayOptions: { show: { globalRule: [true], countsFrom: ['events', 'database'] } } },
      { displayName: 'Click Event', name: 'clickEvent', type: 'string', default: 'clicked', displayOptions: { show: { globalRule: [true], countsFrom: ['events', 'database'] } } },
      {
        displayName: 'Suppression List',
        name: 'listSource',
        type: 'options',
        options: [
          { name: 'None', value: 'none' },
          { name: 'Second Input', value: 'input', description: 'Opt-outs, bounces, do-not-contact: items with an email or a phone' },
          { name: 'Saved Manual Segment', value: 'segment', description: "The members of a manual segment of the credential's catalogue" },
          { name: 'Database Table', value: 'table', description: "A table of the credential's database with an email, a phone or a profile ID column" },
        ],
        default: 'input',
      },
      {
        displayName: 'List Name',
        name: 'listName',
        type: 'string',
        default: 'suppression list',
        description: 'Named in the reason of each item the list suppresses',
        displayOptions: { show: { listSource: ['input'] } },
      },
      {
        displayName: 'Saved Segment',
        name: 'segment',
        type: 'resourceLocator',
        default: { mode: 'list', value: '' },
        required: true,
        modes: [
          { displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchSegments', searchable: true } },
          { displayName: 'By ID', name: 'id', type: 'string', placeholder: '12', validation: [{ type: 'regex', properties: { regex: '^[0-9]+$', errorMessage: 'A segment ID is a whole number' } }] },
        ],
        displayOptions: { show: { listSource: ['segment'] } },
      },
      {
        displayName: 'Table',
        name: 'table',
        type: 'string',
        default: '',
        required: true,
        placeholder: 'opt_outs',
        description: 'The table that holds the list (schema.table where the database has schemas); also names the list in the reason of each item it suppresses',
        displayOptions: { show: { listSource: ['table'] } },
      },
      {
        displayName: 'Email Column',
        name: 'emailColumn',
        type: 'string',
        default: 'email',
        description: 'The column with email addresses; empty if the table has none',
        displayOptions: { show: { listSource: ['table'] } },
      },
      {
        displayName: 'Phone Column',
        name: 'phoneColumn',
        type: 'string',
        default: '',
        placeholder: 'phone',
        description: 'The column with phone numbers; empty if the table has none',
        displayOptions: { show: { listSource: ['table'] } },
      },
      {
        displayName: 'Profile ID Column',
        name: 'idColumn',
        type: 'string',
        default: '',
        placeholder: 'profile_id',
        description: 'The column with profile IDs; empty if the table has none',
        displayOptions: { show: { listSource: ['table'] } },
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          { displayName: 'Default Country', name: 'defaultCountry', type: 'string', default: '', placeholder: 'OM', description: 'ISO country code for phone numbers written without + and country code' },
          { displayName: 'Email Field', name: 'emailField', type: 'string', default: 'email' },
          { displayName: 'Phone Field', name: 'phoneField', type: 'string', default: 'phone' },
          { displayName: 'Profile ID Field', name: 'idField', type: 'string', default: 'id' },
        ],
      },
    ],
  };

  methods = {
    listSearch: { searchSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return execute.call(this);
  }
}
