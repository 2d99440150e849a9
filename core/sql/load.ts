/**
 * The loader: profiles (the JSON shape the in-memory engine reads) → rows of our layout, in batches.
 *
 * Every value is classified exactly as the in-memory engine sees it: a value of the schema's type
 * goes to the typed column (text also lower-cased, with JavaScript's Unicode lower-casing, into its
 * shadow); a known value of another type only sets the `__o` column (so `is known` stays true and
 * every positive form stays false); absent and null leave both NULL. A row that cannot be stored
 * faithfully (no id, a duplicate id, text with NUL or broken UTF-16) is rejected with the reason.
 */
import type { Knex } from 'knex';
import { DEFAULT_ID_FIELD, EVENTS_KEY, fieldPath, kindOf, readField, type FieldSchema, type Schema } from '../schema';
import { valueInstant } from '../time';
import { dialectOf, type Dialect } from './connect';
import { DIALECTS, storableText, type DialectSpec } from './dialects';
import { bulkInsert } from './bulk';
import { analyzeLayout, buildIndexes, dropIndexes, MAX_ID_LENGTH } from './layout';
import { LAYOUT_TABLES, lowerKey, type FieldMapping, type SqlMapping } from './mapping';

type Row = Record<string, unknown>;

export interface ProfileRows {
  profile: Row;
  /** The profile's JSON, when the mapping keeps it in a table of its own (`profiles.bodyTable`). */
  body?: Row;
  lists: Row[];
  events: Row[];
}

export interface Rejection {
  /** 1-based line (or record number) in the input. */
  line: number;
  reason: string;
}

export interface LoadInput {
  line: number;
  /** The parsed profile, or `error` when the line did not parse. */
  value?: unknown;
  error?: string;
}

export interface LoadOptions {
  schema: Schema;
  mapping: SqlMapping;
  /** Profiles per batch (default: as many as the dialect's binding limit allows, at most 500). */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: { loaded: number; rejected: number }) => void;
  /** How many rejections to keep with their reason (default 1000); all are counted. */
  keepRejections?: number;
  /**
   * Write with the database's bulk path where there is one: MySQL/MariaDB `LOAD DATA LOCAL INFILE`
   * from a stream (multi-row INSERTs when the server has `local_infile` off), PostgreSQL `COPY FROM
   * STDIN` (default true). SQLite always uses multi-row INSERTs.
   */
  bulk?: boolean;
  /** Into empty tables, drop the secondary indexes while loading and build them after (default true). */
  deferIndexes?: boolean;
  /**
   * What a rejected row does to the load: `rollback` (the default) writes nothing at all (every row
   * is still read, so the result lists every rejection); `skip` loads the other rows.
   */
  onRejected?: 'rollback' | 'skip';
}

export interface LoadResult {
  /** Profiles written (0 when the load was rolled back). */
  loaded: number;
  rejectedCount: number;
  rejected: Rejection[];
  /** False when a rejected row rolled the whole load back (`onRejected: 'rollback'`). */
  committed: boolean;
}

const MAX_EVENT_NAME = 200;

class Rejected extends Error {}

interface FieldPlan {
  key: string;
  path: string[];
  kind: string;
  m: FieldMapping;
}

/** What the loader does for every profile, worked out once per load. */
interface RowPlan {
  idField: string;
  idPath: string[];
  fields: FieldPlan[];
  /** Lower-cased event name → its properties. */
  events: Map<string, FieldPlan[]>;
  /** Every property column of the events table (each event row sets them all). */
  eventColumns: string[];
  /** Every value column of the list table (each element row sets them all: old and new lists may share the table). */
  listColumns: string[];
  mapping: SqlMapping;
  bool: (v: boolean) => unknown;
}

function plan(schema: Schema, mapping: SqlMapping, bool: (v: boolean) => unknown): RowPlan {
  const fieldPlans = (fields: Record<string, FieldSchema>, columns: Record<string, FieldMapping> | undefined): FieldPlan[] =>
    Object.entries(fields).flatMap(([key, field]) => (columns?.[key] ? [{ key, path: fieldPath(key), kind: kindOf(field), m: columns[key] }] : []));
  const events = new Map<string, FieldPlan[]>();
  for (const [name, def] of Object.entries(schema.events ?? {})) {
    events.set(name.toLowerCase(), fieldPlans(def.properties, mapping.events?.properties[name.toLowerCase()]));
  }
  const eventColumns = new Set<string>();
  for (const props of Object.values(mapping.events?.properties ?? {})) for (const m of Object.values(props)) columnsOf(m).forEach((c) => eventColumns.add(c));
  const listColumns = new Set<string>();
  for (const m of Object.values(mapping.fields)) for (const c of [m.list?.text, m.list?.textLong, m.list?.number]) if (c !== undefined) listColumns.add(c);
  const idField = schema.idField ?? DEFAULT_ID_FIELD;
  return { idField, idPath: fieldPath(idField), fields: fieldPlans(schema.fields, mapping.fields), events, eventColumns: [...eventColumns], listColumns: [...listColumns], mapping, bool };
}

/** The rows of one profile, or the reason it cannot be stored. */
export function profileRows(value: unknown, schema: Schema, mapping: SqlMapping, bool: (v: boolean) => unknown): ProfileRows | { reason: string } {
  return rowsOf(value, plan(schema, mapping, bool));
}

function rowsOf(value: unknown, plan: RowPlan): ProfileRows | { reason: string } {
  try {
    return toRows(value, plan);
  } catch (e) {
    if (e instanceof Rejected) return { reason: e.message };
    throw e;
  }
}

function toRows(value: unknown, plan: RowPlan): ProfileRows {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Rejected('a profile must be a JSON object');
  const p = value as Row;
  const { mapping, bool } = plan;
  const id = readField(p, plan.idPath);
  if (typeof id !== 'string' && typeof id !== 'number') throw new Rejected(`the profile has no "${plan.idField}" (text or number)`);
  const pid = String(id);
  if (pid.length > MAX_ID_LENGTH) throw new Rejected(`the profile id is longer than ${MAX_ID_LENGTH} characters`);
  text(pid, plan.idField);
  const profile: Row = { [mapping.profiles.id]: pid };
  const { body: bodyColumn, bodyTable } = mapping.profiles;
  let body: Row | undefined;
  if (bodyColumn && bodyTable) body = { [mapping.profiles.id]: pid, [bodyColumn]: JSON.stringify(p) };
  else if (bodyColumn) profile[bodyColumn] = JSON.stringify(p);
  const lists: Row[] = [];
  for (const { key, path, kind, m } of plan.fields) {
    const v = readField(p, path);
    classify(profile, m, kind, v, key, bool);
    if (kind === 'list' && Array.isArray(v) && m.list) {
      const { list } = m;
      for (const e of v) {
        const element: Row = { [list.owner]: pid };
        if (list.key) element[list.key.column] = list.key.value;
        for (const c of plan.listColumns) element[c] = null;
        if (typeof e === 'string' && list.text) {
          const lowered = text(e, key).toLowerCase();
          if (list.textLong === undefined) element[list.text] = lowered;
          else {
            element[list.text] = lowerKey(lowered, list.textMax!);
            if (lowered.length >= list.textMax!) element[list.textLong] = lowered;
          }
        } else if (typeof e === 'number' && list.number) element[list.number] = e;
        else continue; // other elements never match an element test
        lists.push(element);
      }
    }
  }
  return { profile, ...(body ? { body } : {}), lists, events: eventRows(p, pid, plan) };
}

function eventRows(p: Row, pid: string, plan: RowPlan): Row[] {
  const list = readField(p, [EVENTS_KEY]);
  if (plan.mapping.events === undefined || !Array.isArray(list)) return [];
  const rows: Row[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue; // never matches any event
    const ev = e as Row;
    const row: Row = { pid, event: null, event_lc: null, ts: null, properties: null };
    for (const c of plan.eventColumns) row[c] = null;
    const name = ev.event;
    let props: FieldPlan[] | undefined;
    if (typeof name === 'string') {
      if (name.length > MAX_EVENT_NAME) throw new Rejected(`an event name is longer than ${MAX_EVENT_NAME} characters`);
      row.event = text(name, 'event');
      row.event_lc = name.toLowerCase();
      props = plan.events.get(row.event_lc as string);
    }
    const ts = valueInstant(ev.timestamp);
    row.ts = Number.isNaN(ts) ? null : ts;
    const raw = ev.properties;
    const q = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Row) : undefined;
    if (q !== undefined) row.properties = JSON.stringify(q);
    if (props) for (const { key, path, kind, m } of props) classify(row, m, kind, q === undefined ? undefined : readField(q, path), `${name as string}.${key}`, plan.bool);
    rows.push(row);
  }
  return rows;
}

function columnsOf(m: FieldMapping): string[] {
  return [m.column, ...(m.lower ? [m.lower] : []), ...(m.lowerLong ? [m.lowerLong] : []), ...(m.other ? [m.other] : [])];
}

/** Sets the typed column, shadow and wrong-type marker of one value. */
function classify(row: Row, m: FieldMapping, kind: string, v: unknown, where: string, bool: (v: boolean) => unknown): void {
  for (const c of columnsOf(m)) row[c] = null;
  if (v === undefined || v === null) return;
  let typed: unknown = undefined;
  if (kind === 'text' && typeof v === 'string') {
    typed = text(v, where);
    if (m.lower) {
      const lowered = v.toLowerCase();
      if (m.lowerLong === undefined) row[m.lower] = lowered;
      else {
        row[m.lower] = lowerKey(lowered, m.lowerMax!);
        if (lowered.length >= m.lowerMax!) row[m.lowerLong] = lowered;
      }
    }
  } else if (kind === 'number' && typeof v === 'number' && Number.isFinite(v)) typed = v;
  else if (kind === 'boolean' && typeof v === 'boolean') typed = bool(v);
  else if (kind === 'date') {
    const ms = valueInstant(v);
    if (!Number.isNaN(ms)) typed = ms;
  } else if (kind === 'list' && Array.isArray(v)) typed = v.length;
  if (typed === undefined) {
    if (m.other) row[m.other] = 1;
  } else {
    row[m.column] = typed;
  }
}

function text(s: string, where: string): string {
  if (!storableText(s)) throw new Rejected(`"${where}" holds text with a NUL character or broken UTF-16, which SQL cannot store as-is`);
  return s;
}

/**
 * Loads profiles in one transaction, in batches; a re-imported id replaces the stored profile. With
 * `onRejected: 'rollback'` (the default) one rejected row keeps the whole input out: the load goes on
 * reading (to report every rejection) but writes nothing more, then rolls back.
 */
export async function loadProfiles(db: Knex, input: AsyncIterable<LoadInput> | Iterable<LoadInput>, options: LoadOptions): Promise<LoadResult> {
  const { schema, mapping } = options;
  const spec = DIALECTS[dialectOf(db)];
  const perProfile = 3 + Object.values(mapping.fields).reduce((n, m) => n + columnsOf(m).length, 0);
  // The bulk path streams a batch as one statement per table: larger batches, fewer round trips.
  const batchSize = options.batchSize ?? (options.bulk !== false && dialectOf(db) !== 'sqlite' ? 5000 : Math.max(1, Math.min(500, Math.floor(spec.maxBindings / perProfile))));
  const rollback = (options.onRejected ?? 'rollback') === 'rollback';
  // Into an empty store nothing needs replacing: skip the deletes (most of a first import's time otherwise).
  const empty = (await db(mapping.profiles.table).select(mapping.profiles.id).limit(1)).length === 0;
  const defer = empty && options.deferIndexes !== false;
  let result: LoadResult | undefined;
  const bulk: BulkState = { on: options.bulk !== false };
  // Index changes are DDL (MySQL commits them at once): before and after the transaction, never inside.
  if (defer) await dropIndexes(db, mapping);
  try {
    await db.transaction(async (trx) => {
      let batch: ProfileRows[] = [];
      let loaded = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await writeBatch(trx, batch, mapping, spec, !empty, bulk);
        loaded += batch.length;
        batch = [];
        options.onProgress?.({ loaded, rejected: result?.rejectedCount ?? 0 });
      };
      result = await scanProfiles(input, { ...options, bool: spec.bool }, async (rows, rejected) => {
        // After a rejection that rolls the load back, the rest is only checked.
        if (rollback && rejected > 0) batch = [];
        else {
          batch.push(rows);
          if (batch.length >= batchSize) await flush();
        }
      });
      if (rollback && result.rejectedCount > 0) throw ROLLED_BACK;
      await flush();
      result.loaded = loaded;
    });
  } catch (e) {
    if (e !== ROLLED_BACK) throw e;
    result = { ...result!, loaded: 0, committed: false };
  } finally {
    if (defer) await buildIndexes(db, mapping);
  }
  if (result!.loaded > 0) await analyzeLayout(db);
  return result!;
}

/**
 * Checks profiles exactly as `loadProfiles` would, writing nothing: `loaded` is how many it would
 * load (for an import that must not touch the database until it knows the whole file is good).
 */
export async function checkProfiles(input: AsyncIterable<LoadInput> | Iterable<LoadInput>, options: Pick<LoadOptions, 'schema' | 'mapping' | 'keepRejections'> & { dialect: Dialect }): Promise<LoadResult> {
  let accepted = 0;
  const result = await scanProfiles(input, { ...options, bool: DIALECTS[options.dialect].bool }, () => void accepted++);
  return { ...result, loaded: accepted };
}

const ROLLED_BACK = new Error('a rejected row rolled the load back');

/** Reads every input row, rejects what cannot be stored (and repeated ids), hands on the rest. */
async function scanProfiles(
  input: AsyncIterable<LoadInput> | Iterable<LoadInput>,
  options: Pick<LoadOptions, 'schema' | 'mapping' | 'keepRejections'> & { bool: (v: boolean) => unknown },
  accept: (rows: ProfileRows, rejectedSoFar: number) => void | Promise<void>,
): Promise<LoadResult> {
  const keep = options.keepRejections ?? 1000;
  const result: LoadResult = { loaded: 0, rejectedCount: 0, rejected: [], committed: true };
  const rowPlan = plan(options.schema, options.mapping, options.bool);
  const seen = new Map<string, number>();
  const reject = (line: number, reason: string) => {
    result.rejectedCount++;
    if (result.rejected.length < keep) result.rejected.push({ line, reason });
  };
  for await (const item of input) {
    if (item.error !== undefined) {
      reject(item.line, item.error);
      continue;
    }
    const rows = rowsOf(item.value, rowPlan);
    if ('reason' in rows) {
      reject(item.line, rows.reason);
      continue;
    }
    const pid = rows.profile[options.mapping.profiles.id] as string;
    const first = seen.get(pid);
    if (first !== undefined) {
      reject(item.line, `duplicate id "${pid.length > 40 ? `${pid.slice(0, 40)}…` : pid}" (first on line ${first})`);
      continue;
    }
    seen.set(pid, item.line);
    await accept(rows, result.rejectedCount);
  }
  return result;
}

async function writeBatch(trx: Knex.Transaction, batch: ProfileRows[], mapping: SqlMapping, spec: DialectSpec, replace: boolean, bulk: BulkState): Promise<void> {
  const ids = batch.map((b) => b.profile[mapping.profiles.id] as string);
  if (replace) {
    await trx(LAYOUT_TABLES.lists).whereIn('pid', ids).delete();
    await trx(LAYOUT_TABLES.events).whereIn('pid', ids).delete();
    await trx(mapping.profiles.table).whereIn(mapping.profiles.id, ids).delete();
    if (mapping.profiles.bodyTable) await trx(mapping.profiles.bodyTable).whereIn(mapping.profiles.id, ids).delete();
  }
  await write(trx, mapping.profiles.table, batch.map((b) => b.profile), spec, bulk);
  if (mapping.profiles.bodyTable) await write(trx, mapping.profiles.bodyTable, batch.flatMap((b) => (b.body ? [b.body] : [])), spec, bulk);
  await write(trx, LAYOUT_TABLES.lists, batch.flatMap((b) => b.lists), spec, bulk);
  await write(trx, LAYOUT_TABLES.events, batch.flatMap((b) => b.events), spec, bulk);
}

/** Whether the bulk path (LOAD DATA LOCAL INFILE / COPY) is used for this load; off once the server refuses it. */
interface BulkState {
  on: boolean;
}

async function write(trx: Knex.Transaction, table: string, rows: Row[], spec: DialectSpec, bulk: BulkState): Promise<void> {
  if (rows.length === 0) return;
  if (bulk.on && (await bulkInsert(trx, table, rows))) return;
  bulk.on = false;
  await insertChunked(trx, table, rows, spec);
}

async function insertChunked(db: Knex, table: string, rows: Row[], spec: DialectSpec): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.min(spec.maxInsertRows, Math.floor(spec.maxBindings / Object.keys(rows[0]).length)));
  for (let i = 0; i < rows.length; i += per) await db(table).insert(rows.slice(i, i + per));
}
