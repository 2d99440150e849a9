/**
 * One predicate (`subject op operand`) as a JavaScript boolean expression over a variable that
 * already holds the subject's value. Every positive operator of `operators.ts` has an entry in
 * `EMIT`; a negative form (its `negates`) is the plain negation of its positive form, so it is the
 * exact complement (true on unknown and wrong-type values) and is never written twice.
 *
 * Constants go through `gen.constant()`: no literal from the source is ever spliced into the code.
 */
import type { Literal, PredicateExpr } from '../ast';
import { positiveForm, type FieldKind, type PositiveOperatorId } from '../operators';
import type { EmitContext } from './context';
import { constantValue, listElements, listItems, literalKind, literalOperand, windowStart } from './operands';

export interface TestInput {
  node: PredicateExpr;
  /** An identifier holding the subject's value. */
  x: string;
  /** The subject's kind from the schema (undefined: not in the schema, fall back on the literal). */
  kind: FieldKind | undefined;
  /** The element type of a list field, when the schema says. */
  items: 'text' | 'number' | undefined;
  /** The value is already a number or epoch milliseconds (event aggregates), or undefined. */
  computed: boolean;
  gen: EmitContext;
}

type Emit = (i: TestInput) => string;

const FALSE = 'false';

const EMIT: Record<PositiveOperatorId, Emit> = {
  eq(i) {
    const lit = value(i);
    const kind = i.kind ?? literalKind(lit, false);
    if (kind === 'text') return lit?.type === 'string' ? textIn(i, [lit]) : FALSE;
    const c = constantOf(lit, kind, i.gen);
    if (c === undefined) return FALSE;
    if (kind === 'date') return `(${dateOf(i)} === ${c})`;
    return `(${i.x} === ${c})`;
  },
  gt: ordered('>'),
  gte: ordered('>='),
  lt: ordered('<'),
  lte: ordered('<='),
  in(i) {
    const items = listItems(i.node);
    const kind = i.kind ?? literalKind(items[0], false);
    if (kind === 'text') return textIn(i, items.filter((l): l is Literal & { type: 'string' } => l.type === 'string'));
    if (kind !== 'number') return FALSE;
    const values = [...new Set(items.flatMap((l) => (l.type === 'number' ? [l.value] : [])))];
    if (values.length === 0) return FALSE;
    if (values.length > 4) return `(typeof ${i.x} === 'number' && ${i.gen.constant(new Set(values))}.has(${i.x}))`;
    return `(${values.map((v) => `${i.x} === ${i.gen.constant(v)}`).join(' || ')})`;
  },
  between(i) {
    const range = i.node.operand;
    if (range === null || range.type !== 'range') return FALSE;
    const kind = i.kind ?? literalKind(range.low, true);
    const low = constantOf(range.low, kind, i.gen);
    const high = constantOf(range.high, kind, i.gen);
    if (low === undefined || high === undefined) return FALSE;
    if (kind === 'number') return `(typeof ${i.x} === 'number' && ${i.x} >= ${low} && ${i.x} <= ${high})`;
    if (kind === 'date') return `(d = ${dateOf(i)}, d >= ${low} && d <= ${high})`;
    return FALSE;
  },
  contains(i) {
    const lit = value(i);
    const substring = (): string => {
      const c = constantOf(lit, 'text', i.gen);
      return c === undefined ? FALSE : `${i.x}.toLowerCase().includes(${c})`;
    };
    if (i.kind === 'text') return lit?.type === 'string' ? `(typeof ${i.x} === 'string' && ${substring()})` : FALSE;
    if (i.kind === 'list') return `(Array.isArray(${i.x}) && ${elementTest(i, lit)})`;
    if (i.kind !== undefined) return FALSE;
    // Not in the schema: substring of a text, or element of a list, whichever the value is.
    return `(typeof ${i.x} === 'string' ? ${substring()} : Array.isArray(${i.x}) && ${elementTest(i, lit)})`;
  },
  starts_with: affix('startsWith'),
  ends_with: affix('endsWith'),
  contains_any(i) {
    if (i.kind !== undefined && i.kind !== 'list') return FALSE;
    const { texts, numbers } = listElements(i.node, i.items);
    const tests: string[] = [];
    if (texts.length > 0) tests.push(`${i.gen.runtime('anyText')}(${i.x}, ${i.gen.constant(new Set(texts))})`);
    if (numbers.length > 0) tests.push(`${i.gen.runtime('anyNumber')}(${i.x}, ${i.gen.constant(new Set(numbers))})`);
    if (tests.length === 0) return FALSE;
    return `(Array.isArray(${i.x}) && (${tests.join(' || ')}))`;
  },
  contains_all(i) {
    if (i.kind !== undefined && i.kind !== 'list') return FALSE;
    const { texts, numbers, dropped } = listElements(i.node, i.items);
    if (dropped) return FALSE;
    return `(Array.isArray(${i.x}) && ${i.gen.runtime('allOf')}(${i.x}, ${i.gen.constant(texts)}, ${i.gen.constant(numbers)}))`;
  },
  is_known: (i) => `(${i.x} !== undefined && ${i.x} !== null)`,
  is_empty(i) {
    const unknown = `${i.x} === undefined || ${i.x} === null`;
    if (i.kind === 'text') return `(${unknown} || ${i.x} === '')`;
    if (i.kind === 'list') return `(${unknown} || (Array.isArray(${i.x}) && ${i.x}.length === 0))`;
    return `(${unknown} || ${i.x} === '' || (Array.isArray(${i.x}) && ${i.x}.length === 0))`;
  },
  within_last(i) {
    const low = windowBound(i);
    if (low === undefined) return FALSE;
    return `(d = ${dateOf(i)}, d >= ${low} && d <= ${i.gen.constant(i.gen.clock.now)})`;
  },
  older_than(i) {
    const low = windowBound(i);
    return low === undefined ? FALSE : `(${dateOf(i)} < ${low})`;
  },
  before: dateComparison('<'),
  after: dateComparison('>'),
};

/** The boolean expression for one predicate over the value in `input.x`. */
export function emitTest(input: TestInput): string {
  const [positive, negated] = positiveForm(input.node.op);
  const code = EMIT[positive](input);
  if (!negated) return code;
  return code === FALSE ? 'true' : `!${code}`;
}

/* @__NO_SIDE_EFFECTS__ */ function ordered(op: '>' | '>=' | '<' | '<='): Emit {
  return (i) => {
    const kind = i.kind ?? literalKind(value(i), true);
    const c = constantOf(value(i), kind, i.gen);
    if (c === undefined) return FALSE;
    if (kind === 'number') return `(typeof ${i.x} === 'number' && ${i.x} ${op} ${c})`;
    if (kind === 'date') return `(${dateOf(i)} ${op} ${c})`;
    return FALSE;
  };
}

/* @__NO_SIDE_EFFECTS__ */ function dateComparison(op: '<' | '>'): Emit {
  return (i) => {
    if (i.kind !== undefined && i.kind !== 'date') return FALSE;
    const c = constantOf(value(i), 'date', i.gen);
    return c === undefined ? FALSE : `(${dateOf(i)} ${op} ${c})`;
  };
}

/* @__NO_SIDE_EFFECTS__ */ function affix(method: 'startsWith' | 'endsWith'): Emit {
  return (i) => {
    if (i.kind !== undefined && i.kind !== 'text') return FALSE;
    const c = constantOf(value(i), 'text', i.gen);
    return c === undefined ? FALSE : `(typeof ${i.x} === 'string' && ${i.x}.toLowerCase().${method}(${c}))`;
  };
}

/**
 * Text equal to one of `texts`, ignoring case. Fast paths: the text exactly as written (data is
 * usually spelled like the segment), and a length check (lower-casing never shortens a text).
 */
function textIn(i: TestInput, texts: readonly { value: string }[]): string {
  if (texts.length === 0) return FALSE;
  const lowered = [...new Set(texts.map((t) => t.value.toLowerCase()))];
  const exact = [...new Set(texts.map((t) => t.value))];
  const longest = i.gen.constant(Math.max(...lowered.map((t) => t.length)));
  const x = i.x;
  if (lowered.length > 4) return `(typeof ${x} === 'string' && ${x}.length <= ${longest} && ${i.gen.constant(new Set(lowered))}.has(${x}.toLowerCase()))`;
  const exactTests = exact.map((t) => `${x} === ${i.gen.constant(t)}`).join(' || ');
  const lowerTests = lowered.map((t) => `l === ${i.gen.constant(t)}`).join(' || ');
  return `(typeof ${x} === 'string' && (${exactTests} || (${x}.length <= ${longest} && (l = ${x}.toLowerCase(), ${lowerTests}))))`;
}

/** Membership of one literal in a list value (the list check is done by the caller). */
function elementTest(i: TestInput, lit: Literal | undefined): string {
  const kind = i.items ?? literalKind(lit, false);
  const c = kind === 'text' || kind === 'number' ? constantOf(lit, kind, i.gen) : undefined;
  if (c === undefined) return FALSE;
  if (kind === 'text' && lit?.type === 'string') return `${i.gen.runtime('hasText')}(${i.x}, ${c}, ${i.gen.constant(lit.value)})`;
  return `${i.gen.runtime(kind === 'text' ? 'hasText' : 'hasNumber')}(${i.x}, ${c})`;
}

function windowBound(i: TestInput): string | undefined {
  const low = windowStart(i.node, i.kind, i.gen.clock);
  return low === undefined ? undefined : i.gen.constant(low);
}

/** The subject's value as epoch milliseconds (NaN when it is not a date). */
function dateOf(i: TestInput): string {
  return i.computed ? i.x : `${i.gen.runtime('instant')}(${i.x})`;
}

function value(i: TestInput): Literal | undefined {
  return literalOperand(i.node);
}

function constantOf(lit: Literal | undefined, kind: FieldKind | undefined, gen: EmitContext): string | undefined {
  const v = constantValue(lit, kind, gen.clock);
  return v === undefined ? undefined : gen.constant(v);
}
