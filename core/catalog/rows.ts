/**
 * Rows of the catalogue's tables: inserting segments, references and members, and mapping rows to
 * the public shapes.
 */
import type { Knex } from 'knex';
import { segmentKey } from '../segments';
import { dialectOf, type Dialect } from '../sql/connect';
import { TABLES } from './migrations';
import type { SegmentRow } from './snapshot';
import type { OrchestrationKind, SegmentKind, SegmentSummary, Usage } from './types';

export type Db = Knex | Knex.Transaction;
const CHUNK = 400;

export interface StoredRef {
  refId: number;
  span: { start: number; end: number };
}

/** Inserts a segment row; returns its id (read back by the unique key: MySQL has no `returning`). */
export async function insertSegment(trx: Db, s: { name: string; description: string; kind: SegmentKind; expression: string | null; now: number; version?: number }): Promise<number> {
  const name_key = segmentKey(s.name);
  await trx(TABLES.segments).insert({ name: s.name, name_key, description: s.description, kind: s.kind, expression: s.expression, state: 'active', version: s.version ?? 1, created_at: s.now, updated_at: s.now });
  return Number((await trx(TABLES.segments).where({ name_key }).first('id')).id);
}

export async function insertRefs(trx: Db, segmentId: number, refs: readonly StoredRef[]): Promise<void> {
  const rows = refs.map((r, ordinal) => ({ segment_id: segmentId, ordinal, ref_id: r.refId, span_start: r.span.start, span_end: r.span.end }));
  for (let i = 0; i < rows.length; i += CHUNK) await trx(TABLES.refs).insert(rows.slice(i, i + CHUNK));
}

/** Adds members (already unique and not yet members). */
export async function insertMembers(trx: Db, segmentId: number, members: readonly string[]): Promise<void> {
  for (let i = 0; i < members.length; i += CHUNK) {
    await trx(TABLES.members).insert(members.slice(i, i + CHUNK).map((profile_id) => ({ segment_id: segmentId, profile_id })));
  }
}

/** A manual segment's member ids in id order, read in keyset pages: constant memory whatever its size. */
export async function* memberPages(db: Db, segmentId: number, page = 10_000): AsyncGenerator<string> {
  let after: string | undefined;
  for (;;) {
    const query = db(TABLES.members).where({ segment_id: segmentId }).orderBy('profile_id').limit(page).select('profile_id');
    if (after !== undefined) query.where('profile_id', '>', after);
    const rows: { profile_id: unknown }[] = await query;
    for (const r of rows) yield String(r.profile_id);
    if (rows.length < page) return;
    after = String(rows[rows.length - 1].profile_id);
  }
}

/** The staging table of a member import: the members table's columns and key, private to the transaction. */
const STAGING = 'seg_import_members';
const CREATE_STAGING: Record<Dialect, (trx: Knex.Transaction) => Promise<unknown>> = {
  sqlite: async (trx) => {
    await trx.raw('DROP TABLE IF EXISTS temp.??', [STAGING]);
    await trx.raw('CREATE TEMP TABLE ?? (segment_id INTEGER NOT NULL, profile_id TEXT NOT NULL, PRIMARY KEY (segment_id, profile_id))', [STAGING]);
  },
  // Temporary tables outlive a rollback on MySQL: dropped first, and again when done.
  mysql: async (trx) => {
    await trx.raw('DROP TEMPORARY TABLE IF EXISTS ??', [STAGING]);
    await trx.raw('CREATE TEMPORARY TABLE ?? LIKE ??', [STAGING, TABLES.members]);
  },
  postgres: (trx) => trx.raw('CREATE TEMP TABLE ?? (LIKE ?? INCLUDING ALL) ON COMMIT DROP', [STAGING, TABLES.members]),
};
const DROP_STAGING: Record<Dialect, string> = { sqlite: 'DROP TABLE IF EXISTS temp.??', mysql: 'DROP TEMPORARY TABLE IF EXISTS ??', postgres: 'DROP TABLE IF EXISTS ??' };

/**
 * Adds members streamed in batches (repeats and existing members allowed) inside `trx`: `work`
 * receives an `add` for each batch; the distinct ids are collected in a staging table keyed like the
 * members, then the new ones are inserted in one statement. Holds no id in memory.
 */
export async function addMembersStaged(
  trx: Knex.Transaction,
  segmentId: number,
  work: (add: (profileIds: readonly string[]) => Promise<void>) => Promise<void>,
): Promise<{ distinct: number; added: number }> {
  const dialect = dialectOf(trx as unknown as Knex);
  await CREATE_STAGING[dialect](trx);
  try {
    await work(async (ids) => {
      for (let i = 0; i < ids.length; i += CHUNK) {
        await trx(STAGING)
          .insert(ids.slice(i, i + CHUNK).map((profile_id) => ({ segment_id: segmentId, profile_id })))
          .onConflict(['segment_id', 'profile_id'])
          .ignore();
      }
    });
    const count = async (table: string) => Number((await trx(table).where({ segment_id: segmentId }).count({ n: '*' }))[0].n);
    const distinct = await count(STAGING);
    const before = await count(TABLES.members);
    await trx.raw('INSERT INTO ?? (segment_id, profile_id) SELECT s.segment_id, s.profile_id FROM ?? s WHERE NOT EXISTS (SELECT 1 FROM ?? m WHERE m.segment_id = s.segment_id AND m.profile_id = s.profile_id)', [
      TABLES.members,
      STAGING,
      TABLES.members,
    ]);
    return { distinct, added: (await count(TABLES.members)) - before };
  } finally {
    // On PostgreSQL a failed statement aborts the transaction: the table goes with it (ON COMMIT DROP).
    if (dialect !== 'postgres') await trx.raw(DROP_STAGING[dialect], [STAGING]);
  }
}

export function toUsage(row: Record<string, unknown>): Usage {
  return {
    id: String(row.orchestration_id),
    kind: row.kind as OrchestrationKind,
    status: row.status as Usage['status'],
    attachedAt: new Date(Number(row.attached_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export function summarise(row: SegmentRow, usage: readonly Usage[]): SegmentSummary {
  return {
    id: Number(row.id),
    name: row.name,
    description: row.description ?? '',
    kind: row.kind,
    state: row.state,
    version: Number(row.version),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    reach: row.reach === null || row.reach === undefined ? null : Number(row.reach),
    reachComputedAt: row.reach_at === null || row.reach_at === undefined ? null : new Date(Number(row.reach_at)),
    campaigns: usage.filter((u) => u.kind === 'campaign').length,
    automations: usage.filter((u) => u.kind === 'automation').length,
  };
}
