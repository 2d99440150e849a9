/**
 * The database commands of the CLI, in process: `segment import` reports rejected lines and loads
 * the rest, and `count --db` / `filter --db` then agree with the in-memory engine on the same file;
 * `segment sql` prints a formatted query with its bindings; `explain --db` prints the SQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dbCount, dbExplain, dbFilter, registerDbCommands } from '../../cli/db-commands';
import { compileSegment } from '../../core/engine';
import type { SegmentDefinition } from '../../core/segments';
import sampleSegments from '../../sample/segments.json';
import { fixtureProfiles, fixtureSchema, NOW } from '../conformance/cases';
import { DIALECT_NAMES, openTestDatabase } from './support';

const dir = mkdtempSync(join(tmpdir(), 'segment-sql-cli-'));
const file = join(dir, 'profiles.jsonl');
const schemaFile = join(dir, 'schema.json');
const segments = sampleSegments as SegmentDefinition[];

/** The fixture plus three bad lines (2: not JSON, 4: no id, 6: a duplicate id). */
const lines = fixtureProfiles.map((p) => JSON.stringify(p));
lines.splice(1, 0, '{"id": "broken",');
lines.splice(3, 0, JSON.stringify({ name: 'no id' }));
lines.splice(5, 0, JSON.stringify({ id: fixtureProfiles[0].id }));

beforeAll(() => {
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(schemaFile, JSON.stringify(fixtureSchema));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function run(args: string[], onStderr?: (err: string) => void): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  const program = new Command('segment').exitOverride();
  registerDbCommands(program);
  try {
    await program.parseAsync(['node', 'segment', ...args]);
  } finally {
    vi.restoreAllMocks();
    onStderr?.(err);
  }
  return { out, err };
}

const EXPRESSIONS = [
  'tags contains "VIP" and language = "ar"',
  'event("page_view").where(offer = "summer-pass").within(7 days).count() >= 5 and event("purchase").where(offer = "summer-pass").count() = 0',
  'in_segment("VIP Arabic Speakers Still Active") or in_segment("Event Attendees (manual)")',
  'not (email is known) or attributes.scores contains any [5, 7]',
];

describe.each(DIALECT_NAMES)('segment import, count, filter and explain on %s', (dialect) => {
  let url: string;

  beforeAll(async () => {
    // A fresh database on the server (or a file for SQLite) named for this test file.
    if (dialect === 'sqlite') {
      url = `sqlite:${join(dir, 'x.db')}`;
    } else {
      const db = await openTestDatabase(dialect, 'cli');
      const c = db.client.config.connection as { host: string; port: number; user: string; password: string; database: string };
      url = `${dialect === 'mysql' ? 'mysql' : 'postgres'}://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`;
      await db.destroy();
    }
  });

  const rejectedLines = (err: string) => {
    expect(err).toMatch(/profiles\.jsonl:2: rejected: not valid JSON/);
    expect(err).toMatch(/profiles\.jsonl:4: rejected: the profile has no "id"/);
    expect(err).toMatch(/profiles\.jsonl:6: rejected: duplicate id "p000001" \(first on line 1\)/);
  };

  it('imports nothing when a line is rejected: every rejected line named, a user error, the database untouched', async () => {
    let err = '';
    const failed = await run(['import', '--db', url, '--schema', schemaFile, file], (e) => (err = e)).then(() => undefined, (e: unknown) => e);
    expect(failed).toMatchObject({ code: 'invalid-data', summary: '3 lines were rejected, so nothing was imported' });
    rejectedLines(err);
    expect(await dbCount({ url, expression: 'email is known or email is unknown', now: NOW })).toBe(0);
  });

  it('imports the good lines with --skip-bad-lines and names each rejected one with its line number and reason', async () => {
    const { out, err } = await run(['import', '--db', url, '--schema', schemaFile, '--skip-bad-lines', file]);
    expect(out).toMatch(new RegExp(`imported ${fixtureProfiles.length} profiles .*\\(3 rejected\\)`));
    rejectedLines(err);
  });

  it('keeps the stored profiles when --replace is given a file with a rejected line', async () => {
    const failed = await run(['import', '--db', url, '--replace', file]).then(() => undefined, (e: unknown) => e);
    expect(failed).toMatchObject({ code: 'invalid-data', summary: '3 lines were rejected, so the stored profiles were kept' });
    expect(await dbCount({ url, expression: 'email is known or email is unknown', now: NOW })).toBe(fixtureProfiles.length);
  });

  it('counts and filters exactly as the in-memory engine does on the same file', async () => {
    for (const expression of EXPRESSIONS) {
      const memory = compileSegment(expression, { schema: fixtureSchema, segments, now: NOW }).filter(fixtureProfiles);
      expect(await dbCount({ url, expression, segments, now: NOW }), expression).toBe(memory.length);
      const rows: Record<string, unknown>[] = [];
      const n = await dbFilter({ url, expression, segments, now: NOW }, (p) => void rows.push(p));
      expect(n).toBe(memory.length);
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
      expect(rows.sort(byId)).toEqual(JSON.parse(JSON.stringify([...memory].sort(byId))));
    }
  });

  it('advises the composite index two fields used together want, prints it as DDL and a migration, and creates it once', async () => {
    const expression = 'country = "OM" and name = "x"';
    const advice = await run(['sql', '--advise', '--dialect', dialect, '--db', url, expression]);
    expect(advice.out).toMatch(/-- 1 composite index for 1 segment/);
    expect(advice.out).toMatch(/create index|alter table/i);
    expect(advice.out).toContain('exports.up');
    expect(advice.out).not.toMatch(/created/);
    const created = await run(['sql', '--advise', '--create', '--dialect', dialect, '--db', url, expression]);
    expect(created.out).toMatch(/created 1 index: ix_adv_/);
    const again = await run(['sql', '--advise', '--create', '--dialect', dialect, '--db', url, expression]);
    expect(again.out).toMatch(/created 0 indexes \(all were there\)/);
    expect(await dbCount({ url, expression: 'country = "OM"', now: NOW })).toBe(compileSegment('country = "OM"', { schema: fixtureSchema, now: NOW }).filter(fixtureProfiles).length);
  });

  it('explains with the SQL the database runs, values as bindings', async () => {
    const { sql: text, expr } = await dbExplain({ url, expression: 'country = "O\'M"', now: NOW });
    expect(expr).toMatchObject({ type: 'predicate', op: 'eq' });
    expect(text).toMatch(/select\s+count\(\*\)/i);
    expect(text).toContain('f_country__lc');
    expect(text).toContain(`"o'm"`);
    expect(text).not.toMatch(/= 'o''m'/);
  });
});

describe('segment sql', () => {
  it.each([
    ['mysql', /`seg_profiles` as `p`/, /\? ESCAPE '!'/],
    ['postgres', /"seg_profiles" as "p"/, /\$1 ESCAPE '!'/],
    ['sqlite', /`seg_profiles` as `p`/, /\? ESCAPE '!'/],
  ])('prints the %s query formatted, with its bindings', async (dialect, table, placeholder) => {
    const { out } = await run(['sql', '--dialect', dialect, '--schema', schemaFile, '--now', NOW, 'name starts with "50%" and last_interaction within last 7 days']);
    expect(out).toMatch(table);
    expect(out).toMatch(placeholder);
    expect(out).toMatch(/\n\s+AND /);
    expect(out).toContain('-- bindings:');
    expect(out).toContain('"50!%%"');
    expect(out).toContain(String(Date.parse(NOW) - 7 * 86_400_000));
  });

  it('refuses --create without --advise or without --db', async () => {
    await expect(run(['sql', '--dialect', 'mysql', '--schema', schemaFile, '--create', 'name = "x"'])).rejects.toMatchObject({ code: 'invalid-option' });
    await expect(run(['sql', '--advise', '--create', '--dialect', 'mysql', '--schema', schemaFile, 'name = "x"'])).rejects.toMatchObject({ code: 'invalid-option' });
  });

  it('refuses an unknown dialect with a typed error', async () => {
    await expect(run(['sql', '--dialect', 'oracle', '--schema', schemaFile, 'name = "x"'])).rejects.toMatchObject({ code: 'invalid-option' });
  });
});
