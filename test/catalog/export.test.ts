import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { syncBuiltinESMExports, createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvChunks, exportFileName, exportProfiles, safeCell, sweepPartials } from '../../core/catalog/export';
import { CLI, NODE } from '../cli/cli';
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
    async function* failing() {
      for (let i = 0; i < 20_000; i++) yield { id: `p${i}`, email: `p${i}@example.com` };
      await paused;
      throw new Error('connection lost');
    }
    const running = exportProfiles('VIP', { role: 'admin', profiles: failing(), directory: dir, now: NOW });
    // No sleep: wait until the temporary file holds profile data (the directory reports each change).
    await whenFile(dir, (name) => isPartial(name) && readFileSync(join(dir, name), 'utf8').includes('@example.com'));
    const seenDuring = readdirSync(dir);
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

  it('exports 1,000,000 profiles with a 48 MB heap: memory does not grow with the rows', { timeout: 240_000 }, async () => {
    const bundle = join(__dirname, '..', '..', 'build', 'test', 'catalog-export-many.mjs');
    await build({ entryPoints: [join(__dirname, 'fixtures', 'export-many.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' });
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', bundle, '1000000', dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 1_000_000 });
    // The CSV alone is larger than the heap the process had (the rows as objects would be ~4× that).
    expect(statSync(join(dir, 'many_2026-11-24.csv')).size).toBeGreaterThan(60_000_000);
  });

  it('exports ids exactly as stored: leading and trailing white space kept, only the documented formula guard added', async () => {
    const ids = ['\tTAB', ' =lead', '  spaced  ', ' ', 'plain', '=SUM(A1)', '\u00a0nbsp'];
    const result = await exportProfiles('Spaces', { role: 'admin', profiles: ids.map((id) => ({ id, custom_id: id })), directory: dir, now: NOW });
    expect(result.rows).toBe(ids.length);
    const guarded = ids.map((id) => (/^[=+\-@\t\r]/.test(id) ? `'${id}` : id));
    const rows = read(result.path).slice(1);
    expect(rows.map((r) => r[1])).toEqual(guarded);
    expect(rows.map((r) => r[0])).toEqual(guarded);
  });
});

/**
 * Runs `work` as on a filesystem without hard links (FAT, some network shares): `link` fails with
 * EPERM, as the kernel answers there. Everything else is the real filesystem. Returns the result and
 * how many links were attempted (so a test knows the fallback, not the usual path, was taken).
 */
async function withoutHardLinks<T>(work: () => Promise<T>): Promise<{ result: T; attempts: number }> {
  const fsp = createRequire(import.meta.url)('node:fs/promises') as { link: (...args: unknown[]) => Promise<void> };
  const real = fsp.link;
  let attempts = 0;
  fsp.link = async () => {
    attempts++;
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
  };
  syncBuiltinESMExports();
  try {
    return { result: await work(), attempts };
  } finally {
    fsp.link = real;
    syncBuiltinESMExports();
  }
}

/** `n` exports of the same segment at once, profile `p<k>` in the k-th: each file must hold its own profile. */
async function sameNameAtOnce(directory: string, n: number) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, k) => exportProfiles('VIP', { role: 'admin', profiles: [{ id: `p${k}` }], directory, now: NOW })),
  );
  const names = results.map((r) => r.fileName);
  const held = results.map((r) => read(r.path)[1][1]);
  return { names, held };
}

const sameDayNames = (n: number) => ['vip_2026-11-24.csv', ...Array.from({ length: n - 1 }, (_, i) => `vip_2026-11-24_${i + 2}.csv`)].sort();

describe('publishing the finished file', () => {
  it('falls back to a rename where hard links are not supported, still never replacing an earlier export', async () => {
    writeFileSync(join(dir, 'vip_2026-11-24.csv'), 'earlier');
    const { result, attempts } = await withoutHardLinks(() => exportProfiles('VIP', { role: 'admin', profiles: [{ id: 'p1', email: 'a@example.com' }], directory: dir, now: NOW }));
    expect(attempts).toBeGreaterThan(0);
    expect(result.fileName).toBe('vip_2026-11-24_2.csv');
    expect(readFileSync(join(dir, 'vip_2026-11-24.csv'), 'utf8')).toBe('earlier');
    expect(readFileSync(result.path, 'utf8')).toBe('Custom ID,Profile ID,Phone,Email\r\n,p1,,a@example.com\r\n');
    expect(readdirSync(dir).sort()).toEqual(['vip_2026-11-24.csv', 'vip_2026-11-24_2.csv']);
  });

  it('publishes under the plain name by rename when it is free, leaving no temporary file', async () => {
    const { result } = await withoutHardLinks(() => exportProfiles('VIP', { role: 'admin', profiles: [{ id: 'p1' }], directory: dir, now: NOW }));
    expect(result.fileName).toBe('vip_2026-11-24.csv');
    expect(readdirSync(dir)).toEqual(['vip_2026-11-24.csv']);
  });

  it('gives two concurrent exports of the same name two files, each with its own profiles', async () => {
    const { names, held } = await sameNameAtOnce(dir, 2);
    expect([...names].sort()).toEqual(sameDayNames(2));
    expect(held).toEqual(['p0', 'p1']);
    expect(readdirSync(dir).sort()).toEqual(sameDayNames(2));
  });

  it('gives eight concurrent exports of the same name eight files, with and without hard links', async () => {
    const linked = await sameNameAtOnce(dir, 8);
    expect([...linked.names].sort()).toEqual(sameDayNames(8));
    expect(linked.held).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    const other = join(dir, 'no-links');
    const renamed = (await withoutHardLinks(() => sameNameAtOnce(other, 8))).result;
    expect([...renamed.names].sort()).toEqual(sameDayNames(8));
    expect(renamed.held).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(readdirSync(other).sort()).toEqual(sameDayNames(8));
  });
});

/** Resolves when a file in `dir` satisfies `ready`: checked now and on every change the directory reports. */
function whenFile(dir: string, ready: (name: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const found = readdirSync(dir).find(ready);
      if (found === undefined) return false;
      watcher.close();
      resolve(found);
      return true;
    };
    const watcher = watch(dir, () => void check());
    check();
  });
}

/** Resolves with the first line a child prints. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before printing a line`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

const isPartial = (name: string) => name.endsWith('.partial');

describe('an interrupted export', () => {
  const bundle = join(__dirname, '..', '..', 'build', 'test', 'catalog-export-interrupted.mjs');
  const start = async (): Promise<ChildProcess> => {
    await build({ entryPoints: [join(__dirname, 'fixtures', 'export-interrupted.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' });
    const child = spawn(process.execPath, [bundle, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    expect(await firstLine(child)).toBe('ready');
    // The temporary file holds profile data now.
    await whenFile(dir, (name) => isPartial(name) && readFileSync(join(dir, name), 'utf8').includes('@example.com'));
    return child;
  };

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('removes its temporary file (emails, phones) on %s, and ends by that signal', async (signal) => {
    const child = await start();
    const end = exited(child);
    child.kill(signal);
    expect(await end).toEqual({ code: null, signal });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves a temporary file only when killed outright, and the next export into the directory sweeps it', async () => {
    const child = await start();
    const end = exited(child);
    child.kill('SIGKILL');
    await end;
    const [left] = readdirSync(dir);
    expect(left).toMatch(/^\.interrupted_2026-11-24\.csv\.[0-9a-f]{8}-\d+-[0-9a-f-]{36}\.partial$/);
    const result = await exportProfiles('Next', { role: 'admin', profiles: [{ id: 'p1' }], directory: dir, now: NOW });
    expect(readdirSync(dir)).toEqual([result.fileName]);
  });

  it('never sweeps the temporary file of an export still running, and sweeps those of older versions', async () => {
    const child = await start();
    try {
      const running = readdirSync(dir).find(isPartial)!;
      writeFileSync(join(dir, '.old_2026-01-01.csv.0b0c6f3e-8c55-4b5e-9d2a-6c1f6f6a7e11.partial'), 'x,y\r\n');
      expect(await sweepPartials(dir)).toEqual([join(dir, '.old_2026-01-01.csv.0b0c6f3e-8c55-4b5e-9d2a-6c1f6f6a7e11.partial')]);
      expect(readdirSync(dir)).toEqual([running]);
    } finally {
      const end = exited(child);
      child.kill('SIGTERM');
      await end;
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('through the CLI: Ctrl-C in `segment segments export` leaves no temporary file', async () => {
    const catalog = `sqlite:${join(dir, 'catalog.db')}`;
    const out = join(dir, 'exports');
    expect(spawnSync(NODE, [CLI, 'segments', 'create', 'Omanis', 'country = "OM"', '--db', catalog], { encoding: 'utf8' }).status).toBe(0);
    const schema = join(dir, 'schema.json');
    writeFileSync(schema, JSON.stringify({ fields: { id: { type: 'text' }, country: { type: 'text' }, email: { type: 'text' } } }));
    const fifo = join(dir, 'profiles.jsonl');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const cli = spawn(NODE, [CLI, 'segments', 'export', 'Omanis', '--role', 'admin', '--data', fifo, '--schema', schema, '--out', out, '--db', catalog], { stdio: ['ignore', 'ignore', 'pipe'] });
    const end = exited(cli);
    const writer = await open(fifo, 'w');
    // More profiles than one batch; the file stays open, so the export waits for the rest.
    await writer.write(Array.from({ length: 3000 }, (_, i) => `${JSON.stringify({ id: `p${i}`, country: 'OM', email: `p${i}@example.com` })}\n`).join(''));
    if (!existsSync(out)) await whenFile(dir, (name) => name === 'exports');
    await whenFile(out, (name) => isPartial(name) && readFileSync(join(out, name), 'utf8').includes('@example.com'));
    cli.kill('SIGINT');
    expect(await end).toEqual({ code: null, signal: 'SIGINT' });
    await writer.close();
    expect(readdirSync(out)).toEqual([]);
  });
});
