/**
 * Segment membership over time: each evaluation of a saved segment (a refresh) stores who is in it
 * and who entered or left since the previous evaluation, stamped with the segment's version and the
 * evaluation instant. Manual segments record their adds and removes the same way when they change.
 *
 * Everything is computed where the data lives, and the segment is evaluated once per run: its
 * member ids go into a scratch table private to the run (primary key on the profile id, filled by
 * one `INSERT … SELECT` of the compiled segment), then the entered set is that table anti-joined
 * with the stored members and the left set the stored members anti-joined with it, both keyed
 * look-ups written by `INSERT … SELECT`; the stored members then change by those rows only. No set
 * is ever read into memory.
 *
 * Tables (see migrations.ts):
 * - `seg_membership_state`: one row per segment, its run counter `seq` (also the per-segment lock);
 * - `seg_membership`: the members as of the last run;
 * - `seg_runs`: one row per run (seq, version, instant, how many entered, left, members);
 * - `seg_changes`: one row per person per run that entered or left.
 *
 * A run is one transaction that first locks the segment's state row (`SELECT … FOR UPDATE` on
 * MariaDB/PostgreSQL; on SQLite an UPDATE as the first statement, which takes the write lock as
 * `BEGIN IMMEDIATE` does): two refreshes of one segment queue, and the second sees the first's
 * result, so nothing is recorded twice; a failure anywhere rolls the whole run back.
 *
 * Cursors name a position in a segment's change list: the run `seq` and, inside a run, the last
 * profile id delivered (changes are read in `(seq, profile_id)` order), so a reader resumes exactly.
 */
import type { Knex } from 'knex';
import { dialectOf } from '../sql/connect';
import { DIALECTS, type DialectSpec } from '../sql/dialects';
import { serverCollation } from '../sql/layout';
import type { SqlSegment } from '../sql/query';
import { PROFILE_ALIAS } from '../sql/compile';
import { catalogError } from './fail';
import { TABLES } from './migrations';

export type ChangeKind = 'entered' | 'left';

export interface MembershipChange {
  segmentId: number;
  profileId: string;
  change: ChangeKind;
  /** The evaluation instant of the run that recorded it. */
  at: Date;
  /** The segment's version that run evaluated. */
  version: number;
  /** The run's number (per segment, from 1). */
  run: number;
  /** The cursor just after this change. */
  cursor: string;
}

export interface RunSummary {
  segmentId: number;
  run: number;
  version: number;
  at: Date;
  entered: number;
  left: number;
  members: number;
}

export interface Cursor {
  segmentId: number;
  seq: number;
  /** The last profile id delivered within run `seq`; null when the whole run was delivered. */
  profileId: string | null;
}

export interface RunFaults {
  /** Called inside the run's transaction after the changes are written and before members are updated (tests: a crash there). */
  afterChanges?: () => void | Promise<void>;
}

type Db = Knex | Knex.Transaction;

// ── cursors ───────────────────────────────────────────────────────────────────────────────────

const CURSOR = /^seg(\d+)\.(\d+)(?:\.([A-Za-z0-9_-]*))?$/;

export function formatCursor(c: Cursor): string {
  return `seg${c.segmentId}.${c.seq}${c.profileId === null ? '' : `.${Buffer.from(c.profileId, 'utf8').toString('base64url')}`}`;
}

export function isCursorText(text: string): boolean {
  return CURSOR.test(text.trim());
}

/** A cursor from its text, or an `invalid-cursor` error. */
export function parseCursor(text: string): Cursor {
  const m = CURSOR.exec(text.trim());
  if (!m) throw catalogError('invalid-cursor', `${JSON.stringify(text)} is not a change cursor`, 'use a cursor printed by `segments changes` (like seg12.40), or an instant like 2026-11-24T12:00:00Z');
  return { segmentId: Number(m[1]), seq: Number(m[2]), profileId: m[3] === undefined ? null : Buffer.from(m[3], 'base64url').toString('utf8') };
}

// ── state and locking ─────────────────────────────────────────────────────────────────────────

interface StateRow {
  seq: number;
  prunedSeq: number;
  members: number;
}

/** Creates the segment's state row if missing (outside the run: an insert that may race is ignored). */
export async function ensureState(db: Db, segmentId: number): Promise<void> {
  await db(TABLES.membershipState).insert({ segment_id: segmentId, seq: 0, pruned_seq: 0, members: 0 }).onConflict('segment_id').ignore();
}

/** Locks the segment's state row for the transaction and reads it. */
export async function lockState(trx: Knex.Transaction, segmentId: number): Promise<StateRow> {
  let row: Record<string, unknown> | undefined;
  if (dialectOf(trx) === 'sqlite') {
    // The first statement writes: SQLite takes the database's write lock now (BEGIN IMMEDIATE).
    await trx(TABLES.membershipState).where({ segment_id: segmentId }).update({ seq: trx.raw('??', ['seq']) });
    row = await trx(TABLES.membershipState).where({ segment_id: segmentId }).first();
  } else {
    row = await trx(TABLES.membershipState).where({ segment_id: segmentId }).forUpdate().first();
  }
  if (row === undefined) throw new Error(`membership state of segment ${segmentId} is missing`);
  return { seq: Number(row.seq), prunedSeq: Number(row.pruned_seq), members: Number(row.members) };
}

export async function readState(db: Db, segmentId: number): Promise<StateRow | undefined> {
  const row = await db(TABLES.membershipState).where({ segment_id: segmentId }).first();
  return row === undefined ? undefined : { seq: Number(row.seq), prunedSeq: Number(row.pruned_seq), members: Number(row.members) };
}

// ── one run ───────────────────────────────────────────────────────────────────────────────────

/** Where the new member set comes from: a compiled segment over the profiles, or a manual segment's member rows. */
export type MemberSource = { kind: 'query'; segment: SqlSegment } | { kind: 'manual'; segmentId: number; profiles?: { table: string; id: string } };

interface RunInput {
  segmentId: number;
  version: number;
  now: number;
  source: MemberSource;
  /** Changes and runs older than this instant are deleted (never the run being recorded). */
  pruneBefore?: number;
  faults?: RunFaults;
}

/**
 * Records one run inside `trx`, which must hold the segment's lock (`lockState`). Returns what it
 * recorded.
 */
export async function recordRun(trx: Knex.Transaction, state: StateRow, input: RunInput): Promise<RunSummary> {
  const { segmentId, version, now } = input;
  const seq = state.seq + 1;
  const into = `INSERT INTO ?? (??, ??, ??, ??, ??, ??)`;
  const intoBindings = [TABLES.changes, 'segment_id', 'seq', 'profile_id', 'change', 'at', 'version'];
  // The stamp is inlined (whole numbers and a fixed word we made): PostgreSQL would type a bound
  // parameter in a SELECT list as text, which an INSERT into a BIGINT column refuses.
  const stamp = (change: ChangeKind, idColumn: string) => `${int(segmentId)}, ${int(seq)}, ${idColumn}, '${change}', ${int(now)}, ${int(version)}`;
  // The new member set, evaluated once into the run's scratch table (keyed by profile id); entered
  // and left are then two keyed anti-joins between it and the stored members.
  const spec = DIALECTS[dialectOf(trx)];
  await trx.raw(spec.scratch.drop, [SCRATCH]);
  await trx.raw(spec.scratch.create(await serverCollation(trx as unknown as Knex)), [SCRATCH]);
  const fill = memberSelect(input.source);
  await trx.raw(`INSERT INTO ?? (??) ${fill.sql}`, [SCRATCH, 'profile_id', ...fill.bindings]);
  if (spec.scratch.analyze !== null) await trx.raw(spec.scratch.analyze, [SCRATCH]);
  // Entered: in the segment now, not among the stored members.
  await trx.raw(`${into} SELECT ${stamp('entered', 'n.profile_id')} FROM ?? AS n WHERE NOT EXISTS (SELECT 1 FROM ?? AS m WHERE m.segment_id = ${int(segmentId)} AND m.profile_id = n.profile_id)`, [
    ...intoBindings, SCRATCH, TABLES.membership,
  ]);
  const enteredRows: { n: unknown }[] = await trx(TABLES.changes).where({ segment_id: segmentId, seq, change: 'entered' }).count({ n: '*' });
  const entered = Number(enteredRows[0]?.n ?? 0);
  // Left: among the stored members, not in the segment now (changed, deleted, or the clock moved).
  // Skipped when the counts already say no one left (the stored members all stayed).
  const fresh: { n: unknown }[] = await trx(SCRATCH).count({ n: '*' });
  if (state.members > Number(fresh[0]?.n ?? 0) - entered) {
    await trx.raw(`${into} SELECT ${stamp('left', 'm.profile_id')} FROM ?? AS m WHERE m.segment_id = ${int(segmentId)} AND NOT EXISTS (SELECT 1 FROM ?? AS n WHERE n.profile_id = m.profile_id)`, [
      ...intoBindings, TABLES.membership, SCRATCH,
    ]);
  }
  await trx.raw(spec.scratch.drop, [SCRATCH]);
  const leftRows: { n: unknown }[] = await trx(TABLES.changes).where({ segment_id: segmentId, seq, change: 'left' }).count({ n: '*' });
  const left = Number(leftRows[0]?.n ?? 0);
  await input.faults?.afterChanges?.();
  // The stored members follow the recorded changes, so replaying the changes always gives them;
  // both statements are driven by this run's changes (the dialect's joined DELETE), not by the members.
  if (left > 0) await trx.raw(deleteLeft(spec.deleteJoined), [TABLES.membership, TABLES.changes, segmentId, seq, 'left']);
  if (entered > 0) {
    await trx.raw('INSERT INTO ?? (??, ??) SELECT ??, ?? FROM ?? WHERE ?? = ? AND ?? = ? AND ?? = ?', [
      TABLES.membership, 'segment_id', 'profile_id', 'segment_id', 'profile_id', TABLES.changes, 'segment_id', segmentId, 'seq', seq, 'change', 'entered',
    ]);
  }
  const members = state.members + entered - left;
  await trx(TABLES.runs).insert({ segment_id: segmentId, seq, version, at: now, entered, left_count: left, members });
  const patch: Record<string, unknown> = { seq, members, version, at: now };
  if (input.pruneBefore !== undefined) {
    const old = await trx(TABLES.runs).where({ segment_id: segmentId }).andWhere('at', '<', input.pruneBefore).andWhere('seq', '<', seq).max({ s: 'seq' }).first();
    const through = old?.s === null || old?.s === undefined ? 0 : Number(old.s);
    if (through > state.prunedSeq) {
      await trx(TABLES.changes).where({ segment_id: segmentId }).andWhere('seq', '<=', through).delete();
      await trx(TABLES.runs).where({ segment_id: segmentId }).andWhere('seq', '<=', through).delete();
      patch.pruned_seq = through;
    }
  }
  await trx(TABLES.membershipState).where({ segment_id: segmentId }).update(patch);
  return { segmentId, run: seq, version, at: new Date(now), entered, left, members };
}

/** The run's scratch table (private to the connection: concurrent runs each have their own). */
const SCRATCH = 'seg_run_members';

/** The SELECT of the new member set's profile ids (one column, each id once). */
function memberSelect(source: MemberSource): { sql: string; bindings: Knex.RawBinding[] } {
  if (source.kind === 'query') {
    const s = source.segment;
    return { sql: `SELECT ?? FROM ?? AS ?? WHERE (${s.where.sql})`, bindings: [`${PROFILE_ALIAS}.${s.mapping.profiles.id}`, s.mapping.profiles.table, PROFILE_ALIAS, ...(s.where.bindings as Knex.RawBinding[])] };
  }
  // A manual segment's members are the listed ids that have a profile (as the engines evaluate it):
  // a deleted profile leaves it at the next run. Without stored profiles, the list itself.
  const listed = `SELECT x.profile_id FROM ?? AS x WHERE x.segment_id = ${int(source.segmentId)}`;
  const p = source.profiles;
  if (p === undefined) return { sql: listed, bindings: [TABLES.members] };
  return { sql: `${listed} AND EXISTS (SELECT 1 FROM ?? AS pp WHERE ?? = x.profile_id)`, bindings: [TABLES.members, p.table, `pp.${p.id}`] };
}

/** Deletes from the members (first table) the rows of one run's changes (second) of a kind: bindings segment id, seq, kind. */
function deleteLeft(form: DialectSpec['deleteJoined']): string {
  const match = 'c.segment_id = ? AND c.seq = ? AND c.change = ?'; // a reserved word after a dot needs no quotes
  switch (form) {
    case 'join':
      return `DELETE m FROM ?? AS m JOIN ?? AS c ON c.segment_id = m.segment_id AND c.profile_id = m.profile_id WHERE ${match}`;
    case 'using':
      return `DELETE FROM ?? AS m USING ?? AS c WHERE c.segment_id = m.segment_id AND c.profile_id = m.profile_id AND ${match}`;
    case 'row-in':
      return `DELETE FROM ?? WHERE (segment_id, profile_id) IN (SELECT c.segment_id, c.profile_id FROM ?? AS c WHERE ${match})`;
    default: {
      const never: never = form;
      throw new Error(`unknown DELETE form ${String(never)}`);
    }
  }
}

/** A whole number as SQL text (refuses anything else, so nothing but digits is ever inlined). */
function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a whole number: ${n}`);
  return String(n);
}

/** Runs `work` on the segment's locked state, in one transaction (retried on a lock timeout or deadlock). */
export async function withSegmentLock<T>(db: Knex, segmentId: number, work: (trx: Knex.Transaction, state: StateRow) => Promise<T>): Promise<T> {
  await ensureState(db, segmentId);
  for (let attempt = 1; ; attempt++) {
    try {
      const isolationLevel = DIALECTS[dialectOf(db)].runIsolation ?? undefined;
      return await db.transaction(async (trx) => work(trx, await lockState(trx, segmentId)), isolationLevel === undefined ? undefined : { isolationLevel });
    } catch (e) {
      if (attempt < 5 && isTransient(e)) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
        continue;
      }
      throw e;
    }
  }
}

function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === '40001' || code === '40P01';
}

// ── reading ───────────────────────────────────────────────────────────────────────────────────

export interface ChangesQuery {
  /** Resume after this cursor (of this segment). */
  after?: Cursor;
  /** Changes recorded at or after this instant (epoch ms). */
  since?: number;
  /** Only entries or only exits. */
  change?: ChangeKind;
  /** At most this many changes (default 1000). */
  limit?: number;
  /** Only the changes of profile ids up to this one (inclusive). */
  upTo?: string;
}

export interface ChangesPage {
  changes: MembershipChange[];
  /** Where to resume: after the last change returned, or the head of the list when nothing is left. */
  cursor: string;
  /** Whether more changes are waiting after this page. */
  more: boolean;
}

/** One page of a segment's recorded changes, oldest first. */
export async function readChanges(db: Db, segmentId: number, query: ChangesQuery): Promise<ChangesPage> {
  const limit = query.limit ?? 1000;
  const state = (await readState(db, segmentId)) ?? { seq: 0, prunedSeq: 0, members: 0 };
  const after = query.after;
  if (after !== undefined) {
    if (after.segmentId !== segmentId) throw catalogError('invalid-cursor', `the cursor is for another segment (id ${after.segmentId})`, 'use a cursor printed for this segment');
    if (after.seq > state.seq) throw catalogError('invalid-cursor', 'the cursor is ahead of the recorded changes', 'use a cursor printed for this segment by this catalogue');
    if (after.seq < state.prunedSeq || (after.seq === state.prunedSeq && after.profileId !== null && state.prunedSeq > 0)) {
      throw catalogError('cursor-expired', 'the changes after this cursor are older than the kept history and were deleted', 'start again from the current members, or keep the history longer');
    }
  }
  const q = db(TABLES.changes).where({ segment_id: segmentId }).andWhere('seq', '<=', state.seq);
  if (after !== undefined) {
    if (after.profileId === null) q.andWhere('seq', '>', after.seq);
    else q.andWhere((w) => w.where('seq', '>', after.seq).orWhere((x) => x.where('seq', after.seq).andWhere('profile_id', '>', after.profileId!)));
  }
  if (query.since !== undefined) q.andWhere('at', '>=', query.since);
  if (query.change !== undefined) q.andWhere({ change: query.change });
  if (query.upTo !== undefined) q.andWhere('profile_id', '<=', query.upTo);
  const rows: Record<string, unknown>[] = await q.orderBy([{ column: 'seq' }, { column: 'profile_id' }]).limit(limit + 1).select('profile_id', 'seq', 'change', 'at', 'version');
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const changes = page.map((r) => {
    const c = { segmentId, seq: Number(r.seq), profileId: String(r.profile_id) };
    return { segmentId, profileId: c.profileId, change: r.change as ChangeKind, at: new Date(Number(r.at)), version: Number(r.version), run: c.seq, cursor: formatCursor(c) };
  });
  const cursor = more ? changes[changes.length - 1]!.cursor : formatCursor({ segmentId, seq: state.seq, profileId: null });
  return { changes, cursor, more };
}

/** The head cursor of a segment's changes (where a reader that wants only what comes next starts). */
export async function headCursor(db: Db, segmentId: number): Promise<string> {
  return formatCursor({ segmentId, seq: (await readState(db, segmentId))?.seq ?? 0, profileId: null });
}

/** A page of the members as of the last run, in id order, after `afterId`. */
export async function readMembers(db: Db, segmentId: number, options: { afterId?: string; limit?: number } = {}): Promise<string[]> {
  const q = db(TABLES.membership).where({ segment_id: segmentId });
  if (options.afterId !== undefined) q.andWhere('profile_id', '>', options.afterId);
  const rows: { profile_id: unknown }[] = await q.orderBy('profile_id').limit(options.limit ?? 1000).select('profile_id');
  return rows.map((r) => String(r.profile_id));
}

export async function readRuns(db: Db, segmentId: number, limit = 20): Promise<RunSummary[]> {
  const rows: Record<string, unknown>[] = await db(TABLES.runs).where({ segment_id: segmentId }).orderBy('seq', 'desc').limit(limit);
  return rows.map((r) => ({ segmentId, run: Number(r.seq), version: Number(r.version), at: new Date(Number(r.at)), entered: Number(r.entered), left: Number(r.left_count), members: Number(r.members) }));
}

/** Deletes a segment's whole history (the segment is being deleted). */
export async function deleteHistory(trx: Db, segmentId: number): Promise<void> {
  for (const table of [TABLES.changes, TABLES.runs, TABLES.membership, TABLES.membershipState]) await trx(table).where({ segment_id: segmentId }).delete();
}
