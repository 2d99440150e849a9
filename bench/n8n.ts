/**
 * `npm run bench:n8n`: the nodes inside n8n's own engine (n8n-core's `WorkflowExecute`, through the
 * test harness), against n8n's own nodes from `n8n-nodes-base`, in one process:
 *
 * - Segment Filter on 100,000 items, segment `tags contains "VIP" and language = "ar" and age >= 30
 *   and country = "OM"`;
 * - n8n's Filter node (V2, typeVersion 2.3 as the editor adds it today) with the same four
 *   conditions, left values written `={{ $json.x }}` as n8n's editor writes them, strict type
 *   validation; it costs hundreds of µs per item, so it runs on BENCH_N8N_FILTER_ITEMS items
 *   (default 10,000; per-item cost is flat in the item count) unless told otherwise;
 * - n8n's No Operation node (the trivial node: the engine's own per-item cost);
 * - Suppression on 100,000 items: the global rule from item fields plus a 2,000-entry opt-out list on
 *   the second input (emails, and phones in local form normalised with default country OM).
 *
 * Each node runs in a workflow Start → node (Start passes the items on); the figure is the CPU time
 * of the whole run per item (the engine's work and the node's: a busy machine's waits are not
 * counted), the median of BENCH_ROUNDS runs (default 3) after a warm-up; the node's wall-clock
 * `executionTime` as n8n records it is printed beside it. The ratio to n8n's Filter compares per-item
 * figures (ours on 100k items, n8n's on 10k) for information; the target is judged on the same items. The kept/matched counts
 * of Segment Filter and n8n's Filter must agree. Targets: Segment Filter ≤ 10 µs/item and ≥ 60×
 * faster than n8n's Filter; Suppression ≤ 15 µs/item.
 *
 * n8n-nodes-base comes from the real n8n that scripts/n8n-install.sh caches (~/.cache/n8n-nodes-segments);
 * its `n8n-workflow` is redirected to this repository's copy, so one copy serves the engine and all nodes.
 */
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INodeExecutionData, INodeType, IVersionedNodeType } from 'n8n-workflow';
import { connect, node, runWorkflow, type RunOptions } from '../test/nodes/harness';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const FILTER_ITEMS = Number(process.env.BENCH_N8N_FILTER_ITEMS ?? Math.min(ITEMS, 10_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
const CACHE = process.env.N8N_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-segments', `n8n-${N8N_VERSION}`);

/** n8n's Filter and No Operation nodes from the cached n8n, sharing this repository's n8n-workflow. */
function n8nNodes(): { filter: IVersionedNodeType; noOp: INodeType } {
  const base = join(CACHE, 'node_modules', 'n8n-nodes-base');
  if (!existsSync(join(base, 'package.json'))) {
    throw new Error(`n8n-nodes-base not found in ${CACHE}: run \`bash scripts/n8n-install.sh\` first (installs n8n ${N8N_VERSION} once, ~10 min)`);
  }
  const ours = createRequire(join(process.cwd(), 'package.json')).resolve('n8n-workflow');
  const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'n8n-workflow' ? ours : original.call(this, request, ...rest);
  };
  const load = createRequire(join(base, 'package.json'));
  const { Filter } = load('./dist/nodes/Filter/Filter.node.js') as { Filter: new () => IVersionedNodeType };
  const { NoOp } = load('./dist/nodes/NoOp/NoOp.node.js') as { NoOp: new () => INodeType };
  return { filter: new Filter(), noOp: new NoOp() };
}

/** Deterministic profiles: about 1 in 12 is in the segment. */
function profiles(n: number): INodeExecutionData[] {
  const languages = ['ar', 'en', 'fr', 'hi'];
  const countries = ['OM', 'AE', 'SA'];
  const out: INodeExecutionData[] = [];
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const json: IDataObject = {
      id: `p${i}`,
      email: `user${i}@example.com`,
      phone: `+9689${String(1000000 + i).slice(-7)}`,
      language: languages[Math.floor(random() * languages.length)],
      country: countries[Math.floor(random() * countries.length)],
      age: 18 + Math.floor(random() * 50),
      tags: random() < 0.5 ? ['VIP', 'newsletter'] : ['newsletter'],
      sent_count: Math.floor(random() * 20),
      clicks_count: random() < 0.3 ? Math.floor(random() * 3) : 0,
    };
    out.push({ json });
  }
  return out;
}

const SEGMENT = 'tags contains "VIP" and language = "ar" and age >= 30 and country = "OM"';

/** n8n's Filter V2 parameters as its editor writes them for the same four conditions. */
const N8N_FILTER_PARAMETERS = {
  conditions: {
    options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 3 },
    conditions: [
      { id: 'c1', leftValue: '={{ $json.tags }}', rightValue: 'VIP', operator: { type: 'array', operation: 'contains', rightType: 'any' } },
      { id: 'c2', leftValue: '={{ $json.language }}', rightValue: 'ar', operator: { type: 'string', operation: 'equals' } },
      { id: 'c3', leftValue: '={{ $json.age }}', rightValue: 30, operator: { type: 'number', operation: 'gte' } },
      { id: 'c4', leftValue: '={{ $json.country }}', rightValue: 'OM', operator: { type: 'string', operation: 'equals' } },
    ],
    combinator: 'and',
  },
  options: {},
};

interface Measure {
  name: string;
  items: number;
  /** CPU µs per item of the whole run (Start → node: the engine's work and the node's), median of the rounds. */
  perItem: number;
  /** Wall-clock µs per item of the node alone (its `executionTime` as n8n records it), median. */
  wallPerItem: number;
  outputs: number[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, input: INodeExecutionData[], extra: Partial<RunOptions> = {}, rounds = ROUNDS): Promise<Measure> {
  const cpu: number[] = [];
  const wall: number[] = [];
  let outputs: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    // Round 0 warms the code up on a tenth of the items.
    const items = round === 0 ? input.slice(0, Math.max(1, Math.floor(input.length / 10))) : input;
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.cpuUsage();
    const run = await runWorkflow({
      nodes: [node(name, type, parameters as never, { typeVersion }), ...(extra.nodes ?? [])],
      connections: extra.connections ?? {},
      input: items,
      nodeTypes: extra.nodeTypes,
    });
    const used = process.cpuUsage(before);
    if (run.error) throw new Error(`${name}: ${run.error.message}`);
    const task = run.run.data.resultData.runData[name]![0]!;
    if (round === 0) continue;
    cpu.push((used.user + used.system) / items.length);
    wall.push((task.executionTime * 1000) / items.length);
    outputs = (task.data?.main ?? []).map((out) => out?.length ?? 0);
  }
  return { name, items: input.length, perItem: median(cpu), wallPerItem: median(wall), outputs };
}

async function main(): Promise<void> {
  const { filter, noOp } = n8nNodes();
  const nodeTypes = { 'n8n-nodes-base.filter': filter, 'n8n-nodes-base.noOp': noOp };
  const input = profiles(ITEMS);
  const smaller = input.slice(0, FILTER_ITEMS);
  console.log(`bench:n8n — n8n-core ${createRequire(join(process.cwd(), 'package.json'))('n8n-core/package.json').version} WorkflowExecute, n8n-nodes-base from ${CACHE}`);
  console.log(`${ITEMS.toLocaleString('en')} items (n8n's Filter on ${FILTER_ITEMS.toLocaleString('en')}), median of ${ROUNDS} runs after a warm-up.`);
  console.log('µs/item: CPU time of the whole run Start → node (the engine and the node; robust on a busy machine), and the node\'s wall-clock executionTime as n8n records it\n');

  const noOpResult = await measure('No Operation (n8n)', 'n8n-nodes-base.noOp', 1, {}, input, { nodeTypes });
  const ours = await measure('Segment Filter', 'n8n-nodes-segments.segmentFilter', 1, { source: 'expression', expression: SEGMENT }, input, { nodeTypes });
  const oursSmall = await measure('Segment Filter', 'n8n-nodes-segments.segmentFilter', 1, { source: 'expression', expression: SEGMENT }, smaller, { nodeTypes });
  const theirs = await measure('Filter (n8n)', 'n8n-nodes-base.filter', 2.3, N8N_FILTER_PARAMETERS, smaller, { nodeTypes }, Number(process.env.BENCH_N8N_FILTER_ROUNDS ?? 1));
  if (oursSmall.outputs[0] !== theirs.outputs[0]) throw new Error(`matched counts differ: Segment Filter ${oursSmall.outputs[0]}, n8n's Filter ${theirs.outputs[0]}`);

  const optOuts: INodeExecutionData[] = [];
  for (let i = 0; i < 2000; i += 2) {
    optOuts.push({ json: { email: `USER${i * 37}@Example.com` } });
    optOuts.push({ json: { phone: `9${String(1000000 + i * 41 + 1).slice(-7)}` } });
  }
  const suppression = await measure(
    'Suppression',
    'n8n-nodes-segments.segmentSuppression',
    1,
    { globalRule: true, threshold: 10, countsFrom: 'fields', messagesField: 'sent_count', clicksField: 'clicks_count', listSource: 'input', listName: 'opt-outs', options: { defaultCountry: 'OM' } },
    input,
    { nodeTypes, nodes: [node('Opt-outs', 'test.items', { items: JSON.stringify(optOuts.map((o) => o.json)) })], connections: connect(['Opt-outs', 'Suppression', 0, 1]) },
  );

  const row = (m: Measure, note = '') =>
    console.log(`${m.name.padEnd(20)} ${m.items.toLocaleString('en').padStart(8)} items  CPU ${m.perItem.toFixed(2).padStart(8)} µs/item  wall ${m.wallPerItem.toFixed(2).padStart(8)} µs/item  outputs ${m.outputs.join(' / ')}${note}`);
  row(noOpResult, '   (the engine alone)');
  row(ours);
  row(oursSmall, "   (the same items as n8n's Filter)");
  row(theirs);
  row(suppression);
  // n8n's Filter costs the same per item at any size (its fixed cost is nothing beside hundreds of µs
  // per item); ours has a fixed part per run (~tens of ms: engine setup, compiling the segment), so
  // the per-item comparison uses our 100k figure; the same-items ratio is printed too.
  const speedup = theirs.perItem / ours.perItem;
  const sameItems = theirs.perItem / oursSmall.perItem;
  console.log('');
  console.log(`Segment Filter vs n8n's Filter: ${speedup.toFixed(0)}× faster per item (our ${ITEMS.toLocaleString('en')}-item figure); ${sameItems.toFixed(0)}× on the same ${FILTER_ITEMS.toLocaleString('en')} items, our fixed per-run cost included; matched ${oursSmall.outputs[0]} = ${theirs.outputs[0]}`);
  console.log(`Segment Filter vs No Operation: ${(ours.perItem / noOpResult.perItem).toFixed(2)}× the engine's trivial node`);
  const checks = [
    [`Segment Filter ${ours.perItem.toFixed(2)} µs/item ≤ 10`, ours.perItem <= 10],
    // Judged on the same items: comparing our 100k figure with n8n's 10k one would amortise only our
    // fixed cost, which flatters us.
    [`Segment Filter ${sameItems.toFixed(0)}× faster than n8n's Filter on the same ${FILTER_ITEMS.toLocaleString('en')} items ≥ 60×`, sameItems >= 60],
    [`Suppression ${suppression.perItem.toFixed(2)} µs/item ≤ 15`, suppression.perItem <= 15],
  ] as const;
  for (const [text, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
