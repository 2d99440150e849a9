import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerCatalogCommands } from '../../cli/catalog-commands';
import { dropCatalogTables } from '../../core/catalog/migrations';
import { TARGETS, type TestDatabase } from './databases';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `segment <args>` in-process with the catalogue commands registered; captures the output. */
async function segment(...args: string[]): Promise<Run> {
  const program = new Command('segment').exitOverride();
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerCatalogCommands(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['node', 'segment', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

describe.each(TARGETS)('segment segments … on $name', (target) => {
  let t: TestDatabase;
  let dir: string;
  let data: string;

  beforeAll(async () => {
    t = await target.create();
    await dropCatalogTables(t.db);
    dir = mkdtempSync(join(tmpdir(), 'segcli-'));
    data = join(dir, 'profiles.jsonl');
    const profiles = [
      { id: 'p1', custom_id: 'C-1', email: 'amal@example.com', phone: '+96891234567', country: 'OM', tags: ['VIP'] },
      { id: 'p2', email: 'omar@example.com', country: 'OM', tags: [] },
      { id: 'p3', custom_id: 'C-3', email: 'sara@example.com', country: 'AE', tags: ['VIP'] },
    ];
    writeFileSync(data, profiles.map((p) => JSON.stringify(p)).join('\n'));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });
  beforeEach(async () => {
    await dropCatalogTables(t.db);
  });

  it('creates, lists, shows, renames and deletes segments', async () => {
    expect(await segment('segments', 'create', 'Omanis', 'country = "OM"', '--description', 'Lives in Oman', '--db', t.url)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created dynamic segment "Omanis"/) });
    expect((await segment('segments', 'create', 'VIP Omanis', 'tags contains "VIP" and in_segment("omanis")', '--db', t.url)).code).toBe(0);
    await segment('segments', 'attach', 'VIP Omanis', '--campaign', 'ramadan', '--status', 'running', '--db', t.url);
    const list = await segment('segments', 'list', '--db', t.url);
    expect(list.stdout.split('\n')[0]).toMatch(/^Name\s+Kind\s+Reach\s+Computed\s+Campaigns\s+Automations\s+Updated$/);
    expect(list.stdout).toMatch(/\nVIP Omanis\s+dynamic\s+-\s+-\s+1\s+0\s/);
    expect((await segment('segments', 'rename', 'Omanis', 'Oman residents', '--db', t.url)).code).toBe(0);
    const shown = await segment('segments', 'show', 'vip omanis', '--json', '--db', t.url);
    expect(JSON.parse(shown.stdout)).toMatchObject({ expression: 'tags contains "VIP" and in_segment("Oman residents")', references: ['Oman residents'], usage: [{ id: 'ramadan', status: 'running' }] });
    const refused = await segment('segments', 'delete', 'VIP Omanis', '--db', t.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[segment-in-use]: "VIP Omanis" cannot be deleted: it is used by campaign "ramadan" (running)');
    expect((await segment('segments', 'detach', 'VIP Omanis', '--campaign', 'ramadan', '--db', t.url)).code).toBe(0);
    expect((await segment('segments', 'delete', 'VIP Omanis', '--db', t.url)).code).toBe(0);
  });

  it('updates, archives and restores a segment', async () => {
    expect((await segment('segments', 'create', 'Emiratis', 'country = "AE"', '--db', t.url)).code).toBe(0);
    expect((await segment('segments', 'update', 'emiratis', '--expression', 'country = "AE" and tags contains "VIP"', '--db', t.url)).stdout).toBe('updated "Emiratis" (version 2)\n');
    expect((await segment('segments', 'archive', 'Emiratis', '--db', t.url)).stdout).toBe('archived "Emiratis"\n');
    expect((await segment('segments', 'list', '--archived', '--db', t.url)).stdout).toMatch(/\nEmiratis \(archived\)\s+dynamic/);
    expect((await segment('segments', 'restore', 'Emiratis', '--json', '--db', t.url)).stdout).toMatch(/"state": "active"/);
    expect((await segment('segments', 'delete', 'Emiratis', '--db', t.url)).code).toBe(0);
  });

  it('prints user errors as JSON with --json and exits with 2', async () => {
    const run = await segment('segments', 'create', 'Broken', 'country = ', '--json', '--db', t.url);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, errors: [{ code: 'unexpected-end' }] });
    expect((await segment('segments', 'show', 'Nobody', '--db', t.url)).stderr).toContain('error[segment-not-found]: no segment "Nobody"');
    expect((await segment('segments', 'attach', 'Nobody', '--db', t.url)).code).toBe(2);
  });

  it('imports members from CSV, computes reach and exports as an admin only', async () => {
    await segment('segments', 'create', 'Oman residents', 'country = "OM"', '--db', t.url);
    const csv = join(dir, 'guests.csv');
    writeFileSync(csv, 'Name,E-mail\nAmal,amal@example.com\nGhost,ghost@example.com\nSara,SARA@example.com\n');
    const refused = await segment('segments', 'members', 'import', 'Guests', csv, '--data', data, '--create', '--db', t.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 3: no profile has the email "ghost@example.com"');
    const ok = await segment('segments', 'members', 'import', 'Guests', csv, '--data', data, '--create', '--skip-invalid', '--db', t.url);
    expect(ok.stdout).toBe('created "Guests": 2 added, 0 already members, 0 duplicate rows (matched by email in column "E-mail")\n  skipped line 3: no profile has the email "ghost@example.com"\n');
    expect((await segment('segments', 'members', 'list', 'Guests', '--db', t.url)).stdout).toBe('p1\np3\n');
    const reach = await segment('segments', 'reach', '--data', data, '--json', '--db', t.url);
    expect(JSON.parse(reach.stdout).map((s: { name: string; reach: number }) => [s.name, s.reach])).toEqual([['Guests', 2], ['Oman residents', 2]]);
    const out = join(dir, 'exports');
    const denied = await segment('segments', 'export', 'Oman residents', '--role', 'editor', '--data', data, '--out', out, '--db', t.url);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('error[forbidden]: only admins can export segments');
    const exported = await segment('segments', 'export', 'Oman residents', '--role', 'admin', '--data', data, '--out', out, '--now', '2026-11-24T12:00:00Z', '--db', t.url);
    expect(exported.stdout).toMatch(/^wrote 2 profiles to .*oman-residents_2026-11-24\.csv\n$/);
    expect(readdirSync(out)).toEqual(['oman-residents_2026-11-24.csv']);
    expect(readFileSync(join(out, 'oman-residents_2026-11-24.csv'), 'utf8')).toBe('Custom ID,Profile ID,Phone,Email\r\nC-1,p1,+96891234567,amal@example.com\r\n,p2,,omar@example.com\r\n');
  });
  it('lists every row that cannot be added: all of them in text, and each one in --json', async () => {
    const csv = join(dir, 'eight-bad.csv');
    writeFileSync(csv, `email\namal@example.com\n${Array.from({ length: 8 }, (_, i) => `ghost${i}@example.com`).join('\n')}\nnot-an-email\n`);
    const text = await segment('segments', 'members', 'import', 'Ghosts', csv, '--data', data, '--create', '--db', t.url);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('error[invalid-csv]: 9 of 10 rows cannot be added, so nothing was imported');
    for (let i = 0; i < 8; i++) expect(text.stderr).toContain(`  line ${i + 3}: no profile has the email "ghost${i}@example.com"`);
    expect(text.stderr).toContain('  line 11: "not-an-email" is not an email address');
    const json = await segment('segments', 'members', 'import', 'Ghosts', csv, '--data', data, '--create', '--json', '--db', t.url);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as { ok: boolean; errors: { code: string }[]; problems: { line: number }[] };
    expect(body).toMatchObject({ ok: false, errors: [{ code: 'invalid-csv' }] });
    expect(body.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await segment('segments', 'list', '--db', t.url)).stdout).not.toContain('Ghosts');
  });

  it('computes the reach of the others when one segment cannot be counted, then fails naming it', async () => {
    await segment('segments', 'create', 'Omanis', 'country = "OM"', '--db', t.url);
    // Saved when no schema said otherwise; the profiles have no such field.
    await segment('segments', 'create', 'Loyal', 'loyalty_points > 3', '--db', t.url);
    const text = await segment('segments', 'reach', '--data', data, '--db', t.url);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/\nOmanis\s+dynamic\s+2\s/);
    expect(text.stdout).not.toContain('Loyal');
    expect(text.stderr).toContain('unknown field `loyalty_points`');
    const json = await segment('segments', 'reach', '--data', data, '--json', '--db', t.url);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, segments: [{ name: 'Omanis', reach: 2 }], errors: [{ code: 'unknown-field' }] });
  });

  it('shows a segment by its id', async () => {
    const created = await segment('segments', 'create', 'Omanis', 'country = "OM"', '--json', '--db', t.url);
    const { id } = JSON.parse(created.stdout) as { id: number };
    expect((await segment('segments', 'show', String(id), '--db', t.url)).stdout).toMatch(/^Omanis \(dynamic, active, version 1\)/);
  });

  it('writes a look-alike name\'s export under the Latin name it imitates', async () => {
    expect((await segment('segments', 'create', '\u0421ountry OM', 'country = "OM"', '--db', t.url)).code).toBe(0);
    const out = join(dir, 'lookalike');
    const exported = await segment('segments', 'export', '\u0421ountry OM', '--role', 'admin', '--data', data, '--out', out, '--now', '2026-11-24T12:00:00Z', '--db', t.url);
    expect(exported.code).toBe(0);
    expect(readdirSync(out)).toEqual(['country-om_2026-11-24.csv']);
  });

  it('loads the seed segments file and dumps it back in the same format', async () => {
    const file = join(__dirname, '..', '..', 'sample', 'segments.json');
    const seeds = JSON.parse(readFileSync(file, 'utf8')) as { name: string }[];
    const loaded = await segment('segments', 'load', file, '--db', t.url);
    expect(loaded).toMatchObject({ code: 0, stdout: `created ${seeds.length}, updated 0 segments\n` });
    const dumped = JSON.parse((await segment('segments', 'dump', '--db', t.url)).stdout) as { name: string }[];
    expect(dumped.map((d) => d.name)).toEqual(expect.arrayContaining(seeds.map((d) => d.name)));
  });

});

describe('the segment bin', () => {
  it('runs the catalogue commands in a real process: exit 0, and 2 with the message on a user error', async () => {
    const bundle = join(__dirname, '..', '..', 'build', 'test', 'segment-cli.cjs');
    await build({ entryPoints: [join(__dirname, '..', '..', 'cli', 'segment.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'error' });
    const dir = mkdtempSync(join(tmpdir(), 'segbin-'));
    try {
      const run = (...args: string[]) => spawnSync(process.execPath, [bundle, 'segments', ...args], { cwd: dir, encoding: 'utf8' });
      const created = run('create', 'VIP', 'tags contains "VIP"');
      expect(created.stdout).toBe('created dynamic segment "VIP" (id 1)\n');
      expect(created.status).toBe(0);
      expect(readdirSync(dir)).toContain('segments.db');
      const missing = run('delete', 'Nobody');
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('error[segment-not-found]: no segment "Nobody"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
