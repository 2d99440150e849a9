/**
 * What a hostile-user pass over the built CLI found after the items were fixed (issue 8,
 * item 4 of the hardening task): each one a clear exit-2 error or the right result, never an
 * internal error or a silent mismatch. (The PostgreSQL/MariaDB bulk import through the bin is in
 * test/build/bundle.test.ts.) Runs dist/cli/segment.cjs on SQLite.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segment } from '../cli/cli';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segment-hostile-cli-'));
  db = `sqlite:${join(dir, 'catalog.db')}`;
  const profiles = [
    { id: '\tTAB', custom_id: ' C1 ', email: 'tab@example.com' },
    { id: ' =lead', custom_id: 'C2', email: 'lead@example.com' },
    { id: 'trail ', custom_id: 'C3', email: 'trail@example.com' },
    { id: 'plain', custom_id: 'C4', email: 'plain@example.com' },
  ];
  writeFileSync(join(dir, 'profiles.jsonl'), profiles.map((p) => JSON.stringify(p)).join('\n'));
  const r = segment(['import', '--db', db, join(dir, 'profiles.jsonl')]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ids that begin or end with white space', () => {
  it('are matched by a members import that names them as stored, quoted as an export writes them', () => {
    expect(segment(['segments', 'create', 'Everyone', 'email is known', '--db', db]).status).toBe(0);
    const exported = segment(['segments', 'export', 'Everyone', '--role', 'admin', '--out', dir, '--db', db]);
    expect(exported.status, exported.stderr).toBe(0);
    const file = join(dir, readdirSync(dir).find((f) => f.startsWith('everyone_'))!);
    // The export quotes a cell that begins or ends with white space (and guards formula-like ones).
    expect(readFileSync(file, 'utf8')).toContain('" =lead"');
    const ids = join(dir, 'ids.csv');
    writeFileSync(ids, 'Profile ID\n"\tTAB"\n" =lead"\n"trail "\nplain\n');
    const imported = segment(['segments', 'members', 'import', 'Round trip', ids, '--create', '--db', db, '--json']);
    expect(imported.status, imported.stdout + imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 4, matched: 4, added: 4, skipped: 0 });
    const listed = segment(['segments', 'members', 'list', 'Round trip', '--db', db, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual(['\tTAB', ' =lead', 'plain', 'trail ']);
  });

  it('match exactly as stored, and a stored id without white space still matches a cell with some', () => {
    const ids = join(dir, 'spaced.csv');
    writeFileSync(ids, 'Custom ID\n" C1 "\nC2 \n');
    const imported = segment(['segments', 'members', 'import', 'Spaced', ids, '--create', '--db', db, '--json']);
    expect(imported.status, imported.stdout + imported.stderr).toBe(0);
    expect(JSON.parse(segment(['segments', 'members', 'list', 'Spaced', '--db', db, '--json']).stdout)).toEqual(['\tTAB', ' =lead']);
  });
});

describe('profiles import', () => {
  it('refuses a CSV file with exit 2, saying it reads JSON Lines, instead of rejecting every line as JSON', () => {
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'id,country\np9,OM\n');
    const r = segment(['import', '--db', db, csv]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`import reads JSON Lines (one JSON object per line), and "${csv}" is a CSV file`);
    expect(r.stderr).not.toContain('not valid JSON');
    expect(segment(['count', '--db', db, 'id = "p9"']).stdout.trim()).toBe('0');
  });
});

describe('segment names from the command line', () => {
  it('refuses a name that arrived broken (bytes that are not UTF-8 become U+FFFD) with exit 2', () => {
    // A lone surrogate in an argument reaches the process as U+FFFD, as invalid UTF-8 bytes do.
    const r = segment(['segments', 'create', 'Caf\ud800 guests', 'email is known', '--db', db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the segment name contains the replacement character (U+FFFD) at character 4');
    expect(segment(['segments', 'list', '--db', db]).stdout).not.toContain('\ufffd');
  });
});
