/**
 * The catalogue over the SQL layer's profile store (core/sql): a segment's profiles for export,
 * streamed with only the four export columns selected; reach counted in the database; and a profile
 * directory over the stored profiles for CSV imports. The table and columns come from the layout's
 * mapping, so this follows wherever core/sql keeps profiles.
 */
import type { Knex } from 'knex';
import { isManual, segmentKey, segmentSource, type SegmentDefinition } from '../segments';
import { dialectOf, type Dialect } from '../sql/connect';
import { readLayout } from '../sql/layout';
import type { SqlMapping, StoredMembers } from '../sql/mapping';
import { PROFILE_ALIAS } from '../sql/compile';
import { countProfiles, prepareSegment, segmentQuery, type SqlSegment } from '../sql/query';
import { DEFAULT_CONTACT_FIELDS, type ContactFields } from './contacts';
import { SqlDirectory } from './directory';
import { catalogError } from './fail';
import { TABLES } from './migrations';
import { quoteName } from './references';
import type { ReachCounter } from './types';

/** Schema field names of the identifiers (default `id`, `custom_id`, `email`, `phone`). */
export type ContactSchemaFields = Omit<ContactFields, 'id'>;

/**
 * A saved segment compiled for the database that holds both the catalogue and the profiles: its
 * manual segments' members are read where the catalogue stores them (`seg_members`), never bound.
 */
export async function prepare(db: Knex, segment: SegmentDefinition, definitions: readonly SegmentDefinition[], clock: { now?: Date | number; timeZone?: string } = {}): Promise<SqlSegment> {
  return prepareSegment(db, segmentSource(segment), { ...clock, segments: definitions, storedMembers: await storedMembers(db, definitions), origin: `segment ${quoteName(segment.name)}` });
}

/**
 * The stored profiles (their JSON) of these ids, by id; ids with no profile are absent. For the
 * people a membership change names (a handful per page, looked up by primary key).
 */
export async function profilesById(db: Knex, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  const layout = await readLayout(db);
  if (layout === undefined || ids.length === 0) return out;
  const { id, body, bodyTable, table } = layout.mapping.profiles;
  if (body === undefined) return out;
  for (let i = 0; i < ids.length; i += 500) {
    const rows: Record<string, unknown>[] = await db(bodyTable ?? table).whereIn(id, ids.slice(i, i + 500)).select({ id, body });
    for (const r of rows) out.set(String(r.id), JSON.parse(String(r.body)) as Record<string, unknown>);
  }
  return out;
}

/** The catalogue's member table, for the manual segments among `definitions` it stores. */
async function storedMembers(db: Knex, definitions: readonly SegmentDefinition[]): Promise<StoredMembers> {
  const manual = new Set(definitions.filter(isManual).map((d) => segmentKey(d.name)));
  const keys = new Map<string, number>();
  if (manual.size > 0) {
    const rows: { id: unknown; name_key: unknown }[] = await db(TABLES.segments).where({ kind: 'manual', state: 'active' }).select('id', 'name_key');
    for (const r of rows) if (manual.has(String(r.name_key))) keys.set(String(r.name_key), Number(r.id));
  }
  return { table: TABLES.members, segment: 'segment_id', profile: 'profile_id', keys };
}

/** Column of a schema field in the mapping (undefined when the field is not stored). */
function columnOf(mapping: SqlMapping, field: string | undefined): string | undefined {
  return field === undefined ? undefined : mapping.fields[field]?.column;
}

/**
 * The profiles of a segment as `{id, custom_id, phone, email}` rows, streamed from the database
 * (only those four columns are read), for `exportProfiles`.
 */
export async function* sqlSegmentProfiles(
  db: Knex,
  segment: SegmentDefinition,
  definitions: readonly SegmentDefinition[],
  fields: ContactSchemaFields = DEFAULT_CONTACT_FIELDS,
): AsyncGenerator<Record<string, unknown>> {
  const compiled = await prepare(db, segment, definitions);
  const m = compiled.mapping;
  const select: Record<string, string> = { id: `${PROFILE_ALIAS}.${m.profiles.id}` };
  const wanted: [keyof typeof DEFAULT_CONTACT_FIELDS, string | undefined][] = [
    ['customId', fields.customId],
    ['phone', fields.phone],
    ['email', fields.email],
  ];
  for (const [key, field] of wanted) {
    const column = columnOf(m, field);
    if (column !== undefined) select[DEFAULT_CONTACT_FIELDS[key]] = `${PROFILE_ALIAS}.${column}`;
  }
  const query = () => segmentQuery(db, compiled).select(select);
  yield* READ_ROWS[dialectOf(db)](query, select.id);
}

type Rows = (query: () => Knex.QueryBuilder, idColumn: string) => AsyncIterable<Record<string, unknown>>;

/** One query streamed by the driver, with backpressure: constant memory whatever the row count. */
const streamed: Rows = (query) => query().stream() as AsyncIterable<Record<string, unknown>>;

/**
 * SQLite: better-sqlite3's own row iterator on the pool's connection, held until the last row is
 * read or the reader stops. Not knex's `.stream()`, which reads every row first (`all()`) and then
 * writes them to the stream (a 1M-member export peaked at 581 MB), nor keyset pages (each page
 * rebuilt the manual segment's 1M-member list: 2 s a page). While it is held, other queries on the
 * same knex instance wait for it (SQLite has one connection here).
 */
const iterated: Rows = (query) =>
  (async function* () {
    const builder = query();
    const { sql, bindings } = builder.toSQL().toNative();
    const client = builder.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<unknown> };
    const connection = (await client.acquireConnection()) as { prepare(sql: string): { iterate(bindings: readonly unknown[]): Iterable<Record<string, unknown>> } };
    try {
      // The binding conversions knex's better-sqlite3 client makes.
      yield* connection.prepare(sql).iterate(bindings.map((b) => (b instanceof Date ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b)));
    } finally {
      await client.releaseConnection(connection);
    }
  })();

/** Keyset pages in id order (PostgreSQL: pg streams only with pg-query-stream, which is not bundled). */
async function* paged(query: () => Knex.QueryBuilder, idColumn: string): AsyncGenerator<Record<string, unknown>> {
  let after: string | undefined;
  for (;;) {
    const page = query().orderBy(idColumn).limit(PAGE);
    if (after !== undefined) page.where(idColumn, '>', after);
    const rows = (await page) as Record<string, unknown>[];
    yield* rows;
    if (rows.length < PAGE) return;
    after = String(rows[rows.length - 1].id);
  }
}

const PAGE = 10_000;
const READ_ROWS: Record<Dialect, Rows> = { sqlite: iterated, mysql: streamed, postgres: paged };

/** Counts reach in the database (for `SegmentCatalog.refreshReach`). */
export function sqlReachCounter(db: Knex): ReachCounter {
  const counter: ReachCounter = async (segment, definitions) => countProfiles(db, await prepare(db, segment, definitions));
  counter.readsStoredMembers = true;
  return counter;
}

/** A profile directory over the stored profiles (for `importMembers`). */
export async function layoutDirectory(db: Knex, fields: ContactSchemaFields = DEFAULT_CONTACT_FIELDS): Promise<SqlDirectory> {
  const layout = await readLayout(db);
  if (layout === undefined) {
    throw catalogError('no-profiles', 'the database has no profiles to match the file against', 'load profiles into the database first');
  }
  const m = layout.mapping;
  const lower = (field: string | undefined) => (field === undefined ? undefined : m.fields[field]?.lower);
  return new SqlDirectory(
    db,
    m.profiles.table,
    { id: m.profiles.id, customId: columnOf(m, fields.customId), email: columnOf(m, fields.email), phone: columnOf(m, fields.phone) },
    { custom_id: lower(fields.customId), email: lower(fields.email), phone: lower(fields.phone) },
  );
}
