/**
 * The shared conformance table (test/conformance/cases.ts) through SQL: the hurtful fixture is
 * imported into SQLite, MariaDB and PostgreSQL, and every case must select exactly the ids the table
 * expects (the same ids the in-memory engine selects). Also regression cases found by the
 * differential tests, and every seed example segment against the in-memory engine.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import type { Schema } from '../../core/schema';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { countProfiles, prepareSegment, profileIds, streamProfiles } from '../../core/sql/query';
import type { SegmentDefinition } from '../../core/segments';
import sampleSegments from '../../sample/segments.json';
import { cases, fixtureProfiles, fixtureSchema, NOW, segmentDefinitions } from '../conformance/cases';
import { DIALECT_NAMES, openTestDatabase } from './support';

/** Counter-examples the differential tests found, kept as fixed cases. */
const regressionSchema: Schema = {
  idField: 'id',
  fields: { id: { type: 'text' }, n: { type: 'number' } },
  events: { purchase: { properties: { amount: { type: 'number' } } } },
};
const regressionProfiles = [
  // MariaDB's utf8mb4_bin pads with spaces: "purchase " must not be "purchase".
  { id: 'u0', events: [{ event: 'purchase ', timestamp: '2026-11-24T12:00:00Z' }] },
  { id: 'u1', events: [{ event: 'purchase', timestamp: '2026-11-24T12:00:00Z' }, { event: 'PURCHASE', timestamp: '2026-11-20T00:00:00Z' }] },
  { id: 'u2', n: 2.5, events: [{ event: 'purchase', timestamp: 'yesterday', properties: { amount: '5' } }] },
];
const regressions: { expression: string; expected: string[] }[] = [
  { expression: 'event("purchase").within(30 days).first_at() = now', expected: [] },
  { expression: 'event("purchase").within(30 days).last_at() = now', expected: ['u1'] },
  // PostgreSQL read the bound 2.5 as a bigint next to COUNT(*).
  { expression: 'event("purchase").count() <= 2.5', expected: ['u0', 'u1', 'u2'] },
  { expression: 'event("purchase").count() = 2', expected: ['u1'] },
  { expression: 'event("purchase").sum("amount") = 0', expected: ['u0', 'u1', 'u2'] },
  { expression: 'event("purchase").max("amount") is unknown', expected: ['u0', 'u1', 'u2'] },
  { expression: 'event("purchase").first_at() is known', expected: ['u1'] },
  { expression: 'event("purchase").within(1 year).count() = 0', expected: ['u0', 'u2'] },
];

async function load(db: Knex, schema: Schema, profiles: Record<string, unknown>[]): Promise<void> {
  const mapping = await createLayout(db, schema);
  const result = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
  expect(result.rejected).toEqual([]);
}

describe.each(DIALECT_NAMES)('the conformance table on %s', (dialect: Dialect) => {
  let db: Knex;
  let regressionDb: Knex;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'conformance');
    regressionDb = await openTestDatabase(dialect, 'regressions');
    await load(db, fixtureSchema, fixtureProfiles);
    await load(regressionDb, regressionSchema, regressionProfiles);
  });
  afterAll(async () => {
    await db?.destroy();
    await regressionDb?.destroy();
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const segment = await prepareSegment(db, c.expression, { segments: segmentDefinitions, now: c.now ?? NOW, timeZone: c.timeZone });
    expect((await profileIds(db, segment)).sort()).toEqual(c.expected);
  });

  it.each(regressions.map((r) => [r.expression, r] as const))('regression: %s', async (_, r) => {
    const memory = compileSegment(r.expression, { schema: regressionSchema, now: NOW }).filter(regressionProfiles).map((p) => p.id);
    expect(memory).toEqual(r.expected);
    const segment = await prepareSegment(regressionDb, r.expression, { now: NOW });
    expect((await profileIds(regressionDb, segment)).sort()).toEqual(r.expected);
  });

  it('streams the full profiles of an `or` segment page by page, each once, in id order', async () => {
    const source = 'tags contains "vip" or event("page_view").count() > 0 or in_segment("Event Attendees (manual)")';
    const defs = sampleSegments as SegmentDefinition[];
    const expected = compileSegment(source, { schema: fixtureSchema, segments: defs, now: NOW }).filter(fixtureProfiles);
    const streamed: Record<string, unknown>[] = [];
    for await (const p of streamProfiles(db, await prepareSegment(db, source, { segments: defs, now: NOW }), 2)) streamed.push(p);
    expect(streamed.map((p) => p.id)).toEqual(expected.map((p) => String(p.id)).sort());
    expect(streamed).toEqual(JSON.parse(JSON.stringify([...expected].sort((a, b) => String(a.id).localeCompare(String(b.id))))));
  });

  it.each([
    'not (event("add_to_cart").sum("amount") > 20 or event("purchase").avg("amount") is unknown)',
    'event("page_view").where(not (offer = "summer-pass")).within(30 days).count() between 1 and 3',
    'event("PAGE_VIEW").first_at() within last 7 days and not in_segment("Inactive 30+ Days")',
    'event("add_to_cart").where(amount > 10 or offer starts with "fam").max("amount") != 29',
  ])('agrees with memory on negated and combined aggregates: %s', async (source) => {
    const defs = sampleSegments as SegmentDefinition[];
    const expected = compileSegment(source, { schema: fixtureSchema, segments: defs, now: NOW }).filter(fixtureProfiles).map((p) => String(p.id)).sort();
    const segment = await prepareSegment(db, source, { segments: defs, now: NOW });
    expect((await profileIds(db, segment)).sort()).toEqual(expected);
  });

  it('selects what memory selects for every seed example segment', async () => {
    const defs = sampleSegments as SegmentDefinition[];
    for (const def of defs) {
      const source = 'expression' in def ? def.expression : `in_segment(${JSON.stringify(def.name)})`;
      const expected = compileSegment(source, { schema: fixtureSchema, segments: defs, now: NOW }).filter(fixtureProfiles).map((p) => String(p.id)).sort();
      const segment = await prepareSegment(db, source, { segments: defs, now: NOW });
      expect((await profileIds(db, segment)).sort(), def.name).toEqual(expected);
    }
  });
});

// Texts of LOWER_MAX (190) units or more share their bounded key when their first 190 units agree:
// equality, lists and event properties must still tell them apart, on every path (driven, correlated,
// value sets, the row look-up MariaDB uses), and in the count as in the ids.
const P = 'é'.repeat(200);
const many = Array.from({ length: 40 }, (_, i) => `${P}${i}`);
const longSchema: Schema = {
  idField: 'id',
  fields: { id: { type: 'text' }, name: { type: 'text' }, tags: { type: 'list', items: 'text' } },
  events: { visit: { properties: { page: { type: 'text' } } } },
};
const longProfiles = [
  { id: 'a1', name: `${P}x`, tags: [`${P}x`, 'vip'], events: [{ event: 'visit', timestamp: '2026-11-20T00:00:00Z', properties: { page: `${P}x` } }] },
  { id: 'a2', name: `${P}y`, tags: [`${P}Y`], events: [{ event: 'visit', timestamp: '2026-11-20T00:00:00Z', properties: { page: `${P}y` } }] },
  { id: 'a3', name: 'short', tags: ['short', `${P}x`, `${P}y`, 'vip'], events: [{ event: 'visit', timestamp: '2026-11-21T00:00:00Z', properties: { page: 'short' } }] },
  { id: 'a4', name: P, tags: [P] },
  { id: 'a5', name: 'x'.repeat(189), tags: ['X'.repeat(189)] },
  { id: 'a6' },
  { id: 'a7', tags: many },
  { id: 'a8', tags: [...many.slice(0, 39), `${P}zz`] },
];
const longCases = [
  `name = "${P}x"`,
  `name = "${P}"`,
  `name != "${P}x"`,
  `name in ["${P}x", "short"]`,
  `name in ["${P}Y", "${'X'.repeat(189)}"]`,
  `tags contains "${P}x"`,
  `tags contains "${P}X" and name = "short"`,
  `tags contains "${P}y" and event("visit").count() > 0`,
  `tags contains any ["${P}y", "vip"]`,
  `tags contains all ["${P}x", "${P}y"]`,
  `not tags contains "${P}"`,
  `tags contains "${'x'.repeat(189)}"`,
  `tags contains all ${JSON.stringify(many)}`,
  `tags contains any ${JSON.stringify([...many.slice(0, 39), `${P}zz`])} and not tags contains "${P}39"`,
  `event("visit").where(page = "${P}x").count() > 0`,
  `event("visit").where(page = "${P}").count() = 0`,
  `event("visit").where(page in ["${P}y", "short"]).count() >= 1 and tags contains "vip"`,
  `event("visit").where(page = "${P}y").within(30 days).count() > 0 and name = "${P}y"`,
];

describe.each(DIALECT_NAMES)('long texts on %s', (dialect: Dialect) => {
  let db: Knex;
  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'long_texts');
    await load(db, longSchema, longProfiles);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it.each(longCases.map((c) => [c.length > 80 ? `${c.slice(0, 80)}…` : c, c]))('selects and counts what memory does: %s', async (_label, source) => {
    const expected = compileSegment(source, { schema: longSchema, now: NOW }).filter(longProfiles).map((p) => String(p.id)).sort();
    const segment = await prepareSegment(db, source, { now: NOW });
    expect((await profileIds(db, segment)).sort()).toEqual(expected);
    expect(await countProfiles(db, segment)).toBe(expected.length);
  });
});
