/**
 * Segment Export in n8n's engine, profiles from the incoming items: the catalogue's CSV as binary
 * data on one item, the counts in its JSON, admins only.
 */
import { describe, expect, it } from 'vitest';
import { connect, node, runWorkflow } from './harness';

const PROFILES = [
  { id: 'p1', custom_id: 'C-1', phone: '+96891234567', email: 'amal@example.com', tags: ['VIP'] },
  { id: 'p2', custom_id: '=HYPERLINK("x")', phone: '', email: 'ben@example.com', tags: ['VIP'] },
  { name: 'no ids', email: 'x@example.com', tags: ['VIP'] },
  { id: 'p4', email: 'dana@example.com', tags: [] },
];
const ADMIN = { segmentsDatabaseApi: { client: 'sqlite', file: '/nonexistent.db', role: 'admin' } };
const MEMBER = { segmentsDatabaseApi: { client: 'sqlite', file: '/nonexistent.db', role: 'member' } };

function exportWorkflow(parameters: Record<string, unknown>, credentials: Record<string, Record<string, string>>) {
  return runWorkflow({
    nodes: [
      node('Profiles', 'test.items', { items: JSON.stringify(PROFILES) }),
      node('Segment Export', 'n8n-nodes-segments.segmentExport', { profiles: 'items', source: 'expression', binaryPropertyName: 'data', ...parameters } as never, {
        credentials: { segmentsDatabaseApi: { id: '1', name: 'Segments DB' } },
      }),
    ],
    connections: connect(['Profiles', 'Segment Export']),
    credentials,
  });
}

describe('Segment Export (profiles from the items)', () => {
  it('writes the matching profiles as <segment>_<date>.csv, formula-safe, and reports the counts', async () => {
    const r = await exportWorkflow({ expression: 'tags contains "VIP"', name: 'VIP Clients', options: { now: '2026-11-24T12:00:00Z', timeZone: 'Asia/Muscat' } }, ADMIN);
    expect(r.error).toBeUndefined();
    const [item, ...rest] = r.output('Segment Export');
    expect(rest).toEqual([]);
    expect(item!.json).toEqual({ fileName: 'vip-clients_2026-11-24.csv', exported: 2, skipped: 1 });
    const file = item!.binary!.data!;
    expect(file.fileName).toBe('vip-clients_2026-11-24.csv');
    expect(file.mimeType).toBe('text/csv');
    const csv = Buffer.from(file.data, 'base64').toString('utf8');
    expect(csv).toBe('Custom ID,Profile ID,Phone,Email\r\nC-1,p1,+96891234567,amal@example.com\r\n"\'=HYPERLINK(""x"")",p2,,ben@example.com\r\n');
  });

  it('also emits the rows as items when asked', async () => {
    const r = await exportWorkflow({ expression: 'tags contains "VIP"', name: 'vip', options: { rowsAsItems: true, now: '2026-11-24T12:00:00Z' } }, ADMIN);
    expect(r.json('Segment Export').slice(1)).toEqual([
      { 'Custom ID': 'C-1', 'Profile ID': 'p1', Phone: '+96891234567', Email: 'amal@example.com' },
      { 'Custom ID': '\'=HYPERLINK("x")', 'Profile ID': 'p2', Phone: '', Email: 'ben@example.com' },
    ]);
  });

  it('refuses a credential whose role is not admin, before reading anything', async () => {
    const r = await exportWorkflow({ expression: 'tags contains "VIP"', name: 'vip' }, MEMBER);
    expect(r.error!.name).toBe('NodeOperationError');
    expect(r.error!.message).toContain('only admins can export segments');
    expect(r.error!.message).toContain('"member"');
    expect(r.error!.description).toContain('admin role');
  });
});
