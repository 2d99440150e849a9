/**
 * The mapping option: segments run on a user's own tables (their names, no lower-cased shadows, no
 * wrong-type markers, event names in any case, a tag table of their own, native timestamps on
 * PostgreSQL) and select what the in-memory engine selects from the same profiles.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { SegmentError } from '../../core/errors';
import type { Schema } from '../../core/schema';
import type { Dialect } from '../../core/sql/connect';
import { layoutMapping, type SqlMapping } from '../../core/sql/mapping';
import { checkSchema } from '../../core/infer-schema';
import { compileSegmentSql, countProfiles, profileIds, toSql, countQuery } from '../../core/sql/query';
import { DIALECT_NAMES, openTestDatabase } from './support';

const NOW = '2026-11-24T12:00:00Z';
const schema: Schema = {
  idField: 'id',
  fields: { id: { type: 'text' }, country: { type: 'text' }, spend: { type: 'number' }, joined: { type: 'date' }, tags: { type: 'list', items: 'text' } },
  events: { Order: { properties: { total: { type: 'number' } } } },
};
const profiles = [
  { id: 'c1', country: 'OM', spend: 120, joined: '2026-11-20T00:00:00Z', tags: ['VIP'], events: [{ event: 'ORDER', timestamp: '2026-11-23T00:00:00Z', properties: { total: 50 } }] },
  { id: 'c2', country: 'om', spend: 20, joined: '2024-01-01T00:00:00Z', tags: ['lead'], events: [{ event: 'order', timestamp: '2026-01-01T00:00:00Z', properties: { total: 5 } }] },
  { id: 'c3', country: 'AE', joined: '2026-11-24T12:00:00Z', tags: [] },
  { id: 'c4' },
];
const EXPRESSIONS = [
  'country = "om"',
  'country != "OM"',
  'country starts with "o"',
  'spend > 50 or spend is unknown',
  'joined within last 7 days',
  'joined older than 1 year',
  'tags contains "vip"',
  'tags contains none ["VIP", "lead"]',
  'event("order").count() = 0',
  'event("Order").within(30 days).sum("total") >= 50',
  'event("order").last_at() before "2026-06-01"',
  // Driven by the events or the tags: the orphan rows below (no such customer) must not count.
  'event("order").count() > 0',
  'event("order").count() >= 1 and tags contains none ["lead"]',
  'tags contains "vip" and event("order").within(30 days).count() = 0',
];

function mappingFor(dialect: Dialect): SqlMapping {
  return {
    profiles: { table: 'customers', id: 'customer_id' },
    fields: {
      id: { column: 'customer_id' },
      country: { column: 'country_code' },
      spend: { column: 'total_spend' },
      joined: { column: 'joined_at', dates: dialect === 'postgres' ? 'timestamp' : 'epoch_ms' },
      tags: { column: 'tag_count', list: { table: 'customer_tags', owner: 'customer_id', text: 'tag' } },
    },
    events: {
      table: 'orders_events',
      profile: 'customer_id',
      event: 'name',
      eventLowered: false,
      timestamp: 'happened_ms',
      properties: { order: { total: { column: 'total' } } },
    },
  };
}

describe.each(DIALECT_NAMES)('a mapping onto existing tables on %s', (dialect: Dialect) => {
  let db: Knex;
  const mapping = mappingFor(dialect);

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'mapping');
    await db.schema.createTable('customers', (t) => {
      t.string('customer_id', 64).primary();
      t.string('country_code', 8).nullable();
      t.double('total_spend').nullable();
      if (dialect === 'postgres') t.timestamp('joined_at', { useTz: true, precision: 3 }).nullable();
      else t.bigInteger('joined_at').nullable();
      t.integer('tag_count').nullable();
    });
    await db.schema.createTable('customer_tags', (t) => {
      t.string('customer_id', 64);
      t.string('tag', 64);
    });
    await db.schema.createTable('orders_events', (t) => {
      t.string('customer_id', 64);
      t.string('name', 64);
      t.bigInteger('happened_ms');
      t.double('total').nullable();
    });
    for (const p of profiles) {
      const joined = p.joined === undefined ? null : dialect === 'postgres' ? new Date(p.joined) : Date.parse(p.joined);
      await db('customers').insert({ customer_id: p.id, country_code: p.country ?? null, total_spend: p.spend ?? null, joined_at: joined, tag_count: p.tags?.length ?? null });
      for (const tag of p.tags ?? []) await db('customer_tags').insert({ customer_id: p.id, tag: tag.toLowerCase() });
      for (const e of p.events ?? []) await db('orders_events').insert({ customer_id: p.id, name: e.event, happened_ms: Date.parse(e.timestamp), total: e.properties.total });
    }
    // Rows of a customer who is not in the customers table (no foreign key here): never a profile.
    await db('customer_tags').insert({ customer_id: 'gone', tag: 'vip' });
    await db('orders_events').insert({ customer_id: 'gone', name: 'order', happened_ms: Date.parse('2026-11-23T00:00:00Z'), total: 1 });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it.each(EXPRESSIONS)('selects what memory selects: %s', async (expression) => {
    const expected = compileSegment(expression, { schema, now: NOW }).filter(profiles).map((p) => p.id).sort();
    const segment = compileSegmentSql(expression, { schema, mapping, dialect, now: NOW });
    expect((await profileIds(db, segment)).sort()).toEqual(expected);
    expect(await countProfiles(db, segment)).toBe(expected.length);
  });

  it('lower-cases in SQL only where the mapping has no shadow column', () => {
    const sql = toSql(countQuery(db, compileSegmentSql('country = "OM" and event("order").count() > 0', { schema, mapping, dialect, now: NOW }))).sql;
    expect(sql).toMatch(/LOWER\([`"]p[`"]\.[`"]country_code[`"]\) = /);
    expect(sql).toMatch(/LOWER\([`"]e\d[`"]\.[`"]name[`"]\) = /);
  });

  it('says which field has no column instead of guessing', () => {
    const partial: SqlMapping = { ...mapping, fields: { country: mapping.fields.country } };
    expect(() => compileSegmentSql('spend > 5', { schema, mapping: partial, dialect, now: NOW })).toThrow(/"spend" has no column in the SQL mapping/);
    try {
      compileSegmentSql('spend > 5', { schema, mapping: partial, dialect, now: NOW });
    } catch (e) {
      expect((e as { errors: SegmentError[] }).errors[0].code).toBe('unknown-field');
    }
  });
});

describe('the storage layout of fields named like object internals', () => {
  it('gives __proto__ and constructor fields and event properties their own columns', () => {
    const schema = checkSchema(JSON.parse('{"fields":{"__proto__":{"type":"number"},"constructor":{"type":"text"}},"events":{"__proto__":{"properties":{"__proto__":{"type":"number"}}}}}'));
    const mapping = layoutMapping(schema);
    expect(Object.keys(mapping.fields)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(mapping.fields, '__proto__')?.value).toBeDefined();
    expect(Object.keys(mapping.events?.properties.__proto__ ?? {})).toEqual(['__proto__']);
  });
});
