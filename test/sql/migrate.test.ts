/**
 * A database made by an earlier version keeps working and migrates: the profile's JSON kept in
 * `seg_profiles.body` (before migration 003) moves to `seg_bodies` at the next `createLayout`, the
 * saved mapping learns it, and counts and full rows are the same before and after.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../core/schema';
import { createLayout, readLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { LAYOUT_TABLES } from '../../core/sql/mapping';
import { countProfiles, prepareSegment, streamProfiles } from '../../core/sql/query';
import { generateProfiles } from '../../sample/generate';
import schemaJson from '../../sample/schema.json';
import { DIALECT_NAMES, openTestDatabase } from './support';

const schema = schemaJson as Schema;
const NOW = '2026-11-24T12:00:00.000Z';
const profiles = [...generateProfiles(300, { seed: 3, now: NOW })];

describe.each(DIALECT_NAMES)('an earlier layout on %s', (dialect) => {
  let db: Knex;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'migrate');
    const mapping = await createLayout(db, schema);
    expect((await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping })).rejected).toEqual([]);
    // Back to the layout before 003: the JSON in seg_profiles.body, no seg_bodies, a mapping without bodyTable.
    await db.schema.alterTable(LAYOUT_TABLES.profiles, (t) => void t.text('body').nullable());
    for (const row of (await db(LAYOUT_TABLES.bodies).select('pid', 'body')) as { pid: string; body: string }[]) await db(LAYOUT_TABLES.profiles).where({ pid: row.pid }).update({ body: row.body });
    await db.schema.dropTable(LAYOUT_TABLES.bodies);
    await db(LAYOUT_TABLES.migrations).where({ name: '003_bodies_apart' }).delete();
    const saved = (await readLayout(db))!.mapping;
    delete saved.profiles.bodyTable;
    await db(LAYOUT_TABLES.meta).where({ name: 'mapping' }).update({ value: JSON.stringify(saved) });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const rows = async () => {
    const out: Record<string, unknown>[] = [];
    for await (const p of streamProfiles(db, await prepareSegment(db, 'tags contains "VIP" or country = "OM"', { now: NOW }), 50)) out.push(p);
    return out;
  };

  it('reads the earlier layout as it is, then migrates it with the same answers', async () => {
    expect((await readLayout(db))!.mapping.profiles.bodyTable).toBeUndefined();
    const before = await rows();
    const count = await countProfiles(db, await prepareSegment(db, 'tags contains "VIP" or country = "OM"', { now: NOW }));
    expect(before).toHaveLength(count);
    expect(count).toBeGreaterThan(0);

    await createLayout(db, schema);
    expect(await db.schema.hasColumn(LAYOUT_TABLES.profiles, 'body')).toBe(false);
    expect((await readLayout(db))!.mapping.profiles.bodyTable).toBe(LAYOUT_TABLES.bodies);
    expect(await rows()).toEqual(before);
    expect(before).toEqual(JSON.parse(JSON.stringify(profiles.filter((p) => before.some((b) => b.id === p.id)))));
  });
});
