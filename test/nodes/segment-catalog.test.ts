/**
 * Segment Catalog in n8n's engine: an active workflow attaches itself to a saved segment, and then
 * `segment segments delete` refuses to delete it, naming the workflow; detached (or attached from a
 * manual run, as a draft) it no longer protects the segment. Get and Get Many read the catalogue.
 */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCatalogCommands } from '../../cli/catalog-commands';
import { SegmentCatalog } from '../../core/server';
import { TARGETS, type TestDatabase } from '../catalog/databases';
import { connect, credentialOf, node, runWorkflow } from './harness';

/** `segment segments delete <name> --db <url>`, in-process; its exit code and error output. */
async function deleteWithCli(url: string, name: string): Promise<{ code: number; stderr: string }> {
  const program = new Command('segment').exitOverride();
  registerCatalogCommands(program);
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'segment', 'segments', 'delete', name, '--db', url]);
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

const CREDENTIAL_REF = { credentials: { segmentsDatabaseApi: { id: '1', name: 'Segments DB' } } };
const WORKFLOW = { id: 'Wk7Qm2', name: 'Welcome series' };

describe.each(TARGETS)('Segment Catalog on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;
  beforeAll(async () => {
    t = await target.create();
    catalog = await SegmentCatalog.open(t.db);
  });
  afterAll(async () => t?.drop());

  const catalogRun = (parameters: Record<string, unknown>, options: { active?: boolean; items?: unknown[]; continueOnFail?: boolean } = {}) =>
    runWorkflow({
      nodes: [
        node('Trigger', 'test.items', { items: JSON.stringify(options.items ?? [{}]) }),
        node('Segment Catalog', 'n8n-nodes-segments.segmentCatalog', parameters as never, { ...CREDENTIAL_REF, continueOnFail: options.continueOnFail }),
      ],
      connections: connect(['Trigger', 'Segment Catalog']),
      credentials: { segmentsDatabaseApi: credentialOf(t.url) },
      workflow: WORKFLOW,
      active: options.active,
    });
  const pick = (id: number) => ({ __rl: true, mode: 'id', value: String(id) });

  it('an active workflow attaches itself as running: the CLI then refuses to delete the segment, naming it; detached, the delete goes through', async () => {
    const { id } = await catalog.create({ name: 'Welcome audience', expression: 'tags contains "new"' });
    const attached = await catalogRun({ operation: 'attach', segment: pick(id) }, { active: true });
    expect(attached.error).toBeUndefined();
    const [out] = attached.output('Segment Catalog');
    expect(out!.json).toMatchObject({
      segment: { id, name: 'Welcome audience' },
      workflow: { id: 'Wk7Qm2', name: 'Welcome series', active: true },
      attached: { id: 'n8n:Wk7Qm2', kind: 'automation', status: 'running' },
    });
    expect(out!.pairedItem).toEqual({ item: 0 });
    expect((await catalog.get(id)).usage).toMatchObject([{ id: 'n8n:Wk7Qm2', kind: 'automation', status: 'running' }]);

    const refused = await deleteWithCli(t.url, 'Welcome audience');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('error[segment-in-use]');
    expect(refused.stderr).toContain('automation "n8n:Wk7Qm2" (running)');
    expect((await catalog.get(id)).name).toBe('Welcome audience');

    const detached = await catalogRun({ operation: 'detach', segment: pick(id) }, { active: true });
    expect(detached.json('Segment Catalog')).toEqual([{ segment: { id, name: 'Welcome audience' }, automation: 'n8n:Wk7Qm2', detached: true }]);
    const again = await catalogRun({ operation: 'detach', segment: pick(id) });
    expect(again.json('Segment Catalog')[0]!.detached).toBe(false);

    expect((await deleteWithCli(t.url, 'Welcome audience')).code).toBe(0);
    expect((await catalog.list()).map((s) => s.name)).not.toContain('Welcome audience');
  });

  it('a manual run records a draft, which does not protect the segment; an explicit status and automation id are kept', async () => {
    const { id } = await catalog.create({ name: 'Test audience', expression: 'language = "ar"' });
    const draft = await catalogRun({ operation: 'attach', segment: pick(id) });
    expect(draft.json('Segment Catalog')[0]!.attached).toMatchObject({ id: 'n8n:Wk7Qm2', status: 'draft' });
    const paused = await catalogRun({ operation: 'attach', segment: pick(id), status: 'paused', automationId: 'ramadan-flow' });
    expect(paused.json('Segment Catalog')[0]!.attached).toMatchObject({ id: 'ramadan-flow', status: 'paused' });
    expect((await catalog.get(id)).usage.map((u) => `${u.id}:${u.status}`).sort()).toEqual(['n8n:Wk7Qm2:draft', 'ramadan-flow:paused']);
    expect((await deleteWithCli(t.url, 'Test audience')).code).toBe(0);
  });

  it('gets a segment with its usage, and lists the segments up to a limit', async () => {
    await catalog.create({ name: 'Alpha', expression: 'language = "en"' });
    const { id } = await catalog.create({ name: 'Beta', members: ['p1', 'p2'] });
    await catalogRun({ operation: 'attach', segment: pick(id) }, { active: true });
    const got = await catalogRun({ operation: 'get', segment: pick(id) });
    expect(got.json('Segment Catalog')[0]).toMatchObject({ id, name: 'Beta', kind: 'manual', memberCount: 2, automations: 1, usage: [{ id: 'n8n:Wk7Qm2', status: 'running' }] });
    const all = await catalogRun({ operation: 'getAll', returnAll: true });
    expect(all.json('Segment Catalog').map((s) => s.name)).toEqual(['Alpha', 'Beta']);
    const one = await catalogRun({ operation: 'getAll', returnAll: false, limit: 1 });
    expect(one.json('Segment Catalog').map((s) => s.name)).toEqual(['Alpha']);
    expect(one.output('Segment Catalog')[0]!.pairedItem).toEqual({ item: 0 });
  });

  it('an unknown segment fails the node with the catalogue message and the item index; continue-on-fail keeps going', async () => {
    const missing = await catalogRun({ operation: 'attach', segment: pick(9999) }, { active: true });
    expect(missing.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
    expect(missing.error!.message).toMatch(/9999/);
    const { id } = await catalog.create({ name: 'Gamma', expression: 'language = "fr"' });
    const items = [{ segment: 9999 }, { segment: id }];
    const mixed = await catalogRun({ operation: 'get', segment: { __rl: true, mode: 'id', value: '={{ $json.segment }}' } }, { items, continueOnFail: true });
    expect(mixed.error).toBeUndefined();
    const [failed, found] = mixed.json('Segment Catalog');
    expect((failed!.error as { message: string }).message).toMatch(/9999/);
    expect(found).toMatchObject({ id, name: 'Gamma' });
    expect(mixed.output('Segment Catalog').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });
});
