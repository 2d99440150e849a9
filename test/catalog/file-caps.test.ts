/**
 * Files read whole (`--schema`, `--segments`, `segments load`) have a size cap:
 * `--max-file-size` or `SEGMENT_MAX_FILE_SIZE` (default 100 MiB). A larger file is refused with exit 2,
 * naming the file and the cap, before it is read; a pipe or a device is cut off as soon as it passes
 * the cap (`--schema /dev/zero` used to read forever). The catalogue's `--data` commands take
 * `--max-line-length` like the others. (Here, not in test/cli: the catalogue's SQLite driver needs code
 * generation, which the no-codegen run of test/cli forbids.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, NOW, segment } from '../cli/cli';

let dir: string;
let catalog: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segment-caps-'));
  catalog = `sqlite:${join(dir, 'catalog.db')}`;
  // 2,000 to 2,048 bytes each: a schema, a --segments list (valid JSON), a members CSV.
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ fields: { id: { type: 'text' }, country: { type: 'text' } }, padding: 'x'.repeat(1937) }));
  writeFileSync(join(dir, 'segments.json'), JSON.stringify([{ name: 'Picked', members: Array.from({ length: 300 }, (_, i) => `p${i}`) }]).padEnd(2000, ' '));
  let csv = 'Profile ID\n';
  for (let i = 0; csv.length < 2000; i++) csv += `p${i}\n`;
  writeFileSync(join(dir, 'members.csv'), csv);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const data = ['--data', fixture('profiles.jsonl'), '--now', NOW];

describe('the cap on files read whole', () => {
  it.each([
    ['--schema', (f: string) => ['count', ...data, '--schema', f, 'country = "OM"'], 'schema.json'],
    ['--segments', (f: string) => ['count', ...data, '--segments', f, 'in_segment("Picked")'], 'segments.json'],
    ['segments load', (f: string) => ['segments', 'load', '--db', catalog, f], 'segments.json'],
  ])('refuses a %s file over the cap with exit 2, naming the file and the cap', (option, args, name) => {
    const file = join(dir, name);
    const byOption = segment(['--max-file-size', '1000', ...args(file)]);
    expect(byOption.status).toBe(2);
    expect(byOption.stderr).toContain(`${option} file "${file}" is`);
    expect(byOption.stderr).toContain('over the cap of 1,000 bytes');
    expect(byOption.stderr).toMatch(/--max-file-size/);
    expect(byOption.stderr).not.toMatch(/\n\s+at /);
    // The same through the environment, and the option may follow the command.
    const byEnv = segment(args(file), { env: { SEGMENT_MAX_FILE_SIZE: '1K' } });
    expect(byEnv.status).toBe(2);
    expect(byEnv.stderr).toContain('over the cap of 1,024 bytes');
    const after = segment([...args(file), '--max-file-size', '1999']);
    expect(after.stderr).toContain('over the cap of 1,999 bytes');
    // At the cap it is read.
    const fits = segment([...args(file), '--max-file-size', '2K', '--json']);
    expect(fits.stderr).not.toContain('over the cap');
  });

  it('stops reading a device at the cap (--schema /dev/zero)', () => {
    const r = segment(['count', ...data, '--schema', '/dev/zero', '--max-file-size', '1M', 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--schema file "/dev/zero" is more than 1,048,576 bytes, over the cap of 1,048,576 bytes');
  });

  it('streams a members import file instead (no size cap), but refuses a record longer than the line cap with its line', () => {
    const members = ['segments', 'members', 'import', '--db', catalog, '--data', fixture('profiles.jsonl'), '--create', 'Fair'];
    // Over the file cap, and imported: the file is never held whole.
    const r = segment(['--max-file-size', '1000', ...members, join(dir, 'members.csv'), '--skip-invalid', '--json']);
    expect(r.stderr).not.toContain('over the cap');
    expect(r.status, r.stderr).toBe(0);
    // A device with no line break is cut off at the record cap, not read forever.
    const zero = segment([...members, '/dev/zero', '--max-line-length', '1000']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain('line 1 of the file is longer than 1,000 characters');
    expect(zero.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a cap that is not a positive number of bytes, with exit 2', () => {
    const r = segment(['count', ...data, '--max-file-size', 'lots', 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--max-file-size must be a positive whole number of bytes (or with K, M or G), not "lots"');
    const env = segment(['count', ...data, 'country = "OM"'], { env: { SEGMENT_MAX_FILE_SIZE: '0' } });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('SEGMENT_MAX_FILE_SIZE must be a positive whole number');
  });
});

describe('the line cap on the catalogue commands', () => {
  it('is taken as --max-line-length by members import, reach and export, as by count and filter', () => {
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, `${JSON.stringify({ id: 'p1', note: 'y'.repeat(500) })}\n`);
    expect(segment(['segments', 'load', '--db', catalog, join(dir, 'segments.json')]).status).toBe(0);
    for (const args of [
      ['segments', 'members', 'import', '--db', catalog, '--data', long, '--create', 'Long', join(dir, 'members.csv')],
      ['segments', 'reach', '--db', catalog, '--data', long],
      ['segments', 'export', '--db', catalog, '--data', long, '--role', 'admin', '--out', dir, 'Picked'],
    ]) {
      const r = segment([...args, '--max-line-length', '100']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(`${long}:1`);
      expect(r.stderr, args.join(' ')).toContain('longer than 100 characters');
    }
  });
});
