/**
 * Segment names as people see them: nothing hidden, broken or turned around in a name, no name that
 * looks like another, lengths counted as the user counts, and export file names without look-alikes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { MemoryDirectory } from '../../core/catalog/directory';
import { exportFileName } from '../../core/catalog/export';
import { dropCatalogTables } from '../../core/catalog/migrations';
import { confusable, nameProblem, unconfused, visibleLength } from '../../core/catalog/names';
import { TARGETS, type TestDatabase } from './databases';
import { rejectsWith } from './expect-error';

const CYRILLIC_CLICKERS = '\u0421lickers'; // С: CYRILLIC CAPITAL LETTER ES
const EMOJI_150 = '😀'.repeat(150);
const LONE = 'VIP \ud800 guests';

describe('what a name shows', () => {
  it('finds broken text, controls, bidi controls and invisible characters, saying which and where', () => {
    expect(nameProblem(LONE)?.summary).toBe('the segment name holds broken text (a lone UTF-16 surrogate)');
    expect(nameProblem('VIP\u202Esredro')?.summary).toBe('the segment name contains a bidirectional control character (U+202E) at character 4');
    expect(nameProblem('Click\u200Bers')?.summary).toBe('the segment name contains an invisible character (U+200B) at character 6');
    expect(nameProblem('Click\u200Ders')?.summary).toBe('the segment name contains an invisible character (U+200D) at character 6');
    expect(nameProblem('\u00ADVIP')?.summary).toContain('invisible character (U+00AD)');
    expect(nameProblem('VIP\u0085')?.summary).toContain('control character (U+0085)');
    // What a command line makes of bytes that are not UTF-8, or of a lone surrogate: U+FFFD.
    expect(nameProblem('Caf\uFFFD guests')?.summary).toBe('the segment name contains the replacement character (U+FFFD) at character 4: the text was broken before it arrived');
  });

  it('keeps the joiners emoji and joining scripts need', () => {
    for (const name of ['Family 👨‍👩‍👧', 'Love ❤️', 'Flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'Thumbs 👍🏽', 'می‌خواهم', 'क्‍ष']) expect(nameProblem(name), name).toBeUndefined();
  });

  it('counts characters as the user sees them', () => {
    expect(visibleLength(EMOJI_150)).toBe(150);
    expect(EMOJI_150.length).toBe(300);
    expect(visibleLength('👨‍👩‍👧 family')).toBe(8);
    expect(visibleLength('Zoë')).toBe(3);
  });

  it('tells look-alike names apart from different ones', () => {
    expect(confusable(CYRILLIC_CLICKERS, 'Clickers')).toBe(true);
    expect(confusable('CIickers', 'Clickers')).toBe(true); // capital I for l
    expect(confusable('Ｃｌｉｃｋｅｒｓ', 'Clickers')).toBe(true); // fullwidth
    expect(confusable('Click\u200Bers', 'Clickers')).toBe(true);
    expect(confusable('Zoë fans', 'Zoe fans')).toBe(false);
    expect(confusable('VIP Oman', 'VIP Qatar')).toBe(false);
  });

  it('replaces look-alikes among Latin letters, and leaves a name in one script alone', () => {
    expect(unconfused(CYRILLIC_CLICKERS)).toBe('Clickers');
    expect(unconfused('Москва')).toBe('Москва');
    expect(unconfused('عملاء VIP')).toBe('عملاء VIP');
    expect(unconfused('VIP Москва')).toBe('VIP Москва');
    expect(unconfused('Big \u0421lickers')).toBe('Big Clickers');
    expect(exportFileName(CYRILLIC_CLICKERS, new Date('2026-11-24T00:00:00Z'))).toBe('clickers_2026-11-24.csv');
    expect(exportFileName('Москва', new Date('2026-11-24T00:00:00Z'))).toBe('москва_2026-11-24.csv');
  });
});

describe.each(TARGETS)('names in the catalogue on $name', (target) => {
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
    await catalog.create({ name: 'Clickers', expression: 'clicks > 0' });
  });

  it('refuses a name that looks like an existing one: created, renamed to, or created by a member import', async () => {
    const error = await rejectsWith(catalog.create({ name: CYRILLIC_CLICKERS, expression: 'clicks > 1' }), 'duplicate-segment-name');
    expect(error.summary).toBe(`"${CYRILLIC_CLICKERS}" looks like the existing segment "Clickers"`);
    await catalog.create({ name: 'Openers', members: [] });
    await rejectsWith(catalog.rename('Openers', 'CIickers'), 'duplicate-segment-name');
    const directory = new MemoryDirectory([{ id: 'p1' }]);
    await rejectsWith(catalog.importMembers('C1ickers', 'id\np1\n', { directory, create: true }), 'duplicate-segment-name');
    expect((await catalog.list()).map((s) => s.name)).toEqual(['Clickers', 'Openers']);
    // Renaming a segment to a look-alike of its own name is no confusion.
    expect((await catalog.rename('Clickers', 'CIickers')).name).toBe('CIickers');
  });

  it('refuses invisible and bidi control characters in names', async () => {
    await rejectsWith(catalog.create({ name: 'Click\u200bers 2', members: [] }), 'invalid-option');
    await rejectsWith(catalog.create({ name: 'Orders \u202Eevil', members: [] }), 'invalid-option');
    await rejectsWith(catalog.rename('Clickers', 'Click\u2066ers'), 'invalid-option');
  });

  it('refuses broken text anywhere it would be stored as U+FFFD: the name, the description, the expression, members, campaign ids', async () => {
    await rejectsWith(catalog.create({ name: LONE, members: [] }), 'invalid-option');
    await rejectsWith(catalog.create({ name: 'Described', description: 'café \udc00', members: [] }), 'invalid-option');
    await rejectsWith(catalog.create({ name: 'Broken', expression: 'name = "\ud83d"' }), 'invalid-option');
    await rejectsWith(catalog.create({ name: 'Members', members: ['p\udfff'] }), 'invalid-option');
    await rejectsWith(catalog.attach('Clickers', { id: 'camp\ud800', kind: 'campaign', status: 'draft' }), 'invalid-option');
    const stored = JSON.stringify(await t.db('seg_segments').select('name', 'description', 'expression'));
    expect(stored).not.toContain('\ufffd');
  });

  it('saves 150 emoji as a 150-character name, and reports longer names in characters the user sees', async () => {
    expect((await catalog.create({ name: EMOJI_150, members: [] })).name).toBe(EMOJI_150);
    const error = await rejectsWith(catalog.create({ name: '😀'.repeat(250), members: [] }), 'invalid-option');
    expect(error.summary).toBe('the segment name is 250 characters long; the most is 200');
    const families = await rejectsWith(catalog.create({ name: '👨‍👩‍👧'.repeat(50), members: [] }), 'invalid-option');
    expect(families.summary).toBe('the segment name is 50 characters long (250 Unicode code points: emoji and accents built from several count more); the most is 200');
  });

  it('finds a segment by its id when no segment is named so', async () => {
    const [clickers] = await catalog.list();
    expect((await catalog.get(String(clickers.id))).name).toBe('Clickers');
    await catalog.create({ name: String(clickers.id + 1000), members: [] });
    expect((await catalog.get(String(clickers.id + 1000))).kind).toBe('manual');
  });
});
