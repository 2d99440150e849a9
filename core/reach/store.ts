/**
 * The reach index: profiles held in columns for live segment counts (see `index.ts`).
 *
 * Each profile has a slot. A slot never changes once written: changing a profile kills its slot
 * and appends the new version at a new one, so every array only grows at its end and no posting
 * needs an insertion; `alive` says which slots count. Events are kept in one table per event name
 * (lower case), one row an event, in slot order: the slot, the instant of its timestamp, and a
 * column per property.
 */
import { SegmentError } from '../errors';
import { instant } from '../evaluate/runtime';
import { DEFAULT_ID_FIELD, EVENTS_KEY, type FieldSchema, type Schema } from '../schema';
import { Bits, cardinality, type Selection } from './bitset';
import { Chunked } from './chunks';
import { Table } from './table';

type Profile = Record<string, unknown>;

export interface ReachIndexOptions {
  /**
   * The schema: a column per field it names (enum → text), and per event property. Without one,
   * every top-level field and event property is indexed, its type taken from its first value.
   */
  schema?: Schema;
  /** Index the top-level fields the schema does not name too (default: only without a schema). */
  discover?: boolean;
  /** Which events to keep: all (default), or only those the schema names. */
  events?: 'all' | 'schema';
  /** Keep an id → slot lookup for `upsert` and `deleteId` (default true). */
  ids?: boolean;
}

/** The rows of one event name. */
export class EventTable {
  rows = 0;
  /** Each row's profile slot, and its timestamp's instant (in chunks: growing copies one chunk at most). */
  readonly slots = new Chunked('u32');
  readonly times = new Chunked('f64');
  readonly properties: Table;
  constructor(fields: Readonly<Record<string, FieldSchema>>, discover: boolean) {
    this.properties = new Table(fields, discover);
  }
  push(slot: number, event: Record<string, unknown>): void {
    const row = this.rows++;
    this.slots.set(row, slot);
    this.times.set(row, instant(event.timestamp));
    const q = event.properties;
    if (typeof q === 'object' && q !== null && !Array.isArray(q)) this.properties.push(row, q);
  }
  trim(): void {
    this.slots.trim(this.rows);
    this.times.trim(this.rows);
    this.properties.trim(this.rows);
  }
  bytes(): number {
    return this.slots.bytes() + this.times.bytes() + this.properties.bytes();
  }
}

/**
 * Profile id → slot, in 4,096 maps chosen by a hash of the id: a map rehashes all its entries when
 * it grows, so one map of a million ids makes one insert in a million cost a rehash of them all;
 * a shard holds a few hundred.
 */
class IdMap {
  private readonly shards: (Map<string, number> | undefined)[] = new Array<Map<string, number> | undefined>(4096).fill(undefined);
  size = 0;
  get(key: string): number | undefined {
    return this.shards[shardOf(key)]?.get(key);
  }
  set(key: string, slot: number): void {
    const k = shardOf(key);
    let shard = this.shards[k];
    if (shard === undefined) this.shards[k] = shard = new Map();
    const before = shard.size;
    shard.set(key, slot);
    this.size += shard.size - before;
  }
  delete(key: string): boolean {
    const shard = this.shards[shardOf(key)];
    if (shard === undefined || !shard.delete(key)) return false;
    this.size--;
    return true;
  }
}

function shardOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return (h ^ (h >>> 12)) & 4095;
}

export class ReachIndex {
  readonly schema: Schema;
  /** Whether the index was built with a schema (segments are then validated against it). */
  readonly hasSchema: boolean;
  readonly idField: string;
  /** The profile fields' columns. */
  readonly profiles: Table;
  /** Event tables by lower-case event name. */
  readonly events = new Map<string, EventTable>();
  /** Slots that count (not deleted, not replaced). */
  readonly alive = new Bits();
  /** Slots used so far (alive or not). */
  slots = 0;
  private live = 0;
  private readonly discover: boolean;
  private readonly trackIds: boolean;
  private readonly schemaEventsOnly: boolean;
  /** Profile id → its latest slot. */
  private readonly ids = new IdMap();
  /** Event name as written → its table (names repeat; lower-cased once). */
  private readonly tableByName = new Map<string, EventTable>();
  /** Bumped by every change, so cached selections know they are stale. */
  version = 0;

  constructor(options: ReachIndexOptions = {}) {
    this.schema = options.schema ?? { fields: {} };
    this.hasSchema = options.schema !== undefined;
    this.idField = this.schema.idField ?? DEFAULT_ID_FIELD;
    this.discover = options.discover ?? options.schema === undefined;
    this.trackIds = options.ids ?? true;
    this.schemaEventsOnly = options.events === 'schema';
    const fields: Record<string, FieldSchema> = { ...this.schema.fields };
    // Manual segments and `ids()` read the id: keep it even when the schema does not name it.
    if (!Object.hasOwn(fields, this.idField) && !this.discover && this.trackIds) fields[this.idField] = { type: 'text' };
    this.profiles = new Table(fields, this.discover, EVENTS_KEY);
  }

  /** Builds an index of these profiles, trimmed to size. */
  static from(profiles: Iterable<unknown>, options: ReachIndexOptions = {}): ReachIndex {
    const index = new ReachIndex(options);
    for (const p of profiles) index.add(p);
    index.trim();
    return index;
  }

  /** Profiles in the index. */
  get size(): number {
    return this.live;
  }

  /**
   * Adds a profile and returns its slot. Another profile with the same id stays (as a file with a
   * repeated id counts twice); `upsert` replaces it instead.
   */
  add(profile: unknown): number {
    const slot = this.slots++;
    this.alive.set(slot);
    this.live++;
    this.version++;
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return slot;
    const p = profile as Profile;
    this.profiles.push(slot, p);
    if (this.trackIds) {
      const id = this.idOf(p);
      if (id !== undefined) this.ids.set(id, slot);
    }
    const events = Object.hasOwn(p, EVENTS_KEY) ? p[EVENTS_KEY] : undefined;
    if (Array.isArray(events)) {
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as Profile;
        if (typeof e !== 'object' || e === null) continue;
        const name = e.event;
        if (typeof name !== 'string') continue;
        this.tableFor(name)?.push(slot, e);
      }
    }
    return slot;
  }

  /** Inserts a profile, or replaces the one with the same id; returns its slot. */
  upsert(profile: unknown): number {
    this.needIds();
    const id = typeof profile === 'object' && profile !== null ? this.idOf(profile as Profile) : undefined;
    if (id !== undefined) this.deleteId(id);
    return this.add(profile);
  }

  /** Replaces the profile in `slot` (from `add`) by another; returns the new slot. */
  replace(slot: number, profile: unknown): number {
    this.remove(slot);
    return this.add(profile);
  }

  /** Removes the profile in `slot`; false when there is none. */
  remove(slot: number): boolean {
    if (!this.alive.has(slot)) return false;
    this.alive.clear(slot);
    this.live--;
    this.version++;
    this.profiles.forget(slot);
    return true;
  }

  /** Removes the profile with this id (its latest version); false when there is none. */
  deleteId(id: string | number): boolean {
    this.needIds();
    const key = String(id);
    const slot = this.ids.get(key);
    if (slot === undefined) return false;
    this.ids.delete(key);
    return this.remove(slot);
  }

  /** The slot of the profile with this id, if any. */
  slotOf(id: string | number): number | undefined {
    const slot = this.ids.get(String(id));
    return slot !== undefined && this.alive.has(slot) ? slot : undefined;
  }

  /** The id of the profile in a slot (undefined when it has none). */
  idAt(slot: number): unknown {
    return this.profiles.columns.get(this.idField)?.value(slot);
  }

  /** The alive slots as a selection. */
  aliveSelection(): Selection {
    return this.alive.toSelection((this.slots + 31) >>> 5);
  }

  /** Drops spare capacity (after a bulk build). */
  trim(): void {
    this.alive.trim(this.slots);
    this.profiles.trim(this.slots);
    for (const t of this.events.values()) t.trim();
  }

  /** Bytes held by the index's arrays, dictionaries and postings (an estimate of its memory). */
  bytes(): number {
    let b = this.alive.bytes() + this.profiles.bytes() + this.ids.size * 40;
    for (const t of this.events.values()) b += t.bytes();
    return b;
  }

  /** Checks the bookkeeping (for tests): the number of alive slots. */
  countAlive(): number {
    return cardinality(this.aliveSelection());
  }

  private needIds(): void {
    if (!this.trackIds) throw new SegmentError({ code: 'invalid-option', summary: 'this reach index keeps no id lookup', hint: 'build it with { ids: true } to change profiles by id' });
  }

  private idOf(p: Profile): string | undefined {
    const id = Object.hasOwn(p, this.idField) ? p[this.idField] : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  private tableFor(name: string): EventTable | undefined {
    let table = this.tableByName.get(name);
    if (table === undefined) {
      const key = name.toLowerCase();
      table = this.events.get(key);
      if (table === undefined) {
        const fields = eventFields(this.schema, key);
        if (fields === undefined && this.schemaEventsOnly) return undefined;
        table = new EventTable(fields ?? {}, this.discover);
        this.events.set(key, table);
      }
      if (this.tableByName.size < 10_000) this.tableByName.set(name, table);
    }
    return table;
  }
}

function eventFields(schema: Schema, lowered: string): Record<string, FieldSchema> | undefined {
  for (const [key, value] of Object.entries(schema.events ?? {})) if (key.toLowerCase() === lowered) return value.properties;
  return undefined;
}

/**
 * Reads JSON Lines (text chunks, as a file or a fetch body arrives) into the index: one profile a
 * line, blank lines skipped. A line that is not JSON stops with its line number.
 */
export async function addJsonLines(index: ReachIndex, chunks: AsyncIterable<string> | Iterable<string>, origin = 'input'): Promise<number> {
  let rest = '';
  let line = 0;
  let added = 0;
  const take = (text: string): void => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new SegmentError({ code: 'invalid-data', summary: `${origin}:${line}: not valid JSON (${(e as Error).message})`, hint: 'each line holds one profile as a JSON object' });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SegmentError({ code: 'invalid-data', summary: `${origin}:${line}: a profile is a JSON object`, hint: 'each line holds one profile as a JSON object' });
    }
    index.add(value);
    added++;
  };
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest);
  return added;
}
