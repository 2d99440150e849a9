import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { readMemberCsv } from '../../core/catalog/csv-import';
import { MemoryDirectory } from '../../core/catalog/directory';
import { exportFileName, safeCell } from '../../core/catalog/export';
import { SegmentError, SegmentErrors } from '../../core/errors';
import { TARGETS, type TestDatabase } from './databases';

const directory = new MemoryDirectory([{ id: 'p1', email: 'a@example.com', phone: '+96891234567', custom_id: 'C1' }]);

function isUserError(e: unknown): boolean {
  return e instanceof SegmentError || e instanceof SegmentErrors;
}

describe('hostile input to the catalogue', () => {
  it('reads any text as CSV without crashing: a member list or a SegmentError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `email\n${s}`)), async (text) => {
        try {
          const list = await readMemberCsv(text, { directory });
          expect(list.rows).toBeGreaterThanOrEqual(list.members.length);
        } catch (e) {
          expect(isUserError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names every export file safely: no path separators, no dots but the extension', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (name) => {
        const file = exportFileName(name, new Date('2026-11-24T00:00:00Z'));
        expect(file).toMatch(/^[\p{L}\p{N}-]{1,80}_2026-11-24\.csv$/u);
      }),
    );
  });

  it('never writes a cell a spreadsheet would run as a formula', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.constantFrom('Custom ID', 'Profile ID', 'Phone', 'Email') as fc.Arbitrary<'Custom ID' | 'Profile ID' | 'Phone' | 'Email'>, (value, column) => {
        const cell = safeCell(value, column);
        if (/^[=+\-@\t\r]/.test(cell)) expect(cell).toMatch(/^\+[1-9]\d{5,14}$/);
      }),
    );
  });
});

describe.each(TARGETS.filter((t) => t.name === 'sqlite'))('hostile segments on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;
  beforeAll(async () => {
    t = await target.create();
    catalog = await SegmentCatalog.open(t.db);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses junk names and expressions with SegmentErrors, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 250 }), fc.string({ unit: 'binary', maxLength: 200 }), async (name, expression) => {
        try {
          const saved = await catalog.create({ name, expression });
          await catalog.delete(saved.id);
        } catch (e) {
          expect(isUserError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a 100,000-character expression and 10,000 nested parentheses with an error', async () => {
    const long = await catalog.create({ name: 'Long', expression: `country = "${'x'.repeat(100_000)}"` }).catch((e) => e);
    expect(long).toBeInstanceOf(SegmentError);
    expect(long.summary).toBe('the expression is 100,012 characters long; a saved segment may have at most 20,000');
    await expect(catalog.create({ name: 'Deep', expression: `${'('.repeat(10_000)}country = "OM"${')'.repeat(10_000)}` })).rejects.toSatisfy(isUserError);
  });
});
