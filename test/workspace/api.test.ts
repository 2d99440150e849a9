/**
 * The workspace's JSON API (workspace/server/app.ts) on a small generated workspace: the catalogue's
 * operations, drafts (count, describe, SQL, first profiles), CSV member imports with their per-row
 * report, exports as the catalogue writes them, and the failures: every body validated, the core's
 * diagnostics with spans, size limits, the admin role, no stack trace in any answer.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { Knex } from 'knex';
import { EXPORT_COLUMNS, layoutDirectory, openDatabase, readLayout, SegmentCatalog } from 'n8n-nodes-segments/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, CSV_LIMIT, JSON_LIMIT, ROLE_COOKIE, ROLE_HEADER } from '../../workspace/server/app';
import { ensureSample, readSeeds, SAMPLE_USAGE, sampleReachIndex } from '../../workspace/server/sample';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COUNT = 400;
const dir = mkdtempSync(join(tmpdir(), 'workspace-api-'));
let db: Knex;
let app: Hono;
/** The same API without the reach index: every count from the database. */
let bare: Hono;
const logged: unknown[] = [];

beforeAll(async () => {
  const sample = await ensureSample({ root: ROOT, dir: join(dir, 'data'), count: COUNT });
  db = openDatabase(`sqlite:${sample.file}`, { mustExist: true });
  const layout = (await readLayout(db))!;
  const catalog = await SegmentCatalog.open(db, { schema: layout.schema });
  const reach = sampleReachIndex(sample, layout.schema);
  app = createApi({ db, catalog, schema: layout.schema, profiles: COUNT, directory: await layoutDirectory(db), exportDir: dir, log: (e) => logged.push(e), reach });
  bare = createApi({ db, catalog, schema: layout.schema, profiles: COUNT, directory: await layoutDirectory(db), exportDir: dir, log: (e) => logged.push(e) });
});

afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, api: Hono = app): Promise<{ status: number; json: Json; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (!('content-type' in headers)) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await api.request(path, init);
  const text = await response.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** No answer ever carries a stack trace or a file path of the server. */
function noStack(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/node_modules|\/work\/|\.ts:\d+/);
}

describe('the catalogue through the API', () => {
  it('counts drafts live from the reach index, equal to the database: every seed segment, manual members included', async () => {
    const segments = (await send('GET', '/api/segments')).json as Json[];
    const seeds = readSeeds(ROOT);
    let nonEmpty = 0;
    for (const seed of seeds) {
      const expression = 'expression' in seed ? seed.expression : `in_segment(${JSON.stringify(seed.name)})`;
      const live = await send('POST', '/api/count', { expression });
      const db = await send('POST', '/api/count', { expression }, {}, bare);
      expect(live.status, seed.name).toBe(200);
      expect(live.json.source, seed.name).toBe('reach-index');
      expect(db.json.source, seed.name).toBe('database');
      expect(live.json.count, seed.name).toBe(db.json.count);
      expect(live.json.count, seed.name).toBe(segments.find((s) => s.name === seed.name).reach);
      if (live.json.count > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(seeds.length / 2);
  });

  it('lists the seed segments with their reach, when it was computed, and their campaigns and automations', async () => {
    const { status, json } = await send('GET', '/api/segments');
    expect(status).toBe(200);
    const seeds = readSeeds(ROOT);
    expect(json.map((s: Json) => s.name).sort()).toEqual(seeds.map((s) => s.name).sort());
    for (const s of json) {
      expect(typeof s.reach, s.name).toBe('number');
      expect(Number.isNaN(Date.parse(s.reachComputedAt))).toBe(false);
    }
    const vip = json.find((s: Json) => s.name === 'VIP Arabic Speakers');
    expect(vip.campaigns).toBe(1);
    const inactive = json.find((s: Json) => s.name === 'Inactive 30+ Days');
    expect(inactive.automations).toBe(1);
    expect(json.find((s: Json) => s.name === 'Event Attendees (manual)').reach).toBe(4);
  });

  it('describes each dynamic segment of the list in plain words in the language asked for', async () => {
    const en = await send('GET', '/api/segments?locale=en');
    const ar = await send('GET', '/api/segments?locale=ar');
    expect([en.status, ar.status]).toEqual([200, 200]);
    const vip = (list: Json[]) => list.find((s: Json) => s.name === 'VIP Arabic Speakers');
    expect(vip(en.json).sentence).toMatch(/^Customers /);
    expect(vip(ar.json).sentence).toMatch(/^العملاء /);
    expect(ar.json.find((s: Json) => s.name === 'Event Attendees (manual)').sentence).toBeNull();
    // Without a locale the list is the catalogue's as it is.
    expect((await send('GET', '/api/segments')).json.every((s: Json) => !('sentence' in s))).toBe(true);
    const bad = await send('GET', '/api/segments?locale=fr');
    expect(bad.status).toBe(400);
  });

  it('counts a draft, and the count is the reach the segment gets once saved', async () => {
    const draft = 'clicks_count > 0 and language = "ar"';
    const count = await send('POST', '/api/count', { expression: draft });
    expect(count.status).toBe(200);
    expect(count.json.count).toBeGreaterThan(0);
    expect(count.json.count).toBeLessThan(COUNT);
    const created = await send('POST', '/api/segments', { name: 'Arabic clickers', description: 'test', expression: draft });
    expect(created.status).toBe(201);
    expect(created.json.reach).toBe(count.json.count);
    expect(created.json.kind).toBe('dynamic');
    const listed = (await send('GET', '/api/segments')).json.find((s: Json) => s.name === 'Arabic clickers');
    expect(listed.reach).toBe(count.json.count);
  });

  it('updates, renames, duplicates, archives, restores and deletes', async () => {
    const updated = await send('PATCH', '/api/segments/arabic%20clickers', { expression: 'clicks_count > 0' });
    expect(updated.status).toBe(200);
    expect(updated.json.version).toBe(2);
    expect(updated.json.reach).toBe((await send('POST', '/api/count', { expression: 'clicks_count > 0' })).json.count);
    const renamed = await send('POST', '/api/segments/Arabic%20clickers/rename', { name: 'All clickers' });
    expect(renamed.json.name).toBe('All clickers');
    const copy = await send('POST', `/api/segments/${renamed.json.id}/duplicate`, {});
    expect(copy.status).toBe(201);
    expect(copy.json.name).toBe('All clickers (copy)');
    expect(copy.json.expression).toBe('clicks_count > 0');
    expect((await send('POST', `/api/segments/${copy.json.id}/archive`)).json.state).toBe('archived');
    expect((await send('GET', '/api/segments?state=archived')).json.map((s: Json) => s.name)).toContain('All clickers (copy)');
    expect((await send('POST', `/api/segments/${copy.json.id}/restore`)).json.state).toBe('active');
    expect((await send('DELETE', `/api/segments/${copy.json.id}`)).json).toEqual({ ok: true });
    const gone = await send('GET', `/api/segments/${copy.json.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.errors[0].code).toBe('segment-not-found');
  });

  it('refuses to delete a segment in use, naming every user, and deletes it once detached', async () => {
    await send('POST', '/api/segments', { name: 'Used one', expression: 'sent_count > 3' });
    const attached = await send('POST', '/api/segments/Used%20one/usage', { kind: 'automation', id: 'nightly', status: 'running' });
    expect(attached.status).toBe(201);
    const refused = await send('DELETE', '/api/segments/Used%20one');
    expect(refused.status).toBe(409);
    expect(refused.json.errors[0]).toMatchObject({ code: 'segment-in-use', hint: expect.stringMatching(/detach/) });
    expect(refused.json.errors[0].summary).toContain('automation "nightly" (running)');
    expect(refused.json.errors[0].span).toBeUndefined();
    const seed = await send('DELETE', `/api/segments/${encodeURIComponent(SAMPLE_USAGE[0].segment)}`);
    expect(seed.status).toBe(409);
    expect(seed.json.errors[0].summary).toMatch(/used by segment "VIP Arabic Speakers Still Active" and campaign "ramadan-vip-offer"/);
    expect((await send('DELETE', '/api/segments/Used%20one/usage/automation/nightly')).json).toEqual({ detached: true });
    expect((await send('DELETE', '/api/segments/Used%20one')).status).toBe(200);
  });

  it('describes a draft in English and in Arabic, and previews its SQL and first 50 profiles', async () => {
    const en = await send('POST', '/api/describe', { expression: 'clicks_count>0' });
    expect(en.json).toEqual({ description: expect.stringMatching(/clicks count is greater than 0/i), canonical: 'clicks_count > 0' });
    const ar = await send('POST', '/api/describe', { expression: 'clicks_count > 0', locale: 'ar' });
    expect(ar.json.description).toMatch(/[\u0600-\u06ff]/);
    const sql = await send('POST', '/api/sql', { expression: 'clicks_count > 0 and tags contains "VIP"' });
    expect(sql.json.sql).toMatch(/^select\n/);
    expect(sql.json.sql).toContain('\nwhere\n');
    // Values leave as bindings, never in the SQL text (the list test may bind a value more than once).
    expect(sql.json.bindings).toEqual(expect.arrayContaining([0, 'f_tags', 'vip']));
    expect(sql.json.sql.toLowerCase()).not.toContain("'vip'");
    const rows = (await send('POST', '/api/preview', { expression: 'sent_count >= 0' })).json.rows;
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatchObject({ id: 'p000001' });
    expect(Object.keys(rows[0])).toEqual(['id', 'name', 'email', 'phone', 'country', 'language', 'tier']);
  });
});

describe('CSV member imports', () => {
  it('refuses a file with bad rows as a whole, with every bad row, its line and why', async () => {
    const csv = 'Profile ID\np000001\np000002\nnobody-here\n\np000001\n';
    const r = await send('POST', '/api/segments/Fair%20guests/members?create=true', csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(422);
    expect(r.json.errors[0].code).toBe('invalid-csv');
    expect(r.json.problems).toEqual([expect.objectContaining({ line: 4, value: 'nobody-here', reason: expect.stringMatching(/no profile/) })]);
    // Nothing was written: the segment was not even created.
    expect((await send('GET', '/api/segments/Fair%20guests')).status).toBe(404);
  });

  it('imports the good rows with skipInvalid and reports the others', async () => {
    const csv = 'email\nnot-an-email\nunknown@example.invalid\n';
    const emails = (await send('POST', '/api/preview', { expression: 'email is known' })).json.rows.slice(0, 2).map((r: Json) => r.email);
    const r = await send('POST', '/api/segments/Fair%20guests/members?create=true&skipInvalid=true&description=Fair', `${csv}${emails.join('\n')}\n${emails[0].toUpperCase()}\n`, { 'content-type': 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ segment: 'Fair guests', created: true, key: 'email', added: 2, duplicates: 1, skipped: 2 });
    expect(r.json.problems.map((p: Json) => p.line)).toEqual([2, 3]);
    expect(r.json.problems[0].reason).toMatch(/not an email/);
    const record = (await send('GET', '/api/segments/Fair%20guests')).json;
    expect(record).toMatchObject({ kind: 'manual', memberCount: 2, reach: 2, description: 'Fair' });
  });

  it('refuses an empty file and an upload to a dynamic segment', async () => {
    const empty = await send('POST', '/api/segments/Fair%20guests/members', '', { 'content-type': 'text/csv' });
    expect(empty.status).toBe(400);
    expect(empty.json.errors[0].code).toBe('empty-file');
    const dynamic = await send('POST', '/api/segments/Clickers/members', 'id\np000001\n', { 'content-type': 'text/csv' });
    expect(dynamic.status).toBe(400);
    expect(dynamic.json.errors[0].code).toBe('wrong-segment-kind');
  });
});

describe('export', () => {
  it('needs the admin role, from the header or the cookie the user menu sets', async () => {
    for (const headers of [{}, { [ROLE_HEADER]: 'marketer' }, { cookie: `${ROLE_COOKIE}=marketer` }] as Record<string, string>[]) {
      const r = await send('GET', '/api/segments/Clickers/export', undefined, headers);
      expect(r.status).toBe(403);
      expect(r.json.errors[0]).toMatchObject({ code: 'forbidden', hint: expect.stringMatching(/admin/) });
    }
  });

  it('sends the catalogue CSV under its file name: the four columns, one row per profile of the segment', async () => {
    for (const headers of [{ [ROLE_HEADER]: 'admin' }, { cookie: `${ROLE_COOKIE}=admin` }] as Record<string, string>[]) {
      const r = await send('GET', '/api/segments/Clickers/export', undefined, headers);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const date = new Date().toISOString().slice(0, 10);
      expect(r.headers.get('content-disposition')).toBe(`attachment; filename="clickers_${date}.csv"; filename*=UTF-8''clickers_${date}.csv`);
      const lines = r.text.split('\r\n');
      expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
      expect(lines[0]).toBe('Custom ID,Profile ID,Phone,Email');
      const reach = (await send('GET', '/api/segments/Clickers')).json.reach;
      expect(lines.filter((l) => l !== '').length - 1).toBe(reach);
      expect(Number(r.headers.get('x-export-rows'))).toBe(reach);
      // The file was streamed from a folder of its own, removed once sent: no profile data stays behind.
      await expect.poll(() => readdirSync(dir).filter((f) => f.startsWith('export-'))).toEqual([]);
    }
  });
});

describe('bad requests', () => {
  it('answers an invalid expression with the core diagnostics: code, summary, hint, span and line:column', async () => {
    for (const path of ['/api/count', '/api/sql', '/api/preview', '/api/describe']) {
      const r = await send('POST', path, { expression: 'tags contains "VIP" and langauge = "ar"' });
      expect(r.status, path).toBe(400);
      expect(r.json.ok).toBe(false);
      expect(r.json.errors[0]).toMatchObject({ code: 'unknown-field', summary: 'unknown field `langauge`', hint: 'did you mean `language`?', span: { start: 24, end: 32 }, start: { line: 1, column: 25 } });
      expect(r.json.errors[0].message).toContain('^^^^^^^^');
    }
    const saved = await send('POST', '/api/segments', { name: 'Broken', expression: 'clicks_count >' });
    expect(saved.status).toBe(400);
    expect(saved.json.errors[0].code).toBe('unexpected-end');
    expect(saved.json.errors[0].start).toEqual({ line: 1, column: 15 });
  });

  it('validates every body: missing, mistyped and unknown members, each with its path', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/segments', { description: 'no name' }, 'body.name'],
      ['POST', '/api/segments', { name: 'X', expression: 42 }, 'body.expression'],
      ['POST', '/api/segments', { name: 'X' }, 'body'],
      ['POST', '/api/segments', { name: 'X', members: ['p1', null] }, 'body.members.1'],
      ['POST', '/api/segments', { name: 'X', expression: 'a = 1', colour: 'red' }, 'body'],
      ['POST', '/api/segments', [], 'body'],
      ['PATCH', '/api/segments/Clickers', {}, 'body'],
      ['POST', '/api/segments/Clickers/rename', { name: '' }, 'body.name'],
      ['POST', '/api/segments/Clickers/usage', { kind: 'newsletter', id: 'x' }, 'body.kind'],
      ['POST', '/api/count', { expr: 'a = 1' }, 'body'],
      ['POST', '/api/describe', { expression: 'a = 1', locale: 'fr' }, 'body.locale'],
    ];
    for (const [method, path, body, where] of cases) {
      const r = await send(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json.errors[0].code).toBe('invalid-request');
      expect(r.json.errors[0].path.startsWith(where), r.json.errors[0].path).toBe(true);
      expect(r.json.errors[0].summary.startsWith(r.json.errors[0].path)).toBe(true);
    }
    const query = await send('GET', '/api/segments?state=deleted');
    expect(query.status).toBe(400);
    expect(query.json.errors[0].path).toBe('query.state');
    const badImport = await send('POST', '/api/segments/X/members?mode=merge', 'id\np1\n', { 'content-type': 'text/csv' });
    expect(badImport.json.errors[0].path).toBe('query.mode');
  });

  it('refuses a body that is not JSON, or not declared as JSON', async () => {
    const broken = await send('POST', '/api/count', '{"expression": ', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect(broken.json.errors[0].code).toBe('invalid-json');
    const plain = await send('POST', '/api/count', '{"expression":"a = 1"}', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.json.errors[0].code).toBe('unsupported-media-type');
  });

  it('limits the size of bodies: 256 KiB of JSON, 10 MiB of CSV', async () => {
    const big = await send('POST', '/api/count', { expression: `"${'x'.repeat(JSON_LIMIT)}" = name` });
    expect(big.status).toBe(413);
    expect(big.json.errors[0].code).toBe('too-large');
    const csv = `id\n${'p000001\n'.repeat(CSV_LIMIT / 8 + 1)}`;
    const bigCsv = await send('POST', '/api/segments/Fair%20guests/members', csv, { 'content-type': 'text/csv' });
    expect(bigCsv.status).toBe(413);
    expect(bigCsv.json.errors[0].code).toBe('too-large');
    // Just under the JSON limit is read (and then refused for what it says, not for its size).
    const long = await send('POST', '/api/count', { expression: `name = "${'x'.repeat(30_000)}"` });
    expect(long.status).toBe(200);
  });

  it('answers unknown routes and unexpected failures with JSON and no stack trace', async () => {
    const unknown = await send('GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors[0].code).toBe('not-found');
    const broken = openDatabase(`sqlite:${join(dir, 'broken.db')}`);
    const catalog = await SegmentCatalog.open(broken);
    const errors: unknown[] = [];
    const brokenApp = createApi({ db: broken, catalog, schema: { fields: {} }, profiles: 0, directory: await layoutDirectory(db), exportDir: dir, log: (e) => errors.push(e) });
    await broken.destroy();
    const response = await brokenApp.request('/api/segments');
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text).errors[0]).toMatchObject({ code: 'internal', summary: 'the server could not complete the request' });
    noStack(text);
    expect(errors).toHaveLength(1);
  });

  it('never sends a stack trace for any of the failures above', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/count', { expression: '((((' }],
      ['DELETE', '/api/segments/VIP%20Arabic%20Speakers', undefined],
      ['GET', '/api/segments/Nope', undefined],
      ['POST', '/api/segments', { name: 'Clickers', expression: 'clicks_count > 0' }],
    ] as const) {
      const r = await send(method, path, body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      noStack(r.text);
    }
    expect(logged).toEqual([]);
  });
});
