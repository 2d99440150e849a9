/**
 * A table of the reach index: rows (profiles, or the events of one name) and a column per field.
 *
 * Columns are made for every field the schema names (dotted paths read by the one rule of
 * `readField`), and, when `discover` is on, for every other top-level key the rows have, from the
 * first row whose value is not null (its type decides the column's). A top-level key whose first
 * value is an object is not indexed: a segment that reads it, or a path under it that the schema
 * does not name, cannot be answered (`missing`).
 */
import { SegmentError } from '../errors';
import { fieldPath, kindOf, readField, type FieldSchema } from '../schema';
import { columnFor, type Column } from './columns';

const MAX_DEPTH = 6;

/**
 * Stands for every plain object value: the row engine's every condition is false on an object
 * (it is neither text, a number, a date nor a list) except `is known`, so one shared object
 * answers for all of them and the index keeps none of the profile's own.
 */
export const OBJECT: Readonly<Record<string, never>> = Object.freeze({});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export class Table {
  readonly columns = new Map<string, Column>();
  /** The schema's fields, each with its column once a row has a value there (saves a map lookup a value). */
  private readonly declared: { key: string; path: string[]; schema: FieldSchema; column: Column | undefined }[] = [];
  /** Dotted paths found in the rows (not in the schema): nested fields and flat keys. */
  private readonly discovered: { key: string; path: string[] }[] = [];
  private readonly found = new Set<string>();
  /** Keys whose values so far were all objects: their rows, until a value decides the column's type. */
  private readonly pending = new Map<string, number[]>();
  /** Objects nested deeper than discovery walks. */
  private readonly tooDeep = new Set<string>();
  private readonly fields: Readonly<Record<string, FieldSchema>>;
  private readonly discover: boolean;
  private readonly skip: string | undefined;

  /** `skip`: a top-level key that is not a field here (the profile's `events`). */
  constructor(fields: Readonly<Record<string, FieldSchema>>, discover: boolean, skip?: string) {
    this.fields = fields;
    this.discover = discover;
    this.skip = skip;
    for (const [key, schema] of Object.entries(fields)) {
      this.declared.push({ key, path: fieldPath(key), schema, column: undefined });
    }
  }

  push(row: number, object: unknown): void {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return;
    const o = object as Record<string, unknown>;
    for (const d of this.declared) {
      const value = d.path.length === 1 ? (Object.hasOwn(o, d.key) ? o[d.key] : undefined) : readField(o, d.path);
      if (value === undefined || value === null) continue;
      let column = d.column;
      if (column === undefined) {
        column = columnFor(kindOf(d.schema), d.schema.type === 'list' ? d.schema.items : undefined, value);
        this.columns.set(d.key, column);
        d.column = column;
      }
      column.push(row, typeof value === 'object' && isPlainObject(value) ? OBJECT : value);
    }
    if (!this.discover) return;
    for (const key in o) {
      if (!Object.hasOwn(o, key) || key === this.skip || Object.hasOwn(this.fields, key)) continue;
      const value = o[key];
      if (value === undefined || value === null) continue;
      if (key.includes('.')) {
        // A flat export's key: the field of that path, read by the rule (nested first).
        this.discoverPath(key);
        continue;
      }
      if (isPlainObject(value)) this.walk(value, key, 1);
      this.pushFound(key, row, value);
    }
    for (const d of this.discovered) {
      const value = readField(o, d.path);
      if (value !== undefined && value !== null) this.pushFound(d.key, row, value);
    }
  }

  private pushFound(key: string, row: number, value: unknown): void {
    let column = this.columns.get(key);
    if (column === undefined) {
      if (isPlainObject(value)) {
        const rows = this.pending.get(key);
        if (rows === undefined) this.pending.set(key, [row]);
        else rows.push(row);
        return;
      }
      column = columnFor(undefined, undefined, value);
      this.columns.set(key, column);
      for (const r of this.pending.get(key) ?? []) column.push(r, OBJECT);
      this.pending.delete(key);
    }
    column.push(row, isPlainObject(value) ? OBJECT : value);
  }

  /** Finds the nested fields under an object value (`attributes.tier`…), a few levels deep. */
  private walk(object: Record<string, unknown>, prefix: string, depth: number): void {
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      const value = object[key];
      if (value === undefined || value === null) continue;
      const path = `${prefix}.${key}`;
      this.discoverPath(path);
      if (isPlainObject(value)) {
        if (depth < MAX_DEPTH) this.walk(value, path, depth + 1);
        else this.tooDeep.add(path);
      }
    }
  }

  private discoverPath(key: string): void {
    if (this.found.has(key) || Object.hasOwn(this.fields, key)) return;
    // Earlier rows had no value at this path: it would have been found then.
    this.found.add(key);
    this.discovered.push({ key, path: fieldPath(key) });
  }

  /**
   * The column of a field; undefined when every row's value is unknown (a field of the schema no
   * row has, or, when discovering, a path no row has). Throws when the index cannot tell.
   */
  column(key: string, what: string): Column | undefined {
    const column = this.columns.get(key);
    if (column !== undefined) return column;
    if (Object.hasOwn(this.fields, key)) return undefined;
    const path = fieldPath(key);
    if (this.discover && !path.some((_, i) => i > 0 && this.tooDeep.has(path.slice(0, i).join('.')))) {
      const rows = this.pending.get(key);
      if (rows === undefined) return undefined;
      // Only objects so far: a column of them.
      const objects = columnFor(undefined, undefined, OBJECT);
      for (const r of rows) objects.push(r, OBJECT);
      return objects;
    }
    throw new SegmentError({
      code: 'invalid-option',
      summary: `the reach index has no column for ${what} \`${key}\``,
      hint: this.discover ? 'it is nested deeper than the index looks; name it in the schema the index is built with' : 'name it in the schema the index is built with (or build without a schema, which indexes every field)',
    });
  }

  forget(row: number): void {
    for (const c of this.columns.values()) c.forget(row);
  }

  trim(size: number): void {
    for (const c of this.columns.values()) c.trim(size);
  }

  bytes(): number {
    let b = 0;
    for (const c of this.columns.values()) b += c.bytes();
    return b;
  }
}
