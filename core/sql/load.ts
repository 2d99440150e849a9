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
import { DEFAULT_ID_FIELD, EVENTS_KEY, kindOf, type Schema } from '../schema';
import { valueInstant } from '../time';
import { dialectOf } from './connect';
import { DIALECTS, storableText } from './dialects';
import { MAX_ID_LENGTH } from './layout';
import { LAYOUT_TABLES, type FieldMapping, type SqlMapping } from './mapping';

type Row = Record<string, unknown>;

export interface ProfileRows {
  profile: Row;
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
}

export interface LoadResult {
  loaded: number;
  rejectedCount: number;
  rejected: Rejection[];
}

const MAX_EVENT_NAME = 200;

class Rejected extends Error {}

/** The rows of one profile, or the reason it cannot be stored. */
export function profileRows(value: unknown, schema: Schema, mapping: SqlMapping, bool: (v: boolean) => unknown): ProfileRows | { reason: string } {
  try {
    return toRows(value, schema, mapping, bool);
  } catch (e) {
    if (e instanceof Rejected) return { reason: e.message };
    throw e;
  }
}

function toRows(value: unknown, schema: Schema, mapping: SqlMapping, bool: (v: boolean) => unknown): ProfileRows {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Rejected('a profile must be a JSON object');
  const p = value as Row;
  const idField = schema.idField ?? DEFAULT_ID_FIELD;
  const id = read(p, idField.split('.'));
  if (typeof id !== 'string' && typeof id !== 'number') throw new Rejected(`the profile has no "${idField}" (text or number)`);
  const pid = String(id);
  if (pid.length > MAX_ID_LENGTH) throw new Rejected(`the profile id is longer than ${MAX_ID_LENGTH} characters`);
  text(pid, idField);
  const profile: Row = { [mapping.profiles.id]: pid };
  if (mapping.profiles.body) profile[mapping.profiles.body] = JSON.stringify(p);
  const lists: Row[] = [];
  for (const [key, field] of Object.entries(schema.fields)) {
    const m = mapping.fields[key];
    const v = read(p, key.split('.'));
    const kind = kindOf(field);
    classify(profile, m, kind, v, key, bool);
    if (kind === 'list' && Array.isArray(v) && m.list) {
      for (const e of v) {
        const element: Row = { [m.list.owner]: pid };
        if (m.list.key) element[m.list.key.column] = m.list.key.value;
        if (typeof e === 'string' && m.list.text) element[m.list.text] = text(e, key).toLowerCase();
        else if (typeof e === 'number' && m.list.number) element[m.list.number] = e;
        else continue; // other elements never match an element test
        lists.push({ text_lc: null, num: null, ...element });
      }
    }
  }
  return { profile, lists, events: eventRows(p, pid, mapping, schema, bool) };
}

function eventRows(p: Row, pid: string, mapping: SqlMapping, schema: Schema, bool: (v: boolean) => unknown): Row[] {
  const em = mapping.events;
  const list = read(p, [EVENTS_KEY]);
  if (em === undefined || !Array.isArray(list)) return [];
  const columns = new Set<string>();
  for (const props of Object.values(em.properties)) for (const m of Object.values(props)) columnsOf(m).forEach((c) => columns.add(c));
  const schemaEvents = Object.fromEntries(Object.entries(schema.events ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const rows: Row[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue; // never matches any event
    const ev = e as Row;
    const row: Row = { pid, event: null, event_lc: null, ts: null, properties: null };
    for (const c of columns) row[c] = null;
    const name = ev.event;
    if (typeof name === 'string') {
      if (name.length > MAX_EVENT_NAME) throw new Rejected(`an event name is longer than ${MAX_EVENT_NAME} characters`);
      row.event = text(name, 'event');
      row.event_lc = name.toLowerCase();
    }
    const ts = valueInstant(ev.timestamp);
    row.ts = Number.isNaN(ts) ? null : ts;
    const props = ev.properties;
    const q = typeof props === 'object' && props !== null && !Array.isArray(props) ? (props as Row) : undefined;
    if (q !== undefined) row.properties = JSON.stringify(q);
    const lc = typeof name === 'string' ? name.toLowerCase() : undefined;
    const pm = lc === undefined ? undefined : em.properties[lc];
    const ps = lc === undefined ? undefined : schemaEvents[lc];
    if (pm && ps) {
      for (const [key, field] of Object.entries(ps.properties)) {
        classify(row, pm[key], kindOf(field), q === undefined ? undefined : read(q, key.split('.')), `${name}.${key}`, bool);
      }
    }
    rows.push(row);
  }
  return rows;
}

function columnsOf(m: FieldMapping): string[] {
  return [m.column, ...(m.lower ? [m.lower] : []), ...(m.other ? [m.other] : [])];
}

/** Sets the typed column, shadow and wrong-type marker of one value. */
function classify(row: Row, m: FieldMapping, kind: string, v: unknown, where: string, bool: (v: boolean) => unknown): void {
  for (const c of columnsOf(m)) row[c] = null;
  if (v === undefined || v === null) return;
  let typed: unknown = undefined;
  if (kind === 'text' && typeof v === 'string') {
    typed = text(v, where);
    if (m.lower) row[m.lower] = v.toLowerCase();
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

/** A field path read as the in-memory engine reads it: nested objects first, then a literal dotted key. */
export function read(base: Row, path: readonly string[]): unknown {
  const own = (o: unknown, k: string) => (typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, k) ? (o as Row)[k] : undefined);
  if (path.length === 1) return own(base, path[0]);
  let r: unknown = own(base, path[0]);
  for (const segment of path.slice(1)) r = typeof r === 'object' && r !== null ? own(r, segment) : undefined;
  return r === undefined ? own(base, path.join('.')) : r;
}

/** Loads profiles in batches (one transaction each); a re-imported id replaces the stored profile. */
export async function loadProfiles(db: Knex, input: AsyncIterable<LoadInput> | Iterable<LoadInput>, options: LoadOptions): Promise<LoadResult> {
  const { schema, mapping } = options;
  const spec = DIALECTS[dialectOf(db)];
  const perProfile = 3 + Object.values(mapping.fields).reduce((n, m) => n + columnsOf(m).length, 0);
  const batchSize = options.batchSize ?? Math.max(1, Math.min(500, Math.floor(spec.maxBindings / perProfile)));
  const keep = options.keepRejections ?? 1000;
  const result: LoadResult = { loaded: 0, rejectedCount: 0, rejected: [] };
  const seen = new Map<string, number>();
  let batch: ProfileRows[] = [];
  const reject = (line: number, reason: string) => {
    result.rejectedCount++;
    if (result.rejected.length < keep) result.rejected.push({ line, reason });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    await writeBatch(db, batch, mapping, spec.maxBindings);
    result.loaded += batch.length;
    batch = [];
    options.onProgress?.({ loaded: result.loaded, rejected: result.rejectedCount });
  };
  for await (const item of input) {
    if (item.error !== undefined) {
      reject(item.line, item.error);
      continue;
    }
    const rows = profileRows(item.value, schema, mapping, spec.bool);
    if ('reason' in rows) {
      reject(item.line, rows.reason);
      continue;
    }
    const pid = rows.profile[mapping.profiles.id] as string;
    const first = seen.get(pid);
    if (first !== undefined) {
      reject(item.line, `duplicate id "${pid.length > 40 ? `${pid.slice(0, 40)}…` : pid}" (first on line ${first})`);
      continue;
    }
    seen.set(pid, item.line);
    batch.push(rows);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return result;
}

async function writeBatch(db: Knex, batch: ProfileRows[], mapping: SqlMapping, maxBindings: number): Promise<void> {
  const ids = batch.map((b) => b.profile[mapping.profiles.id] as string);
  await db.transaction(async (trx) => {
    await trx(LAYOUT_TABLES.lists).whereIn('pid', ids).delete();
    await trx(LAYOUT_TABLES.events).whereIn('pid', ids).delete();
    await trx(mapping.profiles.table).whereIn(mapping.profiles.id, ids).delete();
    await insertChunked(trx, mapping.profiles.table, batch.map((b) => b.profile), maxBindings);
    await insertChunked(trx, LAYOUT_TABLES.lists, batch.flatMap((b) => b.lists), maxBindings);
    await insertChunked(trx, LAYOUT_TABLES.events, batch.flatMap((b) => b.events), maxBindings);
  });
}

async function insertChunked(db: Knex, table: string, rows: Row[], maxBindings: number): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(maxBindings / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += per) await db(table).insert(rows.slice(i, i + per));
}
