import { NodeConnectionTypes, type INodeExecutionData, type INodeType, type INodeTypeDescription, type IPollFunctions } from 'n8n-workflow';
import { savedSegmentsParameter } from '../shared/descriptions';
import { getSegments, testConnection } from '../shared/methods';
import { poll } from './poll.operation';

export class SegmentTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Trigger',
    name: 'segmentTrigger',
    icon: { light: 'file:segments.svg', dark: 'file:segments.dark.svg' },
    group: ['trigger'],
    version: [1],
    defaultVersion: 1,
    subtitle: '={{"when people " + ($parameter["event"] === "both" ? "enter or leave" : $parameter["event"] === "left" ? "leave" : "enter")}}',
    description: 'Starts the workflow when people enter or leave saved segments (one item per person and change)',
    defaults: { name: 'Segment Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'segmentsDatabaseApi', required: true, testedBy: 'segmentsDatabaseConnectionTest' }],
    properties: [
      savedSegmentsParameter,
      {
        displayName: 'Trigger On',
        name: 'event',
        type: 'options',
        options: [
          { name: 'Person Entered', value: 'entered', description: 'Someone is in the segment who was not at the previous evaluation' },
          { name: 'Person Left', value: 'left', description: 'Someone who was in the segment no longer is' },
          { name: 'Person Entered or Left', value: 'both' },
        ],
        default: 'entered',
      },
      {
        displayName: 'On the First Poll',
        name: 'firstPoll',
        type: 'options',
        options: [
          { name: 'Only Changes From Now On', value: 'changes', description: 'The people already in the segments are not emitted' },
          { name: 'Emit the Current Members', value: 'members', description: 'Everyone in the segments comes out once (as entered, with firstPoll), then the changes; more members than Max Items per Poll come out over the next polls' },
        ],
        default: 'changes',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Evaluate Segments on Each Poll',
            name: 'refresh',
            type: 'boolean',
            default: true,
            description: 'Whether each poll re-evaluates the dynamic segments first (otherwise only what `segment segments refresh` recorded is read)',
          },
          {
            displayName: 'Include Profile',
            name: 'includeProfile',
            type: 'boolean',
            default: true,
            description: "Whether each item carries the person's stored profile fields",
          },
          {
            displayName: 'Max Items per Poll',
            name: 'maxItems',
            type: 'number',
            typeOptions: { minValue: 1 },
            default: 10000,
            description: 'The most items one poll emits (changes and current members alike); the rest come at the next polls, in order',
          },
          {
            displayName: 'When Changes Were Deleted',
            name: 'onExpiredCursor',
            type: 'options',
            options: [
              { name: 'Continue From Now', value: 'now', description: 'Skip the deleted changes and emit the changes from now on (a warning is logged)' },
              { name: 'Emit the Current Members', value: 'members', description: 'Everyone in the segment comes out once more (as entered, with cursorExpired), then the changes' },
              { name: 'Stop With an Error', value: 'error', description: 'Every poll of that segment fails with the error, until this option is changed' },
            ],
            default: 'now',
            description: 'What to do when the workflow was off longer than the history kept, so the changes since its last poll are gone',
          },
        ],
      },
    ],
  };

  methods = {
    loadOptions: { getSegments },
    credentialTest: { segmentsDatabaseConnectionTest: testConnection },
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    return poll.call(this);
  }
}
