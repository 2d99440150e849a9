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
  type IVersionedNodeType,
  type IRun,
  type IWorkflowExecuteAdditionalData,
  type IConnections,
} from 'n8n-workflow';
import { SegmentsDatabaseApi } from '../../credentials/SegmentsDatabaseApi.credentials';
import { SegmentCatalog } from '../../nodes/SegmentCatalog/SegmentCatalog.node';
import { SegmentExport } from '../../nodes/SegmentExport/SegmentExport.node';
import { SegmentFilter } from '../../nodes/SegmentFilter/SegmentFilter.node';
import { SegmentSuppression } from '../../nodes/SegmentSuppression/SegmentSuppression.node';
import { SegmentMembers } from '../../nodes/SegmentMembers/SegmentMembers.node';
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

/** A node that passes its input on unchanged (the start node when a run is given its items). */
export class TestPassThrough implements INodeType {
  description = {
    displayName: 'Test Pass Through',
    name: 'testPassThrough',
    group: ['transform'],
    version: 1,
    description: 'Passes its input on',
    defaults: { name: 'Test Pass Through' },
    inputs: ['main'],
    outputs: ['main'],
    properties: [],
  } as unknown as INodeType['description'];

  async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return [this.getInputData()];
  }
}

/** A node that passes its items on (the "send an email" of the trigger tests). */
export class NoOp implements INodeType {
  description = {
    displayName: 'No Op (test)',
    name: 'noOp',
    group: ['transform'],
    version: 1,
    description: 'Passes its items on',
    defaults: { name: 'No Op' },
    inputs: ['main'],
    outputs: ['main'],
    properties: [],
  } as unknown as INodeType['description'];

  async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
  }
}

export const NODE_TYPES: Record<string, INodeType | IVersionedNodeType> = {
  'n8n-nodes-segments.segmentFilter': new SegmentFilter(),
  'n8n-nodes-segments.segmentExport': new SegmentExport(),
  'n8n-nodes-segments.segmentSuppression': new SegmentSuppression(),
  'n8n-nodes-segments.segmentCatalog': new SegmentCatalog(),
  'n8n-nodes-segments.segmentTrigger': new SegmentTrigger(),
  'n8n-nodes-segments.segmentMembers': new SegmentMembers(),
  'test.items': new TestItems(),
  'test.passThrough': new TestPassThrough(),
  'test.noOp': new NoOp(),
};

const CREDENTIAL_TYPES: Record<string, ICredentialType> = { segmentsDatabaseApi: new SegmentsDatabaseApi() };

/** The engine's node-type registry over a table of node types (versioned ones resolved by version). */
export function nodeTypesOf(table: Record<string, INodeType | IVersionedNodeType>): INodeTypes {
  return {
    getByName: (type) => table[type]!,
    getByNameAndVersion: (type, version) => {
      const found = table[type];
      if (found === undefined) throw new Error(`unknown node type ${type}`);
      // Duck-typed: a versioned type may come from another copy of n8n-workflow (n8n-nodes-base's).
      return 'nodeVersions' in found ? (found as IVersionedNodeType).getNodeType(version) : found;
    },
    getKnownTypes: () => ({}),
  };
}

export const nodeTypes: INodeTypes = nodeTypesOf(NODE_TYPES);

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
  /** The workflow's id and name (default `wf-test`, `test`). */
  workflow?: { id: string; name: string };
  /** More node types (e.g. n8n's own, for benchmarks), beside ours and the test ones. */
  nodeTypes?: Record<string, INodeType | IVersionedNodeType>;
  /** Items given to the start node, which passes them on (instead of one empty item). */
  input?: INodeExecutionData[];
  /** Whether the workflow is active (a production run, as a trigger starts it) rather than a manual run. */
  active?: boolean;
}

export interface RunResult {
  run: IRun;
  /** Items of a node's output (`output` 0 by default), the engine's paired items kept. */
  output(node: string, output?: number): INodeExecutionData[];
  json(node: string, output?: number): IDataObject[];
  /**
   * The error the run stopped on, as n8n reports and stores it (its `toJSON`: `name` is the class
   * name n8n shows, e.g. `NodeOperationError`), so tests check names, not `instanceof` across copies.
   */
  error: ReportedError | undefined;
  /** The error object itself, as the engine caught it. */
  thrown: unknown;
}

export interface ReportedError {
  name: string;
  message: string;
  description?: string | null;
  context?: IDataObject;
}

let counter = 0;
const START = 'Start (test)';

/** Runs a workflow in n8n's engine from its first node and waits for the end. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  const executionId = String(++counter);
  // One start node (as a manual trigger would be) feeding every node whose first input is not connected.
  const fed = new Set(Object.values(options.connections).flatMap((c) => (c.main ?? []).flatMap((out) => (out ?? []).filter((l) => l.index === 0).map((l) => l.node))));
  const roots = options.nodes.filter((n) => !fed.has(n.name));
  const nodes = [options.input ? node(START, 'test.passThrough', {}) : node(START, 'test.items', { items: '[{}]' }), ...options.nodes];
  const connections: IConnections = { ...options.connections, [START]: { main: [roots.map((n) => ({ node: n.name, type: 'main' as const, index: 0 }))] } };
  const { id: workflowId, name: workflowName } = options.workflow ?? { id: 'wf-test', name: 'test' };
  const active = options.active ?? false;
  const mode = active ? 'trigger' : 'manual';
  const workflow = new Workflow({
    id: workflowId,
    name: workflowName,
    nodes,
    connections,
    nodeTypes: options.nodeTypes ? nodeTypesOf({ ...NODE_TYPES, ...options.nodeTypes }) : nodeTypes,
    active,
    settings: { timezone: options.timezone ?? 'UTC', executionOrder: 'v1' },
  });
  const hooks = new ExecutionLifecycleHooks(mode, executionId, { id: workflowId, name: workflowName, nodes, connections, active, settings: {} } as never);
  let finished: (run: IRun) => void = () => undefined;
  const done = new Promise<IRun>((resolve) => (finished = resolve));
  hooks.addHandler('workflowExecuteAfter', (run) => finished(run));
  const known: Partial<IWorkflowExecuteAdditionalData> = {
    executionId,
    hooks,
    credentialsHelper: new TestCredentialsHelper(options.credentials ?? {}),
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
  const additionalData = known as IWorkflowExecuteAdditionalData;
  const start = workflow.getNode(START)!;
  const runData = createRunExecutionData({
    executionData: { nodeExecutionStack: [{ node: start, data: { main: [options.input ?? [{ json: {} }]] }, source: null }] },
  });
  const execute = new WorkflowExecute(additionalData, mode, runData);
  await execute.processRunExecutionData(workflow);
  const run = await done;
  const output = (node: string, index = 0) => run.data.resultData.runData[node]?.[0]?.data?.main?.[index] ?? [];
  return {
    run,
    output,
    json: (node, index = 0) => output(node, index).map((item: INodeExecutionData) => item.json),
    error: reported(run.data.resultData.error),
    thrown: run.data.resultData.error,
  };
}

/** An error as n8n persists it with the execution (JSON through the error's own `toJSON`). */
function reported(error: unknown): ReportedError | undefined {
  if (error === undefined || error === null) return undefined;
  const json = JSON.parse(JSON.stringify(error)) as ReportedError;
  // A plain Error has no toJSON: n8n would report its name and message.
  if (error instanceof Error) return { ...json, name: json.name ?? error.name, message: json.message ?? error.message };
  return json;
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

/** The credential n8n would hand the nodes for a test database URL. */
export function credentialOf(url: string, role = 'member'): Record<string, string | number> {
  if (url.startsWith('sqlite:')) return { client: 'sqlite', file: url.slice('sqlite:'.length), role };
  const u = new URL(url);
  return {
    client: u.protocol === 'mysql:' ? 'mysql' : 'postgres',
    host: u.hostname,
    port: Number(u.port),
    database: decodeURIComponent(u.pathname.slice(1)),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    ssl: 'disable',
    role,
  };
}

// ── polling triggers ──────────────────────────────────────────────────────────────────────────

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

function pollAdditionalData(executionId: string, hooks: ExecutionLifecycleHooks | undefined, credentials: RunOptions['credentials']): IWorkflowExecuteAdditionalData {
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
    setExecutionStatus: () => undefined,
    sendDataToUI: () => undefined,
  };
  return known as IWorkflowExecuteAdditionalData;
}

/**
 * One poll of an active workflow, the way n8n runs it: the node's `poll()` with n8n-core's own
 * `PollContext` over a workflow built from what the previous poll saved (its static data, so every
 * poll is also a restart), then, when it returns items, an execution of the workflow that starts at
 * the trigger with those items (n8n passes a poll's items through the trigger node).
 */
export async function pollWorkflow(options: PollOptions): Promise<PollResult> {
  const workflow = new Workflow({
    id: 'wf-test',
    name: 'test',
    nodes: options.nodes,
    connections: options.connections,
    nodeTypes,
    active: true,
    staticData: options.staticData ? (JSON.parse(JSON.stringify(options.staticData)) as IDataObject) : {},
    settings: { timezone: options.timezone ?? 'UTC', executionOrder: 'v1' },
  });
  const trigger = workflow.getNode(options.trigger)!;
  const mode = options.mode ?? 'trigger';
  const context = new PollContext(workflow, trigger, pollAdditionalData(String(++counter), undefined, options.credentials), mode, mode === 'manual' ? 'manual' : 'activate', () => undefined, () => undefined);
  const emitted = await nodeTypes.getByNameAndVersion(trigger.type, trigger.typeVersion).poll!.call(context);
  const staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
  if (emitted === null || mode === 'manual') return { emitted: emitted?.[0] ?? null, staticData };

  const executionId = String(++counter);
  const hooks = new ExecutionLifecycleHooks('trigger', executionId, { id: 'wf-test', name: 'test', nodes: options.nodes, connections: options.connections, active: true, settings: {} } as never);
  let finished: (run: IRun) => void = () => undefined;
  const done = new Promise<IRun>((resolve) => (finished = resolve));
  hooks.addHandler('workflowExecuteAfter', (run) => finished(run));
  const runData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: trigger, data: { main: emitted }, source: null }] } });
  await new WorkflowExecute(pollAdditionalData(executionId, hooks, options.credentials), 'trigger', runData).processRunExecutionData(workflow);
  const run = await done;
  const output = (name: string, index = 0) => run.data.resultData.runData[name]?.[0]?.data?.main?.[index] ?? [];
  const execution: RunResult = {
    run,
    output,
    json: (name, index = 0) => output(name, index).map((item: INodeExecutionData) => item.json),
    error: reported(run.data.resultData.error),
    thrown: run.data.resultData.error,
  };
  return { emitted: emitted[0] ?? [], execution, staticData };
}
