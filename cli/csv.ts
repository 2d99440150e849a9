/**
 * CSV rows → profiles. The rules (also in the README):
 *
 * - The first row names the columns. A dotted name (`attributes.tier`) becomes a nested field.
 * - An empty cell is an absent value.
 * - With a schema, a cell converts to its field's type: number (`12.5`), boolean (`true`/`false`, any
 *   case), date (kept as ISO-8601 text, checked), list (a JSON array `["a","b"]` or `;`-separated
 *   `a;b`, elements converted to the list's item type), text and enum as written. A cell that does not
 *   convert is a bad line.
 * - Without a schema, by appearance: `true`/`false` are booleans, JSON numbers are numbers, a JSON
 *   array is a list, everything else is text. The id column always stays text.
 * - An `events` column holds the profile's events as a JSON array.
 */
import { parseIsoDate, setOwn, type FieldSchema, type Profile, type Schema } from '../core/index';
import { nonFinite } from './jsonl';
import { userError } from './errors';

/** A cell that does not convert to its column's type (reported with the line). */
export class CsvCellError extends Error {}

type Cell = (text: string) => unknown;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const EVENTS = 'events';

export function csvRowConverter(header: readonly string[], schema: Schema | undefined, path: string): (row: string[]) => Profile {
  const columns = header.map((raw, i) => {
    const name = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (name === '') throw userError('invalid-data', `${path}:1: column ${i + 1} has no name`, 'the first row of a CSV file names the columns');
    return { name, path: name.split('.'), cell: cellConverter(name, schema) };
  });
  checkHeader(columns.map((c) => c.name), path);
  return (row) => {
    if (row.length > columns.length) {
      throw new CsvCellError(`the row has ${row.length} cells but the header names ${columns.length} columns`);
    }
    const profile: Profile = {};
    for (let i = 0; i < row.length; i++) {
      const text = row[i];
      if (text === '') continue;
      const column = columns[i];
      let value: unknown;
      try {
        value = column.cell(text);
      } catch (e) {
        throw new CsvCellError(`column "${column.name}": ${(e as Error).message}`);
      }
      setPath(profile, column.path, value);
    }
    return profile;
  };
}

function checkHeader(names: readonly string[], path: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw userError('invalid-data', `${path}:1: the column "${name}" appears twice`);
    seen.add(name);
  }
  for (const name of names) {
    for (let i = name.indexOf('.'); i !== -1; i = name.indexOf('.', i + 1)) {
      const prefix = name.slice(0, i);
      if (seen.has(prefix)) {
        throw userError('invalid-data', `${path}:1: the columns "${prefix}" and "${name}" collide ("${name}" is a field inside "${prefix}")`);
      }
    }
  }
}

/**
 * Sets a nested value as own properties: a column `__proto__.x` or `a.constructor` is data like any
 * other (as in JSON Lines), never the object's prototype or an inherited member.
 */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = Object.hasOwn(node, path[i]) ? node[path[i]] : undefined;
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const child: Record<string, unknown> = {};
      setOwn(node, path[i], child);
      node = child;
    }
  }
  setOwn(node, path[path.length - 1], value);
}

function cellConverter(name: string, schema: Schema | undefined): Cell {
  if (name === EVENTS) return jsonList;
  if (name === (schema?.idField ?? 'id')) return (text) => text;
  if (schema === undefined) return byAppearance;
  return Object.hasOwn(schema.fields, name) ? typed(schema.fields[name]) : (text) => text;
}

function typed(field: FieldSchema): Cell {
  switch (field.type) {
    case 'text':
    case 'enum':
      return (text) => text;
    case 'number':
      return toNumber;
    case 'boolean':
      return toBoolean;
    case 'date':
      return (text) => {
        if (Number.isNaN(parseIsoDate(text.trim()))) throw new Error(`"${text}" is not an ISO-8601 date (write 2026-01-31 or 2026-01-31T09:30:00Z)`);
        return text.trim();
      };
    case 'list': {
      const item: Cell = field.items === 'number' ? toNumber : (text) => text;
      return (text) => {
        const trimmed = text.trim();
        const items = trimmed.startsWith('[') ? (jsonList(trimmed) as unknown[]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : trimmed.split(';').map((s) => s.trim()).filter((s) => s !== '');
        return items.map(item);
      };
    }
  }
}

function toNumber(text: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new Error(`"${text}" is not a number`);
  return finite(t);
}

/** A number that JavaScript cannot hold (`1e309` is Infinity) is refused, never read as Infinity. */
function finite(t: string): number {
  const n = Number(t);
  if (!Number.isFinite(n)) throw new Error(`${t.length > 24 ? `${t.slice(0, 12)}…` : t} is too large to be a finite number`);
  return n;
}

function toBoolean(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new Error(`"${text}" is not a boolean (write true or false)`);
}

function jsonList(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not a JSON array');
  }
  if (!Array.isArray(value)) throw new Error('not a JSON array');
  if (nonFinite(value, '') !== undefined) throw new Error('a number in the list is too large to be a finite number');
  return value;
}

function byAppearance(text: string): unknown {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (NUMBER.test(t)) return finite(t);
  if (t.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      // not JSON: text
    }
    if (Array.isArray(value)) {
      if (nonFinite(value, '') !== undefined) throw new Error('a number in the list is too large to be a finite number');
      return value;
    }
  }
  return text;
}
