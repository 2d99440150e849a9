/**
 * Index advice: the composite indexes the segments in use ask for, created on real databases, and
 * EXPLAIN showing the planner reads through them; counts unchanged.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import type { Schema } from '../../core/schema';
import { adviseIndexes, advisedDdl, advisedMigration } from '../../core/sql/advise';
import type { Dialect } from '../../core/sql/connect';
import { createAdvisedIndexes, createLayout, dropIndexes, buildIndexes } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { layoutMapping, type SqlMapping } from '../../core/sql/mapping';
import { countProfiles, countQuery, prepareSegment } from '../../core/sql/query';
import { generateProfiles } from '../../sample/generate';
import schemaJson from '../../sample/schema.json';
import { DIALECT_NAMES, openTestDatabase } from './support';

const schema = schemaJson as Schema;
const NOW = '2026-11-24T12:00:00.000Z';
const SEGMENTS = [
  { name: 'Gold Tier in Oman', expression: 'attributes.tier = "gold" and country = "OM"' },
  { name: 'Hot Offer', expression: 'event("page_view").where(offer = "summer-pass").within(7 days).count() >= 5' },
  { name: 'Omani Clickers', expression: 'in_segment("Gold Tier in Oman") or (country = "OM" and clicks_count > 2)' },
];
const profiles = [...generateProfiles(3000, { seed: 7, now: NOW })];

describe('index advice', () => {
  const mapping = layoutMapping(schema);
  const advice = adviseIndexes(SEGMENTS, { schema, mapping, segments: SEGMENTS });
  const columns = (table: string) => advice.filter((a) => a.table === table).map((a) => a.columns);

  it('puts the fields used together into one index, equalities first and the range last', () => {
    const f = (key: string) => mapping.fields[key];
    expect(columns('seg_profiles')).toEqual(
      expect.arrayContaining([
        [f('attributes.tier').lower, f('country').lower],
        [f('country').lower, f('clicks_count').column],
      ]),
    );
    const offer = mapping.events!.properties.page_view.offer.lower!;
    expect(columns('seg_events')).toEqual([['event_lc', offer, 'ts', 'pid']]);
    expect(advice.find((a) => a.columns.includes(offer))!.segments).toEqual(['Hot Offer']);
  });

  it('advises nothing for single fields (the layout indexes each) and nothing twice', () => {
    expect(adviseIndexes([{ name: 'one', expression: 'country = "OM"' }], { schema, mapping })).toEqual([]);
    const twice = adviseIndexes([...SEGMENTS, { name: 'again', expression: 'country = "om" and attributes.tier in ["gold"]' }], { schema, mapping, segments: SEGMENTS });
    expect(twice.filter((a) => a.columns.join() === [mapping.fields.country.lower, mapping.fields['attributes.tier'].lower].join())).toHaveLength(1);
  });

  it('prints a knex migration with up and down', () => {
    const text = advisedMigration(advice);
    expect(text).toContain('exports.up');
    expect(text).toContain('exports.down');
    for (const a of advice) expect(text).toContain(JSON.stringify(a.name));
  });
});

const EXPLAIN: Record<Exclude<Dialect, 'sqlite'>, (db: Knex, sql: string, bindings: readonly unknown[]) => Promise<string>> = {
  mysql: async (db, sql, bindings) => {
    const [rows] = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as [{ key: string | null }[]];
    return rows.map((r) => r.key ?? '').join(' ');
  },
  postgres: async (db, sql, bindings) => {
    const { rows } = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as { rows: { 'QUERY PLAN': string }[] };
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  },
};

describe.each(DIALECT_NAMES.filter((d): d is 'mysql' | 'postgres' => d !== 'sqlite'))('advised indexes on %s', (dialect) => {
  let db: Knex;
  let mapping: SqlMapping;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'advise');
    mapping = await createLayout(db, schema);
    const result = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    expect(result.rejected).toEqual([]);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('creates them, and EXPLAIN reads the segments through them with the counts unchanged', async () => {
    const advice = adviseIndexes(SEGMENTS, { schema, mapping, segments: SEGMENTS });
    const before = await Promise.all(SEGMENTS.slice(0, 2).map(async (s) => countProfiles(db, await prepareSegment(db, s.expression, { now: NOW }))));
    const created = await createAdvisedIndexes(db, advice);
    expect(created.sort()).toEqual(advice.map((a) => a.name).sort());
    expect(await createAdvisedIndexes(db, advice)).toEqual([]);
    for (const [i, s] of SEGMENTS.slice(0, 2).entries()) {
      const segment = await prepareSegment(db, s.expression, { now: NOW });
      const expected = compileSegment(s.expression, { schema, now: NOW }).filter(profiles).length;
      expect(await countProfiles(db, segment), s.name).toBe(expected);
      expect(before[i]).toBe(expected);
      const { sql, bindings } = countQuery(db, segment).toSQL();
      const plan = await EXPLAIN[dialect](db, sql, bindings);
      const wanted = advice.find((a) => a.segments.includes(s.name))!.name;
      expect(plan, `${s.name}:\n${plan}`).toContain(wanted);
    }
  });

  it('keeps them through a bulk load that drops and rebuilds the indexes', async () => {
    await dropIndexes(db, mapping);
    await buildIndexes(db, mapping);
    const advice = adviseIndexes(SEGMENTS, { schema, mapping, segments: SEGMENTS });
    expect(await createAdvisedIndexes(db, advice)).toEqual([]);
  });

  it('prints DDL the database accepts', () => {
    const ddl = advisedDdl(db, adviseIndexes(SEGMENTS, { schema, mapping, segments: SEGMENTS }));
    expect(ddl.every((s) => /create index|alter table/i.test(s))).toBe(true);
  });
});
