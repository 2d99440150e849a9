/**
 * Schemas: inferred from sample profiles when none is given, and checked when given as JSON. This
 * file is the package entry `n8n-nodes-segments/schema` (also in `./server`): the hosts that read
 * data or schema files need it, a browser editor that is handed a schema does not.
 *
 * Inference rule for each field (and event property), over the values seen in the sample:
 * - strings that are ISO-8601 dates (`parseIsoDate`) → `date`; other strings → `text`;
 *   numbers → `number`; booleans → `boolean`; arrays → `list` (items `number` when every string or
 *   number element is a number, else `text`); nested plain objects → dotted paths (`attributes.tier`);
 * - only keys the path rule reads (`readField`) count: a flat dotted key (`"attributes.tier"`) when the
 *   same object has no `attributes` key, never one inside a nested object or beside its parent;
 * - null and absent values are ignored; a field never seen with a value is left out;
 * - mixed types: `text` if any value was a string (a mix of dates and other strings is text too),
 *   else the most frequent type (ties in the order number, boolean, list);
 * - the profile's `events` array (Segment track calls `{event, timestamp, properties}`) becomes
 *   `schema.events`; event names merge case-insensitively under their most frequent spelling
 *   (ties: the one that sorts first).
 * Keys are sorted so the same data always gives the same schema.
 */
import { didYouMean, SegmentError } from './errors';
import { DEFAULT_ID_FIELD, EVENTS_KEY, readField, setOwn, type EventSchema, type FieldSchema, type FieldType, type Schema } from './schema';
import { parseIsoDate } from './time';

export interface InferOptions {
  /** How many profiles to read (default 10,000). */
  sampleSize?: number;
}

const DEFAULT_SAMPLE_SIZE = 10_000;
/** Nested objects deeper than this are not turned into fields (hostile data cannot recurse forever). */
const MAX_DEPTH = 16;

type Seen = 'text' | 'date' | 'number' | 'boolean' | 'list';

/** Type votes for one path. */
interface Votes {
  counts: Record<Seen, number>;
  /** List elements: how many strings and numbers were seen. */
  itemStrings: number;
  itemNumbers: number;
}

export function inferSchema(profiles: Iterable<Record<string, unknown>>, options: InferOptions = {}): Schema {
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: 0 }, summary: `sampleSize must be a positive whole number; got ${String(sampleSize)}` });
  }
  const fields = new Map<string, Votes>();
  const events = new Map<string, EventVotes>();
  let read = 0;
  for (const profile of profiles) {
    if (read++ >= sampleSize) break;
    if (!isPlainObject(profile)) continue;
    for (const [key, value] of Object.entries(profile)) {
      if (key === EVENTS_KEY && Array.isArray(value)) collectEvents(value, events);
      else if (readable(profile, key)) collect(key, value, fields, 0);
    }
  }
  const schema: Schema = { idField: DEFAULT_ID_FIELD, fields: toFields(fields) };
  if (events.size > 0) {
    const out: Record<string, EventSchema> = {};
    for (const key of [...events.keys()].sort()) {
      const e = events.get(key) as EventVotes;
      setOwn(out, spelling(e.spellings), { properties: toFields(e.properties) });
    }
    schema.events = out;
  }
  return schema;
}

interface EventVotes {
  /** How often each spelling of the name was seen. */
  spellings: Map<string, number>;
  properties: Map<string, Votes>;
}

function collectEvents(list: unknown[], events: Map<string, EventVotes>): void {
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.event !== 'string' || item.event === '') continue;
    const key = item.event.toLowerCase();
    let entry = events.get(key);
    if (entry === undefined) {
      entry = { spellings: new Map(), properties: new Map() };
      events.set(key, entry);
    }
    entry.spellings.set(item.event, (entry.spellings.get(item.event) ?? 0) + 1);
    if (isPlainObject(item.properties)) {
      for (const [prop, value] of Object.entries(item.properties)) if (readable(item.properties, prop)) collect(prop, value, entry.properties, 0);
    }
  }
}

function collect(path: string, value: unknown, into: Map<string, Votes>, depth: number): void {
  if (value === null || value === undefined || path === '') return;
  if (isPlainObject(value)) {
    // Fields lie only under plain names: the rule reads neither into a flat dotted key nor a dotted key inside an object.
    if (depth >= MAX_DEPTH || (depth === 0 && path.includes('.'))) return;
    for (const [key, inner] of Object.entries(value)) if (key !== '' && !key.includes('.')) collect(`${path}.${key}`, inner, into, depth + 1);
    return;
  }
  let seen: Seen;
  if (typeof value === 'string') seen = Number.isNaN(parseIsoDate(value)) ? 'text' : 'date';
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return;
    seen = 'number';
  } else if (typeof value === 'boolean') seen = 'boolean';
  else if (Array.isArray(value)) seen = 'list';
  else return;
  let votes = into.get(path);
  if (votes === undefined) {
    votes = { counts: { text: 0, date: 0, number: 0, boolean: 0, list: 0 }, itemStrings: 0, itemNumbers: 0 };
    into.set(path, votes);
  }
  votes.counts[seen]++;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'string') votes.itemStrings++;
      else if (typeof item === 'number') votes.itemNumbers++;
    }
  }
}

/** Whether the path rule (`readField`) reads a top-level key: a flat dotted key only when its first name is absent. */
function readable(object: Record<string, unknown>, key: string): boolean {
  const dot = key.indexOf('.');
  return dot === -1 || readField(object, [key.slice(0, dot)]) === undefined;
}

/** The most frequent spelling; ties go to the one that sorts first. */
function spelling(counts: Map<string, number>): string {
  let best = '';
  let bestCount = 0;
  for (const [name, count] of counts) {
    if (count > bestCount || (count === bestCount && name < best)) {
      best = name;
      bestCount = count;
    }
  }
  return best;
}

function toFields(votes: Map<string, Votes>): Record<string, FieldSchema> {
  const out: Record<string, FieldSchema> = {};
  for (const path of [...votes.keys()].sort()) {
    const v = votes.get(path) as Votes;
    const type = decide(v.counts);
    setOwn(out, path, type === 'list' ? { type, items: v.itemNumbers > 0 && v.itemStrings === 0 ? 'number' : 'text' } : { type });
  }
  return out;
}

function decide(c: Record<Seen, number>): Exclude<FieldType, 'enum'> {
  const strings = c.text + c.date;
  const kinds = (Object.keys(c) as Seen[]).filter((k) => c[k] > 0);
  if (kinds.length === 1) return kinds[0];
  if (strings > 0) return 'text';
  let best: Seen = 'number';
  for (const k of ['number', 'boolean', 'list'] as const) if (c[k] > c[best]) best = k;
  return best;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------------------------------------
// Schema JSON checks

const FIELD_TYPES: readonly FieldType[] = ['text', 'number', 'boolean', 'date', 'enum', 'list'];
const TYPE_ALIASES: Readonly<Record<string, FieldType>> = {
  string: 'text', str: 'text', varchar: 'text',
  int: 'number', integer: 'number', float: 'number', double: 'number', decimal: 'number',
  bool: 'boolean',
  datetime: 'date', timestamp: 'date', time: 'date',
  array: 'list', tags: 'list',
  choice: 'enum', select: 'enum',
};
const SCHEMA_KEYS = ['idField', 'fields', 'events'];
const FIELD_KEYS = ['type', 'values', 'items', 'label', 'description', 'category'];
const EVENT_KEYS = ['properties', 'label'];

/**
 * Checks a schema JSON document and returns it as a `Schema` (only the known keys are kept).
 * Throws a SegmentError `invalid-schema` naming the JSON path of the first problem. Keys starting
 * with `$` (`$schema`, `$comment`) are allowed anywhere and ignored.
 */
export function checkSchema(json: unknown, origin?: string): Schema {
  const fail: Fail = (path, problem, hint) => {
    throw new SegmentError({ code: 'invalid-schema', span: { start: 0, end: 0 }, summary: `${path} ${problem}`, hint, origin });
  };
  const root = object(json, 'the schema', fail);
  onlyKeys(root, SCHEMA_KEYS, 'the schema', fail);
  const schema: Schema = { fields: {} };
  if (root.idField !== undefined) {
    if (typeof root.idField !== 'string' || root.idField === '') fail('idField', `must be a non-empty string; got ${show(root.idField)}`);
    schema.idField = root.idField as string;
  }
  if (root.fields === undefined) fail('the schema', 'has no "fields"', 'write { "fields": { "country": { "type": "text" } } }');
  schema.fields = fieldMap(root.fields, 'fields', fail);
  if (root.events !== undefined) {
    const events = object(root.events, 'events', fail);
    schema.events = {};
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(events)) {
      if (name.startsWith('$')) continue;
      const path = `events${member(name)}`;
      if (name.trim() === '') fail(path, 'is not a valid event name');
      const earlier = seen.get(name.toLowerCase());
      if (earlier !== undefined) fail(path, `has the same name as events${member(earlier)}`, 'event names are matched case-insensitively: merge the two');
      seen.set(name.toLowerCase(), name);
      const event = object(value, path, fail);
      onlyKeys(event, EVENT_KEYS, path, fail);
      const out: EventSchema = { properties: event.properties === undefined ? {} : fieldMap(event.properties, `${path}.properties`, fail) };
      if (event.label !== undefined) out.label = text(event.label, `${path}.label`, fail);
      setOwn(schema.events, name, out);
    }
  }
  return schema;
}

type Fail = (path: string, problem: string, hint?: string) => never;

function fieldMap(json: unknown, path: string, fail: Fail): Record<string, FieldSchema> {
  const map = object(json, path, fail);
  const out: Record<string, FieldSchema> = {};
  for (const [key, value] of Object.entries(map)) {
    if (key.startsWith('$')) continue;
    const at = `${path}${member(key)}`;
    if (key.split('.').some((part) => part.trim() === '')) fail(at, 'is not a valid field path', 'write names like "country" or "attributes.tier"');
    setOwn(out, key, field(value, at, fail));
  }
  return out;
}

function field(json: unknown, path: string, fail: Fail): FieldSchema {
  const f = object(json, path, fail);
  onlyKeys(f, FIELD_KEYS, path, fail);
  const type = f.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    const alias = typeof type === 'string' ? TYPE_ALIASES[type.toLowerCase()] : undefined;
    const hint = alias ? `did you mean \`${alias}\`?` : typeof type === 'string' ? didYouMean(type, FIELD_TYPES) : undefined;
    fail(`${path}.type`, `must be one of ${FIELD_TYPES.join(', ')}; got ${show(type)}`, hint);
  }
  const out: FieldSchema = { type: type as FieldType };
  if (type === 'enum') {
    const values = f.values;
    if (!Array.isArray(values) || values.length === 0) fail(`${path}.values`, 'must be a non-empty list of strings for an enum field', 'write "values": ["gold", "silver"]');
    (values as unknown[]).forEach((v, i) => {
      if (typeof v !== 'string') fail(`${path}.values[${i}]`, `must be a string; got ${show(v)}`);
    });
    out.values = [...(values as string[])];
  } else if (f.values !== undefined) {
    fail(`${path}.values`, `is only allowed on enum fields; this field is ${type}`, 'use "type": "enum" or remove "values"');
  }
  if (type === 'list') {
    if (f.items !== 'text' && f.items !== 'number') fail(`${path}.items`, `must be "text" or "number" for a list field; got ${show(f.items)}`, 'write "items": "text"');
    out.items = f.items as 'text' | 'number';
  } else if (f.items !== undefined) {
    fail(`${path}.items`, `is only allowed on list fields; this field is ${type}`, 'use "type": "list" or remove "items"');
  }
  if (f.label !== undefined) out.label = text(f.label, `${path}.label`, fail);
  if (f.description !== undefined) out.description = text(f.description, `${path}.description`, fail);
  if (f.category !== undefined) out.category = text(f.category, `${path}.category`, fail);
  return out;
}

function object(json: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(path, `must be a JSON object; got ${show(json)}`);
  return json as Record<string, unknown>;
}

function text(json: unknown, path: string, fail: Fail): string {
  if (typeof json !== 'string') fail(path, `must be a string; got ${show(json)}`);
  return json as string;
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key) || key.startsWith('$')) continue;
    const known = `(known: ${allowed.join(', ')})`;
    if (path === 'the schema') fail(path, `has an unknown key ${JSON.stringify(key)} ${known}`, didYouMean(key, allowed));
    fail(`${path}${member(key)}`, `is not a known key ${known}`, didYouMean(key, allowed));
  }
}

/** `.country`, or `["attributes.tier"]` for keys that are not plain identifiers. */
function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
