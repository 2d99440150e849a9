/**
 * The field-path table: profiles that write the same path in every shape data arrives in (nested,
 * flat dotted key, both, null and non-object parents, lists on the path), and expressions with the
 * ids they must select. The rule is docs/LANGUAGE.md §7.6: nested objects; the flat key only when
 * the first name is absent; a present parent (even `null` or `{}`) wins; lists are never indexed.
 *
 * Expected ids were written by hand from that rule, not by running an engine.
 */
import type { Schema } from '../../core/schema';

export const pathSchema: Schema = {
  idField: 'id',
  fields: {
    id: { type: 'text' },
    'attributes.tier': { type: 'text' },
    'a.b.c': { type: 'number' },
    'tags.length': { type: 'number' },
    'constructor.name': { type: 'text' },
  },
  events: {
    purchase: { properties: { 'meta.source': { type: 'text' }, 'price.amount': { type: 'number' } } },
  },
};

const buy = (properties: unknown) => ({ event: 'purchase', timestamp: '2026-11-20T00:00:00Z', properties });

export const pathProfiles: Record<string, unknown>[] = [
  { id: 'nested', attributes: { tier: 'gold' }, a: { b: { c: 1 } } },
  { id: 'flat', 'attributes.tier': 'Gold', 'a.b.c': 1 },
  // Both shapes: the nested value wins.
  { id: 'both', attributes: { tier: 'silver' }, 'attributes.tier': 'gold', a: { b: { c: 2 } }, 'a.b.c': 1 },
  // A present parent without the child: the flat key is not read.
  { id: 'empty-parent', attributes: {}, 'attributes.tier': 'Gold', a: { b: {} }, 'a.b.c': 1 },
  { id: 'null-parent', attributes: null, 'attributes.tier': 'Gold', a: null, 'a.b.c': 1 },
  { id: 'null-middle', a: { b: null }, 'a.b.c': 1 },
  // Parents that are not objects.
  { id: 'text-parent', attributes: 'gold', 'attributes.tier': 'gold', a: { b: 'c' }, 'a.b.c': 1 },
  { id: 'number-parent', attributes: 5, 'attributes.tier': 'gold', a: 1 },
  { id: 'boolean-parent', attributes: true, 'attributes.tier': 'gold', a: { b: false } },
  // Lists on the path are not indexed: `tags.length` is not the length, `attributes` holding a list has no tier.
  { id: 'list-parent', attributes: [{ tier: 'gold' }], 'attributes.tier': 'gold', tags: ['x', 'y'], 'tags.length': 2, a: [{ b: { c: 1 } }] },
  // Flat keys only at the top: a dotted key inside an object, or a nested object under a flat key, is not the field.
  { id: 'dotted-inside', attributes: { 'tier.x': 'gold' }, a: { 'b.c': 1 } },
  { id: 'object-under-flat', 'a.b': { c: 1 } },
  // The flat key beside an absent parent is read (undefined is absent, as in JavaScript callers' objects).
  { id: 'undefined-parent', attributes: undefined, 'attributes.tier': 'GOLD', 'tags.length': 2 },
  // Inherited properties are not values: `constructor.name` of a plain object is not "Object".
  { id: 'own-constructor', constructor: { name: 'Object' } },
  {
    id: 'events',
    events: [
      buy({ meta: { source: 'ad' }, price: { amount: 5 } }),
      buy({ 'meta.source': 'ad', 'price.amount': 7 }),
      buy({ meta: null, 'meta.source': 'ad', price: {}, 'price.amount': 100 }),
      buy({ meta: ['ad'], price: [{ amount: 1000 }] }),
    ],
  },
];

export interface PathCase {
  expression: string;
  expected: string[];
}

const ALL = pathProfiles.map((p) => p.id as string).sort();
const except = (...ids: string[]): string[] => ALL.filter((id) => !ids.includes(id));

export const pathCases: PathCase[] = [
  { expression: 'attributes.tier = "gold"', expected: ['flat', 'nested', 'undefined-parent'] },
  { expression: 'attributes.tier = "silver"', expected: ['both'] },
  { expression: 'attributes.tier is known', expected: ['both', 'flat', 'nested', 'undefined-parent'] },
  { expression: 'attributes.tier is unknown', expected: except('both', 'flat', 'nested', 'undefined-parent') },
  { expression: 'attributes.tier is empty', expected: except('both', 'flat', 'nested', 'undefined-parent') },
  { expression: 'attributes.tier != "gold"', expected: except('flat', 'nested', 'undefined-parent') },
  // A back-quoted name with a dot names the same field.
  { expression: '`attributes.tier` = "gold"', expected: ['flat', 'nested', 'undefined-parent'] },
  { expression: 'attributes.`tier` contains "OL"', expected: ['flat', 'nested', 'undefined-parent'] },
  { expression: 'a.b.c = 1', expected: ['flat', 'nested'] },
  { expression: 'a.b.c >= 1', expected: ['both', 'flat', 'nested'] },
  { expression: 'a.b.c is known', expected: ['both', 'flat', 'nested'] },
  { expression: 'a.b.c is unknown', expected: except('both', 'flat', 'nested') },
  { expression: 'tags.length is known', expected: ['undefined-parent'] },
  { expression: 'tags.length = 2', expected: ['undefined-parent'] },
  { expression: 'constructor.name is known', expected: ['own-constructor'] },
  { expression: 'constructor.name = "object"', expected: ['own-constructor'] },
  // Event property paths: nested (5), flat beside an absent parent (7); a null, empty or list parent hides the flat key.
  { expression: 'event("purchase").where(meta.source = "ad").count() = 2', expected: ['events'] },
  { expression: 'event("purchase").where(meta.source is unknown).count() = 2', expected: ['events'] },
  { expression: 'event("purchase").sum("price.amount") = 12', expected: ['events'] },
  { expression: 'event("purchase").max("price.amount") = 7', expected: ['events'] },
  { expression: 'event("purchase").avg("price.amount") = 6', expected: ['events'] },
];

/** A schema whose profile id is itself a dotted path: manual segments and the SQL import read it by the same rule. */
export const idPathSchema: Schema = { idField: 'ref.id', fields: { 'ref.id': { type: 'text' }, n: { type: 'number' } } };

export const idPathProfiles: Record<string, unknown>[] = [
  { ref: { id: 'r1' }, n: 1 },
  { 'ref.id': 'r2', n: 2 },
  { ref: { id: 'r3' }, 'ref.id': 'other', n: 3 },
];
