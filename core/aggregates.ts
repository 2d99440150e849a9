/**
 * Every event aggregate of the language, declared once: what it takes and what it returns.
 *
 * The parser reads the argument rule from here, the validator the property type and the result
 * type, and an editor the same table to offer the aggregates and the value editor after them
 * (`operandSpec(AGGREGATES.sum.returns, 'gt')`). Their words are in the strings tables
 * (`strings.ts`, `locales/ar.ts`).
 */
import type { AggregateFn } from './ast';

export interface AggregateDef {
  id: AggregateFn;
  /** The argument: `none` (`.count()`), or the name of a number property (`.sum("amount")`). */
  property: 'none' | 'number';
  /** The type of the value, compared like a field of that type. */
  returns: 'number' | 'date';
  /** The value over no events: `0`, or unknown (`null`; see docs/LANGUAGE.md §7, rule 5). */
  ofNoEvents: 0 | null;
}

const defs: AggregateDef[] = [
  { id: 'count', property: 'none', returns: 'number', ofNoEvents: 0 },
  { id: 'sum', property: 'number', returns: 'number', ofNoEvents: 0 },
  { id: 'min', property: 'number', returns: 'number', ofNoEvents: null },
  { id: 'max', property: 'number', returns: 'number', ofNoEvents: null },
  { id: 'avg', property: 'number', returns: 'number', ofNoEvents: null },
  { id: 'first_at', property: 'none', returns: 'date', ofNoEvents: null },
  { id: 'last_at', property: 'none', returns: 'date', ofNoEvents: null },
];

/** The aggregates by name, in the order an editor offers them. */
export const AGGREGATES: Readonly<Record<AggregateFn, Readonly<AggregateDef>>> = Object.freeze(
  Object.fromEntries(defs.map((d) => [d.id, Object.freeze(d)])) as Record<AggregateFn, AggregateDef>,
);

/** Whether `name` is an aggregate of the language. */
export function isAggregate(name: string): name is AggregateFn {
  return Object.hasOwn(AGGREGATES, name);
}
