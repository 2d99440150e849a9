/**
 * The workspace's HTTP API (Hono): the segment catalogue of one database, plus what the builder
 * needs while a segment is being written (count, describe, SQL preview, first profiles). It is also
 * the README's example of embedding `<segment-builder>` with a server-side `countProvider`.
 *
 * Every body is validated (zod) before anything runs; every failure is the core's diagnostics as
 * JSON (errors.ts); bodies are capped (JSON 256 KiB, CSV uploads 10 MiB); the export needs the admin
 * role, read from the `x-segments-role` header or the `segments-role` cookie (the page's user menu
 * sets the cookie).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { Knex } from 'knex';
import {
  check,
  describe as describeExpr,
  format as formatExpression,
  idsQuery,
  prepareSegment,
  countProfiles,
  streamProfiles,
  sqlReachCounter,
  sqlSegmentProfiles,
  SegmentErrors,
  type ProfileDirectory,
  type Schema,
  type SegmentCatalog,
  type SegmentDefinition,
  type SqlSegment,
} from 'n8n-nodes-segments/server';
import { ar } from 'n8n-nodes-segments/locales/ar';
import { reachCount, type ReachIndex } from 'n8n-nodes-segments/reach';
import { format as formatSql } from 'sql-formatter';
import { z } from 'zod';
import { httpError, toFailure } from './errors';

export const JSON_LIMIT = 256 * 1024;
export const CSV_LIMIT = 10 * 1024 * 1024;
export const PREVIEW_ROWS = 50;
export const ROLE_COOKIE = 'segments-role';
export const ROLE_HEADER = 'x-segments-role';

export interface WorkspaceApi {
  db: Knex;
  catalog: SegmentCatalog;
  schema: Schema;
  /** Looks up the people a CSV upload names (the stored profiles). */
  directory: ProfileDirectory;
  /** Where exports are written before they are sent (a fresh folder per export, removed after). */
  exportDir: string;
  /** How many profiles the workspace holds (shown in the page's header). */
  profiles: number;
  /**
   * The same profiles in the reach index: live counts of drafts come from it (milliseconds at 100k
   * profiles); without it, or for what it cannot count, the database counts.
   */
  reach?: ReachIndex;
  /** Where unexpected errors go (default: console.error). */
  log?: (error: unknown) => void;
}

// ── request bodies ────────────────────────────────────────────────────────────────────────────

const name = z.string().min(1).max(1000);
const description = z.string().max(10_000);
const expression = z.string().max(100_000);
const memberId = z.union([z.string().min(1).max(1000), z.number().int()]);

const CreateBody = z
  .strictObject({ name, description: description.optional(), expression: expression.optional(), members: z.array(memberId).max(100_000).optional() })
  .refine((b) => (b.expression === undefined) !== (b.members === undefined), { message: 'give either expression (a dynamic segment) or members (a manual segment)' });
const UpdateBody = z
  .strictObject({ description: description.optional(), expression: expression.optional(), members: z.array(memberId).max(100_000).optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of description, expression, members' });
const RenameBody = z.strictObject({ name });
const DuplicateBody = z.strictObject({ name: name.optional() });
const UsageBody = z.strictObject({
  kind: z.enum(['campaign', 'automation']),
  id: z.string().min(1).max(200),
  status: z.enum(['draft', 'scheduled', 'running', 'paused', 'complete']).default('running'),
});
const DraftBody = z.strictObject({ expression, locale: z.enum(['en', 'ar']).optional() });
const ImportQuery = z.strictObject({
  mode: z.enum(['add', 'replace']).default('add'),
  skipInvalid: z.enum(['true', 'false']).default('false'),
  create: z.enum(['true', 'false']).default('false'),
  description: description.optional(),
  by: z.enum(['profile_id', 'custom_id', 'email', 'phone']).optional(),
  column: z.string().max(200).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
});
const ListQuery = z.strictObject({ state: z.enum(['active', 'archived', 'all']).default('active'), locale: z.enum(['en', 'ar']).optional() });

/** The path of a zod issue as `members.3`, or `body` for the whole body. */
function issuePath(where: string, path: readonly PropertyKey[]): string {
  return [where, ...path.map(String)].join('.');
}

function invalid(where: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = issuePath(where, issue.path);
  const e = httpError(400, 'invalid-request', `${path}: ${issue.message}`, 'send the fields this route takes (see the API section of the README)', path);
  for (const more of error.issues.slice(1)) {
    const p = issuePath(where, more.path);
    e.errors.push({ code: 'invalid-request', summary: `${p}: ${more.message}`, path: p, message: `error[invalid-request]: ${p}: ${more.message}` });
  }
  throw e;
}

/** The JSON body, parsed and checked against `schema`. */
async function jsonBody<T extends z.ZodTypeAny>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw httpError(415, 'unsupported-media-type', `the body must be JSON, not ${type ? `"${type}"` : 'missing'}`, 'send Content-Type: application/json');
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw httpError(400, 'invalid-json', `the body is not valid JSON: ${(e as Error).message}`, 'send one JSON object');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) invalid('body', parsed.error);
  return parsed.data;
}

function query<T extends z.ZodTypeAny>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) invalid('query', parsed.error);
  return parsed.data;
}

/** A segment is named by its name (any case) or its numeric id. */
function ref(c: Context): string {
  return decodeURIComponent(c.req.param('ref') ?? '');
}

/** The acting user's role: the header (API clients), else the cookie (the page's user menu), else a marketer. */
export function roleOf(c: Context): string {
  return c.req.header(ROLE_HEADER) ?? getCookie(c, ROLE_COOKIE) ?? 'marketer';
}

// ── the app ───────────────────────────────────────────────────────────────────────────────────

export function createApi(ws: WorkspaceApi): Hono {
  const { db, catalog } = ws;
  const log = ws.log ?? ((e: unknown) => console.error(e));
  const app = new Hono();
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) => c.json(toFailure(httpError(413, 'too-large', `the body is larger than ${limit / 1024} KiB`, 'send a smaller body'), log).body, 413),
    });
  const jsonLimit = tooLarge(JSON_LIMIT);

  app.onError((e, c) => {
    const { status, body } = toFailure(e, log);
    return c.json(body, status as 400);
  });
  app.notFound((c) => c.json(toFailure(httpError(404, 'not-found', `no route ${c.req.method} ${c.req.path}`), log).body, 404));

  /** Compiles a draft against the catalogue's current segments (in_segment resolves to them). */
  const compile = async (text: string, segments?: SegmentDefinition[]): Promise<SqlSegment> =>
    prepareSegment(db, text, { segments: segments ?? (await catalog.definitions()), origin: 'expression' });
  /** The draft's count from the reach index, or undefined when the index cannot answer it (the database will). */
  const indexCount = (index: ReachIndex, text: string, segments: SegmentDefinition[]): number | undefined => {
    try {
      return reachCount(index, text, { segments, origin: 'expression' });
    } catch (e) {
      if (e instanceof SegmentErrors) return undefined;
      throw e;
    }
  };

  /** Counts a saved segment (and the ones that use it: their reach changes with it). */
  const refresh = async (names: string[]) => {
    if (names.length > 0) await catalog.refreshReach(sqlReachCounter(db), names, { onError: (n, e) => log(e) });
  };

  app.get('/api/workspace', (c) => c.json({ schema: ws.schema, profiles: ws.profiles }));

  // For the builder's saved-segment picker: names and expressions (manual segments without their member lists).
  app.get('/api/definitions', async (c) => c.json((await catalog.definitions()).map((d) => ('members' in d ? { name: d.name, members: [] } : d))));

  /** A segment's conditions in plain words, in the page's language (the core's describe). */
  const sentence = (expression: string, locale: 'en' | 'ar' | undefined): string | null => {
    const result = check(expression, { schema: ws.schema, origin: 'expression' });
    return result.expr === undefined ? null : describeExpr(result.expr, { schema: ws.schema, locale: locale === 'ar' ? ar : undefined });
  };

  app.get('/api/segments', async (c) => {
    const { state, locale } = query(c, ListQuery);
    const list = await catalog.list({ state });
    if (locale === undefined) return c.json(list);
    // With `locale`: each dynamic segment's conditions in words (`sentence`), described in that language.
    const expressions = new Map((await catalog.definitions({ members: 'stored' })).flatMap((d) => ('expression' in d ? [[d.name, d.expression] as const] : [])));
    const described = await Promise.all(
      list.map(async (s) => {
        if (s.kind !== 'dynamic') return { ...s, sentence: null };
        const expression = expressions.get(s.name) ?? (await catalog.get(s.id)).expression;
        return { ...s, sentence: expression ? sentence(expression, locale) : null };
      }),
    );
    return c.json(described);
  });

  app.post('/api/segments', jsonLimit, async (c) => {
    const { name: segmentName, description: text, expression: source, members } = await jsonBody(c, CreateBody);
    const created = await catalog.create(members !== undefined ? { name: segmentName, description: text, members } : { name: segmentName, description: text, expression: source ?? '' });
    await refresh([created.name]);
    return c.json(await catalog.get(created.id), 201);
  });

  app.get('/api/segments/:ref', async (c) => c.json(await catalog.get(ref(c))));

  app.patch('/api/segments/:ref', jsonLimit, async (c) => {
    const body = await jsonBody(c, UpdateBody);
    const updated = await catalog.update(ref(c), body);
    await refresh([updated.name, ...updated.usedBySegments]);
    return c.json(await catalog.get(updated.id));
  });

  app.post('/api/segments/:ref/rename', jsonLimit, async (c) => c.json(await catalog.rename(ref(c), (await jsonBody(c, RenameBody)).name)));

  app.post('/api/segments/:ref/duplicate', jsonLimit, async (c) => {
    const body = await jsonBody(c, DuplicateBody);
    const source = await catalog.get(ref(c));
    const copyName = body.name ?? (await freeCopyName(catalog, source.name));
    const created =
      source.kind === 'manual'
        ? await catalog.create({ name: copyName, description: source.description, members: await catalog.members(source.id) })
        : await catalog.create({ name: copyName, description: source.description, expression: source.expression ?? '' });
    await refresh([created.name]);
    return c.json(await catalog.get(created.id), 201);
  });

  app.post('/api/segments/:ref/archive', async (c) => c.json(await catalog.archive(ref(c))));
  app.post('/api/segments/:ref/restore', async (c) => {
    const restored = await catalog.restore(ref(c));
    await refresh([restored.name]);
    return c.json(await catalog.get(restored.id));
  });

  app.delete('/api/segments/:ref', async (c) => {
    await catalog.delete(ref(c));
    return c.json({ ok: true });
  });

  app.post('/api/segments/:ref/usage', jsonLimit, async (c) => c.json(await catalog.attach(ref(c), await jsonBody(c, UsageBody)), 201));
  app.delete('/api/segments/:ref/usage/:kind/:id', async (c) => {
    const kind = c.req.param('kind');
    if (kind !== 'campaign' && kind !== 'automation') throw httpError(400, 'invalid-request', `kind must be campaign or automation, not "${kind}"`, undefined, 'kind');
    return c.json({ detached: await catalog.detach(ref(c), { kind, id: decodeURIComponent(c.req.param('id')) }) });
  });

  app.get('/api/segments/:ref/members', async (c) => c.json(await catalog.members(ref(c))));

  // A CSV upload (the raw file as the body): the per-row report, or every bad row when nothing was imported.
  app.post('/api/segments/:ref/members', tooLarge(CSV_LIMIT), async (c) => {
    const q = query(c, ImportQuery);
    const csv = new Uint8Array(await c.req.arrayBuffer());
    if (csv.length === 0) throw httpError(400, 'empty-file', 'the uploaded file is empty', 'upload a CSV with a header and one row per person');
    const report = await catalog.importMembers(ref(c), csv, {
      directory: ws.directory,
      key: q.by,
      column: q.column,
      defaultCountry: q.country?.toUpperCase(),
      skipInvalid: q.skipInvalid === 'true',
      mode: q.mode,
      create: q.create === 'true' ? { description: q.description } : false,
    });
    await refresh([report.segment]);
    return c.json(report, report.created ? 201 : 200);
  });

  // The catalogue's CSV, byte for byte, under the catalogue's file name.
  app.get('/api/segments/:ref/export', async (c) => {
    const dir = await mkdtemp(join(ws.exportDir, 'export-'));
    const cleanUp = () => rm(dir, { recursive: true, force: true }).catch(log);
    let streaming = false;
    try {
      const result = await catalog.export(ref(c), { role: roleOf(c), directory: dir, profiles: (def, all) => sqlSegmentProfiles(db, def, all) });
      // Streamed from the finished file (never held whole); the folder goes when the stream closes,
      // sent or cut short by the client.
      const file = createReadStream(result.path);
      file.once('close', () => void cleanUp());
      streaming = true;
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', contentDisposition(result.fileName));
      c.header('content-length', String((await stat(result.path)).size));
      c.header('x-export-rows', String(result.rows));
      c.header('x-export-skipped', String(result.skipped));
      return c.body(Readable.toWeb(file) as ReadableStream);
    } finally {
      if (!streaming) await cleanUp();
    }
  });

  // ── drafts: what the builder asks while a segment is being written ──

  app.post('/api/count', jsonLimit, async (c) => {
    const { expression } = await jsonBody(c, DraftBody);
    const started = performance.now();
    const segments = await catalog.definitions(); // read once for both the check and the index
    const segment = await compile(expression, segments); // the database's checks and diagnostics, as for a save
    const fromIndex = ws.reach !== undefined ? indexCount(ws.reach, expression, segments) : undefined;
    const count = fromIndex ?? (await countProfiles(db, segment));
    return c.json({ count, ms: Math.round(performance.now() - started), source: fromIndex === undefined ? 'database' : 'reach-index' });
  });

  app.post('/api/describe', jsonLimit, async (c) => {
    const { expression, locale } = await jsonBody(c, DraftBody);
    const result = check(expression, { schema: ws.schema, segments: await catalog.definitions(), origin: 'expression' });
    if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
    return c.json({ description: describeExpr(result.expr, { schema: ws.schema, locale: locale === 'ar' ? ar : undefined }), canonical: formatExpression(expression) });
  });

  app.post('/api/sql', jsonLimit, async (c) => {
    const { expression } = await jsonBody(c, DraftBody);
    const native = idsQuery(db, await compile(expression)).toSQL().toNative();
    return c.json({ sql: formatSql(native.sql, { language: 'sqlite', paramTypes: { positional: true } }), bindings: native.bindings });
  });

  app.post('/api/preview', jsonLimit, async (c) => {
    const { expression } = await jsonBody(c, DraftBody);
    const rows: Record<string, unknown>[] = [];
    for await (const p of streamProfiles(db, await compile(expression), PREVIEW_ROWS)) {
      rows.push(previewRow(p));
      if (rows.length === PREVIEW_ROWS) break;
    }
    return c.json({ rows });
  });

  return app;
}

/** What the first-profiles table shows of a profile. */
function previewRow(p: Record<string, unknown>): Record<string, unknown> {
  const a = (p.attributes ?? {}) as Record<string, unknown>;
  return { id: p.id, name: p.name ?? null, email: p.email ?? null, phone: p.phone ?? null, country: p.country ?? null, language: p.language ?? null, tier: a.tier ?? null };
}

/** `Name (copy)`, `Name (copy 2)`… the first free one. */
async function freeCopyName(catalog: SegmentCatalog, base: string): Promise<string> {
  const taken = new Set((await catalog.list({ state: 'all' })).map((s) => s.name.toLowerCase()));
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${base} (copy)` : `${base} (copy ${n})`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** RFC 6266: an ASCII fallback and the exact UTF-8 name (slugs keep Arabic letters). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
