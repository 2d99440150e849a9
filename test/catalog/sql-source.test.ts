import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { layoutDirectory, sqlReachCounter, sqlSegmentProfiles } from '../../core/catalog/sql-source';
import type { Schema } from '../../core/schema';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { countQuery, prepareSegment, toSql } from '../../core/sql/query';
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

  it('reaches and exports a manual segment of 20,000 members from a CSV upload, reading them where the catalogue keeps them', async () => {
    const members = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const mapping = await createLayout(t.db, SCHEMA);
    const loaded = await loadProfiles(t.db, [...members, 'm-outsider'].map((id, i) => ({ line: i + 1, value: { id, email: `${id}@example.com`, country: 'OM' } })), { schema: SCHEMA, mapping });
    expect(loaded.loaded).toBe(20_001);
    // 1,200 rows broke SQLite's compound SELECT (500 terms) and put the ids into the error message.
    const first = await catalog.importMembers('Big', `Profile ID\n${members.slice(0, 1200).join('\n')}\n`, { directory: await layoutDirectory(t.db), create: true });
    expect(first.added).toBe(1200);
    const [big] = await catalog.refreshReach(sqlReachCounter(t.db), ['Big']);
    expect(big.reach).toBe(1200);
    await catalog.importMembers('Big', `Profile ID\n${members.join('\n')}\n`, { directory: await layoutDirectory(t.db) });
    const [bigger] = await catalog.refreshReach(sqlReachCounter(t.db), ['Big']);
    expect(bigger.reach).toBe(20_000);
    const result = await catalog.export('Big', { role: 'admin', directory: dir, profiles: (def, all) => sqlSegmentProfiles(t.db, def, all) });
    expect(result.rows).toBe(20_000);
    const exported = readFileSync(result.path, 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',')[1]);
    expect(new Set(exported)).toEqual(new Set(members));
  });

  it('never binds a stored manual segment\'s members into the query', async () => {
    await catalog.create({ name: 'Picked', members: Array.from({ length: 5000 }, (_, i) => `p${i}`) });
    const all = await catalog.definitions();
    const picked = all.find((d) => d.name === 'Picked')!;
    const compiled = await sqlSegmentQuery(picked, all);
    expect(compiled.bindings.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(compiled.bindings)).not.toContain('p4999');
    expect(compiled.sql).toContain('seg_members');
  });

  /** The SQL the catalogue's reach runs for a segment (what `sqlReachCounter` counts). */
  async function sqlSegmentQuery(def: { name: string }, all: Awaited<ReturnType<SegmentCatalog['definitions']>>) {
    let seen: { sql: string; bindings: readonly unknown[] } | undefined;
    const listener = (q: { sql: string; bindings: unknown[] }) => void (seen = { sql: q.sql, bindings: q.bindings ?? [] });
    t.db.on('query', listener);
    try {
      await sqlReachCounter(t.db)(def as never, all);
    } finally {
      t.db.removeListener('query', listener);
    }
    return seen!;
  }
});
