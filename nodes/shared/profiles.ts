/**
 * Items as profiles: an item's JSON is the profile, with the user's field mapping applied (a segment
 * field read from another item path) and, when asked, n8n's loose type conversion (numeric, boolean
 * and date strings of typed fields become values of their type, as n8n's Filter node offers).
 */
import type { IDataObject } from 'n8n-workflow';
import type { Profile, Schema } from 'n8n-nodes-segments';

export interface FieldMapping {
  /** The segment's field name (`email`, `tags`, `events`, `attributes.plan`). */
  field: string;
  /** Where it is on the item (`contact.email`). */
  path: string;
}

/** Reads a dotted path. */
export function readPath(value: unknown, path: string): unknown {
  if (!path.includes('.')) return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[path] : undefined;
  let cursor = value;
  for (const key of path.split('.')) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<string, unknown>)[key];
  }
  return cursor;
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function loose(value: unknown, type: string): unknown {
  if (typeof value !== 'string') return value;
  if (type === 'number' && NUMERIC.test(value)) return Number(value);
  if (type === 'boolean') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return value;
}

/**
 * An item as loose type conversion reads it, for schema inference: numeric and true/false strings
 * counted as numbers and booleans (nested objects too, to a bounded depth).
 */
export function loosened(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    const asNumber = loose(value, 'number');
    return asNumber !== value ? asNumber : loose(value, 'boolean');
  }
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => loosened(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, loosened(v, depth + 1)]));
}

/** The item's JSON as it is (one function for every run: see `SegmentRunner.uniform`). */
export const asProfile = (json: IDataObject): Profile => json as Profile;

/**
 * A function from an item's JSON to the profile the segment sees. Without mapping or loose types it
 * is the JSON itself (no copy per item).
 */
export function profileReader(mapping: readonly FieldMapping[], looseTypes: boolean, schema: Schema | undefined): (json: IDataObject) => Profile {
  const typed = looseTypes && schema ? Object.entries(schema.fields).filter(([, f]) => f.type === 'number' || f.type === 'boolean') : [];
  if (mapping.length === 0 && typed.length === 0) return asProfile;
  return (json) => {
    const profile: Record<string, unknown> = { ...json };
    for (const { field, path } of mapping) setPath(profile, field, readPath(json, path));
    for (const [field, f] of typed) {
      const value = readPath(profile, field);
      const converted = Array.isArray(value) ? value.map((v) => loose(v, f.items ?? 'text')) : loose(value, f.type);
      if (converted !== value) setPath(profile, field, converted);
    }
    return profile as Profile;
  };
}

/** Sets a dotted path on a shallow copy, copying the objects along the way (the item is not changed). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cursor = target;
  for (const key of keys.slice(0, -1)) {
    const next = cursor[key];
    const copy = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    cursor[key] = copy;
    cursor = copy;
  }
  cursor[keys[keys.length - 1]!] = value;
}
