/**
 * The SQL driver: text → checked tree (the same `check` as in memory) → condition (`compile.ts`) →
 * knex queries for a count, the ids, the full rows, or a stream of rows.
 *
 * `now` is read once into a clock and every window is bound from it, so a query agrees with the
 * in-memory engine to the millisecond (SQL's own NOW() is never used).
 */
import type { Knex } from 'knex';
import type { Expr } from '../ast';
import { check, type CheckResult } from '../engine';
import { SegmentError, SegmentErrors } from '../errors';
import type { Schema } from '../schema';
import type { SegmentDefinition } from '../segments';
import { createClock, type Clock, type ClockOptions } from '../time';
import { compileWhere, DRIVER_ALIAS, PROFILE_ALIAS, type Driven } from './compile';
import { dialectOf, type Dialect } from './connect';
import { readLayout } from './layout';
import { checkMapping, checkStoredMembers, layoutMapping, type SqlMapping, type StoredMembers } from './mapping';
import { OWNER_COLUMN, type Frag } from './predicates';

export interface SqlSegmentOptions extends ClockOptions {
  /** The field schema (default: the one saved by `createLayout` in the database). */
  schema?: Schema;
  /** The mapping to tables and columns (default: the saved one, or our layout's for `schema`). */
  mapping?: SqlMapping;
  segments?: readonly SegmentDefinition[];
  /** Value sets (lists, manual segments' members) up to this size get one placeholder per value (default: the dialect's). */
  inlineValues?: number;
  /** Manual segments whose members are stored in a table of the same database (read there, never bound). */
  storedMembers?: StoredMembers;
  /** What the source is, for error messages. */
  origin?: string;
}

/** A segment compiled for one dialect. */
export interface SqlSegment {
  readonly expr: Expr;
  readonly clock: Clock;
  readonly dialect: Dialect;
  readonly mapping: SqlMapping;
  /** The condition over the profiles table (alias `p`). */
  readonly where: Frag;
  /** The same condition driven by the owners of an event aggregate (`compile.ts`), when it has one. */
  readonly driven?: Driven;
}

/**
 * Parses, validates and compiles a segment for a dialect. Throws `SegmentErrors` listing every
 * problem. `input` is the text, or what `check` returned for it with the same schema and segments.
 */
export function compileSegmentSql(input: string | CheckResult, options: SqlSegmentOptions & { schema: Schema; dialect: Dialect }): SqlSegment {
  const mapping = checkMapping(options.mapping ?? layoutMapping(options.schema));
  const result = typeof input === 'string' ? check(input, { schema: options.schema, segments: options.segments, origin: options.origin }) : input;
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  const clock = createClock(options);
  const storedMembers = options.storedMembers === undefined ? undefined : checkStoredMembers(options.storedMembers);
  const compiled = withSource(result.source, options.origin, () =>
    compileWhere(result.expr!, { schema: options.schema, mapping, segments: result.segments, clock, dialect: options.dialect, inlineValues: options.inlineValues, storedMembers }),
  );
  return { expr: result.expr, clock, dialect: options.dialect, mapping, ...compiled };
}

/** Like `compileSegmentSql`, reading the schema and mapping saved in the database when not given. */
export async function prepareSegment(db: Knex, input: string | CheckResult, options: SqlSegmentOptions = {}): Promise<SqlSegment> {
  const saved = options.schema !== undefined && options.mapping !== undefined ? undefined : await readLayout(db);
  const schema = options.schema ?? saved?.schema;
  if (schema === undefined) {
    throw new SegmentError({ code: 'no-layout', span: { start: 0, end: 0 }, summary: 'the database has no segment layout and no schema was given', hint: 'load profiles into the database first, or give the schema' });
  }
  return compileSegmentSql(input, { ...options, schema, mapping: options.mapping ?? saved?.mapping, dialect: dialectOf(db) });
}

/**
 * The profiles of a segment as a knex query (not run): `select` what you need from it (the
 * profiles table is `p`). A driven segment reads them from its driver's owners joined to `p`.
 */
export function segmentQuery(db: Knex, segment: SqlSegment): Knex.QueryBuilder {
  const { driven, mapping } = segment;
  // Parenthesised: callers add their own conditions (`AND pid > ?` for keyset pages).
  if (driven === undefined) return db({ [PROFILE_ALIAS]: mapping.profiles.table }).whereRaw(`(${segment.where.sql})`, segment.where.bindings as Knex.RawBinding[]);
  return fromOwners(db, driven)
    .join({ [PROFILE_ALIAS]: mapping.profiles.table }, `${PROFILE_ALIAS}.${mapping.profiles.id}`, `${DRIVER_ALIAS}.${OWNER_COLUMN}`)
    .whereRaw(`(${driven.rest.sql})`, driven.rest.bindings as Knex.RawBinding[]);
}

/** The count query: of a driven segment whose rest reads no profile column, from its owners alone when each is a stored profile. */
export function countQuery(db: Knex, segment: SqlSegment): Knex.QueryBuilder {
  const { driven, mapping } = segment;
  if (driven === undefined || driven.readsProfiles || mapping.profiles.ownersStored !== true) return segmentQuery(db, segment).count({ n: '*' });
  return fromOwners(db, driven).whereRaw(`(${driven.rest.sql})`, driven.rest.bindings as Knex.RawBinding[]).count({ n: '*' });
}

function fromOwners(db: Knex, driven: Driven): Knex.QueryBuilder {
  return db.from(db.raw(`(${driven.owners.sql}) AS ??`, [...driven.owners.bindings, DRIVER_ALIAS] as Knex.RawBinding[]));
}

/** The ids query (ordered by id). */
export function idsQuery(db: Knex, segment: SqlSegment): Knex.QueryBuilder {
  const id = `${PROFILE_ALIAS}.${segment.mapping.profiles.id}`;
  return segmentQuery(db, segment).select({ id }).orderBy(id);
}

/** The full rows query (the stored profile JSON, or every column), ordered by id. */
export function rowsQuery(db: Knex, segment: SqlSegment): Knex.QueryBuilder {
  const { id, body } = segment.mapping.profiles;
  const q = segmentQuery(db, segment).orderBy(`${PROFILE_ALIAS}.${id}`);
  return body ? withBody(q, segment.mapping, {}) : q.select(`${PROFILE_ALIAS}.*`);
}

const BODY_ALIAS = 'pb';

/** Selects the profile's JSON `body` (joined from its own table when the mapping keeps it apart), plus `extra`. */
function withBody(q: Knex.QueryBuilder, mapping: SqlMapping, extra: Record<string, string>): Knex.QueryBuilder {
  const { id, body, bodyTable } = mapping.profiles;
  if (bodyTable === undefined) return q.select({ ...extra, body: `${PROFILE_ALIAS}.${body}` });
  return q.join({ [BODY_ALIAS]: bodyTable }, `${BODY_ALIAS}.${id}`, `${PROFILE_ALIAS}.${id}`).select({ ...extra, body: `${BODY_ALIAS}.${body}` });
}

/** How many profiles are in the segment. */
export async function countProfiles(db: Knex, segment: SqlSegment): Promise<number> {
  const rows = (await countQuery(db, segment)) as { n: number | string | bigint }[];
  return Number(rows[0].n);
}

/**
 * The ids of the profiles in the segment, ordered. With `among`, only those of these ids, ordered
 * within each batch: they are looked up by the primary key in batches, so a list of people is
 * checked against a segment without reading its whole membership.
 */
export async function profileIds(db: Knex, segment: SqlSegment, among?: Iterable<string>): Promise<string[]> {
  if (among === undefined) return ((await idsQuery(db, segment)) as { id: string }[]).map((r) => String(r.id));
  const wanted = [...new Set(among)];
  const out: string[] = [];
  for (let i = 0; i < wanted.length; i += AMONG_BATCH) {
    const rows = (await idsQuery(db, segment).whereIn(`${PROFILE_ALIAS}.${segment.mapping.profiles.id}`, wanted.slice(i, i + AMONG_BATCH))) as { id: string }[];
    for (const r of rows) out.push(String(r.id));
  }
  return out;
}

/** Ids bound per look-up (well under every driver's limit of bound values). */
const AMONG_BATCH = 1000;

/**
 * Streams the profiles of the segment (parsed from the stored JSON, or the row's columns), in id
 * order, one keyset page at a time: the same on every driver, and only one page held in memory.
 */
export async function* streamProfiles(db: Knex, segment: SqlSegment, pageSize = 5000): AsyncGenerator<Record<string, unknown>> {
  const { id, body } = segment.mapping.profiles;
  const idColumn = `${PROFILE_ALIAS}.${id}`;
  let after: string | undefined;
  for (;;) {
    const q = segmentQuery(db, segment);
    const page = (body ? withBody(q, segment.mapping, { id: idColumn }) : q.select(`${PROFILE_ALIAS}.*`)).orderBy(idColumn).limit(pageSize);
    if (after !== undefined) page.where(idColumn, '>', after);
    const rows = (await page) as Record<string, unknown>[];
    for (const row of rows) yield body ? (JSON.parse(String(row.body)) as Record<string, unknown>) : row;
    if (rows.length < pageSize) return;
    after = String(rows[rows.length - 1][body ? 'id' : id]);
  }
}

/** The SQL text and bindings of a query, for people to read (never to run). */
export function toSql(query: Knex.QueryBuilder): { sql: string; bindings: readonly unknown[] } {
  const native = query.toSQL();
  return { sql: native.sql, bindings: native.bindings };
}

function withSource<T>(source: string, origin: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SegmentError && e.source === undefined) {
      throw new SegmentErrors([new SegmentError({ code: e.code, span: e.span, summary: e.summary, hint: e.hint, source, origin })]);
    }
    throw e;
  }
}
