/**
 * Segment Members' parameters, as data: the operation, the manual segment, which identifier the
 * items carry and where.
 */
import type { INodeProperties } from 'n8n-workflow';
import { segmentSource } from '../shared/descriptions';

const savedSegment = segmentSource.find((p) => p.name === 'segment')!;

export const memberProperties: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Add to Segment', value: 'add', action: 'Add people to a manual segment', description: 'Make the people of the items members of the segment' },
      { name: 'Remove From Segment', value: 'remove', action: 'Remove people from a manual segment', description: 'Take the people of the items out of the segment' },
    ],
    default: 'add',
  },
  { ...savedSegment, displayName: 'Manual Segment', description: 'A manual segment saved in the credential\'s catalogue', displayOptions: undefined },
  {
    displayName: 'Match By',
    name: 'matchBy',
    type: 'options',
    options: [
      { name: 'Profile ID', value: 'profile_id' },
      { name: 'Custom ID', value: 'custom_id' },
      { name: 'Email', value: 'email', description: 'Compared without regard to case' },
      { name: 'Phone', value: 'phone', description: 'Normalised to E.164 (+96891234567) before matching' },
    ],
    default: 'email',
    description: 'Which identifier of the stored profiles the items carry',
  },
  {
    displayName: 'Value',
    name: 'value',
    type: 'string',
    default: '',
    required: true,
    placeholder: '{{ $json.email }}',
    description: "The item's identifier, usually an expression reading it from the item",
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'Default Country',
        name: 'defaultCountry',
        type: 'string',
        default: '',
        placeholder: 'OM',
        description: 'Country (ISO 3166 code) of phone numbers written without + and a country code',
      },
    ],
  },
];
