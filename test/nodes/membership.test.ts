/**
 * Segment Trigger, Segment Members and several-segment audiences, run by n8n's own engine on the
 * credential's database (SQLite, MariaDB, PostgreSQL). The trigger is polled the way n8n polls it
 * (n8n-core's PollContext, the workflow's static data saved after each poll and read back as after a
 * restart) and its items run through a workflow whose "email" step is a no-op node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';
import { SegmentCatalog } from '../../core/catalog/catalog';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import type { SqlMapping } from '../../core/sql/mapping';
import { TARGETS, type TestDatabase } from '../catalog/databases';
import { connect, node, pollWorkflow, runWorkflow } from './harness';

const SCHEMA: Schema = {
  fields: { id: { type: 'text' }, custom_id: { type: 'text' }, email: { type: 'text' }, phone: { type: 'text' }, name: { type: 'text' }, spend: { type: 'number' } },
};
const PEOPLE = [
  { id: 'p1', custom_id: 'C-1', email: 'amal@example.com', phone: '+96891234567', name: 'Amal', spend: 10 },
  { id: 'p2', custom_id: 'C-2', email: 'ben@example.com', phone: '+96891234568', name: 'Ben', spend: 30_000 },
  { id: 'p3', custom_id: 'C-3', email: 'chadi@example.com', phone: '+96891234569', name: 'Chadi', spend: 20 },
  { id: 'p4', custom_id: 'C-4', email: 'dana@example.com', phone: '+96891234570', name: 'Dana', spend: 40 },
];

function credentialOf(url: string): ICredentialDataDecryptedObject {
  if (url.startsWith('sqlite:')) return { client: 'sqlite', file: url.slice('sqlite:'.length), role: 'admin' };
  const u = new URL(url);
  return {
    client: u.protocol === 'mysql:' ? 'mysql' : 'postgres',
    host: u.hostname,
    port: Number(u.port),
    database: decodeURIComponent(u.pathname.slice(1)),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    ssl: 'disable',
    role: 'admin',
  };
}

/** What Segment Trigger keeps in the workflow's static data. */
const kept = (staticData: IDataObject) => staticData['node:Segment Trigger'] as IDataObject;

const CREDENTIALS = { credentials: { segmentsDatabaseApi: { id: '1', name: 'db' } } };

describe.each(TARGETS)('membership nodes on $name', (target) => {
  let t: TestDatabase;
  let mapping: SqlMapping;
  let catalog: SegmentCatalog;
  let highValue: number;
  const people = new Map(PEOPLE.map((p) => [p.id, { ...p }]));

  async function set(id: string, change: Partial<(typeof PEOPLE)[number]>): Promise<void> {
    const p = { ...people.get(id)!, ...change };
    people.set(id, p);
    await loadProfiles(t.db, [{ line: 1, value: p }], { schema: SCHEMA, mapping });
  }

  /** A workflow: Segment Trigger on "High Value Customers" → Send Email (a no-op). */
  function triggerWorkflow(parameters: IDataObject, staticData?: IDataObject, mode?: 'manual') {
    const nodes: INode[] = [
      node('Segment Trigger', 'n8n-nodes-segments.segmentTrigger', { segments: [String(highValue)], event: 'entered', firstPoll: 'changes', ...parameters } as never, CREDENTIALS),
      node('Send Email', 'test.noOp', {}),
    ];
    return pollWorkflow({ nodes, connections: connect(['Segment Trigger', 'Send Email']), credentials: { segmentsDatabaseApi: credentialOf(t.url) }, trigger: 'Segment Trigger', staticData, mode });
  }

  beforeAll(async () => {
    t = await target.create();
    await dropLayout(t.db);
    mapping = await createLayout(t.db, SCHEMA);
    await loadProfiles(t.db, PEOPLE.map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
    catalog = await SegmentCatalog.open(t.db);
    highValue = (await catalog.create({ name: 'High Value Customers', expression: 'spend > 25000' })).id;
    await catalog.create({ name: 'Newsletter', members: ['p3'] });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('Segment Trigger emails each entrant exactly once across polls and a restart', async () => {
    const emailed: string[] = [];
    // First poll: only changes from now on (Ben is already in and is not emailed).
    let poll = await triggerWorkflow({});
    expect(poll.emitted).toBeNull();
    let saved = poll.staticData;

    await set('p1', { spend: 50_000 });
    await set('p3', { spend: 26_000 });
    poll = await triggerWorkflow({}, saved);
    expect(poll.execution?.error).toBeUndefined();
    const items = poll.execution!.json('Send Email');
    expect(items.map((j) => [j.profileId, j.change, j.segment])).toEqual([
      ['p1', 'entered', 'High Value Customers'],
      ['p3', 'entered', 'High Value Customers'],
    ]);
    expect(items[0]).toMatchObject({ segmentId: highValue, version: 1, profile: { id: 'p1', name: 'Amal', email: 'amal@example.com', spend: 50_000 } });
    expect(Date.parse(String(items[0]!.at))).not.toBeNaN();
    emailed.push(...items.map((j) => String(j.profileId)));
    saved = poll.staticData;

    // Nothing changed: no execution.
    expect((await triggerWorkflow({}, saved)).emitted).toBeNull();

    // n8n restarts: the workflow is rebuilt from what it saved; Dana enters meanwhile; Amal leaves (not asked for).
    await set('p4', { spend: 99_999 });
    await set('p1', { spend: 1 });
    const restarted = await triggerWorkflow({}, JSON.parse(JSON.stringify(saved)) as IDataObject);
    emailed.push(...restarted.execution!.json('Send Email').map((j) => String(j.profileId)));
    expect((await triggerWorkflow({}, restarted.staticData)).emitted).toBeNull();
    expect(emailed).toEqual(['p1', 'p3', 'p4']);
  });

  it('Segment Trigger can emit the current members first, report exits, and spread a burst over polls', async () => {
    const first = await triggerWorkflow({ firstPoll: 'members', event: 'both' });
    expect(first.execution!.json('Send Email').map((j) => [j.profileId, j.change, j.firstPoll])).toEqual([
      ['p2', 'entered', true],
      ['p3', 'entered', true],
      ['p4', 'entered', true],
    ]);
    await set('p3', { spend: 0 });
    await set('p1', { spend: 77_777 });
    await set('p2', { spend: 0 });
    const a = await triggerWorkflow({ event: 'both', options: { maxItems: 2 } }, first.staticData);
    const b = await triggerWorkflow({ event: 'both', options: { maxItems: 2 } }, a.staticData);
    const seen = [...a.emitted!, ...b.emitted!].map((i) => `${i.json.change} ${i.json.profileId}`);
    expect(a.emitted).toHaveLength(2);
    expect(seen.sort()).toEqual(['entered p1', 'left p2', 'left p3']);
    expect((await triggerWorkflow({ event: 'both' }, b.staticData)).emitted).toBeNull();
  });

  it('Segment Trigger in manual mode shows a sample and moves no cursor', async () => {
    // The segments named in an expression (as the example workflow does) rather than picked by id.
    const byName = { segments: '={{ ["High Value Customers"] }}' };
    const live = await triggerWorkflow(byName);
    const sample = await triggerWorkflow(byName, live.staticData, 'manual');
    expect(sample.emitted!.length).toBeGreaterThan(0);
    expect(sample.emitted![0]!.json).toMatchObject({ segment: 'High Value Customers', change: 'entered' });
    expect(sample.staticData).toEqual(live.staticData);
  });

  it('Segment Members adds and removes people by email, phone and custom id, and reports those with no profile', async () => {
    const newsletter = await catalog.get('Newsletter');
    const head = await catalog.changesHead('Newsletter');
    const members = (parameters: IDataObject, items: IDataObject[]) =>
      runWorkflow({
        nodes: [
          node('Items', 'test.items', { items: JSON.stringify(items) }),
          node('Segment Members', 'n8n-nodes-segments.segmentMembers', { segment: { __rl: true, mode: 'id', value: String(newsletter.id) }, ...parameters } as never, CREDENTIALS),
        ],
        connections: connect(['Items', 'Segment Members']),
        credentials: { segmentsDatabaseApi: credentialOf(t.url) },
      });
    const byEmail = await members({ operation: 'add', matchBy: 'email', value: '={{ $json.mail }}' }, [{ mail: 'AMAL@example.com' }, { mail: 'nobody@example.com' }, { mail: 'not an email' }, { mail: 'chadi@example.com' }]);
    expect(byEmail.error).toBeUndefined();
    expect(byEmail.json('Segment Members', 0).map((j) => (j.membership as IDataObject).status)).toEqual(['added', 'alreadyMember']);
    expect(byEmail.json('Segment Members', 1).map((j) => [j.mail, (j.membership as IDataObject).reason])).toEqual([
      ['nobody@example.com', 'no profile has the email "nobody@example.com"'],
      ['not an email', '"not an email" is not an email address'],
    ]);
    expect(byEmail.output('Segment Members', 1).map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);

    const byPhone = await members({ operation: 'add', matchBy: 'phone', value: '={{ $json.tel }}', options: { defaultCountry: 'OM' } }, [{ tel: '9123 4568' }]);
    expect(byPhone.json('Segment Members', 0)[0]!.membership).toMatchObject({ status: 'added', profileIds: ['p2'] });

    const removed = await members({ operation: 'remove', matchBy: 'custom_id', value: '={{ $json.cid }}' }, [{ cid: 'C-3' }, { cid: 'C-4' }]);
    expect(removed.json('Segment Members', 0).map((j) => (j.membership as IDataObject).status)).toEqual(['removed', 'notMember']);
    expect((await catalog.members('Newsletter')).sort()).toEqual(['p1', 'p2']);
    // The catalogue recorded each add and remove (a Segment Trigger on the list sees them).
    const changes = await catalog.changes('Newsletter', { since: head });
    expect(changes.changes.map((c) => `${c.change} ${c.profileId}`)).toEqual(['entered p1', 'entered p2', 'left p3']);

    const dynamic = await members({ operation: 'add', matchBy: 'profile_id', value: 'p1', segment: { __rl: true, mode: 'id', value: String(highValue) } }, [{}]);
    expect(dynamic.error?.message).toContain('dynamic');
  });

  it('Segment Filter and Segment Export take several saved segments: anyone in any, each once', async () => {
    await catalog.create({ name: 'Big Spenders', expression: 'spend > 50000' });
    const names = ['High Value Customers', 'Big Spenders', 'Newsletter'];
    const ids = await Promise.all(names.map(async (n) => String((await catalog.get(n)).id)));
    const inAny = [...people.values()].filter((p) => p.spend > 25_000 || ['p1', 'p2'].includes(p.id)).map((p) => p.id).sort();
    const filter = await runWorkflow({
      nodes: [
        node('Items', 'test.items', { items: JSON.stringify([...people.values()]) }),
        node('Segment Filter', 'n8n-nodes-segments.segmentFilter', { source: 'savedMany', segments: ids } as never, CREDENTIALS),
      ],
      connections: connect(['Items', 'Segment Filter']),
      credentials: { segmentsDatabaseApi: credentialOf(t.url) },
    });
    expect(filter.error).toBeUndefined();
    expect(filter.json('Segment Filter', 0).map((j) => j.id).sort()).toEqual(inAny);
    const exported = await runWorkflow({
      nodes: [node('Segment Export', 'n8n-nodes-segments.segmentExport', { profiles: 'database', source: 'savedMany', segments: ids, options: { rowsAsItems: true } } as never, CREDENTIALS)],
      connections: {},
      credentials: { segmentsDatabaseApi: credentialOf(t.url) },
    });
    expect(exported.error).toBeUndefined();
    const [file, ...rows] = exported.json('Segment Export');
    expect(file).toMatchObject({ exported: inAny.length });
    expect(rows.map((r) => r['Profile ID']).sort()).toEqual(inAny);
  });

  it('Segment Trigger spreads the current members over polls by max items: each person once, then their changes', async () => {
    const spenders = String((await catalog.create({ name: 'Any Spend', expression: 'spend > 0 and spend < 1000' })).id);
    for (const [id, spend] of [['p1', 10], ['p2', 20], ['p3', 30], ['p4', 0]] as const) await set(id, { spend });
    const poll = (staticData?: IDataObject) => triggerWorkflow({ segments: [spenders], firstPoll: 'members', event: 'both', options: { maxItems: 2 } }, staticData);
    const seen = (r: Awaited<ReturnType<typeof poll>>) => (r.emitted ?? []).map((i) => [i.json.profileId, i.json.change, i.json.firstPoll ?? false]);

    const first = await poll();
    expect(seen(first)).toEqual([['p1', 'entered', true], ['p2', 'entered', true]]);
    expect(kept(first.staticData).backlog).toBeDefined();
    // Before Chadi's turn comes, Amal (already emitted) and Chadi leave, Dana enters.
    await set('p1', { spend: 0 });
    await set('p3', { spend: 0 });
    await set('p4', { spend: 5 });
    const second = await poll(first.staticData);
    // Amal's exit is a change of someone already emitted; Dana comes out as a member at her turn;
    // Chadi, who left before his turn, never comes out.
    expect(seen(second)).toEqual([['p1', 'left', false], ['p4', 'entered', true]]);
    const third = await poll(second.staticData);
    expect(third.emitted).toBeNull();
    expect(kept(third.staticData).backlog).toBeUndefined();
    await set('p1', { spend: 7 });
    expect(seen(await poll(third.staticData))).toEqual([['p1', 'entered', false]]);
  });

  it('Segment Trigger whose changes were deleted (older than the kept history) continues from now, re-emits the members, or fails, as chosen', async () => {
    const watched = String((await catalog.create({ name: 'Small Spend', expression: 'spend > 0 and spend < 100' })).id);
    for (const [id, spend] of [['p1', 10], ['p2', 20], ['p3', 0], ['p4', 0]] as const) await set(id, { spend });
    const poll = (onExpiredCursor: string | undefined, staticData?: IDataObject) =>
      triggerWorkflow({ segments: [watched], event: 'both', options: { refresh: false, ...(onExpiredCursor ? { onExpiredCursor } : {}) } }, staticData);
    await catalog.refresh(['Small Spend']);
    const start = await poll(undefined);
    expect(start.emitted).toBeNull();
    // While the workflow is off: Chadi enters, Amal leaves; refreshes by a catalogue keeping one
    // millisecond of history delete those changes.
    const shortMemory = await SegmentCatalog.open(t.db, { historyRetention: 1 });
    await set('p3', { spend: 30 });
    await shortMemory.refresh(['Small Spend'], { now: new Date(Date.now() + 60_000) });
    await set('p1', { spend: 0 });
    await shortMemory.refresh(['Small Spend'], { now: new Date(Date.now() + 120_000) });
    await expect(catalog.changes('Small Spend', { since: (kept(start.staticData).cursors as Record<string, string>)[watched] })).rejects.toMatchObject({ code: 'cursor-expired' });

    await expect(poll('error', start.staticData)).rejects.toThrow(/older than the kept history/);

    const fromNow = await poll(undefined, start.staticData);
    expect(fromNow.emitted).toBeNull();
    await set('p4', { spend: 40 });
    await shortMemory.refresh(['Small Spend'], { now: new Date(Date.now() + 180_000) });
    expect((await poll(undefined, fromNow.staticData)).emitted!.map((i) => [i.json.profileId, i.json.change])).toEqual([['p4', 'entered']]);

    const again = await poll('members', start.staticData);
    expect(again.emitted!.map((i) => [i.json.profileId, i.json.change, i.json.cursorExpired])).toEqual([
      ['p2', 'entered', true],
      ['p3', 'entered', true],
      ['p4', 'entered', true],
    ]);
    expect((await poll('members', again.staticData)).emitted).toBeNull();
  });
});
