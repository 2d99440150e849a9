import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { CsvImportError } from '../../core/catalog/csv-import';
import { MemoryDirectory, SqlDirectory } from '../../core/catalog/directory';
import { dropCatalogTables } from '../../core/catalog/migrations';
import { TARGETS, type TestDatabase } from './databases';
import { rejectsWith } from './expect-error';
import { SegmentError, SegmentErrors } from '../../core/errors';

const PROFILES = [
  { id: 'p1', custom_id: 'C-1', email: 'amal@example.com', phone: '+96891234567' },
  { id: 'p2', custom_id: 'C-2', email: 'omar@example.com', phone: '+96899887766' },
  { id: 'p3', custom_id: 'C-3', email: 'sara@example.com', phone: null },
];
const directory = new MemoryDirectory(PROFILES);

describe.each(TARGETS)('manual segments from CSV on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;

  beforeAll(async () => {
    t = await target.create();
    await t.db.schema.dropTableIfExists('test_people');
    await t.db.schema.createTable('test_people', (table) => {
      table.string('pid', 64).primary();
      table.string('ext_id', 64);
      table.string('mail', 200);
      table.string('msisdn', 32);
    });
    await t.db('test_people').insert(PROFILES.map((p) => ({ pid: p.id, ext_id: p.custom_id, mail: p.email.toUpperCase(), msisdn: p.phone })));
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await dropCatalogTables(t.db);
    catalog = await SegmentCatalog.open(t.db);
  });

  it('creates a manual segment from an upload and reports what it did', async () => {
    const report = await catalog.importMembers('Fair guests', 'E-mail\namal@example.com\nomar@example.com\namal@example.com\n', { directory, create: { description: 'Muscat fair' } });
    expect(report).toMatchObject({ segment: 'Fair guests', created: true, key: 'email', rows: 3, matched: 2, added: 2, duplicates: 1, skipped: 0 });
    const saved = await catalog.get('fair guests');
    expect(saved).toMatchObject({ kind: 'manual', description: 'Muscat fair', memberCount: 2, version: 1 });
  });

  it('imports nothing when one row matches no one, and says which line', async () => {
    await catalog.create({ name: 'Guests', members: ['p3'] });
    const error = await rejectsWith(catalog.importMembers('Guests', 'Profile ID\np1\nghost\n', { directory }), 'invalid-csv');
    expect(error).toBeInstanceOf(CsvImportError);
    expect((error as CsvImportError).problems).toEqual([{ line: 3, value: 'ghost', reason: 'no profile has the profile id "ghost"' }]);
    expect(await catalog.members('Guests')).toEqual(['p3']);
    expect((await catalog.get('Guests')).version).toBe(1);
  });

  it('imports the good rows and reports the bad ones when asked to skip them', async () => {
    await catalog.create({ name: 'Guests', members: ['p3'] });
    const report = await catalog.importMembers('Guests', 'Profile ID\np1\nghost\np3\n', { directory, skipInvalid: true });
    expect(report).toMatchObject({ added: 1, alreadyMembers: 1, skipped: 1, problems: [{ line: 3, value: 'ghost' }] });
    expect(await catalog.members('Guests')).toEqual(['p1', 'p3']);
    expect((await catalog.get('Guests')).version).toBe(2);
  });

  it('imports every row, or changes nothing, whatever bad rows an upload holds (fuzz)', async () => {
    await catalog.create({ name: 'Guests', members: ['p3'] });
    const state = async () => ({ members: await catalog.members('Guests'), version: (await catalog.get('Guests')).version, list: (await catalog.list({ state: 'all' })).map((s) => s.name) });
    // Good cells match a profile (any key); bad ones match no one, are blank or broken.
    const good = fc.constantFrom('p1', 'p2', 'p3');
    const bad = fc.constantFrom('ghost', 'p4', '', 'p1\u0000', '"unclosed');
    const rows = fc.array(fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: bad }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(rows, fc.constantFrom('add', 'replace'), fc.boolean(), async (cells, mode, create) => {
        // A fresh start each run (shrinking re-runs after a failure).
        if ((await catalog.list({ state: 'all' })).some((x) => x.name === 'Walk-ins')) await catalog.delete('Walk-ins');
        await catalog.update('Guests', { members: ['p3'] });
        const target = create ? 'Walk-ins' : 'Guests';
        const before = await state();
        const beforeTarget = create ? undefined : before.members;
        let report;
        try {
          report = await catalog.importMembers(target, `Profile ID\n${cells.join('\n')}\n`, { directory, mode: mode as 'add' | 'replace', create });
        } catch (e) {
          expect(e instanceof SegmentError || e instanceof SegmentErrors, String(e)).toBe(true);
          // Refused: the catalogue is exactly as it was (no half-written members, no created segment).
          expect(await state()).toEqual(before);
          return;
        }
        expect(report.skipped).toBe(0);
        const now = await catalog.members(target);
        const wanted = new Set(cells.map((c) => c.trim()).filter((c) => c !== '')); // a blank line is no row
        if (mode === 'replace' || beforeTarget === undefined) expect(new Set(now)).toEqual(wanted);
        else expect(new Set(now)).toEqual(new Set([...beforeTarget, ...wanted]));
      }),
      { numRuns: 40, seed: 16 },
    );
  });

  it('replaces the member list when asked', async () => {
    await catalog.create({ name: 'Guests', members: ['p3'] });
    await catalog.importMembers('Guests', 'Custom ID\nC-1\n', { directory, mode: 'replace' });
    expect(await catalog.members('Guests')).toEqual(['p1']);
  });

  it('refuses an upload into a dynamic segment or an unknown one without create', async () => {
    await rejectsWith(catalog.importMembers('Nobody', 'id\np1\n', { directory }), 'segment-not-found');
  });

  describe('a large upload, streamed in batches', () => {
    // 3,000 profiles; the file names each once, then the first 500 again (repeats more than a batch apart).
    const many = new MemoryDirectory(Array.from({ length: 3000 }, (_, i) => ({ id: `p${String(i).padStart(4, '0')}` })));
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `p${String(from + i).padStart(4, '0')}`);
    const file = (...rows: string[]) => `Profile ID\n${rows.join('\n')}\n`;

    it('counts repeats far apart once and tells existing members from added ones', async () => {
      await catalog.create({ name: 'Guests', members: ids(0, 100) });
      const report = await catalog.importMembers('Guests', file(...ids(0, 3000), ...ids(0, 500)), { directory: many });
      expect(report).toMatchObject({ rows: 3500, matched: 3000, added: 2900, alreadyMembers: 100, duplicates: 500, skipped: 0 });
      expect(await catalog.members('Guests')).toEqual(ids(0, 3000));
    });

    it('changes nothing when only the last row is bad, whether it adds, replaces or creates', async () => {
      await catalog.create({ name: 'Guests', members: ids(0, 100) });
      const bad = file(...ids(0, 3000), ...ids(0, 500), 'ghost');
      for (const options of [{}, { mode: 'replace' as const }]) {
        const error = await rejectsWith(catalog.importMembers('Guests', bad, { directory: many, ...options }), 'invalid-csv');
        expect((error as CsvImportError).problems).toEqual([{ line: 3502, value: 'ghost', reason: 'no profile has the profile id "ghost"' }]);
        expect(await catalog.members('Guests')).toEqual(ids(0, 100));
        expect((await catalog.get('Guests')).version).toBe(1);
      }
      await rejectsWith(catalog.importMembers('Walk-ins', bad, { directory: many, create: true }), 'invalid-csv');
      expect((await catalog.list({ state: 'all' })).map((x) => x.name)).toEqual(['Guests']);
      // The same file without the bad row goes in (nothing was left behind by the failed attempts).
      expect(await catalog.importMembers('Walk-ins', file(...ids(0, 3000)), { directory: many, create: true })).toMatchObject({ created: true, added: 3000 });
    });

    it('reads a source given in chunks that split rows', async () => {
      const text = file(...ids(0, 2500));
      const chunks = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) => text.slice(i * 7, i * 7 + 7));
      const report = await catalog.importMembers('Chunked', (async function* () { yield* chunks; })(), { directory: many, create: true });
      expect(report).toMatchObject({ rows: 2500, added: 2500 });
      expect(await catalog.members('Chunked')).toEqual(ids(0, 2500));
    });
  });

  it('looks people up in a SQL profiles table through a column mapping', async () => {
    const sql = new SqlDirectory(t.db, 'test_people', { id: 'pid', customId: 'ext_id', email: 'mail', phone: 'msisdn' });
    const report = await catalog.importMembers('From SQL', 'Phone number,name\n+968 9988 7766,Omar\n', { directory: sql, create: true });
    expect(report).toMatchObject({ key: 'phone', added: 1 });
    const byMail = await catalog.importMembers('From SQL', 'email\nSara@Example.com\n', { directory: sql });
    expect(byMail.added).toBe(1);
    expect(await catalog.members('From SQL')).toEqual(['p2', 'p3']);
    const noPhone = new SqlDirectory(t.db, 'test_people', { id: 'pid' });
    await rejectsWith(catalog.importMembers('From SQL', 'phone\n+96891234567\n', { directory: noPhone }), 'invalid-option');
  });
});
