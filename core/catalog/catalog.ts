/**
 * `SegmentCatalog`: saved segments (dynamic and manual) on a knex database, with the rules of the
 * Segments page: unique case-insensitive names, at most 500 active segments, references kept by id
 * (validated by the engine: no cycle, at most 10 segments reached), usage protection on delete.
 *
 * Every change runs in `writeTransaction` (one catalogue-wide write lock), so concurrent processes
 * cannot both pass a check that only one of them may pass.
 */
import type { Knex } from 'knex';
import { didYouMean, SegmentError, SegmentErrors } from '../errors';
import type { Schema } from '../schema';
import { isManual, segmentKey, type SegmentDefinition } from '../segments';
import { readLayout } from '../sql/layout';
import { CsvImportError, readMemberCsv, type CsvSource, type MemberList } from './csv-import';
import { assertCanExport, exportProfiles, type ExportResult } from './export';
import { catalogError, listing, q } from './fail';
import { analyse } from './language';
import { writeTransaction } from './lock';
import { migrate, TABLES } from './migrations';
import { addMembersStaged, insertMembers, insertRefs, insertSegment, memberPages, summarise, toUsage, type Db, type StoredRef } from './rows';
import { checkExpressionLength, checkMembers, checkName, checkOrchestration, checkText, checkUnique, explainArchived, kindError } from './rules';
import { CatalogSnapshot, loadSnapshot, normaliseRow, type SegmentRow } from './snapshot';
import { deleteHistory, ensureState, headCursor, isCursorText, lockState, parseCursor, readChanges, readMembers, readRuns, recordRun, withSegmentLock, type ChangesPage, type RunSummary } from './membership';
import { prepare as prepareStored } from './sql-source';
import { parseIsoDate } from '../time';
import {
  MAX_ACTIVE_SEGMENTS,
  DEFAULT_HISTORY_RETENTION,
  type CatalogExportOptions,
  type ChangesOptions,
  type RefreshOptions,
  type RefreshResult,
  type CatalogOptions,
  type CreateSegmentInput,
  type ImportMembersOptions,
  type ImportReport,
  type MemberLoading,
  type Orchestration,
  type OrchestrationKind,
  type ReachCounter,
  type SegmentRecord,
  type SegmentRef,
  type SegmentState,
  type SegmentSummary,
  type UpdateSegmentInput,
  type Usage,
} from './types';


/** Segment ids per `IN (…)` list. */
const CHUNK_IDS = 200;

export class SegmentCatalog {
  readonly db: Knex;
  private readonly options: CatalogOptions;

  constructor(db: Knex, options: CatalogOptions = {}) {
    this.db = db;
    this.options = options;
  }

  /** A catalogue on `db`, its tables created if missing. */
  static async open(db: Knex, options: CatalogOptions = {}): Promise<SegmentCatalog> {
    await migrate(db);
    return new SegmentCatalog(db, options);
  }

  private get maxActive(): number {
    return this.options.maxActiveSegments ?? MAX_ACTIVE_SEGMENTS;
  }

  private now(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────────

  async get(ref: SegmentRef): Promise<SegmentRecord> {
    const snapshot = await loadSnapshot(this.db);
    const row = this.find(snapshot, ref);
    const usage = await this.usageOf(this.db, row.id);
    const memberCount =
      row.kind === 'manual' ? Number((await this.db(TABLES.members).where({ segment_id: row.id }).count({ n: '*' }))[0].n) : 0;
    return {
      ...summarise(row, usage),
      expression: row.kind === 'dynamic' ? snapshot.expressionOf(row.id) : null,
      memberCount,
      references: snapshot.referencesOf(row.id).map((id) => snapshot.byId.get(id)!.name),
      usedBySegments: snapshot.dependentsOf(row.id).map((id) => snapshot.byId.get(id)!.name),
      usage,
    };
  }

  /** The Segments page: name, estimated reach (and when), campaigns and automations attached. */
  async list(options: { state?: SegmentState | 'all' } = {}): Promise<SegmentSummary[]> {
    const state = options.state ?? 'active';
    const rows: SegmentRow[] = (
      await this.db(TABLES.segments)
        .modify((b) => (state === 'all' ? b : b.where({ state })))
        .orderBy('name_key')
    ).map(normaliseRow);
    const counts: { segment_id: unknown; kind: string; n: unknown }[] = await this.db(TABLES.usage)
      .select('segment_id', 'kind')
      .count({ n: '*' })
      .groupBy('segment_id', 'kind');
    const byId = new Map<number, { campaigns: number; automations: number }>();
    for (const c of counts) {
      const entry = byId.get(Number(c.segment_id)) ?? { campaigns: 0, automations: 0 };
      if (c.kind === 'campaign') entry.campaigns = Number(c.n);
      else entry.automations = Number(c.n);
      byId.set(Number(c.segment_id), entry);
    }
    return rows.map((row) => ({ ...summarise(row, []), ...(byId.get(row.id) ?? { campaigns: 0, automations: 0 }) }));
  }

  /**
   * What the engine needs: every active segment by its current name (dynamic: the expression with
   * references printed by current names; manual: the member ids). Read fresh on every call, so an
   * edit takes effect at the next evaluation. `reachableFrom` limits it to one segment and those it
   * reaches (so evaluating one segment never loads the member lists of unrelated manual segments).
   */
  async definitions(options: { reachableFrom?: SegmentRef; members?: MemberLoading } = {}): Promise<SegmentDefinition[]> {
    const snapshot = await loadSnapshot(this.db);
    const only = options.reachableFrom === undefined ? undefined : snapshot.reachableFrom(this.find(snapshot, options.reachableFrom).id);
    if (options.members === 'stored') {
      const all = snapshot.definitions(() => []).map((d) => (isManual(d) ? { ...d, stored: true } : d));
      return only === undefined ? all : all.filter((d) => only.has(snapshot.byKey.get(segmentKey(d.name))!.id));
    }
    const manual = snapshot.active().filter((r) => r.kind === 'manual' && (only === undefined || only.has(r.id)));
    const members = new Map<number, string[]>(manual.map((r) => [r.id, []]));
    for (let i = 0; i < manual.length; i += CHUNK_IDS) {
      const ids = manual.slice(i, i + CHUNK_IDS).map((r) => r.id);
      const rows = await this.db(TABLES.members).whereIn('segment_id', ids).select('segment_id', 'profile_id');
      for (const r of rows) members.get(Number(r.segment_id))!.push(String(r.profile_id));
    }
    const all = snapshot.definitions((id) => members.get(id) ?? []);
    return only === undefined ? all : all.filter((d) => only.has(snapshot.byKey.get(segmentKey(d.name))!.id));
  }

  /** The member ids of a manual segment, in id order. */
  async members(ref: SegmentRef): Promise<string[]> {
    const ids: string[] = [];
    for await (const id of this.memberIds(ref)) ids.push(id);
    return ids;
  }

  /** The member ids of a manual segment, in id order, read in pages: constant memory whatever its size. */
  async *memberIds(ref: SegmentRef): AsyncGenerator<string> {
    const row = this.find(await loadSnapshot(this.db), ref);
    if (row.kind !== 'manual') throw catalogError('wrong-segment-kind', `${q(row.name)} is a dynamic segment: it has no member list`, 'its members are the profiles that match its expression');
    yield* memberPages(this.db, row.id);
  }

  async usage(ref: SegmentRef): Promise<Usage[]> {
    const row = this.find(await loadSnapshot(this.db), ref);
    return this.usageOf(this.db, row.id);
  }

  // ── writing ───────────────────────────────────────────────────────────────────────────────────

  async create(input: CreateSegmentInput): Promise<SegmentRecord> {
    return this.get(await writeTransaction(this.db, (trx) => this.createIn(trx, input)));
  }

  async update(ref: SegmentRef, changes: UpdateSegmentInput): Promise<SegmentRecord> {
    if (changes.description === undefined && changes.expression === undefined && changes.members === undefined) {
      throw catalogError('invalid-option', 'nothing to change', 'give a new expression, member list or description');
    }
    return this.get(await writeTransaction(this.db, (trx) => this.updateIn(trx, ref, changes)));
  }

  /** `create` inside a write transaction; returns the new id. */
  private async createIn(trx: Knex.Transaction, input: CreateSegmentInput): Promise<number> {
    const name = checkName(input.name);
    const description = checkText(input.description ?? '', 'the description');
    const snapshot = await loadSnapshot(trx);
    this.checkLimit(snapshot, 1);
    checkUnique(snapshot, name);
    const isDynamic = 'expression' in input;
    const refs = isDynamic ? await this.validate(trx, snapshot, { id: null, name, expression: input.expression }) : [];
    const id = await insertSegment(trx, { name, description, kind: isDynamic ? 'dynamic' : 'manual', expression: isDynamic ? input.expression : null, now: this.now() });
    await insertRefs(trx, id, refs);
    if (!isDynamic) {
      await insertMembers(trx, id, checkMembers(input.members));
      await this.recordManual(trx, id, 1);
    }
    return id;
  }

  /** `update` inside a write transaction; returns the segment's id. */
  private async updateIn(trx: Knex.Transaction, ref: SegmentRef, changes: UpdateSegmentInput): Promise<number> {
    const snapshot = await loadSnapshot(trx);
    const row = this.find(snapshot, ref);
    const patch: Record<string, unknown> = {};
    if (changes.description !== undefined) patch.description = checkText(changes.description, 'the description');
    if (changes.expression !== undefined) {
      if (row.kind !== 'dynamic') throw kindError(row, 'expression');
      const refs = await this.validate(trx, snapshot, { id: row.id, name: row.name, expression: changes.expression });
      await trx(TABLES.refs).where({ segment_id: row.id }).delete();
      await insertRefs(trx, row.id, refs);
      Object.assign(patch, { expression: changes.expression, reach: null, reach_at: null });
    }
    if (changes.members !== undefined) {
      if (row.kind !== 'manual') throw kindError(row, 'members');
      const members = checkMembers(changes.members);
      await trx(TABLES.members).where({ segment_id: row.id }).delete();
      await insertMembers(trx, row.id, members);
      Object.assign(patch, { reach: null, reach_at: null });
    }
    await this.touch(trx, row, patch);
    if (changes.members !== undefined) await this.recordManual(trx, row.id, row.version + 1);
    return row.id;
  }

  async rename(ref: SegmentRef, newName: string): Promise<SegmentRecord> {
    const name = checkName(newName);
    const id = await writeTransaction(this.db, async (trx) => {
      const snapshot = await loadSnapshot(trx);
      const row = this.find(snapshot, ref);
      checkUnique(snapshot, name, row.id);
      // References are kept by id: the segments that use this one need no change.
      await this.touch(trx, row, { name, name_key: segmentKey(name) });
      return row.id;
    });
    return this.get(id);
  }

  /** Deletes a segment nobody uses (no running campaign or automation, no other segment). */
  async delete(ref: SegmentRef): Promise<void> {
    await writeTransaction(this.db, async (trx) => {
      const snapshot = await loadSnapshot(trx);
      const row = this.find(snapshot, ref);
      await this.checkUnused(trx, snapshot, row, 'deleted');
      await trx(TABLES.refs).where({ segment_id: row.id }).delete();
      await trx(TABLES.members).where({ segment_id: row.id }).delete();
      await trx(TABLES.usage).where({ segment_id: row.id }).delete();
      await deleteHistory(trx, row.id);
      await trx(TABLES.segments).where({ id: row.id }).delete();
    });
  }

  /** Takes a segment out of the active set (it no longer counts toward the limit or resolves). */
  async archive(ref: SegmentRef): Promise<SegmentRecord> {
    const id = await writeTransaction(this.db, async (trx) => {
      const snapshot = await loadSnapshot(trx);
      const row = this.find(snapshot, ref);
      if (row.state === 'archived') return row.id;
      await this.checkUnused(trx, snapshot, row, 'archived');
      await this.touch(trx, row, { state: 'archived' });
      return row.id;
    });
    return this.get(id);
  }

  async restore(ref: SegmentRef): Promise<SegmentRecord> {
    const id = await writeTransaction(this.db, async (trx) => {
      const snapshot = await loadSnapshot(trx);
      const row = this.find(snapshot, ref);
      if (row.state === 'active') return row.id;
      this.checkLimit(snapshot, 1);
      if (row.kind === 'dynamic') {
        // What it references may have been archived meanwhile: validate it as it would now resolve.
        await this.validate(trx, snapshot, { id: row.id, name: row.name, expression: snapshot.expressionOf(row.id) });
      }
      await this.touch(trx, row, { state: 'active' });
      return row.id;
    });
    return this.get(id);
  }

  /** Records that a campaign or automation uses a segment (again: updates its status). */
  async attach(ref: SegmentRef, orchestration: Orchestration): Promise<Usage> {
    const { id: orchestrationId, kind, status } = checkOrchestration(orchestration);
    return writeTransaction(this.db, async (trx) => {
      const row = this.find(await loadSnapshot(trx), ref);
      if (row.state !== 'active') throw catalogError('invalid-option', `${q(row.name)} is archived: it cannot be attached`, 'restore it first');
      const key = { segment_id: row.id, kind, orchestration_id: orchestrationId };
      const now = this.now();
      const updated = await trx(TABLES.usage).where(key).update({ status, updated_at: now });
      if (updated === 0) await trx(TABLES.usage).insert({ ...key, status, attached_at: now, updated_at: now });
      return toUsage(await trx(TABLES.usage).where(key).first());
    });
  }

  /** Removes a usage record; false if it was not attached. */
  async detach(ref: SegmentRef, orchestration: { id: string; kind: OrchestrationKind }): Promise<boolean> {
    const { id: orchestrationId, kind } = checkOrchestration({ ...orchestration, status: 'draft' });
    return writeTransaction(this.db, async (trx) => {
      const row = this.find(await loadSnapshot(trx), ref);
      return (await trx(TABLES.usage).where({ segment_id: row.id, kind, orchestration_id: orchestrationId }).delete()) > 0;
    });
  }

  /**
   * Adds the people listed in a CSV upload to a manual segment (creating it when asked). Every row
   * must match an existing profile, or nothing changes, unless `skipInvalid` is set: then the good
   * rows are imported and the bad ones reported. The file is streamed inside one write transaction
   * (matched ids go to a staging table as they are read, so memory stays flat whatever its size);
   * a bad row, even the last one, rolls everything back, the segment's creation included.
   */
  async importMembers(ref: SegmentRef, source: CsvSource, options: ImportMembersOptions): Promise<ImportReport> {
    const existing = (await loadSnapshot(this.db)).byKey.get(segmentKey(String(ref).trim()));
    if (existing?.kind === 'dynamic') throw kindError(existing, 'members');
    if (!existing && !options.create) this.find(await loadSnapshot(this.db), ref);
    return writeTransaction(this.db, async (trx) => {
      const snapshot = await loadSnapshot(trx);
      let row = typeof ref === 'string' ? snapshot.byKey.get(segmentKey(ref.trim())) : undefined;
      let created = false;
      if (!row && options.create && typeof ref === 'string') {
        const name = checkName(ref);
        this.checkLimit(snapshot, 1);
        checkUnique(snapshot, name);
        const now = this.now();
        const description = checkText(typeof options.create === 'object' ? (options.create.description ?? '') : '', 'the description');
        const id = await insertSegment(trx, { name, description, kind: 'manual', expression: null, now, version: 0 });
        row = normaliseRow(await trx(TABLES.segments).where({ id }).first());
        created = true;
      }
      row ??= this.find(snapshot, ref);
      if (row.kind !== 'manual') throw kindError(row, 'members');
      const segmentId = row.id;
      if (options.mode === 'replace') await trx(TABLES.members).where({ segment_id: segmentId }).delete();
      // The look-ups run in this transaction too (SQLite has one connection, and it is held here).
      const directory = options.directory.within?.(trx) ?? options.directory;
      let list: MemberList | undefined;
      const { distinct, added } = await addMembersStaged(trx, segmentId, async (add) => {
        list = await readMemberCsv(source, { ...options, directory, onMatched: add });
        if (list.problems.length > 0 && !options.skipInvalid) throw new CsvImportError(list.problems, list.rows);
      });
      await this.touch(trx, row, { reach: null, reach_at: null });
      await this.recordManual(trx, segmentId, row.version + 1);
      return {
        segment: row.name,
        created,
        key: list!.key,
        column: list!.column,
        rows: list!.rows,
        matched: distinct,
        added,
        alreadyMembers: distinct - added,
        duplicates: list!.matchedRows - distinct,
        skipped: list!.problems.length,
        problems: list!.problems,
      };
    });
  }

  /**
   * Adds profile ids to a manual segment (those already in it are left alone); records who entered.
   * The ids are taken as given: match identifiers to profiles first (a `ProfileDirectory`).
   */
  async addMembers(ref: SegmentRef, profileIds: readonly (string | number)[]): Promise<{ segment: string; added: string[]; alreadyMembers: string[] }> {
    const ids = checkMembers(profileIds);
    return writeTransaction(this.db, async (trx) => {
      const row = this.find(await loadSnapshot(trx), ref);
      if (row.kind !== 'manual') throw kindError(row, 'members');
      const present = await this.presentMembers(trx, row.id, ids);
      const added = ids.filter((id) => !present.has(id));
      await insertMembers(trx, row.id, added);
      if (added.length > 0) {
        await this.touch(trx, row, { reach: null, reach_at: null });
        await this.recordManual(trx, row.id, row.version + 1);
      }
      return { segment: row.name, added, alreadyMembers: ids.filter((id) => present.has(id)) };
    });
  }

  /** Removes profile ids from a manual segment; records who left. */
  async removeMembers(ref: SegmentRef, profileIds: readonly (string | number)[]): Promise<{ segment: string; removed: string[]; notMembers: string[] }> {
    const ids = checkMembers(profileIds);
    return writeTransaction(this.db, async (trx) => {
      const row = this.find(await loadSnapshot(trx), ref);
      if (row.kind !== 'manual') throw kindError(row, 'members');
      const present = await this.presentMembers(trx, row.id, ids);
      const removed = ids.filter((id) => present.has(id));
      for (let i = 0; i < removed.length; i += CHUNK_IDS) await trx(TABLES.members).where({ segment_id: row.id }).whereIn('profile_id', removed.slice(i, i + CHUNK_IDS)).delete();
      if (removed.length > 0) {
        await this.touch(trx, row, { reach: null, reach_at: null });
        await this.recordManual(trx, row.id, row.version + 1);
      }
      return { segment: row.name, removed, notMembers: ids.filter((id) => !present.has(id)) };
    });
  }

  private async presentMembers(trx: Db, segmentId: number, ids: readonly string[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK_IDS) {
      const rows = await trx(TABLES.members).where({ segment_id: segmentId }).whereIn('profile_id', ids.slice(i, i + CHUNK_IDS)).select('profile_id');
      for (const r of rows) present.add(String(r.profile_id));
    }
    return present;
  }

  /**
   * Exports a segment's profiles to CSV (admins only; checked before anything is read). `profiles`
   * gets the segment's current definition and every active one, and returns its profiles as a stream.
   */
  async export(ref: SegmentRef, options: CatalogExportOptions): Promise<ExportResult> {
    assertCanExport(options.role, String(ref));
    const definitions = await this.definitions({ reachableFrom: ref, members: options.members });
    const row = this.find(await loadSnapshot(this.db), ref);
    const definition = definitions.find((d) => segmentKey(d.name) === row.name_key);
    if (!definition) throw catalogError('invalid-option', `${q(row.name)} is archived: it cannot be exported`, 'restore it first');
    const { members: _, ...rest } = options;
    return exportProfiles(row.name, { ...rest, profiles: await options.profiles(definition, definitions) });
  }

  /**
   * Saves a list of definitions (the `--segments` file format): creates the new names, updates the
   * existing ones, in an order where every reference is saved before its user, all in ONE write
   * transaction: if any segment cannot be saved (a bad name, the 500 limit, a kind that does not
   * match, a reference that does not resolve), nothing is. The list is checked as a whole first
   * (unknown references, cycles, the 10-segment limit).
   */
  async saveAll(list: readonly SegmentDefinition[], options: { description?: string } = {}): Promise<{ created: string[]; updated: string[] }> {
    // The existing segments are only analysed (names, references): their members stay in the database.
    const existing = await this.definitions({ members: 'stored' });
    const incoming = new Map(list.map((d) => [segmentKey(d.name), d]));
    if (incoming.size < list.length) {
      const twice = list.find((d, i) => list.findIndex((e) => segmentKey(e.name) === segmentKey(d.name)) !== i)!;
      throw catalogError('duplicate-segment-name', `the list names ${q(twice.name)} twice`, 'names are unique regardless of case');
    }
    const merged = [...existing.filter((d) => !incoming.has(segmentKey(d.name))), ...list];
    const schema = await this.schema(this.db);
    const analyses = new Map(list.map((d) => [d, isManual(d) ? undefined : analyse(d.expression, { definitions: merged, schema, origin: `segment ${q(d.name)}` })]));
    const errors = [...analyses.values()].flatMap((a) => a?.errors ?? []);
    if (errors.length > 0) throw new SegmentErrors(errors);
    // What each listed segment references within the list: those are saved before it.
    const within = new Map(list.map((d) => [d, (analyses.get(d)?.references ?? []).map((r) => segmentKey(r.name)).filter((k) => incoming.has(k))]));
    const ordered: SegmentDefinition[] = [];
    const placed = new Set<string>();
    let pending = [...list];
    while (pending.length > 0) {
      const ready = pending.filter((d) => within.get(d)!.every((k) => placed.has(k)));
      // The check above refused cycles, so every pass places at least one segment.
      if (ready.length === 0) throw catalogError('segment-cycle', 'the listed segments reference each other in a cycle');
      for (const d of ready) {
        ordered.push(d);
        placed.add(segmentKey(d.name));
      }
      pending = pending.filter((d) => !ready.includes(d));
    }
    return writeTransaction(this.db, async (trx) => {
      const result = { created: [] as string[], updated: [] as string[] };
      for (const d of ordered) {
        const isNew = !(await loadSnapshot(trx)).byKey.has(segmentKey(d.name));
        if (isNew) await this.createIn(trx, isManual(d) ? { name: d.name, description: options.description, members: d.members } : { name: d.name, description: options.description, expression: d.expression });
        else await this.updateIn(trx, d.name, isManual(d) ? { members: d.members } : { expression: d.expression });
        (isNew ? result.created : result.updated).push(d.name);
      }
      return result;
    });
  }

  /**
   * Recomputes the estimated reach of active segments (all, or those named) with the caller's
   * counter. A segment that cannot be counted (a `SegmentError`) does not stop the others: each
   * failure goes to `onError`, or, without one, all of them are thrown together at the end, after
   * the others' reach is saved.
   */
  async refreshReach(counter: ReachCounter, refs?: readonly SegmentRef[], options: { onError?: (segment: string, error: SegmentError | SegmentErrors) => void } = {}): Promise<SegmentSummary[]> {
    const definitions = await this.definitions({ members: counter.readsStoredMembers ? 'stored' : 'ids' });
    const snapshot = await loadSnapshot(this.db);
    const rows = refs ? refs.map((r) => this.find(snapshot, r)) : snapshot.active();
    const byKey = new Map(definitions.map((d) => [segmentKey(d.name), d]));
    const failures: SegmentError[] = [];
    for (const row of rows) {
      const definition = byKey.get(row.name_key);
      if (!definition) continue; // archived: not evaluated
      let reach: number;
      try {
        reach = await counter(definition, definitions);
      } catch (e) {
        if (!(e instanceof SegmentError || e instanceof SegmentErrors)) throw e;
        if (options.onError) options.onError(row.name, e);
        else failures.push(...(e instanceof SegmentErrors ? e.errors : [e]));
        continue;
      }
      await this.db(TABLES.segments).where({ id: row.id }).update({ reach: Math.round(reach), reach_at: this.now() });
    }
    if (failures.length > 0) throw new SegmentErrors(failures);
    const ids = new Set(rows.map((r) => r.id));
    return (await this.list({ state: 'all' })).filter((s) => ids.has(s.id));
  }

  // ── membership over time ──────────────────────────────────────────────────────────────────────

  /**
   * Re-evaluates active segments (all, or those named) against the profiles stored in this
   * database and records, per segment and in one transaction each, the members and who entered or
   * left since the previous evaluation (see membership.ts). Manual segments record the difference
   * between their member list and the last recorded members (normally none: their adds and removes
   * are recorded as they are made). A segment that cannot be evaluated does not stop the others.
   */
  async refresh(refs?: readonly SegmentRef[], options: RefreshOptions = {}): Promise<RefreshResult[]> {
    const snapshot = await loadSnapshot(this.db);
    const rows = refs ? refs.map((r) => this.find(snapshot, r)) : snapshot.active();
    const failures: SegmentError[] = [];
    const results: RefreshResult[] = [];
    for (const row of rows) {
      if (row.state !== 'active') {
        failures.push(catalogError('invalid-option', `${q(row.name)} is archived: it is not evaluated`, 'restore it first'));
        continue;
      }
      try {
        const summary = await this.refreshOne(row, options);
        results.push({ ...summary, segment: row.name, kind: row.kind });
      } catch (e) {
        if (!(e instanceof SegmentError || e instanceof SegmentErrors)) throw e;
        if (options.onError) options.onError(row.name, e);
        else failures.push(...(e instanceof SegmentErrors ? e.errors : [e]));
      }
    }
    if (failures.length > 0) throw new SegmentErrors(failures);
    return results;
  }

  private async refreshOne(row: SegmentRow, options: RefreshOptions): Promise<RunSummary> {
    const now = (options.now ?? this.options.now?.() ?? new Date()).getTime();
    const pruneBefore = this.pruneBefore(now);
    if (row.kind === 'manual') {
      const profiles = await this.storedProfiles(this.db);
      return withSegmentLock(this.db, row.id, (trx, state) => recordRun(trx, state, { segmentId: row.id, version: row.version, now, source: { kind: 'manual', segmentId: row.id, profiles }, pruneBefore, faults: options.faults }));
    }
    if ((await readLayout(this.db)) === undefined) {
      throw catalogError('no-profiles', `${q(row.name)} cannot be evaluated: the database has no profiles`, 'load profiles into the database first');
    }
    const definitions = await this.definitions({ reachableFrom: row.id });
    const definition = definitions.find((d) => segmentKey(d.name) === row.name_key)!;
    const compiled = await prepareStored(this.db, definition, definitions, { now, timeZone: options.timeZone });
    return withSegmentLock(this.db, row.id, (trx, state) => recordRun(trx, state, { segmentId: row.id, version: row.version, now, source: { kind: 'query', segment: compiled }, pruneBefore, faults: options.faults }));
  }

  private pruneBefore(now: number): number | undefined {
    const keep = this.options.historyRetention ?? DEFAULT_HISTORY_RETENTION;
    return Number.isFinite(keep) ? now - keep : undefined;
  }

  /** Inside a write transaction that changed a manual segment's members: records who was added and removed. */
  private async recordManual(trx: Knex.Transaction, segmentId: number, version: number): Promise<void> {
    const profiles = await this.storedProfiles(trx);
    await ensureState(trx, segmentId);
    const state = await lockState(trx, segmentId);
    // The instant of the edit itself (the clock is not read again).
    const now = Number((await trx(TABLES.segments).where({ id: segmentId }).first('updated_at')).updated_at);
    await recordRun(trx, state, { segmentId, version, now, source: { kind: 'manual', segmentId, profiles }, pruneBefore: this.pruneBefore(now) });
  }

  /** The profiles table of this database, when it stores profiles. */
  private async storedProfiles(db: Db): Promise<{ table: string; id: string } | undefined> {
    const layout = await readLayout(db as Knex);
    return layout === undefined ? undefined : { table: layout.mapping.profiles.table, id: layout.mapping.profiles.id };
  }

  /**
   * A page of a segment's recorded changes, oldest first: after a cursor (`since` a cursor text)
   * or from an instant (`since` a Date or an ISO-8601 text), with the cursor to resume from.
   */
  async changes(ref: SegmentRef, options: ChangesOptions = {}): Promise<ChangesPage & { segment: string; segmentId: number }> {
    const row = this.find(await loadSnapshot(this.db), ref);
    const query: Parameters<typeof readChanges>[2] = { change: options.change, limit: options.limit, upTo: options.upTo };
    if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 1)) {
      throw catalogError('invalid-option', `the limit must be a whole number of 1 or more, not ${options.limit}`);
    }
    const since = options.since;
    if (since instanceof Date) {
      if (Number.isNaN(since.getTime())) throw catalogError('invalid-option', '"since" is not a valid date');
      query.since = since.getTime();
    } else if (typeof since === 'string') {
      if (isCursorText(since)) query.after = parseCursor(since);
      else query.since = sinceInstant(since);
    }
    return { segment: row.name, segmentId: row.id, ...(await readChanges(this.db, row.id, query)) };
  }

  /** The cursor after everything recorded so far for a segment (to read only what comes next). */
  async changesHead(ref: SegmentRef): Promise<string> {
    const row = this.find(await loadSnapshot(this.db), ref);
    return headCursor(this.db, row.id);
  }

  /** A page of a segment's members as of its last run (dynamic or manual), in id order. */
  async recordedMembers(ref: SegmentRef, options: { afterId?: string; limit?: number } = {}): Promise<string[]> {
    const row = this.find(await loadSnapshot(this.db), ref);
    return readMembers(this.db, row.id, options);
  }

  /** The last runs of a segment, newest first. */
  async runs(ref: SegmentRef, limit = 20): Promise<RunSummary[]> {
    const row = this.find(await loadSnapshot(this.db), ref);
    return readRuns(this.db, row.id, limit);
  }

  // ── rules ─────────────────────────────────────────────────────────────────────────────────────

  /** The row a name or id refers to, or a `segment-not-found` error with a suggestion. */
  private find(snapshot: CatalogSnapshot, ref: SegmentRef): SegmentRow {
    // A name first; a string of digits that names no segment is its id (`segments show 12`).
    const byName = typeof ref === 'number' ? undefined : snapshot.byKey.get(segmentKey(String(ref).trim()));
    const id = typeof ref === 'number' ? ref : /^\d+$/.test(String(ref).trim()) ? Number(String(ref).trim()) : undefined;
    const row = byName ?? (id === undefined ? undefined : snapshot.byId.get(id));
    if (row) return row;
    const hint = typeof ref === 'string' ? didYouMean(ref, snapshot.rows.map((r) => r.name), q) : undefined;
    throw catalogError('segment-not-found', `no segment ${typeof ref === 'number' ? `with id ${ref}` : q(ref)}`, hint ?? 'see the saved segments for its name');
  }

  private checkLimit(snapshot: CatalogSnapshot, adding: number): void {
    const active = snapshot.active().length;
    if (active + adding > this.maxActive) {
      throw catalogError('segment-limit', `you already have ${active} active segments, the most allowed is ${this.maxActive}`, 'archive or delete a segment you no longer use first');
    }
  }

  /**
   * Validates a dynamic expression as it would be saved: every reference resolves to an active
   * segment, no cycle, at most 10 segments reached; and every segment that uses this one still
   * passes with the new version. Returns the references by id with their spans.
   */
  private async validate(trx: Db, snapshot: CatalogSnapshot, candidate: { id: number | null; name: string; expression: string }): Promise<StoredRef[]> {
    checkExpressionLength(candidate.expression);
    const definitions = snapshot.definitions(() => [], candidate);
    const own = analyse(candidate.expression, { definitions, schema: await this.schema(trx), origin: `segment ${q(candidate.name)}` });
    if (own.errors.length > 0) throw new SegmentErrors(own.errors.map((e) => explainArchived(e, own.references, snapshot)));
    if (candidate.id !== null) {
      for (const dependentId of snapshot.transitiveDependentsOf(candidate.id)) {
        const dependent = snapshot.byId.get(dependentId)!;
        if (dependent.state !== 'active') continue;
        const result = analyse(snapshot.expressionOf(dependentId), { definitions, origin: `segment ${q(dependent.name)}` });
        const problem = result.errors[0];
        if (problem) {
          throw catalogError(problem.code, `${q(dependent.name)} uses ${q(candidate.name)} and would then fail: ${problem.summary}`, problem.hint ?? `change ${q(dependent.name)} first, or keep ${q(candidate.name)} smaller`);
        }
      }
    }
    return own.references.map((r) => ({ refId: snapshot.byKey.get(segmentKey(r.name))!.id, span: r.span }));
  }

  /** The schema expressions are checked against: the caller's, else the one stored with the profiles in this database. */
  private async schema(db: Db): Promise<Schema | undefined> {
    return this.options.schema ?? (await readLayout(db as Knex))?.schema;
  }

  private async checkUnused(trx: Db, snapshot: CatalogSnapshot, row: SegmentRow, verb: 'deleted' | 'archived'): Promise<void> {
    // An archived segment does not evaluate, so only deleting (which would break it for good) is blocked by one.
    const users = snapshot
      .dependentsOf(row.id)
      .map((id) => snapshot.byId.get(id)!)
      .filter((user) => verb === 'deleted' || user.state === 'active')
      .map((user) => `segment ${q(user.name)}${user.state === 'archived' ? ' (archived)' : ''}`);
    const running = (await this.usageOf(trx, row.id)).filter((u) => u.status === 'running');
    if (users.length + running.length === 0) return;
    const todo = [
      ...(running.length > 0 ? ['stop or detach the running campaigns and automations'] : []),
      ...(users.length > 0 ? ['remove it from the segments that use it'] : []),
    ];
    users.push(...running.map((u) => `${u.kind} ${q(u.id)} (running)`));
    throw catalogError('segment-in-use', `${q(row.name)} cannot be ${verb}: it is used by ${listing(users)}`, `${todo.join(', and ')} first`);
  }

  private async touch(trx: Db, row: SegmentRow, patch: Record<string, unknown>): Promise<void> {
    await trx(TABLES.segments)
      .where({ id: row.id })
      .update({ ...patch, version: row.version + 1, updated_at: this.now() });
  }

  private async usageOf(db: Db, id: number): Promise<Usage[]> {
    const rows = await db(TABLES.usage).where({ segment_id: id }).orderBy(['kind', 'orchestration_id']);
    return rows.map(toUsage);
  }
}

/** `--since` as an instant: ISO-8601 text (a date alone is midnight UTC). */
function sinceInstant(text: string): number {
  const ms = parseIsoDate(text.trim());
  if (Number.isNaN(ms)) {
    throw catalogError('invalid-option', `"since" must be a change cursor or an ISO-8601 instant, not ${JSON.stringify(text)}`, 'write a cursor printed by `segments changes` (seg12.40) or an instant like 2026-11-24T12:00:00Z');
  }
  return ms;
}
