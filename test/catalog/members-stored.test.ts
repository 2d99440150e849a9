/**
 * Manual segments' members stay in the database: `segments reach` and `segments export` over the
 * catalogue's own database join the member table (`p.pid IN (SELECT profile_id FROM seg_members …)`)
 * and stream the rows; no member id is read into memory. 200,000 members on SQLite, 30,000 on
 * MariaDB and PostgreSQL (1,000,000 in `npm run bench:members`, with time and peak RSS).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { TABLES } from '../../core/catalog/migrations';
import { sqlReachCounter, sqlSegmentProfiles } from '../../core/catalog/sql-source';
import { compileSegment } from '../../core/engine';
import type { Schema } from '../../core/schema';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { prepareSegment } from '../../core/sql/query';
import { rejectsWith } from './expect-error';
import { TARGETS, type TestDatabase } from './databases';

const SCHEMA: Schema = { fields: { id: { type: 'text' }, email: { type: 'text' }, country: { type: 'text' } } };
const SIZE: Record<string, number> = { sqlite: 200_000, mariadb: 30_000, postgres: 30_000 };

describe.each(TARGETS)('manual segments whose members stay in the database, on $name', (target) => {
  const size = SIZE[target.name];
  const members = Array.from({ length: size }, (_, i) => `m${String(i).padStart(7, '0')}`);
  let t: TestDatabase;
  let catalog: SegmentCatalog;
  let dir: string;
  const queries: string[] = [];
  const listener = (q: { sql: string }) => void queries.push(q.sql);

  beforeAll(async () => {
    t = await target.create();
    dir = mkdtempSync(join(tmpdir(), 'segmembers-'));
    const mapping = await createLayout(t.db, SCHEMA);
    // Every member is a profile, plus profiles that are not members (every third one from Oman).
    const ids = [...members, ...Array.from({ length: 1000 }, (_, i) => `x${i}`)];
    const loaded = await loadProfiles(t.db, ids.map((id, i) => ({ line: i + 1, value: { id, email: `${id}@example.com`, country: i % 3 === 0 ? 'OM' : 'AE' } })), { schema: SCHEMA, mapping });
    expect(loaded.loaded).toBe(size + 1000);
    catalog = await SegmentCatalog.open(t.db);
    await catalog.create({ name: 'Chosen', members: [...members, 'not-a-profile'] });
    await catalog.create({ name: 'Chosen Omanis', expression: 'in_segment("Chosen") and country = "OM"' });
    t.db.on('query', listener);
  }, 600_000);
  afterAll(async () => {
    t?.db.removeListener('query', listener);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });

  /** The queries that read member ids into Node: a select whose FROM is the member table itself (not a sub-select). */
  const memberReads = () => queries.filter((sql) => new RegExp(`^\\s*select\\s[^()]*\\bfrom\\s+[\`"]?${TABLES.members}\\b`, 'i').test(sql));

  it('counts reach with the members joined in the database, none loaded', async () => {
    queries.length = 0;
    const rows = await catalog.refreshReach(sqlReachCounter(t.db), ['Chosen', 'Chosen Omanis']);
    expect(rows.map((r) => [r.name, r.reach])).toEqual([
      ['Chosen', size],
      ['Chosen Omanis', members.filter((_, i) => i % 3 === 0).length],
    ]);
    expect(queries.some((sql) => sql.includes(TABLES.members))).toBe(true);
    expect(memberReads()).toEqual([]);
  });

  it('exports every member profile, streamed, none loaded', async () => {
    queries.length = 0;
    const result = await catalog.export('Chosen', { role: 'admin', directory: dir, members: 'stored', profiles: (def, all) => sqlSegmentProfiles(t.db, def, all) });
    expect(result.rows).toBe(size);
    const exported = readFileSync(result.path, 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',')[1]);
    expect(exported.length).toBe(size);
    expect(new Set(exported)).toEqual(new Set(members));
    expect(memberReads()).toEqual([]);
  });

  it('gives definitions without member ids when asked, and refuses to evaluate them anywhere but that database', async () => {
    const stored = await catalog.definitions({ members: 'stored' });
    expect(stored.find((d) => d.name === 'Chosen')).toEqual({ name: 'Chosen', members: [], stored: true });
    // In memory: an error saying where the members are, never an empty segment.
    const inMemory = compileSegment('in_segment("Chosen")', { segments: stored });
    const error = await rejectsWith((async () => inMemory.filter([{ id: members[0] }]))(), 'invalid-option');
    expect(error.message).toMatch(/"Chosen" are kept in the catalogue database/);
    // In SQL without the catalogue's member table: refused too.
    const sqlError = await rejectsWith(prepareSegment(t.db, 'in_segment("Chosen")', { segments: stored }), 'invalid-option');
    expect(sqlError.message).toMatch(/"Chosen" are kept in the catalogue database/);
  });
});
