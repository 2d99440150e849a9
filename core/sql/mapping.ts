/**
 * The schema mapping: which table and column holds each field, event and list. It is the only
 * source of identifiers for the SQL compiler. `layoutMapping(schema)` gives the mapping of our own
 * storage layout (`layout.ts`); a user with existing tables writes one by hand (see docs/SQL.md),
 * and `checkMapping` refuses any identifier that is not a plain name before it reaches a query.
 */
import { SegmentError } from '../errors';
import { kindOf, setOwn, type FieldSchema, type Schema } from '../schema';

/** How a date column stores instants: epoch milliseconds (BIGINT) or a native timestamp type. */
export type DateStorage = 'epoch_ms' | 'timestamp';

/** Where a list field's elements live: one row per element. */
export interface ListMapping {
  table: string;
  /** The column holding the owner's id (profile id). */
  owner: string;
  /** When one table holds several lists: the column naming the list, and this list's value. */
  key?: { column: string; value: string };
  /** The column of lower-cased text elements (NULL for other elements). */
  text?: string;
  /**
   * As `FieldMapping.lowerLong` for elements: a column holding the whole lower-cased element when it
   * has `textMax` or more UTF-16 units; `text` then holds `lowerKey(element, textMax)`, a bounded
   * key indexed whole with its owner (element → profiles, profile → elements).
   */
  textLong?: string;
  /** See `textLong`. */
  textMax?: number;
  /** The column of number elements (NULL for other elements). */
  number?: string;
}

export interface FieldMapping {
  /**
   * The value column: text, number, boolean, date; for a list field, the number of elements (NULL
   * when the value is not a list). NULL when the value is unknown or of another type.
   */
  column: string;
  /** Text: the lower-cased shadow column (without one, the compiler lower-cases in SQL). */
  lower?: string;
  /**
   * Text: a column holding the whole lower-cased value when it has `lowerMax` or more UTF-16 units
   * (NULL otherwise); `lower` then holds `lowerKey(value, lowerMax)`, at most `lowerMax` units, so
   * it can be a bounded VARCHAR with a plain, composite-friendly index (never a prefix or hash
   * index) while any text still compares exactly. Without it, `lower` holds every whole value.
   */
  lowerLong?: string;
  /** See `lowerLong`. */
  lowerMax?: number;
  /** A column that is non-NULL when the value is known but of another type than the schema's. */
  other?: string;
  /** Date fields: how instants are stored (default `epoch_ms`). */
  dates?: DateStorage;
  /** List fields: where the elements are. */
  list?: ListMapping;
}

export interface EventsMapping {
  table: string;
  /** A column naming one event row (a primary key), when there is one. */
  id?: string;
  /** Owner profile id column. */
  profile: string;
  /** Event name column (lower-cased when `eventLowered`). */
  event: string;
  /** Whether `event` holds lower-cased names (otherwise the compiler lower-cases in SQL). */
  eventLowered?: boolean;
  timestamp: string;
  dates?: DateStorage;
  /** Lower-cased event name → property path → its column on the events table. */
  properties: Record<string, Record<string, FieldMapping>>;
}

export interface SqlMapping {
  profiles: {
    table: string;
    /** The profile id as text (manual segment members are compared with it). */
    id: string;
    /** A column holding the whole profile as JSON, for full rows (otherwise every mapped column). */
    body?: string;
    /**
     * The table that holds `body` (with the profile id in a column named like `id`), when it is not
     * the profiles table: our layout keeps the JSON out of the table that segments scan.
     */
    bodyTable?: string;
    /**
     * Every owner id in the events table and the list tables is a stored profile (a foreign key; our
     * loader writes and deletes a profile with its events and elements): a count driven by events or
     * list elements then needs no look-up in the profiles table.
     */
    ownersStored?: boolean;
  };
  /** Field path (as in the schema: `attributes.plan`) → its columns. */
  fields: Record<string, FieldMapping>;
  events?: EventsMapping;
}

/**
 * Where manual segments' members are stored in the same database (the catalogue's `seg_members`):
 * the compiler reads them there (`profile IN (SELECT … WHERE segment = ?)`) instead of binding them,
 * so a segment of a million members is one indexed sub-select.
 */
export interface StoredMembers {
  table: string;
  /** The column naming the segment, and the profile id column. */
  segment: string;
  profile: string;
  /** Segment key (lower-cased name) → its value in the `segment` column, for the segments stored there. */
  keys: ReadonlyMap<string, string | number>;
}

export const LAYOUT_TABLES = {
  profiles: 'seg_profiles',
  lists: 'seg_lists',
  events: 'seg_events',
  bodies: 'seg_bodies',
  meta: 'seg_layout',
  migrations: 'seg_layout_migrations',
} as const;

/** The longest name the layout gives anything (PostgreSQL keeps 63 bytes, MySQL 64 characters). */
export const MAX_IDENTIFIER = 63;
/** A field's column leaves room for a counter (`_2`) and a shadow suffix (`__lc`). */
const MAX_COLUMN = MAX_IDENTIFIER - 8;
/** Suffixes of a column's shadows: the lower-cased text, the "known but of another type" marker. */
const SHADOWS = ['__lc', '__o', '__lx'] as const;

/** The most UTF-16 units our layout's `__lc` columns hold (whole values from this length on are in `__lx`): four fit one MariaDB index key. */
export const LOWER_MAX = 190;

/**
 * What a bounded `lower` column holds for a lower-cased text: the text itself when shorter than
 * `max` units, else a key of exactly `max` units: its first `max` units (a surrogate pair cut in
 * two ends in U+FFFF instead). A short text never equals a long one's key (their lengths differ),
 * so `lower = key AND (short OR long = text)` is exact.
 */
export function lowerKey(lowered: string, max: number): string {
  if (lowered.length < max) return lowered;
  const code = lowered.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? `${lowered.slice(0, max - 1)}\uffff` : lowered.slice(0, max);
}

/**
 * A plain SQL name (lower-case ASCII letters, digits, `_`) for `wanted`, at most `max` characters:
 * the one naming rule of the layout, for columns and indexes. A name cut to fit ends in a hash of
 * the whole of `wanted`, so two long names with a common prefix never come out the same.
 */
export function sqlName(wanted: string, max = MAX_IDENTIFIER): string {
  const plain = wanted.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+$/g, '');
  return plain.length <= max ? plain : `${plain.slice(0, max - 9)}_${fnv1a(wanted)}`;
}

/** 32-bit FNV-1a of the UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A layout already in a database: fields keep the columns they were given (whatever names newer rules would give). */
export interface SavedLayout {
  schema: Schema;
  mapping: SqlMapping;
}

/**
 * The mapping of our own layout for a schema: one typed column (and shadows) per field. Fields of
 * `saved` keep their columns while their kind is unchanged; new ones get names unique among all.
 */
export function layoutMapping(schema: Schema, saved?: SavedLayout): SqlMapping {
  const taken = new Set(['pid', 'body', 'eid', 'event', 'event_lc', 'ts', 'properties']);
  const keep = (m: FieldMapping) => [m.column, ...SHADOWS.map((x) => m.column + x)].forEach((c) => taken.add(c));
  const savedField = (key: string, field: FieldSchema) => {
    const old = saved && Object.hasOwn(saved.schema.fields, key) ? saved.schema.fields[key] : undefined;
    return old !== undefined && kindOf(old) === kindOf(field) && Object.hasOwn(saved!.mapping.fields, key) ? saved!.mapping.fields[key] : undefined;
  };
  const savedProperty = (event: string, key: string, field: FieldSchema) => {
    const oldEvent = Object.entries(saved?.schema.events ?? {}).find(([name]) => name.toLowerCase() === event)?.[1];
    const old = oldEvent && Object.hasOwn(oldEvent.properties, key) ? oldEvent.properties[key] : undefined;
    return old !== undefined && propertyKind(old) === propertyKind(field) ? saved?.mapping.events?.properties[event]?.[key] : undefined;
  };
  for (const m of Object.values(saved?.mapping.fields ?? {})) keep(m);
  for (const props of Object.values(saved?.mapping.events?.properties ?? {})) for (const m of Object.values(props)) keep(m);

  const fields: Record<string, FieldMapping> = {};
  for (const [key, field] of Object.entries(schema.fields)) setOwn(fields, key, savedField(key, field) ?? fieldColumns('f', key, field, taken, true));
  const properties: Record<string, Record<string, FieldMapping>> = {};
  // Properties of the same name and kind share a column across events.
  const shared = new Map<string, FieldMapping>();
  for (const [event, def] of Object.entries(schema.events ?? {})) {
    const lowered = event.toLowerCase();
    if (!Object.hasOwn(properties, lowered)) setOwn(properties, lowered, {});
    const props = properties[lowered];
    for (const [key, field] of Object.entries(def.properties)) {
      const id = `${key}\u0000${propertyKind(field)}`;
      const mapping = savedProperty(lowered, key, field) ?? shared.get(id) ?? fieldColumns('p', key, field, taken, false);
      shared.set(id, mapping);
      setOwn(props, key, mapping);
    }
  }
  return {
    profiles: { table: LAYOUT_TABLES.profiles, id: 'pid', body: 'body', bodyTable: LAYOUT_TABLES.bodies, ownersStored: true },
    fields,
    events: {
      table: LAYOUT_TABLES.events,
      id: 'eid',
      profile: 'pid',
      event: 'event_lc',
      eventLowered: true,
      timestamp: 'ts',
      dates: 'epoch_ms',
      properties,
    },
  };
}

function propertyKind(field: FieldSchema): string {
  return field.type === 'list' ? `list:${field.items ?? ''}` : kindOf(field);
}

function fieldColumns(prefix: string, key: string, field: FieldSchema, taken: Set<string>, profile: boolean): FieldMapping {
  const column = uniqueColumn(`${prefix}_${key}`, taken);
  const mapping: FieldMapping = { column, other: `${column}__o` };
  const kind = kindOf(field);
  if (kind === 'text') Object.assign(mapping, { lower: `${column}__lc`, lowerLong: `${column}__lx`, lowerMax: LOWER_MAX });
  if (kind === 'date') mapping.dates = 'epoch_ms';
  // Event properties of type list have no element table (the compiler says so if one is tested).
  // The list's rows are keyed by the column's name: unique, and short whatever the field path.
  if (kind === 'list' && profile) {
    mapping.list = { table: LAYOUT_TABLES.lists, owner: 'pid', key: { column: 'field', value: column }, text: 'text_key', textLong: 'text_long', textMax: LOWER_MAX, number: 'num' };
  }
  return mapping;
}

/**
 * A column for a field path (`attributes.loyalty tier` → `f_attributes_loyalty_tier`) that is
 * free, and whose shadows (`__lc`, `__o`) are free too: a field named `a__lc` must not take the
 * shadow column of a field `a`.
 */
function uniqueColumn(wanted: string, taken: Set<string>): string {
  const base = sqlName(wanted, MAX_COLUMN);
  const free = (name: string) => !taken.has(name) && SHADOWS.every((x) => !taken.has(name + x));
  let name = base;
  for (let n = 2; !free(name); n++) name = `${base}_${n}`;
  for (const c of [name, ...SHADOWS.map((x) => name + x)]) taken.add(c);
  return name;
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function plainName(value: unknown, table: boolean): boolean {
  return typeof value === 'string' && (table ? value.split('.').length <= 2 && value.split('.').every((p) => PLAIN.test(p)) : PLAIN.test(value));
}

/** Refuses stored members whose table or columns are not plain names (see `checkMapping`). */
export function checkStoredMembers(stored: StoredMembers): StoredMembers {
  const bad = ([['table', stored.table, true], ['segment', stored.segment, false], ['profile', stored.profile, false]] as const).filter(([, v, t]) => !plainName(v, t));
  if (bad.length > 0) {
    throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: 0 }, summary: `the stored members' ${bad.map(([w, v]) => `${w} ${JSON.stringify(v)}`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a plain name`, hint: 'table and column names may use letters, digits and "_" (a table may be schema.table)' });
  }
  return stored;
}

/**
 * Refuses a mapping whose identifiers are not plain names (letters, digits, `_`; a table may be
 * `schema.table`). Knex would read a dot as a qualifier and ` as ` as an alias, so anything else
 * could change the query's shape.
 */
export function checkMapping(mapping: SqlMapping): SqlMapping {
  const problems: string[] = [];
  const name = (where: string, value: unknown, table = false) => {
    if (!plainName(value, table)) problems.push(`${where}: ${JSON.stringify(value)}`);
  };
  const field = (where: string, f: FieldMapping) => {
    if (typeof f !== 'object' || f === null) return void problems.push(`${where}: not an object`);
    name(`${where}.column`, f.column);
    if (f.lower !== undefined) name(`${where}.lower`, f.lower);
    if (f.lowerLong !== undefined) {
      name(`${where}.lowerLong`, f.lowerLong);
      if (f.lower === undefined || !Number.isSafeInteger(f.lowerMax) || f.lowerMax! < 1) problems.push(`${where}.lowerMax: ${JSON.stringify(f.lowerMax)} (lowerLong needs lower and a positive lowerMax)`);
    }
    if (f.other !== undefined) name(`${where}.other`, f.other);
    if (f.dates !== undefined && f.dates !== 'epoch_ms' && f.dates !== 'timestamp') problems.push(`${where}.dates: ${JSON.stringify(f.dates)}`);
    if (f.list !== undefined) {
      name(`${where}.list.table`, f.list.table, true);
      name(`${where}.list.owner`, f.list.owner);
      if (f.list.key !== undefined) name(`${where}.list.key.column`, f.list.key.column);
      if (f.list.text !== undefined) name(`${where}.list.text`, f.list.text);
      if (f.list.textLong !== undefined) {
        name(`${where}.list.textLong`, f.list.textLong);
        if (f.list.text === undefined || !Number.isSafeInteger(f.list.textMax) || f.list.textMax! < 1) problems.push(`${where}.list.textMax: ${JSON.stringify(f.list.textMax)} (textLong needs text and a positive textMax)`);
      }
      if (f.list.number !== undefined) name(`${where}.list.number`, f.list.number);
    }
  };
  name('profiles.table', mapping.profiles?.table, true);
  name('profiles.id', mapping.profiles?.id);
  if (mapping.profiles?.body !== undefined) name('profiles.body', mapping.profiles.body);
  if (mapping.profiles?.bodyTable !== undefined) name('profiles.bodyTable', mapping.profiles.bodyTable, true);
  if (mapping.profiles?.ownersStored !== undefined && typeof mapping.profiles.ownersStored !== 'boolean') problems.push(`profiles.ownersStored: ${JSON.stringify(mapping.profiles.ownersStored)}`);
  for (const [key, f] of Object.entries(mapping.fields ?? {})) field(`fields[${JSON.stringify(key)}]`, f);
  if (mapping.events !== undefined) {
    const e = mapping.events;
    name('events.table', e.table, true);
    if (e.id !== undefined) name('events.id', e.id);
    name('events.profile', e.profile);
    name('events.event', e.event);
    name('events.timestamp', e.timestamp);
    for (const [event, props] of Object.entries(e.properties ?? {})) {
      for (const [key, f] of Object.entries(props)) field(`events.properties[${JSON.stringify(event)}][${JSON.stringify(key)}]`, f);
    }
  }
  if (problems.length > 0) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `the SQL mapping has ${problems.length === 1 ? 'an identifier' : 'identifiers'} that ${problems.length === 1 ? 'is' : 'are'} not a plain name: ${problems.slice(0, 5).join(', ')}${problems.length > 5 ? ', …' : ''}`,
      hint: 'table and column names may use letters, digits and "_" (a table may be schema.table)',
    });
  }
  return mapping;
}
