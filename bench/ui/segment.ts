/**
 * The one segment both builders are measured on: 50 fields (text, number, boolean, date, enum) and
 * N conditions over them in one flat `and` group, given to each builder in its own format.
 */
import type { Schema } from '../../core/index';

const TYPES = ['text', 'number', 'boolean', 'date', 'enum'] as const;

export const FIELD_COUNT = 50;

export function fieldName(k: number): string {
  return `field_${k}`;
}

export function schema(): Schema {
  const fields: Schema['fields'] = {};
  for (let k = 0; k < FIELD_COUNT; k++) {
    const type = TYPES[k % TYPES.length];
    fields[fieldName(k)] = type === 'enum' ? { type, values: ['alpha', 'beta', 'gamma'], label: `Field ${k}` } : { type, label: `Field ${k}` };
  }
  return { fields };
}

/** The k-th condition: field, operator (ours and react-querybuilder's name) and value. */
export function condition(k: number): { field: string; type: (typeof TYPES)[number]; ours: string; rqb: { field: string; operator: string; value: string } } {
  const f = k % FIELD_COUNT;
  const field = fieldName(f);
  const type = TYPES[f % TYPES.length];
  switch (type) {
    case 'number':
      return { field, type, ours: `${field} > ${k}`, rqb: { field, operator: '>', value: String(k) } };
    case 'boolean':
      return { field, type, ours: `${field} = true`, rqb: { field, operator: '=', value: 'true' } };
    case 'date':
      return { field, type, ours: `${field} after "2026-01-01"`, rqb: { field, operator: '>', value: '2026-01-01' } };
    case 'enum':
      return { field, type, ours: `${field} = "beta"`, rqb: { field, operator: '=', value: 'beta' } };
    default:
      return { field, type, ours: `${field} contains "v${k}"`, rqb: { field, operator: 'contains', value: `v${k}` } };
  }
}

export function expression(n: number): string {
  return Array.from({ length: n }, (_, k) => condition(k).ours).join(' and ');
}

/** The first condition with a text value (where the keystroke benchmark types). */
export function textConditionIndex(n: number): number {
  const k = Math.floor(n / 2);
  for (let i = k; i < n; i++) if (condition(i).type === 'text') return i;
  return 0;
}
