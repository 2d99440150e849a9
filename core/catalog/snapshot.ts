/**
 * The catalogue's structure in memory: every segment row and every reference, read in one go (inside
 * the write transaction when saving). At most a few hundred segments, so this is small.
 *
 * References are stored by id with the span they occupy in the stored text; `expressionOf` prints
 * the text with each reference replaced by the referenced segment's current name.
 */
import type { Knex } from 'knex';
import type { Span } from '../ast';
import type { SegmentDefinition } from '../segments';
import { printReferences } from './references';
import { TABLES } from './migrations';
import type { SegmentKind, SegmentState } from './types';

export interface SegmentRow {
  id: number;
  name: string;
  name_key: string;
  description: string | null;
  kind: SegmentKind;
  expression: string | null;
  state: SegmentState;
  version: number;
  created_at: number;
  updated_at: number;
  reach: number | null;
  reach_at: number | null;
}

interface RefRow {
  refId: number;
  span: Span;
}

export class CatalogSnapshot {
  readonly rows: SegmentRow[];
  readonly byId = new Map<number, SegmentRow>();
  readonly byKey = new Map<string, SegmentRow>();
  private readonly refs = new Map<number, RefRow[]>();
  private readonly users = new Map<number, Set<number>>();

  constructor(rows: SegmentRow[], refs: { segment_id: number; ref_id: number; span_start: number; span_end: number }[]) {
    this.rows = rows;
    for (const row of rows) {
      this.byId.set(row.id, row);
      this.byKey.set(row.name_key, row);
    }
    for (const r of refs) {
      const list = this.refs.get(r.segment_id) ?? [];
      list.push({ refId: r.ref_id, span: { start: r.span_start, end: r.span_end } });
      this.refs.set(r.segment_id, list);
      const users = this.users.get(r.ref_id) ?? new Set();
      users.add(r.segment_id);
      this.users.set(r.ref_id, users);
    }
  }

  active(): SegmentRow[] {
    return this.rows.filter((r) => r.state === 'active');
  }

  /** The stored expression with references printed by the current names. */
  expressionOf(id: number): string {
    const row = this.byId.get(id)!;
    const refs = (this.refs.get(id) ?? []).map((r) => ({ span: r.span, name: this.byId.get(r.refId)!.name }));
    return printReferences(row.expression ?? '', refs);
  }

  /** Ids this segment references directly, once each, in source order. */
  referencesOf(id: number): number[] {
    return [...new Set((this.refs.get(id) ?? []).map((r) => r.refId))];
  }

  /** Ids of the segments that reference this one directly, by name. */
  dependentsOf(id: number): number[] {
    return [...(this.users.get(id) ?? [])].sort((a, b) => this.byId.get(a)!.name_key.localeCompare(this.byId.get(b)!.name_key));
  }

  /** This segment's id and those of every segment it reaches, directly or through others. */
  reachableFrom(id: number): Set<number> {
    const seen = new Set<number>([id]);
    const stack = [id];
    while (stack.length > 0) {
      for (const next of this.referencesOf(stack.pop()!)) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return seen;
  }

  /** Ids of every segment that reaches this one, directly or through others. */
  transitiveDependentsOf(id: number): number[] {
    const seen = new Set<number>();
    const stack = [id];
    while (stack.length > 0) {
      for (const user of this.users.get(stack.pop()!) ?? []) {
        if (!seen.has(user) && user !== id) {
          seen.add(user);
          stack.push(user);
        }
      }
    }
    return [...seen];
  }

  /**
   * The engine's view of the active segments, with `candidate` (a segment being saved) in place of
   * its stored version.
   */
  definitions(membersOf: (id: number) => readonly string[], candidate?: { id: number | null; name: string; expression: string }): SegmentDefinition[] {
    const out: SegmentDefinition[] = [];
    for (const row of this.active()) {
      if (candidate && row.id === candidate.id) continue;
      out.push(row.kind === 'dynamic' ? { name: row.name, expression: this.expressionOf(row.id) } : { name: row.name, members: membersOf(row.id) });
    }
    if (candidate) out.push({ name: candidate.name, expression: candidate.expression });
    return out;
  }
}

export async function loadSnapshot(db: Knex | Knex.Transaction): Promise<CatalogSnapshot> {
  const rows = (await db(TABLES.segments).select('*').orderBy('id')).map(normaliseRow);
  const refs = (await db(TABLES.refs).select('segment_id', 'ref_id', 'span_start', 'span_end').orderBy(['segment_id', 'ordinal'])).map((r) => ({
    segment_id: Number(r.segment_id),
    ref_id: Number(r.ref_id),
    span_start: Number(r.span_start),
    span_end: Number(r.span_end),
  }));
  return new CatalogSnapshot(rows, refs);
}

export function normaliseRow(r: Record<string, unknown>): SegmentRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    name_key: String(r.name_key),
    description: r.description === null ? null : String(r.description),
    kind: r.kind as SegmentKind,
    expression: r.expression === null ? null : String(r.expression),
    state: r.state as SegmentState,
    version: Number(r.version),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    reach: r.reach === null ? null : Number(r.reach),
    reach_at: r.reach_at === null ? null : Number(r.reach_at),
  };
}
