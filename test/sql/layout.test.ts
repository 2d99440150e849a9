/**
 * The storage layout's names and indexes: every field gets columns and an index whose names are
 * plain, short enough for every database and unique, however long or alike the field paths are;
 * and a layout is whole after every `createLayout`, whatever an earlier failed run left behind.
 */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { kindOf, type FieldSchema, type Schema } from '../../core/schema';
import { dialectOf, type Dialect } from '../../core/sql/connect';
import { DIALECTS } from '../../core/sql/dialects';
import { createLayout, dropLayout, readLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { LAYOUT_TABLES, layoutMapping, MAX_IDENTIFIER, sqlName, type SqlMapping } from '../../core/sql/mapping';
import { compileSegmentSql, countProfiles } from '../../core/sql/query';
import { DIALECT_NAMES, openTestDatabase } from './support';

const NOW = '2026-11-24T12:00:00Z';
const PLAIN = /^[a-z_][a-z0-9_]*$/;

/** Every name the layout gives a schema: columns with their shadows, and the profile indexes. */
function namesOf(mapping: SqlMapping): { columns: string[]; indexes: string[] } {
  const columns = (m: { column: string; lower?: string; other?: string }) => [m.column, ...(m.lower ? [m.lower] : []), ...(m.other ? [m.other] : [])];
  const profile = Object.values(mapping.fields).flatMap(columns);
  const events = [...new Set(Object.values(mapping.events?.properties ?? {}).flatMap((p) => Object.values(p)))].flatMap(columns);
  const indexes = Object.values(mapping.fields).filter((m) => m.lower || !m.list).map((m) => sqlName(`ix_${LAYOUT_TABLES.profiles}_${m.lower ?? m.column}`, 60));
  return { columns: [...profile, ...events], indexes };
}

async function indexNames(db: Knex, table: string): Promise<Set<string>> {
  const result = (await db.raw(DIALECTS[dialectOf(db)].indexNames, [table])) as unknown;
  const rows = (Array.isArray(result) ? (Array.isArray(result[0]) ? result[0] : result) : (result as { rows: unknown[] }).rows) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

const LONG_A = 'attributes.marketing_preferences_newsletter_opt_in_date';
const LONG_B = 'attributes.marketing_preferences_newsletter_opt_in_source';

describe('layout names', () => {
  it('keeps two long field paths with a common prefix apart, within every database\'s identifier limit', () => {
    const mapping = layoutMapping({ fields: { [LONG_A]: { type: 'date' }, [LONG_B]: { type: 'text' } } });
    const { columns, indexes } = namesOf(mapping);
    expect(new Set(columns).size).toBe(columns.length);
    expect(new Set(indexes).size).toBe(2);
    for (const name of [...columns, ...indexes]) expect(name.length).toBeLessThanOrEqual(MAX_IDENTIFIER);
  });

  it('never gives a field the shadow column of another (a field named `a__lc` beside `a`)', () => {
    for (const order of [['a', 'a__lc', 'a__o'], ['a__lc', 'a__o', 'a']]) {
      const mapping = layoutMapping({ fields: Object.fromEntries(order.map((k) => [k, { type: 'text' } as FieldSchema])) });
      const { columns } = namesOf(mapping);
      expect(new Set(columns).size, order.join(',')).toBe(columns.length);
    }
  });

  it('keeps the columns of a saved layout, whatever names newer fields or rules would take', () => {
    const first: Schema = { fields: { 'Name': { type: 'text' }, 'tags': { type: 'list', items: 'text' } } };
    const saved = { schema: first, mapping: layoutMapping(first) };
    // Stored by an older rule under another name: it keeps it.
    saved.mapping.fields.Name = { ...saved.mapping.fields.Name, column: 'f_old_name', lower: 'f_old_name__lc', other: 'f_old_name__o' };
    const next = layoutMapping({ fields: { 'name': { type: 'text' }, ...first.fields, 'f old name': { type: 'number' } } }, saved);
    expect(next.fields.Name.column).toBe('f_old_name');
    expect(next.fields.tags).toEqual(saved.mapping.fields.tags);
    expect(next.fields['f old name'].column).not.toBe('f_old_name');
    const { columns } = namesOf(next);
    expect(new Set(columns).size).toBe(columns.length);
  });

  it('gives any schema plain, unique names of at most 63 characters (fuzz)', () => {
    const segment = fc.oneof(fc.constantFrom('attributes', 'marketing_preferences_newsletter_opt_in', 'a', 'A', 'a__lc', '__o', 'x'.repeat(70), 'تفضيلات', '名前', '😀', 'pid', 'body'), fc.string({ maxLength: 80 }));
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    const field = fc.constantFrom<FieldSchema>({ type: 'text' }, { type: 'number' }, { type: 'date' }, { type: 'boolean' }, { type: 'list', items: 'text' });
    fc.assert(
      fc.property(fc.dictionary(path, field, { maxKeys: 40 }), fc.dictionary(path, field, { maxKeys: 10 }), (fields, properties) => {
        const mapping = layoutMapping({ fields, events: { Ev: { properties } } });
        const { columns, indexes } = namesOf(mapping);
        expect(new Set(columns).size).toBe(columns.length);
        expect(new Set(indexes).size).toBe(indexes.length);
        for (const name of [...columns, ...indexes]) {
          expect(name).toMatch(PLAIN);
          expect(name.length).toBeLessThanOrEqual(MAX_IDENTIFIER);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe.each(DIALECT_NAMES)('the layout on %s', (dialect: Dialect) => {
  let db: Knex;
  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'layout');
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('stores and queries two long fields with a common prefix (the import failed on a duplicate index name)', async () => {
    await dropLayout(db);
    const schema: Schema = { fields: { id: { type: 'text' }, [LONG_A]: { type: 'date' }, [LONG_B]: { type: 'text' } } };
    const mapping = await createLayout(db, schema);
    const profiles = [
      { id: 'a', attributes: { marketing_preferences_newsletter_opt_in_date: '2026-11-20T00:00:00Z', marketing_preferences_newsletter_opt_in_source: 'Web' } },
      { id: 'b', attributes: { marketing_preferences_newsletter_opt_in_source: 'app' } },
    ];
    await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
    for (const expression of [`${LONG_A} within last 30 days`, `${LONG_B} = "web" or ${LONG_B} = "APP"`]) {
      const expected = compileSegment(expression, { schema, now: NOW }).count(profiles);
      expect(await countProfiles(db, compileSegmentSql(expression, { schema, mapping, dialect, now: NOW })), expression).toBe(expected);
    }
    const names = await indexNames(db, LAYOUT_TABLES.profiles);
    for (const index of namesOf(mapping).indexes) expect(names.has(index), index).toBe(true);
  });

  it('builds, at the next createLayout, an index a failed or interrupted run left missing', async () => {
    await dropLayout(db);
    const schema: Schema = { fields: { country: { type: 'text' }, clicks: { type: 'number' } } };
    const mapping = await createLayout(db, schema);
    const [textIndex, numberIndex] = namesOf(mapping).indexes;
    await db.schema.alterTable(LAYOUT_TABLES.profiles, (t) => void t.dropIndex([mapping.fields.clicks.column], numberIndex));
    expect((await indexNames(db, LAYOUT_TABLES.profiles)).has(numberIndex)).toBe(false);
    await createLayout(db, schema);
    const names = await indexNames(db, LAYOUT_TABLES.profiles);
    expect(names.has(numberIndex)).toBe(true);
    expect(names.has(textIndex)).toBe(true);
  });

  it('saves no layout until its indexes are built, and builds them when run again', async () => {
    await dropLayout(db);
    const schema: Schema = { fields: { country: { type: 'text' } } };
    const index = namesOf(layoutMapping(schema)).indexes[0];
    await createLayout(db, { fields: {} });
    // Something in the way of the index: the first run fails (the name is taken by another object).
    const blocker = dialect === 'mysql' ? undefined : index;
    if (blocker) await db.schema.createTable(blocker, (t) => void t.integer('x'));
    if (blocker) {
      await expect(createLayout(db, schema)).rejects.toThrow();
      expect((await readLayout(db))?.schema.fields.country).toBeUndefined();
      await db.schema.dropTable(blocker);
    }
    await createLayout(db, schema);
    expect((await readLayout(db))?.schema.fields.country).toEqual({ type: 'text' });
    expect((await indexNames(db, LAYOUT_TABLES.profiles)).has(index)).toBe(true);
  });

  it('creates whole layouts for random schemas and stores their values (fuzz)', { timeout: 600_000 }, async () => {
    const segment = fc.oneof(fc.constantFrom('attributes', 'marketing_preferences_newsletter_opt_in', 'a', 'A', 'a__lc', 'x'.repeat(70), 'تفضيلات', '名前', 'pid'), fc.stringMatching(/^[a-z_]{1,70}$/));
    const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('_'));
    const field = fc.constantFrom<FieldSchema>({ type: 'text' }, { type: 'number' }, { type: 'date' }, { type: 'boolean' }, { type: 'list', items: 'text' });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(path, field, { minKeys: 1, maxKeys: 12 }), async (fields) => {
        await dropLayout(db);
        const schema: Schema = { fields: { id: { type: 'text' }, ...fields } };
        const mapping = await createLayout(db, schema);
        const names = await indexNames(db, LAYOUT_TABLES.profiles);
        for (const index of namesOf(mapping).indexes) expect(names.has(index), index).toBe(true);
        const sample = (kind: string, i: number) => (kind === 'text' ? `v${i}` : kind === 'number' ? i : kind === 'date' ? '2026-11-20T00:00:00Z' : kind === 'boolean' ? true : [`t${i}`]);
        const profiles = [0, 1, 2].map((i) => ({ id: `p${i}`, ...Object.fromEntries(Object.entries(fields).filter((_, k) => (k + i) % 2 === 0).map(([key, f]) => [key, sample(kindOf(f), i)])) }));
        const loaded = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
        expect(loaded.rejected).toEqual([]);
        for (const key of Object.keys(fields)) {
          const expression = `\`${key}\` is known`;
          expect(await countProfiles(db, compileSegmentSql(expression, { schema, mapping, dialect, now: NOW })), expression).toBe(compileSegment(expression, { schema, now: NOW }).count(profiles));
        }
      }),
      { numRuns: 6, seed: 4 },
    );
  });
});
