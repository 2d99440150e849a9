/**
 * `segments dump`, `segments members list` and `segments members import` stream: members are read
 * from the database in pages and written as they come, and a member file is imported as it is read.
 * What users rely on stays: the output is byte for byte what the whole-list code printed (JSON as
 * `JSON.stringify(…, null, 2)`, ids in id order, terminal-safe text), and an import is all-or-nothing
 * even when the only bad row is the last of a large file. (Memory staying flat is measured by
 * `npm run bench:members`, not here.) Runs the built CLI on a SQLite catalogue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { createLayout, readLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { openDatabase } from '../../core/sql/connect';
import { terminalSafe } from '../../cli/io';
import { segment } from '../cli/cli';

let dir: string;
let url: string;
/** More than two pages of members (a page is 10,000), with ids that need JSON escapes or are not ASCII. */
const BIG = [
  ...Array.from({ length: 25_000 }, (_, i) => `p${String(i).padStart(5, '0')}`),
  'quote"d',
  'back\\slash',
  'émile',
  'ünïcödé-😀',
  'esc\u001b[2J',
].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
let dumpedBefore: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segment-streams-'));
  url = `sqlite:${join(dir, 'catalog.db')}`;
  const db = openDatabase(url);
  try {
    const schema = { fields: { id: { type: 'text' as const }, country: { type: 'text' as const } } };
    const mapping = await createLayout(db, schema);
    await loadProfiles(db, BIG.map((id, i) => ({ line: i + 1, value: { id, country: i % 2 ? 'OM' : 'AE' } })), { schema, mapping });
    expect(await readLayout(db)).toBeDefined();
    const catalog = await SegmentCatalog.open(db);
    await catalog.create({ name: 'Big', members: [...BIG].reverse() });
    await catalog.create({ name: 'Omanis', expression: 'country = "OM"' });
    await catalog.create({ name: 'Nobody yet', members: [] });
    await catalog.create({ name: 'Both', expression: 'in_segment("Big") and in_segment("Omanis")' });
    // What the whole-list code printed: every definition with its members loaded, stringified at once.
    dumpedBefore = `${JSON.stringify(await catalog.definitions(), null, 2)}\n`;
  } finally {
    await db.destroy();
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('segments dump', () => {
  it('prints exactly what the whole-list dump printed, members in id order across pages', () => {
    const r = segment(['segments', 'dump', '--db', url]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(dumpedBefore);
    const parsed = JSON.parse(r.stdout) as { name: string; members?: string[] }[];
    expect(parsed.map((d) => d.name)).toEqual(['Big', 'Omanis', 'Nobody yet', 'Both']);
    expect(parsed[0].members).toEqual(BIG);
    expect(parsed[2].members).toEqual([]);
  });
});

describe('segments members list', () => {
  it('prints every id in id order, one per line, terminal-safe', () => {
    const r = segment(['segments', 'members', 'list', 'Big', '--db', url]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${BIG.map(terminalSafe).join('\n')}\n`);
    expect(r.stdout).toContain('esc\\x1b[2J');
    expect(r.stdout).not.toContain('\u001b');
  });

  it('prints them as the same JSON array as before with --json (the stored text exactly)', () => {
    const r = segment(['segments', 'members', 'list', 'Big', '--db', url, '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(BIG, null, 2)}\n`);
  });

  it('prints an empty list as before: an empty line, or []', () => {
    expect(segment(['segments', 'members', 'list', 'Nobody yet', '--db', url]).stdout).toBe('\n');
    expect(segment(['segments', 'members', 'list', 'Nobody yet', '--db', url, '--json']).stdout).toBe('[]\n');
  });

  it('refuses a dynamic segment with exit 2 and prints nothing on stdout', () => {
    const r = segment(['segments', 'members', 'list', 'Omanis', '--db', url]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"Omanis" is a dynamic segment: it has no member list');
  });
});

describe('segments members import', () => {
  it('imports nothing from a large file whose last row is bad, and names that line', () => {
    const file = join(dir, 'late-ghost.csv');
    writeFileSync(file, `Profile ID\n${BIG.slice(0, 20_000).join('\n')}\nghost\n`);
    const created = segment(['segments', 'members', 'import', 'Late', file, '--create', '--db', url, '--json']);
    expect(created.status).toBe(2);
    const report = JSON.parse(created.stdout) as { ok: boolean; problems: { line: number; value: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ line: 20_002, value: 'ghost', reason: 'no profile has the profile id "ghost"' }]);
    expect(segment(['segments', 'show', 'Late', '--db', url]).status).toBe(2);
    // Into an existing segment, replacing its list: it keeps its members.
    const replaced = segment(['segments', 'members', 'import', 'Big', file, '--replace', '--db', url]);
    expect(replaced.status).toBe(2);
    expect(replaced.stderr).toContain('line 20002: no profile has the profile id "ghost"');
    expect(segment(['segments', 'members', 'list', 'Big', '--db', url, '--json']).stdout).toBe(`${JSON.stringify(BIG, null, 2)}\n`);
  });

  it('imports the same file without the bad row, and reports repeats once', () => {
    const file = join(dir, 'good.csv');
    writeFileSync(file, `Profile ID\n${BIG.slice(0, 20_000).join('\n')}\n${BIG.slice(0, 10).join('\n')}\n`);
    const r = segment(['segments', 'members', 'import', 'Late', file, '--create', '--db', url, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, rows: 20_010, matched: 20_000, added: 20_000, duplicates: 10, alreadyMembers: 0 });
  });
});
