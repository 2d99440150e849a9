/**
 * Injection: hostile values, field names, event names, segment names and mapping entries cannot
 * change the shape of a query. On every database: the SQL text of a query with a hostile value is
 * the SQL text of the same query with a plain value (only bindings differ), the result is the
 * in-memory result, and every table is still there with all its rows afterwards.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { SegmentError } from '../../core/errors';
import type { Schema } from '../../core/schema';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { checkMapping, LAYOUT_TABLES, layoutMapping, type SqlMapping } from '../../core/sql/mapping';
import { compileSegmentSql, idsQuery, profileIds, toSql } from '../../core/sql/query';
import type { SegmentDefinition } from '../../core/segments';
import { DIALECT_NAMES, openTestDatabase } from './support';

const LONG = 'é'.repeat(30_000);
const HOSTILE = [
  "x'; DROP TABLE seg_profiles; --",
  'x"; DROP TABLE seg_profiles; --',
  'x`; DROP TABLE seg_profiles; #',
  "\\'; DELETE FROM seg_events; -- \\",
  '/* comment */ OR 1=1',
  "' OR '1'='1",
  '%_!\\%',
  '%',
  '_',
  '!',
  '? ?? $1 :name',
  'a\u0000b',
  LONG,
  "Robert'); DROP TABLE seg_lists;--",
];

/** Field and event names nobody should choose. */
const FIELD = "x'; DROP TABLE seg_profiles; --";
const OTHER_FIELD = 'a`b"c\\d';
const EVENT = "ev'); DROP TABLE seg_events; --";

const schema: Schema = {
  idField: 'id',
  fields: {
    id: { type: 'text' },
    name: { type: 'text' },
    [FIELD]: { type: 'text' },
    [OTHER_FIELD]: { type: 'number' },
    tags: { type: 'list', items: 'text' },
  },
  events: { [EVENT]: { properties: { [FIELD]: { type: 'text' } } } },
};

const profiles = [
  { id: 'p1', name: HOSTILE[0], [FIELD]: HOSTILE[5], [OTHER_FIELD]: 5, tags: [HOSTILE[3], 'vip'], events: [{ event: EVENT, timestamp: '2026-11-20T00:00:00Z', properties: { [FIELD]: HOSTILE[1] } }] },
  { id: "p2'; --", name: HOSTILE[6], tags: [HOSTILE[6]] },
  { id: 'p3', name: LONG, [FIELD]: 'plain' },
  { id: 'p4', name: 'Bob' },
];

const NOW = '2026-11-24T12:00:00Z';
const q = (s: string) => JSON.stringify(s);
const field = (name: string) => `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;

/** Expression templates over one value; `$` is replaced by the quoted value. */
const TEMPLATES = [
  'name = $',
  'name != $',
  'name contains $',
  'name starts with $',
  'name ends with $',
  'name in [$, "bob"]',
  `${field(FIELD)} = $`,
  'tags contains $',
  'tags contains all [$, "vip"]',
  `event(${q(EVENT)}).where(${field(FIELD)} = $).count() > 0`,
  `event(${q(EVENT)}).where(${field(FIELD)} contains $).within(30 days).count() = 0`,
];

describe.each(DIALECT_NAMES)('hostile input on %s', (dialect: Dialect) => {
  let db: Knex;
  let mapping: SqlMapping;
  const counts = async () => ({
    profiles: Number(((await db(LAYOUT_TABLES.profiles).count({ n: '*' })) as { n: number }[])[0].n),
    lists: Number(((await db(LAYOUT_TABLES.lists).count({ n: '*' })) as { n: number }[])[0].n),
    events: Number(((await db(LAYOUT_TABLES.events).count({ n: '*' })) as { n: number }[])[0].n),
  });
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'injection');
    mapping = await createLayout(db, schema);
    const result = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    expect(result.rejected).toEqual([]);
    before = await counts();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('stores hostile field names under plain column names', () => {
    for (const m of Object.values(mapping.fields)) expect(m.column).toMatch(/^[a-z0-9_]+$/);
    expect(() => checkMapping(mapping)).not.toThrow();
  });

  for (const template of TEMPLATES) {
    it(`keeps the shape of \`${template}\` and matches memory for every hostile value`, async () => {
      const plain = compileSegmentSql(template.replace('$', q('plain')), { schema, mapping, dialect, now: NOW });
      const shape = toSql(idsQuery(db, plain)).sql;
      for (const value of HOSTILE) {
        const source = template.replace('$', q(value));
        const segment = compileSegmentSql(source, { schema, mapping, dialect, now: NOW });
        const sql = toSql(idsQuery(db, segment)).sql;
        const storable = !value.includes('\u0000') && !(dialect === 'sqlite' && value.length > 20_000 && /contains|starts|ends/.test(template));
        if (storable) expect(sql, source).toBe(shape);
        expect(sql).not.toContain('DROP');
        const expected = compileSegment(source, { schema, now: NOW }).filter(profiles).map((p) => String(p.id)).sort();
        expect((await profileIds(db, segment)).sort(), source).toEqual(expected);
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('binds hostile segment names and member ids', async () => {
    const name = "seg'); DROP TABLE seg_profiles; --";
    const segments: SegmentDefinition[] = [
      { name, members: ["p2'; --", 'p3', ...Array.from({ length: 20 }, (_, i) => `x'${i}`)] },
      { name: 'dyn"; --', expression: `name contains ${q(HOSTILE[0])}` },
    ];
    for (const source of [`in_segment(${q(name)})`, `in_segment(${q(name)}) or in_segment("DYN\\"; --")`, `not in_segment(${q(name)})`]) {
      const segment = compileSegmentSql(source, { schema, mapping, dialect, now: NOW, segments, inlineValues: 5 });
      expect(toSql(idsQuery(db, segment)).sql).not.toContain('DROP');
      const expected = compileSegment(source, { schema, now: NOW, segments }).filter(profiles).map((p) => String(p.id)).sort();
      expect((await profileIds(db, segment)).sort(), source).toEqual(expected);
    }
    expect(await counts()).toEqual(before);
    expect(await db.schema.hasTable(LAYOUT_TABLES.profiles)).toBe(true);
  });

  it('refuses mapping entries that are not plain names', () => {
    const hostile = ["x; DROP TABLE seg_profiles; --", 'a.b.c', 'p as q', 'x"y', 'x`y', '', 'a b', "x'--"];
    for (const bad of hostile) {
      const base = layoutMapping(schema);
      const variants: SqlMapping[] = [
        { ...base, profiles: { ...base.profiles, table: bad } },
        { ...base, profiles: { ...base.profiles, id: bad } },
        { ...base, fields: { ...base.fields, name: { ...base.fields.name, column: bad } } },
        { ...base, events: { ...base.events!, timestamp: bad } },
      ];
      for (const m of variants) {
        let error: unknown;
        try {
          compileSegmentSql('name = "x"', { schema, mapping: m, dialect, now: NOW });
        } catch (e) {
          error = e;
        }
        expect(error, bad).toBeInstanceOf(SegmentError);
        expect((error as SegmentError).code).toBe('invalid-option');
      }
    }
  });
});
