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

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
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
} from 'n8n-workflow';
import { SegmentsDatabaseApi } from '../../credentials/SegmentsDatabaseApi.credentials';
import { SegmentCatalog } from '../../nodes/SegmentCatalog/SegmentCatalog.node';
import { SegmentExport } from '../../nodes/SegmentExport/SegmentExport.node';
import { SegmentFilter } from '../../nodes/SegmentFilter/SegmentFilter.node';
import { SegmentSuppression } from '../../nodes/SegmentSuppression/SegmentSuppression.node';

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
  'n8n-nodes-segments.segmentCatalog': new SegmentCatalog(),
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
  /** The workflow's id and name (default `wf-test`, `test`). */
  workflow?: { id: string; name: string };
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
  // One start node (as a manual trigger would be) feeding every node that has no input connected.
  const fed = new Set(Object.values(options.connections).flatMap((c) => (c.main ?? []).flatMap((out) => (out ?? []).map((l) => l.node))));
  const roots = options.nodes.filter((n) => !fed.has(n.name));
  const nodes = [node(START, 'test.items', { items: '[{}]' }), ...options.nodes];
  const connections: IConnections = { ...options.connections, [START]: { main: [roots.map((n) => ({ node: n.name, type: 'main' as const, index: 0 }))] } };
  const { id: workflowId, name: workflowName } = options.workflow ?? { id: 'wf-test', name: 'test' };
  const active = options.active ?? false;
  const mode = active ? 'trigger' : 'manual';
  const workflow = new Workflow({
    id: workflowId,
    name: workflowName,
    nodes,
    connections,
    nodeTypes,
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
    executionData: { nodeExecutionStack: [{ node: start, data: { main: [[{ json: {} }]] }, source: null }] },
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
