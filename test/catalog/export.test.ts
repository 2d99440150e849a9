import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvChunks, exportFileName, exportProfiles, safeCell } from '../../core/catalog/export';
import { rejectsWith } from './expect-error';

const NOW = new Date('2026-11-24T21:30:00Z');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'segexport-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function read(path: string): string[][] {
  return parse(readFileSync(path, 'utf8'), { record_delimiter: '\r\n' }) as string[][];
}

describe('segment export file', () => {
  it('names the file after the segment and the export date', () => {
    expect(exportFileName('VIP Arabic speakers', NOW)).toBe('vip-arabic-speakers_2026-11-24.csv');
    expect(exportFileName('  Zoë’s fans / 2026 ', NOW)).toBe('zoes-fans-2026_2026-11-24.csv');
    expect(exportFileName('عملاء مميزون', NOW)).toBe('عملاء-مميزون_2026-11-24.csv');
    expect(exportFileName('***', NOW)).toBe('segment_2026-11-24.csv');
    expect(exportFileName('VIP', NOW, 'Asia/Muscat')).toBe('vip_2026-11-25.csv');
  });

  it('refuses an unknown time zone for the file date with a clear error', async () => {
    await rejectsWith(exportProfiles('VIP', { role: 'admin', profiles: [], directory: dir, timeZone: 'Mars/Olympus' }), 'invalid-option');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes Custom ID, Profile ID, Phone and Email and leaves out profiles with neither id', async () => {
    const profiles = [
      { id: 'p1', custom_id: 'C-1', phone: '+96891234567', email: 'amal@example.com', name: 'Amal' },
      { custom_id: 'C-2', email: 'omar@example.com' },
      { id: 3 },
      { email: 'anonymous@example.com', phone: '+96899887766' },
    ];
    const result = await exportProfiles('VIP', { role: 'admin', profiles, directory: dir, now: NOW });
    expect(result).toMatchObject({ fileName: 'vip_2026-11-24.csv', rows: 3, skipped: 1 });
    expect(readFileSync(result.path, 'utf8')).toBe(
      'Custom ID,Profile ID,Phone,Email\r\nC-1,p1,+96891234567,amal@example.com\r\nC-2,,,omar@example.com\r\n,3,,\r\n',
    );
  });

  it('reads dotted contact fields by the engines\' path rule: nested first, the flat key only without a parent', async () => {
    const profiles = [
      { id: 'p1', contact: { email: 'nested@example.com' }, 'contact.email': 'hidden@example.com' },
      { id: 'p2', 'contact.email': 'flat@example.com' },
      { id: 'p3', contact: null, 'contact.email': 'hidden@example.com' },
    ];
    const result = await exportProfiles('VIP', { role: 'admin', profiles, directory: dir, now: NOW, fields: { id: 'id', email: 'contact.email' } });
    expect(read(result.path).map((row) => row[3])).toEqual(['Email', 'nested@example.com', 'flat@example.com', '']);
  });

  it('quotes per RFC 4180 and keeps UTF-8 text intact', async () => {
    const profiles = [{ id: 'a,b', custom_id: 'say "hi"', email: 'line\nbreak', phone: 'سعيد' }];
    const result = await exportProfiles('Quotes', { role: 'admin', profiles, directory: dir, now: NOW });
    expect(readFileSync(result.path, 'utf8')).toContain('"say ""hi""","a,b",سعيد,"line\nbreak"');
    expect(read(result.path)[1]).toEqual(['say "hi"', 'a,b', 'سعيد', 'line\nbreak']);
  });

  it.each([
    ['=HYPERLINK("http://evil")', "'=HYPERLINK(\"http://evil\")"],
    ['+1+cmd|/C calc!A0', "'+1+cmd|/C calc!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\r=1', "'\r=1"],
    ['plain', 'plain'],
  ])('neutralises the formula-like cell %j', (value, written) => {
    expect(safeCell(value, 'Custom ID')).toBe(written);
    expect(safeCell(value, 'Email')).toBe(written);
  });

  it('keeps valid phone numbers usable in E.164 and neutralises the rest of the Phone column', () => {
    expect(safeCell('+96891234567', 'Phone')).toBe('+96891234567');
    expect(safeCell('+968 9123 4567', 'Phone')).toBe('+96891234567');
    expect(safeCell('+1+cmd|/C calc!A0', 'Phone')).toBe("'+1+cmd|/C calc!A0");
    expect(safeCell('+96891234567', 'Custom ID')).toBe("'+96891234567");
  });

  it('refuses anyone but an admin before reading a single profile', async () => {
    let read = 0;
    const profiles = (function* () {
      read++;
      yield { id: 'p1' };
    })();
    const error = await rejectsWith(exportProfiles('VIP', { role: 'editor', profiles, directory: dir, now: NOW }), 'forbidden');
    expect(error.summary).toBe('only admins can export segments: your role is "editor", so "VIP" was not exported');
    expect(read).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('streams the same CSV as text chunks for callers that send it elsewhere', async () => {
    const counts = { rows: 0, skipped: 0 };
    let text = '';
    for await (const chunk of csvChunks([{ id: 'p1', email: '=1+1' }, { email: 'x' }], undefined, counts)) text += chunk;
    expect(text).toBe("Custom ID,Profile ID,Phone,Email\r\n,p1,,'=1+1\r\n");
    expect(counts).toEqual({ rows: 1, skipped: 1 });
  });

  it('never replaces an earlier export of the same day', async () => {
    writeFileSync(join(dir, 'vip_2026-11-24.csv'), 'earlier');
    const result = await exportProfiles('VIP', { role: 'admin', profiles: [{ id: 'p1' }], directory: dir, now: NOW });
    expect(result.fileName).toBe('vip_2026-11-24_2.csv');
    expect(readFileSync(join(dir, 'vip_2026-11-24.csv'), 'utf8')).toBe('earlier');
  });

  it('writes to a hidden temporary file and leaves nothing behind when the source fails midway', async () => {
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let seenDuring: string[] = [];
    async function* failing() {
      for (let i = 0; i < 20_000; i++) yield { id: `p${i}`, email: `p${i}@example.com` };
      await paused;
      throw new Error('connection lost');
    }
    const running = exportProfiles('VIP', { role: 'admin', profiles: failing(), directory: dir, now: NOW });
    await new Promise((r) => setTimeout(r, 200));
    seenDuring = readdirSync(dir);
    release();
    const error = await rejectsWith(running, 'export-failed');
    expect(error.summary).toBe('the export of "VIP" failed, no file was written: connection lost');
    expect(seenDuring).toHaveLength(1);
    expect(seenDuring[0]).toMatch(/^\.vip_2026-11-24\.csv\..+\.partial$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exports 100,000 profiles from a generator in order', async () => {
    function* many() {
      for (let i = 0; i < 100_000; i++) yield { id: `p${i}`, custom_id: `c${i}` };
    }
    const result = await exportProfiles('Big', { role: 'admin', profiles: many(), directory: dir, now: NOW });
    expect(result.rows).toBe(100_000);
    const text = readFileSync(result.path, 'utf8');
    expect(text.endsWith('c99999,p99999,,\r\n')).toBe(true);
  });

  it('exports 1,000,000 profiles with a 48 MB heap: memory does not grow with the rows', async () => {
    const bundle = join(__dirname, '..', '..', 'build', 'test', 'catalog-export-many.mjs');
    await build({ entryPoints: [join(__dirname, 'fixtures', 'export-many.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' });
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', bundle, '1000000', dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 1_000_000 });
    // The CSV alone is larger than the heap the process had (the rows as objects would be ~4× that).
    expect(statSync(join(dir, 'many_2026-11-24.csv')).size).toBeGreaterThan(60_000_000);
  });
});
