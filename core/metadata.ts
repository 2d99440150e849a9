/**
 * Editor metadata: what a visual builder needs to offer the right controls without knowing the
 * language's rules itself.
 *
 * - `operandSpec(fieldType, op)`: which value editor follows an operator on a field of a type, how
 *   many values it takes and of what type;
 * - `fieldListing(schema)` / `eventListing(schema)`: the schema's fields in categories (for a
 *   grouped field picker) and its events with their properties.
 *
 * The operators are in `operators.ts` (`operatorsFor(kind)`), the aggregates in `aggregates.ts`,
 * their words in the strings tables (`strings.ts`).
 */
import { OPERATORS, type OperatorId } from './operators';
import { kindOf, type FieldSchema, type FieldType, type Schema } from './schema';
import { localeStrings, type LocaleInput } from './strings';

/**
 * The value editors: `list` edits several values (tags), `date` an absolute date, `relative-date`
 * a date relative to now (`30 days ago`, `now`, `today`), `between` two bounds.
 */
export type ValueEditor = 'none' | 'text' | 'number' | 'boolean' | 'enum' | 'list' | 'date' | 'relative-date' | 'duration' | 'between';

/** The type of one value of an operand. */
export type ValueType = 'text' | 'number' | 'boolean' | 'enum' | 'date' | 'duration';

export interface OperandSpec {
  /** The editor for the whole operand. */
  editor: ValueEditor;
  /** How many values: none (`is known`), one, two (`between`) or a list. */
  values: 0 | 1 | 2 | 'many';
  /** The type of each value (the value, each bound, each list item); null when there is none. */
  item: ValueType | null;
  /**
   * The editors for one value, preferred first: a date takes `date` or `relative-date`, a list item
   * or a bound the editor of its type. Empty when there is no value.
   */
  itemEditors: readonly ValueEditor[];
  /** The choices of an enum field (when a field schema with `values` was given). */
  options?: readonly string[];
}

/**
 * The operand an operator takes on a field: pass the field's schema (for an enum's choices and a
 * list's item type) or just its type; for an event aggregate pass its result type
 * (`AGGREGATES.sum.returns`). Returns null when the operator does not apply to the field's type
 * (`operatorsFor(kindOf(field))` lists those that do).
 */
export function operandSpec(field: FieldType | FieldSchema, op: OperatorId): OperandSpec | null {
  const schema: FieldSchema = typeof field === 'string' ? { type: field } : field;
  const def = OPERATORS[op];
  if (!def.kinds.includes(kindOf(schema))) return null;
  const item = valueType(schema, op);
  const itemEditors: readonly ValueEditor[] = item === 'date' ? ['date', 'relative-date'] : [item];
  const options = item === 'enum' && schema.values ? { options: schema.values } : {};
  switch (def.operand) {
    case 'none':
      return { editor: 'none', values: 0, item: null, itemEditors: [] };
    case 'duration':
      return { editor: 'duration', values: 1, item: 'duration', itemEditors: ['duration'] };
    case 'list':
      return { editor: 'list', values: 'many', item, itemEditors, ...options };
    case 'range':
      return { editor: 'between', values: 2, item, itemEditors, ...options };
    case 'value':
      return { editor: itemEditors[0], values: 1, item, itemEditors, ...options };
  }
}

/** The type of one value after `op` on a field: a list's items, an enum's choices (only where equality is meant). */
function valueType(field: FieldSchema, op: OperatorId): Exclude<ValueType, 'duration'> {
  switch (field.type) {
    case 'list':
      return field.items === 'number' ? 'number' : 'text';
    case 'enum':
      return op === 'eq' || op === 'neq' || op === 'in' || op === 'not_in' ? 'enum' : 'text';
    default:
      return field.type;
  }
}

/** One field of a schema, for a picker. */
export interface FieldEntry {
  /** The field path as written in expressions (`attributes.plan`). */
  path: string;
  /** Its label: the schema's `label`, else the path. */
  label: string;
  type: FieldType;
  field: FieldSchema;
}

export interface FieldGroup {
  /** The category: the schema's `category`, else the part of the path before the first dot; `""` for top-level fields. */
  id: string;
  /** Its label: the locale's word for top-level profile fields, else the category capitalised. */
  label: string;
  fields: FieldEntry[];
}

/**
 * The schema's fields in categories, for a grouped field picker: top-level profile fields first,
 * then each category in the order its first field appears; fields in schema order.
 */
export function fieldListing(schema: Schema, options: { locale?: LocaleInput } = {}): FieldGroup[] {
  const strings = localeStrings(options.locale);
  const groups = new Map<string, FieldGroup>([['', { id: '', label: strings.categories.profile, fields: [] }]]);
  for (const [path, field] of Object.entries(schema.fields)) {
    const dot = path.indexOf('.');
    const id = field.category ?? (dot > 0 ? path.slice(0, dot) : '');
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { id, label: capitalise(id), fields: [] }));
    group.fields.push(entry(path, field));
  }
  return [...groups.values()].filter((g) => g.fields.length > 0);
}

export interface EventEntry {
  name: string;
  label: string;
  /** The event's properties (each usable in `.where(…)`, the numbers in `sum`/`min`/`max`/`avg`). */
  properties: FieldEntry[];
}

/** The schema's events with their properties, for an event picker (the locale's `categories.events` names the group). */
export function eventListing(schema: Schema): EventEntry[] {
  return Object.entries(schema.events ?? {}).map(([name, event]) => ({
    name,
    label: event.label ?? name,
    properties: Object.entries(event.properties ?? {}).map(([path, field]) => entry(path, field)),
  }));
}

function entry(path: string, field: FieldSchema): FieldEntry {
  return { path, label: field.label ?? path, type: field.type, field };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/_/g, ' ');
}
