import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { dropCatalogTables, migrate, TABLES } from '../../core/catalog/migrations';
import { SegmentError, SegmentErrors } from '../../core/errors';
import type { SegmentDefinition } from '../../core/segments';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { TARGETS, type TestDatabase } from './databases';
import { rejectsWith } from './expect-error';

describe.each(TARGETS)('segment catalogue on $name', (target) => {
  let t: TestDatabase;
  let clock = 0;
  let catalog: SegmentCatalog;

  beforeAll(async () => {
    t = await target.create();
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await dropCatalogTables(t.db);
    clock = Date.parse('2026-11-24T10:00:00Z');
    catalog = await SegmentCatalog.open(t.db, { now: () => new Date((clock += 1000)) });
  });

  it('saves a manual segment with a description, version 1 and its creation time', async () => {
    const saved = await catalog.create({ name: 'Event guests', description: 'From the Muscat fair', members: ['p1', 'p2', 2] });
    expect(saved).toMatchObject({ name: 'Event guests', description: 'From the Muscat fair', kind: 'manual', state: 'active', version: 1, memberCount: 3, expression: null });
    expect(saved.createdAt.toISOString()).toBe('2026-11-24T10:00:01.000Z');
    expect(await catalog.members('event guests')).toEqual(['2', 'p1', 'p2']);
  });

  it('counts a member listed twice once', async () => {
    const saved = await catalog.create({ name: 'Twice', members: ['p1', 'p1', ' p1 '] });
    expect(saved.memberCount).toBe(1);
  });

  it('refuses a second segment whose name differs only in case', async () => {
    await catalog.create({ name: 'VIP', members: [] });
    const error = await rejectsWith(catalog.create({ name: 'vip', members: [] }), 'duplicate-segment-name');
    expect(error.summary).toBe('a segment named "vip" already exists (as "VIP")');
  });

  it('enforces unique names in the database itself, not only in the API', async () => {
    await catalog.create({ name: 'VIP', members: [] });
    const row = { name: 'Vip', name_key: 'vip', description: '', kind: 'manual', expression: null, state: 'active', version: 1, created_at: 0, updated_at: 0 };
    await expect(t.db(TABLES.segments).insert(row)).rejects.toThrow();
  });

  it('keeps names that differ by an accent apart ("Zoë" is not "Zoe")', async () => {
    await catalog.create({ name: 'Zoë fans', members: [] });
    await catalog.create({ name: 'Zoe fans', members: [] });
    expect((await catalog.list()).map((s) => s.name)).toEqual(['Zoe fans', 'Zoë fans']);
  });

  it('refuses an empty name and names with control characters', async () => {
    await rejectsWith(catalog.create({ name: '  ', members: [] }), 'invalid-option');
    await rejectsWith(catalog.create({ name: 'a\nb', members: [] }), 'invalid-option');
  });

  it('increments the version and the update time on each edit', async () => {
    await catalog.create({ name: 'Guests', members: ['p1'] });
    const edited = await catalog.update('guests', { description: 'edited', members: ['p2', 'p3'] });
    expect(edited).toMatchObject({ version: 2, description: 'edited', memberCount: 2 });
    expect(edited.updatedAt.getTime()).toBeGreaterThan(edited.createdAt.getTime());
    const renamed = await catalog.rename('Guests', 'Fair guests');
    expect(renamed.version).toBe(3);
  });

  it('finds a renamed segment by its new name and suggests a close one for an unknown name', async () => {
    await catalog.create({ name: 'Guests', members: [] });
    await catalog.rename('Guests', 'Gusets 2026');
    expect((await catalog.get('gusets 2026')).name).toBe('Gusets 2026');
    const error = await rejectsWith(catalog.get('Guests'), 'segment-not-found');
    expect(error.summary).toBe('no segment "Guests"');
    await catalog.create({ name: 'Gests', members: [] });
    expect((await rejectsWith(catalog.get('Guests'), 'segment-not-found')).hint).toBe('did you mean "Gests"?');
  });

  it('allows renaming a segment to another case of its own name', async () => {
    await catalog.create({ name: 'vip', members: [] });
    expect((await catalog.rename('vip', 'VIP')).name).toBe('VIP');
  });

  it('refuses to give a manual segment an expression', async () => {
    await catalog.create({ name: 'List', members: [] });
    await rejectsWith(catalog.update('List', { expression: 'country = "OM"' }), 'wrong-segment-kind');
  });

  it('refuses an update that changes nothing, without bumping the version', async () => {
    await catalog.create({ name: 'List', members: [] });
    await rejectsWith(catalog.update('List', {}), 'invalid-option');
    expect((await catalog.get('List')).version).toBe(1);
  });

  it('refuses a 501st active segment, and counts only active ones', async () => {
    const small = new SegmentCatalog(t.db, { maxActiveSegments: 3 });
    for (const n of ['a', 'b', 'c']) await small.create({ name: n, members: [] });
    const error = await rejectsWith(small.create({ name: 'd', members: [] }), 'segment-limit');
    expect(error.summary).toBe('you already have 3 active segments, the most allowed is 3');
    await small.archive('a');
    await small.create({ name: 'd', members: [] });
    await rejectsWith(small.restore('a'), 'segment-limit');
  });

  it('holds exactly 500 active segments by default', async () => {
    await t.db.transaction(async (trx) => {
      const rows = Array.from({ length: 500 }, (_, i) => ({ name: `s${i}`, name_key: `s${i}`, description: '', kind: 'manual', expression: null, state: 'active', version: 1, created_at: 0, updated_at: 0 }));
      for (let i = 0; i < rows.length; i += 100) await trx(TABLES.segments).insert(rows.slice(i, i + 100));
    });
    await rejectsWith(catalog.create({ name: 'one too many', members: [] }), 'segment-limit');
    await catalog.delete('s0');
    await catalog.create({ name: 'now fits', members: [] });
  });

  it('records campaigns and automations and counts them in the listing', async () => {
    await catalog.create({ name: 'VIP', members: [] });
    await catalog.attach('VIP', { id: 'c1', kind: 'campaign', status: 'draft' });
    await catalog.attach('VIP', { id: 'c1', kind: 'campaign', status: 'running' });
    await catalog.attach('VIP', { id: 'c2', kind: 'campaign', status: 'complete' });
    await catalog.attach('VIP', { id: 'a1', kind: 'automation', status: 'paused' });
    const [row] = await catalog.list();
    expect(row).toMatchObject({ name: 'VIP', campaigns: 2, automations: 1 });
    expect((await catalog.usage('VIP')).map((u) => `${u.kind}:${u.id}:${u.status}`)).toEqual(['automation:a1:paused', 'campaign:c1:running', 'campaign:c2:complete']);
    expect(await catalog.detach('VIP', { id: 'c2', kind: 'campaign' })).toBe(true);
    expect(await catalog.detach('VIP', { id: 'c2', kind: 'campaign' })).toBe(false);
    expect((await catalog.list())[0].campaigns).toBe(1);
  });

  it('refuses an unknown orchestration kind or status', async () => {
    await catalog.create({ name: 'VIP', members: [] });
    await rejectsWith(catalog.attach('VIP', { id: 'x', kind: 'broadcast' as never, status: 'running' }), 'invalid-option');
    await rejectsWith(catalog.attach('VIP', { id: 'x', kind: 'campaign', status: 'live' as never }), 'invalid-option');
  });

  it('refuses to delete a segment used by a running campaign and lists who uses it', async () => {
    await catalog.create({ name: 'VIP', members: [] });
    await catalog.attach('VIP', { id: 'ramadan-sms', kind: 'campaign', status: 'running' });
    await catalog.attach('VIP', { id: 'welcome', kind: 'automation', status: 'running' });
    await catalog.attach('VIP', { id: 'old', kind: 'campaign', status: 'complete' });
    const error = await rejectsWith(catalog.delete('VIP'), 'segment-in-use');
    expect(error.summary).toBe('"VIP" cannot be deleted: it is used by automation "welcome" (running) and campaign "ramadan-sms" (running)');
    expect(error.hint).toBe('stop or detach the running campaigns and automations first');
    await rejectsWith(catalog.archive('VIP'), 'segment-in-use');
  });

  it('deletes a segment whose campaigns are not running, with its usage records', async () => {
    await catalog.create({ name: 'VIP', members: ['p1'] });
    await catalog.attach('VIP', { id: 'old', kind: 'campaign', status: 'complete' });
    await catalog.delete('VIP');
    await rejectsWith(catalog.get('VIP'), 'segment-not-found');
    expect(Number((await t.db(TABLES.usage).count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await t.db(TABLES.members).count({ n: '*' }))[0].n)).toBe(0);
  });

  it('stores the estimated reach with when it was computed, and forgets it when the members change', async () => {
    await catalog.create({ name: 'Guests', members: ['p1', 'p2'] });
    const [summary] = await catalog.refreshReach((def) => ('members' in def ? def.members.length : 0));
    expect(summary.reach).toBe(2);
    expect(summary.reachComputedAt?.toISOString()).toBe('2026-11-24T10:00:02.000Z');
    expect((await catalog.list())[0].reach).toBe(2);
    await catalog.update('Guests', { members: ['p1'] });
    expect((await catalog.list())[0]).toMatchObject({ reach: null, reachComputedAt: null });
  });

  it('gives the engine every active segment by its current name', async () => {
    await catalog.create({ name: 'Guests', members: ['p2', 'p1'] });
    await catalog.create({ name: 'Old', members: ['p3'] });
    await catalog.archive('Old');
    await catalog.rename('Guests', 'Fair guests');
    const definitions = await catalog.definitions();
    expect(definitions).toEqual([{ name: 'Fair guests', members: expect.arrayContaining(['p1', 'p2']) }]);
  });

  it('migrates twice without harm', async () => {
    await migrate(t.db);
    await migrate(t.db);
    expect(await catalog.list()).toEqual([]);
  });

  /** Everything a user can see of the catalogue: names, kinds, versions, expressions, members. */
  async function state(c: SegmentCatalog = catalog): Promise<unknown> {
    const rows = await c.list({ state: 'all' });
    return Promise.all(rows.map(async (r) => ({ ...r, createdAt: undefined, updatedAt: undefined, definition: (await c.get(r.id)).expression ?? (await c.members(r.id)) })));
  }

  it('loads a list all or nothing: a kind that does not match, the limit or a bad name after good ones saves none of it', async () => {
    await catalog.saveAll([{ name: 'S0', expression: 'country = "OM"' }, { name: 'S1', expression: 'country = "AE"' }]);
    const before = await state();
    // S0 is updated first, then S1 (dynamic) is given members.
    await rejectsWith(catalog.saveAll([{ name: 'S0', expression: 'country = "QA"' }, { name: 'S1', members: ['p1'] }]), 'wrong-segment-kind');
    await rejectsWith(catalog.saveAll([{ name: 'Good', members: [] }, { name: 'Bad\u0007', members: [] }]), 'invalid-option');
    const limited = new SegmentCatalog(t.db, { maxActiveSegments: 3 });
    await rejectsWith(limited.saveAll([{ name: 'Third', members: [] }, { name: 'Fourth', members: [] }]), 'segment-limit');
    expect(await state()).toEqual(before);
  });

  it('saves a list whole, or leaves the catalogue exactly as it was, whatever bad entry it holds (fuzz)', async () => {
    await catalog.saveAll([{ name: 'Base', expression: 'country = "OM"' }, { name: 'Picked', members: ['p1'] }]);
    const good = fc.oneof(
      fc.nat(40).map((n): SegmentDefinition => ({ name: `New ${n}`, expression: `country = "C${n}" or in_segment("Base")` })),
      fc.nat(40).map((n): SegmentDefinition => ({ name: `Hand ${n}`, members: [`p${n}`, `q${n}`] })),
      fc.constant<SegmentDefinition>({ name: 'base', expression: 'country = "AE"' }),
      fc.constant<SegmentDefinition>({ name: 'Picked', members: ['p2', 'p3'] }),
    );
    const bad = fc.constantFrom<SegmentDefinition>(
      { name: 'Picked', expression: 'country = "OM"' },
      { name: 'Base', members: ['p1'] },
      { name: 'Bell\u0007', members: [] },
      { name: 'Hidden\u200bname', members: [] },
      { name: 'Broken \ud800', members: [] },
      { name: 'B\u0430se', members: [] }, // Cyrillic а: looks like "Base"
      { name: 'Empty member', members: [''] },
      { name: 'Long member', members: ['x'.repeat(300)] },
      { name: 'Huge', expression: `country = "${'x'.repeat(20_001)}"` },
      { name: 'x'.repeat(201), members: [] },
    );
    const list = fc
      .tuple(fc.uniqueArray(good, { minLength: 1, maxLength: 6, selector: (d) => d.name.toLowerCase() }), bad, fc.nat())
      .filter(([items, b]) => !items.some((d) => d.name.toLowerCase() === b.name.toLowerCase()))
      .map(([items, b, at]) => [...items.slice(0, at % (items.length + 1)), b, ...items.slice(at % (items.length + 1))]);
    const before = await state();
    await fc.assert(
      fc.asyncProperty(list, async (defs) => {
        let error: unknown;
        try {
          await catalog.saveAll(defs);
        } catch (e) {
          error = e;
        }
        expect(error instanceof SegmentError || error instanceof SegmentErrors, String(error)).toBe(true);
        expect(await state()).toEqual(before);
      }),
      { numRuns: 25, seed: 9 },
    );
  });

  it('checks expressions against the schema stored with the profiles when no schema is given', async () => {
    await dropLayout(t.db);
    await createLayout(t.db, { fields: { id: { type: 'text' }, clicks_count: { type: 'number' } } });
    try {
      await rejectsWith(catalog.create({ name: 'Bogus', expression: 'bogus_field = 1' }), 'unknown-field');
      await rejectsWith(catalog.saveAll([{ name: 'Bogus', expression: 'clicks_count = "many"' }]), 'value-type-mismatch');
      expect((await catalog.create({ name: 'Clickers', expression: 'clicks_count > 0' })).kind).toBe('dynamic');
      // A schema given by the caller is the one checked against.
      const given = await SegmentCatalog.open(t.db, { schema: { fields: { bogus_field: { type: 'number' } } } });
      expect((await given.create({ name: 'Bogus', expression: 'bogus_field = 1' })).kind).toBe('dynamic');
    } finally {
      await dropLayout(t.db);
    }
  });
});
