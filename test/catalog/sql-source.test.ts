import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { layoutDirectory, sqlReachCounter, sqlSegmentProfiles } from '../../core/catalog/sql-source';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { TARGETS, type TestDatabase } from './databases';

const SCHEMA: Schema = {
  fields: {
    id: { type: 'text' },
    custom_id: { type: 'text' },
    email: { type: 'text' },
    phone: { type: 'text' },
    country: { type: 'text' },
  },
};
const PROFILES = [
  { id: 'p1', custom_id: 'C-1', email: 'amal@example.com', phone: '+96891234567', country: 'OM' },
  { id: 'p2', email: 'omar@example.com', phone: '=cmd', country: 'OM' },
  { id: 'p3', custom_id: 'C-3', email: 'sara@example.com', country: 'AE' },
];

describe.each(TARGETS)('the catalogue over stored profiles on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;
  let dir: string;

  beforeAll(async () => {
    t = await target.create();
    dir = mkdtempSync(join(tmpdir(), 'segsql-'));
    await dropLayout(t.db);
    const mapping = await createLayout(t.db, SCHEMA);
    await loadProfiles(t.db, PROFILES.map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
    catalog = await SegmentCatalog.open(t.db);
    await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('exports a segment straight from the database, reading only the export columns', async () => {
    const result = await catalog.export('omanis', { role: 'admin', directory: dir, now: new Date('2026-11-24T12:00:00Z'), profiles: (def, all) => sqlSegmentProfiles(t.db, def, all) });
    expect(result.fileName).toBe('omanis_2026-11-24.csv');
    const lines = readFileSync(result.path, 'utf8').trim().split('\r\n').sort();
    expect(lines).toEqual([',p2,\'=cmd,omar@example.com', 'C-1,p1,+96891234567,amal@example.com', 'Custom ID,Profile ID,Phone,Email']);
  });

  it('counts reach in the database', async () => {
    const [omanis] = await catalog.refreshReach(sqlReachCounter(t.db), ['Omanis']);
    expect(omanis.reach).toBe(2);
  });

  it('matches CSV rows against the stored profiles, and exports a manual segment made from them', async () => {
    const directory = await layoutDirectory(t.db);
    const report = await catalog.importMembers('Fair', 'Email,Phone\nSARA@example.com,\n,+968 9123 4567\n', { directory, create: true, skipInvalid: true });
    expect(report).toMatchObject({ key: 'email', added: 1, skipped: 1 });
    const byPhone = await catalog.importMembers('Fair', 'Phone\n+968 9123 4567\n', { directory });
    expect(byPhone.added).toBe(1);
    // Custom ids are matched exactly, though the look-up runs on the lower-cased index.
    const wrongCase = await catalog.importMembers('Fair', 'Custom ID\nc-3\n', { directory, skipInvalid: true });
    expect(wrongCase.problems).toEqual([{ line: 2, value: 'c-3', reason: 'no profile has the custom id "c-3"' }]);
    expect((await catalog.importMembers('Fair', 'Custom ID\nC-3\n', { directory })).alreadyMembers).toBe(1);
    const result = await catalog.export('Fair', { role: 'admin', directory: dir, profiles: (def, all) => sqlSegmentProfiles(t.db, def, all) });
    expect(result.rows).toBe(2);
  });
});
