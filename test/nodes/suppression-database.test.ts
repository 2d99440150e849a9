/**
 * Suppression's global rule with the counts computed from the events in the credential's database,
 * in n8n's engine, on a SQLite file and the real MariaDB and PostgreSQL: items matched to stored
 * profiles by profile ID, email (case-folded) or phone (E.164 from a local number), the rule pushed
 * down as the core's SQL, the same people suppressed as when the items carry their own events, and a
 * clear error when the database holds no such events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { TARGETS, type TestDatabase } from '../catalog/databases';
import { connect, credentialOf, node, runWorkflow } from './harness';

const FIELDS: Schema['fields'] = { id: { type: 'text' }, email: { type: 'text' }, phone: { type: 'text' }, name: { type: 'text' } };
const SCHEMA: Schema = { fields: FIELDS, events: { message_received: { properties: {} }, Clicked: { properties: {} }, purchase: { properties: {} } } };

const at = (event: string, day: number) => ({ event, timestamp: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z` });
const sends = (n: number, name = 'message_received') => Array.from({ length: n }, (_, i) => at(name, i + 1));

/** Stored profiles and their events (names in any case: events are matched case-insensitively). */
const PROFILES = [
  { id: 'p1', email: 'amal@example.com', phone: '+96891234567', name: 'Amal', events: sends(3) },
  { id: 'p2', email: 'ben@example.com', phone: '+96891234568', name: 'Ben', events: [...sends(5), at('clicked', 9)] },
  { id: 'p3', email: 'chadi@example.com', name: 'Chadi', events: [...sends(2), at('purchase', 3)] },
  { id: 'p4', email: 'dana@example.com', phone: '+96891234569', name: 'Dana', events: [...sends(2), ...sends(2, 'Message_Received')] },
  { id: 'p5', email: 'eve@example.com', name: 'Eve', events: [] },
];

const CREDENTIAL_REF = { credentials: { segmentsDatabaseApi: { id: '1', name: 'Segments DB' } } };

describe.each(TARGETS)('Suppression counting from the events in the database on $name', (target) => {
  let t: TestDatabase;
  let bare: TestDatabase;
  beforeAll(async () => {
    t = await target.create();
    await dropLayout(t.db);
    const mapping = await createLayout(t.db, SCHEMA);
    const loaded = await loadProfiles(t.db, PROFILES.map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
    expect(loaded.rejected).toEqual([]);
    // A database whose profiles have no events at all.
    bare = await target.create();
    await dropLayout(bare.db);
    const plain: Schema = { fields: FIELDS };
    await loadProfiles(bare.db, PROFILES.map(({ events: _events, ...value }, i) => ({ line: i + 1, value })), { schema: plain, mapping: await createLayout(bare.db, plain) });
  });
  afterAll(async () => {
    await t?.drop();
    await bare?.drop();
  });

  const suppress = (contacts: object[], parameters: Record<string, unknown>, url = t.url) =>
    runWorkflow({
      nodes: [
        node('Contacts', 'test.items', { items: JSON.stringify(contacts) }),
        node('Suppression', 'n8n-nodes-segments.segmentSuppression', { globalRule: true, threshold: 3, countsFrom: 'database', messageEvent: 'message_received', clickEvent: 'clicked', listSource: 'none', ...parameters } as never, CREDENTIAL_REF),
      ],
      connections: connect(['Contacts', 'Suppression']),
      credentials: { segmentsDatabaseApi: credentialOf(url) },
    });
  const names = (items: { name?: unknown }[]) => items.map((j) => j.name);

  it('suppresses the items whose profile received at least N messages and never clicked, matched by profile ID', async () => {
    const contacts = [...PROFILES.map(({ id, name }) => ({ id, name })), { id: 'p9', name: 'Unknown' }, { name: 'No ID' }];
    const r = await suppress(contacts, { matchBy: 'profile_id' });
    expect(r.error).toBeUndefined();
    expect(names(r.json('Suppression', 1))).toEqual(['Amal', 'Dana']);
    expect(r.json('Suppression', 1)[0]!.suppressed).toEqual({ rule: 'global', threshold: 3, messageEvent: 'message_received', clickEvent: 'clicked', countsFrom: 'database', profileIds: ['p1'] });
    expect(r.output('Suppression', 1).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
    // Ben clicked, Chadi got two, Eve none; a contact the database does not know received nothing.
    expect(names(r.json('Suppression', 0))).toEqual(['Ben', 'Chadi', 'Eve', 'Unknown', 'No ID']);
  });

  it('follows the threshold: at 5 messages only Ben has enough, and he clicked', async () => {
    const r = await suppress(PROFILES.map(({ id, name }) => ({ id, name })), { threshold: 5 });
    expect(r.error).toBeUndefined();
    expect(r.json('Suppression', 1)).toEqual([]);
    const four = await suppress(PROFILES.map(({ id, name }) => ({ id, name })), { threshold: 4 });
    expect(names(four.json('Suppression', 1))).toEqual(['Dana']);
  });

  it('matches items by email case-folded and by phone normalised to E.164 with the default country', async () => {
    const byEmail = await suppress(
      [
        { name: 'Amal', email: ' AMAL@Example.com' },
        { name: 'Ben', email: 'ben@example.com' },
        { name: 'Dana', email: 'Dana@EXAMPLE.com' },
      ],
      { matchBy: 'email' },
    );
    expect(byEmail.error).toBeUndefined();
    expect(names(byEmail.json('Suppression', 1))).toEqual(['Amal', 'Dana']);
    const byPhone = await suppress(
      [
        { name: 'Amal', phone: '9123 4567' },
        { name: 'Ben', phone: '+968 9123 4568' },
        { name: 'Dana', phone: '0096891234569' },
        { name: 'Not a number', phone: '12' },
      ],
      { matchBy: 'phone', options: { defaultCountry: 'OM' } },
    );
    expect(byPhone.error).toBeUndefined();
    expect(names(byPhone.json('Suppression', 1))).toEqual(['Amal', 'Dana']);
    expect(names(byPhone.json('Suppression', 0))).toEqual(['Ben', 'Not a number']);
  });

  it('suppresses the same people as counting the events the items carry', async () => {
    for (const threshold of [1, 2, 3, 4, 5, 6]) {
      const fromItems = await runWorkflow({
        nodes: [
          node('Contacts', 'test.items', { items: JSON.stringify(PROFILES) }),
          node('Suppression', 'n8n-nodes-segments.segmentSuppression', { globalRule: true, threshold, countsFrom: 'events', messageEvent: 'message_received', clickEvent: 'clicked', listSource: 'none' }),
        ],
        connections: connect(['Contacts', 'Suppression']),
      });
      const fromDatabase = await suppress(PROFILES.map(({ id, name }) => ({ id, name })), { threshold });
      expect(names(fromDatabase.json('Suppression', 1)), `threshold ${threshold}`).toEqual(names(fromItems.json('Suppression', 1)));
    }
  });

  it('fails clearly when the database holds no events of the named kind, listing those it holds', async () => {
    const r = await suppress([{ id: 'p1', name: 'Amal' }], { messageEvent: 'message_recieved' });
    expect(r.error).toMatchObject({ name: 'NodeOperationError', message: 'the database has no "message_recieved" events' });
    expect(r.error!.description).toContain('Message Event names an event the database does not hold');
    expect(r.error!.description).toContain('"message_received", "Clicked", "purchase"');
    expect(r.output('Suppression', 0)).toEqual([]);
    const noClicks = await suppress([{ id: 'p1', name: 'Amal' }], { clickEvent: 'click' });
    expect(noClicks.error!.message).toBe('the database has no "click" events');
    expect(noClicks.error!.description).toContain('Click Event');
  });

  it('fails clearly when the database holds no events at all', async () => {
    const r = await suppress([{ id: 'p1', name: 'Amal' }], {}, bare.url);
    expect(r.error).toMatchObject({ name: 'NodeOperationError', message: 'the database has no "message_received" events' });
    expect(r.error!.description).toContain('It holds no events at all');
  });

  it('says the credential is needed when the node has none', async () => {
    const r = await runWorkflow({
      nodes: [
        node('Contacts', 'test.items', { items: JSON.stringify([{ id: 'p1' }]) }),
        node('Suppression', 'n8n-nodes-segments.segmentSuppression', { globalRule: true, threshold: 3, countsFrom: 'database', listSource: 'none' }),
      ],
      connections: connect(['Contacts', 'Suppression']),
    });
    expect(r.error).toMatchObject({ name: 'NodeOperationError', message: 'Counting messages and clicks from the database needs a Segments Database API credential' });
  });
});
