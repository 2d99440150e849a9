/**
 * The nodes' database paths in n8n's engine, on a SQLite file and on the real MariaDB and PostgreSQL
 * servers `npm test` starts: Segment Export pushing the segment down as SQL (typed here and saved),
 * Suppression by a saved manual segment and by a table of the database, and Segment Filter checking
 * the segment against the schema stored with the profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/server';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { TARGETS, type TestDatabase } from '../catalog/databases';
import { connect, credentialOf, node, runWorkflow } from './harness';

const SCHEMA: Schema = {
  fields: {
    id: { type: 'text' },
    custom_id: { type: 'text' },
    email: { type: 'text' },
    phone: { type: 'text' },
    name: { type: 'text' },
    language: { type: 'text' },
    tags: { type: 'list', items: 'text' },
    sent_count: { type: 'number' },
  },
};

const PROFILES = [
  { id: 'p1', custom_id: 'C-1', email: 'amal@example.com', phone: '+96891234567', name: 'Amal', language: 'ar', tags: ['VIP'], sent_count: 3 },
  { id: 'p2', email: 'ben@example.com', phone: '=cmd', name: 'Ben', language: 'en', tags: ['VIP'], sent_count: 12 },
  { id: 'p3', custom_id: 'C-3', email: 'chadi@example.com', name: 'Chadi', language: 'ar', tags: [], sent_count: 0 },
  { id: 'p4', custom_id: 'C-4', name: 'Dana', language: 'ar', tags: ['VIP'], sent_count: 1 },
];

const CREDENTIAL_REF = { credentials: { segmentsDatabaseApi: { id: '1', name: 'Segments DB' } } };
const NOW = '2026-11-24T12:00:00Z';

function csvOf(r: Awaited<ReturnType<typeof runWorkflow>>): string[] {
  const file = r.output('Segment Export')[0]!.binary!.data!;
  return Buffer.from(file.data, 'base64').toString('utf8').trim().split('\r\n');
}

describe.each(TARGETS)('the nodes on $name', (target) => {
  let t: TestDatabase;
  let vipId: number;
  let blockedId: number;
  beforeAll(async () => {
    t = await target.create();
    await dropLayout(t.db);
    const mapping = await createLayout(t.db, SCHEMA);
    await loadProfiles(t.db, PROFILES.map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
    const catalog = await SegmentCatalog.open(t.db);
    vipId = (await catalog.create({ name: 'VIP Arabic', expression: 'tags contains "VIP" and language = "ar"' })).id;
    blockedId = (await catalog.create({ name: 'Do not contact', members: ['p2', 'p3'] })).id;
    await t.db.schema.createTable('opt_outs', (table) => {
      table.string('address', 200);
      table.string('mobile', 40);
      table.string('reason', 40);
    });
    await t.db('opt_outs').insert([
      { address: 'AMAL@example.com ', mobile: null, reason: 'unsubscribed' },
      { address: null, mobile: '0096891234568', reason: 'bounced' },
    ]);
  });
  afterAll(async () => {
    await t?.db.schema.dropTableIfExists('opt_outs');
    await t?.drop();
  });

  describe('Segment Export from the database', () => {
    const exportRun = (parameters: Record<string, unknown>, role = 'admin') =>
      runWorkflow({
        nodes: [node('Segment Export', 'n8n-nodes-segments.segmentExport', { profiles: 'database', binaryPropertyName: 'data', ...parameters } as never, CREDENTIAL_REF)],
        connections: {},
        credentials: { segmentsDatabaseApi: credentialOf(t.url, role) },
      });

    it('pushes a typed segment down as SQL and writes the catalogue CSV, formula-safe, with the counts', async () => {
      const r = await exportRun({ source: 'expression', expression: 'tags contains "VIP"', name: 'VIP', options: { now: NOW, rowsAsItems: true } });
      expect(r.error).toBeUndefined();
      const [file, ...rows] = r.output('Segment Export');
      expect(file!.json).toEqual({ fileName: 'vip_2026-11-24.csv', exported: 3, skipped: 0 });
      expect(file!.binary!.data!.fileName).toBe('vip_2026-11-24.csv');
      const [header, ...lines] = csvOf(r);
      expect(header).toBe('Custom ID,Profile ID,Phone,Email');
      expect(lines.sort()).toEqual([",p2,'=cmd,ben@example.com", 'C-1,p1,+96891234567,amal@example.com', 'C-4,p4,,']);
      expect(rows.map((row) => row.json['Profile ID']).sort()).toEqual(['p1', 'p2', 'p4']);
      expect(rows[0]!.pairedItem).toEqual([{ item: 0 }]);
    });

    it('exports a saved segment picked by id, named after it', async () => {
      const r = await exportRun({ source: 'saved', segment: { __rl: true, mode: 'id', value: String(vipId) }, options: { now: NOW } });
      expect(r.error).toBeUndefined();
      expect(r.json('Segment Export')[0]).toEqual({ fileName: 'vip-arabic_2026-11-24.csv', exported: 2, skipped: 0 });
      expect(csvOf(r).slice(1).sort()).toEqual(['C-1,p1,+96891234567,amal@example.com', 'C-4,p4,,']);
    });

    it('refuses a member credential before touching the database', async () => {
      const r = await exportRun({ source: 'saved', segment: { __rl: true, mode: 'id', value: String(vipId) } }, 'member');
      expect(r.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('only admins can export segments') });
    });

    it('reports a field the stored schema does not have, with the caret excerpt and a suggestion', async () => {
      const r = await exportRun({ source: 'expression', expression: 'languag = "ar"', name: 'x' });
      expect(r.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('languag') });
      expect(r.error!.description).toContain('^');
      expect(r.error!.description).toContain('language');
    });
  });

  describe('Suppression with lists from the database', () => {
    const contacts = [
      { id: 'p1', name: 'Amal', email: 'amal@example.com', phone: '+96891234567' },
      { id: 'p2', name: 'Ben', email: 'ben@example.com' },
      { id: 'p5', name: 'Eve', email: 'eve@example.com', phone: '91234568' },
      { id: 'p6', name: 'Fadi', email: 'fadi@example.com', phone: '+96891234569' },
    ];
    const suppress = (parameters: Record<string, unknown>) =>
      runWorkflow({
        nodes: [
          node('Contacts', 'test.items', { items: JSON.stringify(contacts) }),
          node('Suppression', 'n8n-nodes-segments.segmentSuppression', { globalRule: false, ...parameters } as never, CREDENTIAL_REF),
        ],
        connections: connect(['Contacts', 'Suppression']),
        credentials: { segmentsDatabaseApi: credentialOf(t.url) },
      });
    const names = (items: { name?: unknown }[]) => items.map((j) => j.name);

    it('suppresses the members of a saved manual segment by profile id, naming the segment', async () => {
      const r = await suppress({ listSource: 'segment', segment: { __rl: true, mode: 'id', value: String(blockedId) } });
      expect(r.error).toBeUndefined();
      expect(names(r.json('Suppression', 0))).toEqual(['Amal', 'Eve', 'Fadi']);
      const suppressed = r.json('Suppression', 1);
      expect(names(suppressed)).toEqual(['Ben']);
      expect(suppressed[0]!.suppressed).toEqual({ rule: 'list', list: 'Do not contact', matchedBy: 'id', value: 'p2' });
      expect(r.output('Suppression', 1)[0]!.pairedItem).toEqual({ item: 1 });
    });

    it('suppresses the contacts of a table, emails case-folded and phones in E.164 on both sides', async () => {
      const r = await suppress({ listSource: 'table', table: 'opt_outs', emailColumn: 'address', phoneColumn: 'mobile', options: { defaultCountry: 'OM' } });
      expect(r.error).toBeUndefined();
      const suppressed = r.json('Suppression', 1);
      expect(names(suppressed)).toEqual(['Amal', 'Eve']);
      expect(suppressed.map((j) => j.suppressed)).toEqual([
        { rule: 'list', list: 'opt_outs', matchedBy: 'email', value: 'amal@example.com' },
        { rule: 'list', list: 'opt_outs', matchedBy: 'phone', value: '+96891234568' },
      ]);
      expect(names(r.json('Suppression', 0))).toEqual(['Ben', 'Fadi']);
    });

    it('says which table or column is missing, and what the table has', async () => {
      const noTable = await suppress({ listSource: 'table', table: 'opt_out', emailColumn: 'address' });
      expect(noTable.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('no table "opt_out"') });
      const noColumn = await suppress({ listSource: 'table', table: 'opt_outs', emailColumn: 'adress' });
      expect(noColumn.error!.message).toContain('has no column "adress"');
      expect(noColumn.error!.description).toContain('did you mean "address"?');
    });
  });

  describe('Segment Filter with the schema read from the database', () => {
    const filter = (expression: string, items: unknown[] = PROFILES) =>
      runWorkflow({
        nodes: [
          node('Items', 'test.items', { items: JSON.stringify(items) }),
          node('Segment Filter', 'n8n-nodes-segments.segmentFilter', { source: 'expression', expression, options: { schema: 'database' } } as never, CREDENTIAL_REF),
        ],
        connections: connect(['Items', 'Segment Filter']),
        credentials: { segmentsDatabaseApi: credentialOf(t.url) },
      });

    it('routes the items by a segment checked against the stored schema', async () => {
      const r = await filter('sent_count >= 3 and tags contains "VIP"');
      expect(r.error).toBeUndefined();
      expect(r.json('Segment Filter', 0).map((j) => j.name)).toEqual(['Amal', 'Ben']);
      expect(r.json('Segment Filter', 1).map((j) => j.name)).toEqual(['Chadi', 'Dana']);
    });

    it('fails before any item on a field the stored schema lacks or a type it forbids', async () => {
      const unknown = await filter('sent_cuont > 3');
      expect(unknown.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
      expect(unknown.error!.message).toContain('sent_cuont');
      expect(unknown.error!.description).toContain('sent_count');
      expect(unknown.output('Segment Filter', 0)).toEqual([]);
      const mistyped = await filter('name > 3');
      expect(mistyped.error!.message).toContain('`name` is text');
    });
  });
});
