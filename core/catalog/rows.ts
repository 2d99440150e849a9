/**
 * Rows of the catalogue's tables: inserting segments, references and members, and mapping rows to
 * the public shapes.
 */
import type { Knex } from 'knex';
import { segmentKey } from '../segments';
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
