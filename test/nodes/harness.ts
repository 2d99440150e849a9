/**
 * Runs workflows through n8n's own execution engine (n8n-core's `WorkflowExecute`), the way n8n runs
 * them, with our nodes and credential loaded from the source. n8n does not publish its test harness;
 * this is a small one: the node types, a credentials helper that hands out the test's credentials,
 * and the execution's additional data (the URLs in it must be absolute).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads its settings from the user folder when first loaded: a fresh one per test process.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-harness-'));

import { ExecutionLifecycleHooks, PollContext, WorkflowExecute } from 'n8n-core';
import {
  createRunExecutionData,
  ICredentialsHelper,
  Workflow,
  type ICredentialDataDecryptedObject,
  type ICredentials,
  type ICredentialType,
  type IDataObject,
  type INode,
  type INodeExecutionData,
  type INodeType,
  type INodeTypes,
  type IRun,
  type IWorkflowExecuteAdditionalData,
  type IConnections,
  type WorkflowExecuteMode,
} from 'n8n-workflow';
import { SegmentsDatabaseApi } from '../../credentials/SegmentsDatabaseApi.credentials';
import { SegmentExport } from '../../nodes/SegmentExport/SegmentExport.node';
import { SegmentFilter } from '../../nodes/SegmentFilter/SegmentFilter.node';
import { SegmentSuppression } from '../../nodes/SegmentSuppression/SegmentSuppression.node';
import { SegmentTrigger } from '../../nodes/SegmentTrigger/SegmentTrigger.node';

/** A node that emits the items of its `items` parameter (the test's input; n8n's own is not loaded here). */
export class TestItems implements INodeType {
  description = {
    displayName: 'Test Items',
    name: 'testItems',
    group: ['input'],
    version: 1,
    description: 'Emits the items given as a parameter',
    defaults: { name: 'Test Items' },
    inputs: [],
    outputs: ['main'],
    properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
  } as unknown as INodeType['description'];

  async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
    const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
    return [items.map((json, i) => ({ json, pairedItem: { item: i } }))];
  }
}

export const NODE_TYPES: Record<string, INodeType> = {
  'n8n-nodes-segments.segmentFilter': new SegmentFilter(),
  'n8n-nodes-segments.segmentExport': new SegmentExport(),
  'n8n-nodes-segments.segmentSuppression': new SegmentSuppression(),
  'n8n-nodes-segments.segmentTrigger': new SegmentTrigger(),
  'test.noOp': new (class NoOp implements INodeType {
    description = {
      displayName: 'No Op (test)',
      name: 'noOp',
      group: ['transform'],
      version: 1,
      description: 'Passes its items on (the "send an email" of the tests)',
      defaults: { name: 'No Op' },
      inputs: ['main'],
      outputs: ['main'],
      properties: [],
    } as unknown as INodeType['description'];
    async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
      return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
    }
  })(),
  'test.items': new TestItems(),
};

const CREDENTIAL_TYPES: Record<string, ICredentialType> = { segmentsDatabaseApi: new SegmentsDatabaseApi() };

export const nodeTypes: INodeTypes = {
  getByName: (type) => NODE_TYPES[type]!,
  getByNameAndVersion: (type) => {
    const node = NODE_TYPES[type];
    if (node === undefined) throw new Error(`unknown node type ${type}`);
    return node;
  },
  getKnownTypes: () => ({}),
};

/** Hands out the test's credentials, decrypted (n8n's own helper decrypts them from its database). */
class TestCredentialsHelper extends ICredentialsHelper {
  constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
    super();
  }
  getParentTypes(): string[] {
    return [];
  }
  isCredentialUsableByNode(): boolean {
    return true;
  }
  async authenticate(_c: ICredentialDataDecryptedObject, _t: string, options: never): Promise<never> {
    return options;
  }
  async preAuthentication(): Promise<undefined> {
    return undefined;
  }
  async runPreAuthentication(): Promise<undefined> {
    return undefined;
  }
  async getCredentials(): Promise<ICredentials> {
    throw new Error('not used by the engine for decrypted credentials');
  }
  async getDecrypted(_data: IWorkflowExecuteAdditionalData, nodeCredentials: { name: string | null }, type: string): Promise<ICredentialDataDecryptedObject> {
    const found = this.credentials[type];
    if (found === undefined) throw new Error(`no ${type} credential named ${nodeCredentials.name} in the test`);
    return found;
  }
  async updateCredentials(): Promise<void> {}
  async updateCredentialsOauthTokenData(): Promise<void> {}
  getCredentialsProperties(type: string) {
    return CREDENTIAL_TYPES[type]?.properties ?? [];
  }
}

export interface RunOptions {
  nodes: INode[];
  connections: IConnections;
  credentials?: Record<string, ICredentialDataDecryptedObject>;
  timezone?: string;
}

export interface RunResult {
  run: IRun;
  /** Items of a node's output (`output` 0 by default), the engine's paired items kept. */
  output(node: string, output?: number): INodeExecutionData[];
  json(node: string, output?: number): IDataObject[];
  /** The error the run stopped on, if it did. */
  error: (Error & { description?: string; context?: IDataObject; node?: INode }) | undefined;
}

let counter = 0;
const START = 'Start (test)';

/** Runs a workflow in n8n's engine from its first node and waits for the end. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  // One start node (as a manual trigger would be) feeding every node that has no input connected.
  const fed = new Set(Object.values(options.connections).flatMap((c) => (c.main ?? []).flatMap((out) => (out ?? []).map((l) => l.node))));
  const roots = options.nodes.filter((n) => !fed.has(n.name));
  const nodes = [node(START, 'test.items', { items: '[{}]' }), ...options.nodes];
  const connections: IConnections = { ...options.connections, [START]: { main: [roots.map((n) => ({ node: n.name, type: 'main' as const, index: 0 }))] } };
  const workflow = makeWorkflow({ ...options, nodes, connections });
  return execute(workflow, options, START, [[{ json: {} }]], 'manual');
}

function makeWorkflow(options: RunOptions & { staticData?: IDataObject }): Workflow {
  return new Workflow({
    id: 'wf-test',
    name: 'test',
    nodes: options.nodes,
    connections: options.connections,
    nodeTypes,
    active: false,
    staticData: options.staticData,
    settings: { timezone: options.timezone ?? 'UTC', executionOrder: 'v1' },
  });
}

function additionalData(executionId: string, hooks: ExecutionLifecycleHooks | undefined, credentials: RunOptions['credentials']): IWorkflowExecuteAdditionalData {
  const known: Partial<IWorkflowExecuteAdditionalData> = {
    executionId,
    hooks,
    credentialsHelper: new TestCredentialsHelper(credentials ?? {}),
    restApiUrl: 'http://127.0.0.1:5678/rest',
    instanceBaseUrl: 'http://127.0.0.1:5678/',
    formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
    webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
    webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
    webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
    currentNodeParameters: undefined,
    executionTimeoutTimestamp: undefined,
    userId: 'user-test',
    variables: {},
    // What n8n's server does besides running nodes (UI pushes, status): nothing here.
    setExecutionStatus: () => undefined,
    sendDataToUI: () => undefined,
  };
  return known as IWorkflowExecuteAdditionalData;
}

/** Runs `workflow` in n8n's engine from `startName` with `data` as that node's input, and waits for the end. */
async function execute(workflow: Workflow, options: RunOptions, startName: string, data: INodeExecutionData[][], mode: WorkflowExecuteMode): Promise<RunResult> {
  const executionId = String(++counter);
  const nodes = Object.values(workflow.nodes);
  const hooks = new ExecutionLifecycleHooks(mode, executionId, { id: 'wf-test', name: 'test', nodes, connections: workflow.connectionsBySourceNode, active: false, settings: {} } as never);
  let finished: (run: IRun) => void = () => undefined;
  const done = new Promise<IRun>((resolve) => (finished = resolve));
  hooks.addHandler('workflowExecuteAfter', (run) => finished(run));
  const start = workflow.getNode(startName)!;
  const runData = createRunExecutionData({
    executionData: { nodeExecutionStack: [{ node: start, data: { main: data }, source: null }] },
  });
  const run = new WorkflowExecute(additionalData(executionId, hooks, options.credentials), mode, runData);
  await run.processRunExecutionData(workflow);
  return result(await done);
}

function result(run: IRun): RunResult {
  const output = (node: string, index = 0) => run.data.resultData.runData[node]?.[0]?.data?.main?.[index] ?? [];
  return {
    run,
    output,
    json: (node, index = 0) => output(node, index).map((item: INodeExecutionData) => item.json),
    error: run.data.resultData.error as RunResult['error'],
  };
}

export interface PollOptions extends RunOptions {
  /** The polling trigger node's name. */
  trigger: string;
  /** The workflow's static data as n8n stored it after the previous poll (a restart reads it back). */
  staticData?: IDataObject;
  /** `trigger` for an active workflow's poll, `manual` for the editor's "Fetch Test Event". */
  mode?: 'trigger' | 'manual';
}

export interface PollResult {
  /** What the poll returned (null: nothing new, no execution). */
  emitted: INodeExecutionData[] | null;
  /** The execution n8n starts with the emitted items (the trigger's output fed to the workflow). */
  execution?: RunResult;
  /** The static data n8n saves after the poll (a JSON copy, as its database keeps it). */
  staticData: IDataObject;
}

/**
 * One poll of an active workflow, the way n8n runs it: the node's `poll()` with n8n-core's own
 * `PollContext` over the workflow (whose static data is what the previous poll saved), then, when it
 * returns items, an execution of the workflow that starts at the trigger with those items.
 */
export async function pollWorkflow(options: PollOptions): Promise<PollResult> {
  const workflow = makeWorkflow({ ...options, staticData: options.staticData ? (JSON.parse(JSON.stringify(options.staticData)) as IDataObject) : {} });
  const trigger = workflow.getNode(options.trigger)!;
  const mode = options.mode ?? 'trigger';
  const context = new PollContext(workflow, trigger, additionalData(String(++counter), undefined, options.credentials), mode, mode === 'manual' ? 'manual' : 'activate', () => undefined, () => undefined);
  const emitted = await nodeTypes.getByNameAndVersion(trigger.type, trigger.typeVersion).poll!.call(context);
  const staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
  if (emitted === null || mode === 'manual') return { emitted: emitted?.[0] ?? null, staticData };
  return { emitted: emitted[0] ?? [], execution: await execute(workflow, options, options.trigger, emitted, 'trigger'), staticData };
}

/** A node of the workflow. */
export function node(name: string, type: string, parameters: INode['parameters'], extra: Partial<INode> = {}): INode {
  return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

/** `from → to` connections on main (`output` of `from` to input `input` of `to`). */
export function connect(...links: [from: string, to: string, output?: number, input?: number][]): IConnections {
  const connections: IConnections = {};
  for (const [from, to, output = 0, input = 0] of links) {
    const main = ((connections[from] ??= { main: [] }).main ??= []);
    while (main.length <= output) main.push([]);
    main[output]!.push({ node: to, type: 'main', index: input });
  }
  return connections;
}
