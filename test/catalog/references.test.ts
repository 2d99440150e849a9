import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { dropCatalogTables, TABLES } from '../../core/catalog/migrations';
import { compileSegment } from '../../core/engine';
import { SegmentErrors } from '../../core/errors';
import { segmentSource } from '../../core/segments';
import { parse } from '../../core/parse/parse';
import { TARGETS, type TestDatabase } from './databases';
import { rejectsWith } from './expect-error';

const PROFILES = [
  { id: 'p1', country: 'OM', language: 'ar', tags: ['VIP'] },
  { id: 'p2', country: 'OM', language: 'en', tags: [] },
  { id: 'p3', country: 'AE', language: 'ar', tags: ['VIP'] },
];

describe.each(TARGETS)('segments that use segments on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;

  beforeAll(async () => {
    t = await target.create();
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await dropCatalogTables(t.db);
    catalog = await SegmentCatalog.open(t.db);
  });

  async function count(expression: string): Promise<number> {
    return compileSegment(expression, { segments: await catalog.definitions() }).count(PROFILES);
  }

  it('saves a dynamic segment and gives its expression back as written', async () => {
    const saved = await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
    expect(saved).toMatchObject({ kind: 'dynamic', expression: 'country = "OM"', version: 1, references: [] });
    expect(await count('in_segment("omanis")')).toBe(2);
  });

  it('refuses an expression that does not parse, with every problem, and saves nothing', async () => {
    await rejectsWith(catalog.create({ name: 'Broken', expression: 'country = ' }), 'unexpected-end');
    expect(await catalog.list()).toEqual([]);
  });

  it('refuses a reference to a segment that does not exist or is archived', async () => {
    await rejectsWith(catalog.create({ name: 'X', expression: 'in_segment("Nobody")' }), 'unknown-segment');
    await catalog.create({ name: 'Old', expression: 'country = "AE"' });
    await catalog.archive('Old');
    const error = await rejectsWith(catalog.create({ name: 'Y', expression: 'country = "OM" or in_segment("old")' }), 'unknown-segment');
    expect(error.hint).toBe('"Old" is archived: restore it first');
  });

  it('keeps references by id: a renamed segment still works for its users and prints by its new name', async () => {
    await catalog.create({ name: 'Arabic speakers', expression: 'language = "ar"' });
    await catalog.create({ name: 'VIP Arabic', expression: 'tags contains "VIP" and in_segment("arabic SPEAKERS")' });
    await catalog.rename('Arabic speakers', 'Speaks "Arabic"');
    const user = await catalog.get('VIP Arabic');
    expect(user.expression).toBe('tags contains "VIP" and in_segment("Speaks \\"Arabic\\"")');
    expect(user.references).toEqual(['Speaks "Arabic"']);
    expect(user.version).toBe(1);
    expect(parse(user.expression!)).toMatchObject({ type: 'and', items: [{}, { type: 'segment', name: 'Speaks "Arabic"' }] });
    expect(await count('in_segment("VIP Arabic")')).toBe(2);
    expect((await catalog.get('Speaks "Arabic"')).usedBySegments).toEqual(['VIP Arabic']);
  });

  it('prints references found inside groups and in any spelling of the call', async () => {
    await catalog.create({ name: 'A', expression: 'country = "OM"' });
    await catalog.create({ name: 'B', expression: 'IN_SEGMENT( "a" ) or not (in_segment("A") and event("x").count() > 1)' });
    await catalog.rename('A', 'Alpha');
    expect((await catalog.get('B')).expression).toBe('in_segment("Alpha") or not (in_segment("Alpha") and event("x").count() > 1)');
  });

  it('refuses a segment that references itself', async () => {
    await rejectsWith(catalog.create({ name: 'Loop', expression: 'in_segment("loop")' }), 'segment-cycle');
  });

  it('refuses an edit that would close a cycle, and keeps the old version', async () => {
    await catalog.create({ name: 'A', expression: 'country = "OM"' });
    await catalog.create({ name: 'B', expression: 'in_segment("A")' });
    await catalog.create({ name: 'C', expression: 'in_segment("B")' });
    await rejectsWith(catalog.update('A', { expression: 'in_segment("C")' }), 'segment-cycle');
    expect((await catalog.get('A')).expression).toBe('country = "OM"');
    expect((await catalog.get('A')).version).toBe(1);
  });

  it('allows 10 segments in one expression, counting those reached through others, and refuses 11', async () => {
    for (let i = 1; i <= 11; i++) await catalog.create({ name: `S${i}`, members: [`p${i}`] });
    const ten = Array.from({ length: 10 }, (_, i) => `in_segment("S${i + 1}")`).join(' or ');
    await catalog.create({ name: 'Ten', expression: ten });
    await rejectsWith(catalog.create({ name: 'Eleven', expression: `${ten} or in_segment("S11")` }), 'too-many-segments');
    await catalog.create({ name: 'Six', expression: 'in_segment("S1") or in_segment("S2") or in_segment("S3") or in_segment("S4") or in_segment("S5")' });
    // Six + S1..S5 + S6..S9 = 10 segments reached.
    await catalog.create({ name: 'Nested', expression: 'in_segment("Six") and (in_segment("S6") or in_segment("S7") or in_segment("S8") or in_segment("S9"))' });
    await rejectsWith(catalog.create({ name: 'Too deep', expression: 'in_segment("Nested") or in_segment("S10")' }), 'too-many-segments');
  });

  it('refuses an edit that would push a segment using it past 10 references', async () => {
    for (let i = 1; i <= 10; i++) await catalog.create({ name: `S${i}`, members: [] });
    await catalog.create({ name: 'Inner', expression: 'in_segment("S1")' });
    await catalog.create({ name: 'Outer', expression: 'in_segment("Inner") or in_segment("S2") or in_segment("S3") or in_segment("S4") or in_segment("S5") or in_segment("S6") or in_segment("S7") or in_segment("S8") or in_segment("S9")' });
    const error = await rejectsWith(catalog.update('Inner', { expression: 'in_segment("S1") or in_segment("S10")' }), 'too-many-segments');
    expect(error.summary).toMatch(/^"Outer" uses "Inner" and would then fail: /);
  });

  it('refuses to delete or archive a segment another segment uses, naming it', async () => {
    await catalog.create({ name: 'Base', expression: 'country = "OM"' });
    await catalog.create({ name: 'User one', expression: 'in_segment("Base")' });
    await catalog.create({ name: 'User two', expression: 'in_segment("Base") and language = "ar"' });
    const error = await rejectsWith(catalog.delete('Base'), 'segment-in-use');
    expect(error.summary).toBe('"Base" cannot be deleted: it is used by segment "User one" and segment "User two"');
    expect(error.hint).toBe('remove it from the segments that use it first');
    await rejectsWith(catalog.archive('Base'), 'segment-in-use');
    const base = await catalog.get('Base');
    await expect(t.db(TABLES.segments).where({ id: base.id }).delete()).rejects.toThrow();
    await catalog.delete('User one');
    await catalog.delete('User two');
    await catalog.delete('Base');
  });

  it('applies an edit at the next evaluation', async () => {
    await catalog.create({ name: 'Target', expression: 'country = "OM"' });
    await catalog.create({ name: 'Campaign audience', expression: 'in_segment("Target") and tags contains "VIP"' });
    await catalog.attach('Campaign audience', { id: 'c1', kind: 'campaign', status: 'running' });
    expect(await count('in_segment("Campaign audience")')).toBe(1);
    const edited = await catalog.update('Target', { expression: 'language = "ar"' });
    expect(edited.version).toBe(2);
    expect(await count('in_segment("Campaign audience")')).toBe(2);
  });

  it('gives only the segments one segment reaches when asked, with their members', async () => {
    await catalog.create({ name: 'Picked', members: ['p2', 'p3'] });
    await catalog.create({ name: 'Unrelated', members: ['p1'] });
    await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
    await catalog.create({ name: 'Picked Omanis', expression: 'in_segment("Picked") and in_segment("Omanis")' });
    const definitions = await catalog.definitions({ reachableFrom: 'picked omanis' });
    expect(definitions.map((d) => d.name).sort()).toEqual(['Omanis', 'Picked', 'Picked Omanis']);
    expect(definitions.find((d) => d.name === 'Picked')).toEqual({ name: 'Picked', members: expect.arrayContaining(['p2', 'p3']) });
    expect(compileSegment('in_segment("Picked Omanis")', { segments: definitions }).count(PROFILES)).toBe(1);
  });

  it('saves a list of definitions with every reference before its user, and updates known names', async () => {
    await catalog.create({ name: 'Omanis', expression: 'country = "AE"' });
    const result = await catalog.saveAll([
      { name: 'Top', expression: 'in_segment("Middle") or in_segment("Picked")' },
      { name: 'Middle', expression: 'in_segment("omanis") and tags contains "VIP"' },
      { name: 'Picked', members: ['p3'] },
      { name: 'Omanis', expression: 'country = "OM"' },
    ]);
    expect(result).toEqual({ created: ['Picked', 'Middle', 'Top'], updated: ['Omanis'] });
    expect(await count('in_segment("Top")')).toBe(2);
    expect((await catalog.get('Omanis')).version).toBe(2);
  });

  it('saves nothing from a list with a cycle, an unknown reference or a name twice', async () => {
    await rejectsWith(catalog.saveAll([{ name: 'A', expression: 'in_segment("B")' }, { name: 'B', expression: 'in_segment("A")' }]), 'segment-cycle');
    await rejectsWith(catalog.saveAll([{ name: 'A', expression: 'country = "OM"' }, { name: 'B', expression: 'in_segment("Nobody")' }]), 'unknown-segment');
    await rejectsWith(catalog.saveAll([{ name: 'A', members: [] }, { name: 'a', members: [] }]), 'duplicate-segment-name');
    expect(await catalog.list()).toEqual([]);
  });

  it('resolves manual members inside expressions', async () => {
    await catalog.create({ name: 'Picked', members: ['p2', 'p3'] });
    await catalog.create({ name: 'Picked Omanis', expression: 'in_segment("Picked") and country = "OM"' });
    expect(await count('in_segment("Picked Omanis")')).toBe(1);
  });

  it('refuses members for a dynamic segment', async () => {
    await catalog.create({ name: 'Dyn', expression: 'country = "OM"' });
    await rejectsWith(catalog.update('Dyn', { members: ['p1'] }), 'wrong-segment-kind');
    await rejectsWith(catalog.members('Dyn'), 'wrong-segment-kind');
  });

  it('lets an archived user not block archiving but block deleting, and refuses to restore it while its reference is archived', async () => {
    await catalog.create({ name: 'Base', expression: 'country = "OM"' });
    await catalog.create({ name: 'User', expression: 'in_segment("Base")' });
    await catalog.archive('User');
    await catalog.archive('Base');
    await rejectsWith(catalog.restore('User'), 'unknown-segment');
    const error = await rejectsWith(catalog.delete('Base'), 'segment-in-use');
    expect(error.summary).toBe('"Base" cannot be deleted: it is used by segment "User" (archived)');
    await catalog.restore('Base');
    expect((await catalog.restore('User')).state).toBe('active');
  });

  it('computes reach with the caller\'s counter for every active segment', async () => {
    await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
    await catalog.create({ name: 'Picked', members: ['p3'] });
    await catalog.refreshReach((def, all) => compileSegment(`in_segment(${JSON.stringify(def.name)})`, { segments: all }).count(PROFILES));
    expect((await catalog.list()).map((s) => [s.name, s.reach])).toEqual([['Omanis', 2], ['Picked', 1]]);
  });

  it('counts a saved segment of exactly 10 references: it reaches the 10 it was saved with, not itself as an eleventh', async () => {
    for (let i = 1; i <= 10; i++) await catalog.create({ name: `S${i}`, members: [`p${(i % 3) + 1}`] });
    await catalog.create({ name: 'Ten', expression: Array.from({ length: 10 }, (_, i) => `in_segment("S${i + 1}")`).join(' or ') });
    const [ten] = await catalog.refreshReach((def, all) => compileSegment(segmentSource(def), { segments: all }).count(PROFILES), ['Ten']);
    expect(ten.reach).toBe(3);
    // Typed as an expression, `in_segment("Ten")` does use eleven: the limit is the same everywhere.
    const all = await catalog.definitions();
    expect(() => compileSegment('in_segment("Ten")', { segments: all })).toThrow(/uses 11 segments/);
  });

  it('counts the other segments when one cannot be counted, then reports it', async () => {
    await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
    await catalog.create({ name: 'Stale', expression: 'loyalty_points > 3' });
    await catalog.create({ name: 'Picked', members: ['p3'] });
    // The counter's schema no longer has the field `Stale` uses.
    const schema = { fields: { id: { type: 'text' as const }, country: { type: 'text' as const } } };
    const counter = (def: Parameters<Parameters<SegmentCatalog['refreshReach']>[0]>[0], all: Parameters<Parameters<SegmentCatalog['refreshReach']>[0]>[1]) => compileSegment(segmentSource(def), { schema, segments: all }).count(PROFILES);
    const failures: string[] = [];
    const rows = await catalog.refreshReach(counter, undefined, { onError: (name, e) => failures.push(`${name}: ${(e instanceof SegmentErrors ? e.errors[0] : e).code}`) });
    expect(failures).toEqual(['Stale: unknown-field']);
    expect(rows.map((r) => [r.name, r.reach])).toEqual([['Omanis', 2], ['Picked', 1], ['Stale', null]]);
    // Without a handler, every failure is thrown together, after the others are saved.
    await catalog.update('Omanis', { expression: 'country = "AE"' });
    await rejectsWith(catalog.refreshReach(counter), 'unknown-field');
    expect((await catalog.get('Omanis')).reach).toBe(1);
  });

  it('reports a cycle once, where it is', async () => {
    await catalog.create({ name: 'A', expression: 'country = "OM"' });
    await catalog.create({ name: 'B', expression: 'in_segment("A")' });
    let caught: unknown;
    try {
      await catalog.update('A', { expression: 'in_segment("B")' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SegmentErrors);
    expect((caught as SegmentErrors).errors.map((e) => [e.code, e.origin])).toEqual([['segment-cycle', 'segment "A"']]);
  });
});
