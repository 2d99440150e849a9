/**
 * The field schema: what fields a profile has, of what type, and what events with what properties.
 *
 * Given as JSON (see `docs/LANGUAGE.md`), or inferred from sample profiles (`infer-schema.ts`).
 */
import type { FieldKind } from './operators';

export type FieldType = 'text' | 'number' | 'boolean' | 'date' | 'enum' | 'list';

export interface FieldSchema {
  type: FieldType;
  /** enum: the allowed values (compared case-insensitively). */
  values?: string[];
  /** list: the type of the elements. */
  items?: 'text' | 'number';
  /** A human label for the builder ("Last interaction"). */
  label?: string;
  description?: string;
  /** Where an editor's field picker lists it (default: the part of the path before the first dot). */
  category?: string;
}

export interface EventSchema {
  /** Property name (dotted path for nested properties) → type. */
  properties: Record<string, FieldSchema>;
  label?: string;
}

export interface Schema {
  /** The profile id key (default `id`): manual segment members and exports use it. */
  idField?: string;
  /** Field path (dotted: `attributes.plan`) → type. */
  fields: Record<string, FieldSchema>;
  /** Event name → its properties. Event names are matched case-insensitively. */
  events?: Record<string, EventSchema>;
}

/** The operator kind of a schema type: enums are text. */
export function kindOf(field: FieldSchema): FieldKind {
  return field.type === 'enum' ? 'text' : field.type;
}

/** The key of a field path in `Schema.fields`. */
export function fieldKey(path: readonly string[]): string {
  return path.join('.');
}

export const DEFAULT_ID_FIELD = 'id';
/** The key of a profile's event list (Segment track-call shape: `{event, timestamp, properties}`). */
export const EVENTS_KEY = 'events';

/**
 * The value at a field path, read by the one rule every engine and reader follows (docs/LANGUAGE.md
 * §7, "Field paths"): `a.b.c` reads nested objects, `base.a.b.c`, and a step into anything but an
 * object (null, text, a number, a list) is unknown; when `base` has no `a` at all, the flat key
 * `base["a.b.c"]` (as flat exports write it) is read instead. A `null` parent is present: it does not
 * fall back to the flat key. Only own properties count (`constructor` is not a value of `{}`).
 *
 * `path` is the field key split at its dots (`fieldPath`). The in-memory code generator writes this
 * same rule out inline for each path (`codegen.ts`, `read`).
 */
export function readField(base: unknown, path: readonly string[]): unknown {
  let value = ownValue(base, path[0]);
  if (path.length === 1) return value;
  if (value === undefined) return ownValue(base, path.join('.'));
  for (let i = 1; i < path.length && value !== undefined; i++) value = ownValue(value, path[i]);
  return value;
}

/** The segments of a field key (`attributes.tier` → `attributes`, `tier`). */
export function fieldPath(key: string): string[] {
  return key.split('.');
}

/**
 * Sets `record[key]` as an own property whatever the key: `record["__proto__"] = x` would change
 * the prototype instead and lose the entry (a field, a column or a CSV cell named `__proto__`).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function ownValue(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return undefined;
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
