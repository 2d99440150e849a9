/**
 * What both evaluators (the generated code of `emit-predicate.ts` / `emit-events.ts` and the
 * closures of `closure-tests.ts` / `closures.ts`) decide from the tree before any profile is seen:
 * the kind a literal implies, the constant a literal compares as, the window bounds, the list
 * operand's elements, how far a `count()` must go, an aggregate's sharing key. One definition, so
 * the two evaluators cannot drift apart on them.
 */
import { assertNever, type EventAggregate, type Literal, type Operand, type PredicateExpr } from '../ast';
import type { FieldKind } from '../operators';
import type { EventSchema, Schema } from '../schema';
import { literalInstant, parseIsoDate, type Clock } from '../time';

/** The predicate's operand when it is a single literal. */
export function literalOperand(node: PredicateExpr): Literal | undefined {
  return isLiteral(node.operand) ? node.operand : undefined;
}

/** The items of a list operand (none for any other operand). */
export function listItems(node: PredicateExpr): Literal[] {
  return node.operand?.type === 'list' ? node.operand.items : [];
}

function isLiteral(operand: Operand | null): operand is Literal {
  return operand !== null && operand.type !== 'list' && operand.type !== 'range';
}

/**
 * The kind a literal implies for a field that is not in the schema. `ordered` (>, between…): an
 * ISO-8601 string is a date there (text is not ordered); for `=` a string is text.
 */
export function literalKind(lit: Literal | undefined, ordered: boolean): FieldKind | undefined {
  if (lit === undefined) return undefined;
  switch (lit.type) {
    case 'string':
      return ordered && !Number.isNaN(parseIsoDate(lit.value)) ? 'date' : 'text';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'now':
    case 'today':
    case 'ago':
      return 'date';
    case 'duration':
      return undefined;
    default:
      return assertNever(lit, 'literal');
  }
}

/** A literal as the constant its kind compares with (lower-cased text, epoch ms), or undefined when it does not fit. */
export function constantValue(lit: Literal | undefined, kind: FieldKind | undefined, clock: Clock): string | number | boolean | undefined {
  if (lit === undefined) return undefined;
  switch (kind) {
    case 'text':
      return lit.type === 'string' ? lit.value.toLowerCase() : undefined;
    case 'number':
      return lit.type === 'number' ? lit.value : undefined;
    case 'boolean':
      return lit.type === 'boolean' ? lit.value : undefined;
    case 'date': {
      const ms = literalInstant(lit, clock);
      return Number.isNaN(ms) ? undefined : ms;
    }
    case 'list':
    case undefined:
      return undefined;
    default:
      return assertNever(kind, 'field kind');
  }
}

/** The list operand's items split by element type; items of the wrong type for the schema (`items`) are dropped. */
export function listElements(node: PredicateExpr, items: 'text' | 'number' | undefined): { texts: string[]; numbers: number[]; dropped: boolean } {
  const texts: string[] = [];
  const numbers: number[] = [];
  let dropped = false;
  for (const item of listItems(node)) {
    if (item.type === 'string' && items !== 'number') texts.push(item.value.toLowerCase());
    else if (item.type === 'number' && items !== 'text') numbers.push(item.value);
    else dropped = true;
  }
  return { texts, numbers, dropped };
}

/** The start of a `within last` / `older than` window (epoch ms), or undefined when the predicate cannot hold. */
export function windowStart(node: PredicateExpr, kind: FieldKind | undefined, clock: Clock): number | undefined {
  if (kind !== undefined && kind !== 'date') return undefined;
  const d = node.operand;
  if (d === null || d.type !== 'duration') return undefined;
  const low = clock.ago(d);
  return Number.isNaN(low) ? undefined : low;
}

/**
 * How far a `count()` must go to decide the predicate: one more than the largest number it is
 * compared with (counts only grow, so every comparison is settled beyond it); unbounded otherwise.
 */
export function countCap(node: PredicateExpr): number {
  if (node.subject.type !== 'aggregate' || node.subject.fn !== 'count') return Infinity;
  const operand = node.operand;
  if (operand === null) return 0; // is known / is unknown: a count is always known
  const literals = operand.type === 'list' ? operand.items : operand.type === 'range' ? [operand.low, operand.high] : [operand];
  let max = -Infinity;
  for (const lit of literals) {
    if (lit.type !== 'number') return Infinity;
    max = Math.max(max, lit.value);
  }
  return Math.max(0, Math.floor(max) + 1);
}

/** A structural key for an aggregate (spans ignored); undefined for a `where` too deep to serialise. */
export function aggregateKey(node: EventAggregate): string | undefined {
  try {
    return JSON.stringify(node, (key, value: unknown) => (key === 'span' || key === 'opSpan' ? undefined : value));
  } catch {
    return undefined;
  }
}

/** The value kind of an aggregate: epoch milliseconds for `first_at`/`last_at`, a number otherwise. */
export function aggregateKind(node: EventAggregate): 'date' | 'number' {
  return node.fn === 'first_at' || node.fn === 'last_at' ? 'date' : 'number';
}

/** The schema of an event, its name matched ignoring case. */
export function eventSchema(schema: Schema, name: string): EventSchema | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(schema.events ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
