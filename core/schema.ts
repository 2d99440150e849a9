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
