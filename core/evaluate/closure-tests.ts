/**
 * One predicate (`subject op operand`) as a closure over the subject's value: the closures
 * evaluator's counterpart of `emit-predicate.ts`, entry for entry. Everything the tree decides
 * (kinds, constants, windows, list elements) is decided here once, through the same `operands.ts`
 * functions the code generator uses, and the runtime helpers are the same (`runtime.ts`), so both
 * evaluators answer alike; the differential test (test/core/evaluate/evaluators.test.ts) checks it.
 *
 * A test that can never hold is the constant `false` (not a closure), so the caller folds it: a
 * negative form of it is `true`, and an `and` holding it is `false`.
 */
import type { Literal, PredicateExpr } from '../ast';
import { positiveForm, type FieldKind, type PositiveOperatorId } from '../operators';
import type { Clock } from '../time';
import { constantValue, listElements, listItems, literalKind, literalOperand, windowStart } from './operands';
import { allOf, anyNumber, anyText, hasNumber, hasText, instant } from './runtime';

/** A test of one value. */
export type ValueTest = (x: unknown) => boolean;

export interface ClosureTestInput {
  node: PredicateExpr;
  /** The subject's kind from the schema (undefined: not in the schema, fall back on the literal). */
  kind: FieldKind | undefined;
  /** The element type of a list field, when the schema says. */
  items: 'text' | 'number' | undefined;
  /** The value is already a number or epoch milliseconds (event aggregates), or undefined. */
  computed: boolean;
  clock: Clock;
}

type Build = (i: ClosureTestInput) => ValueTest | false;

/** `x` as epoch milliseconds; a computed value (an aggregate) already is one. */
const asInstant = (i: ClosureTestInput): ((x: unknown) => number) => (i.computed ? (x) => x as number : instant);

const BUILD: Record<PositiveOperatorId, Build> = {
  eq(i) {
    const lit = literalOperand(i.node);
    const kind = i.kind ?? literalKind(lit, false);
    if (kind === 'text') return lit?.type === 'string' ? textIn([lit]) : false;
    const c = constantValue(lit, kind, i.clock);
    if (c === undefined) return false;
    if (kind === 'date') {
      if (i.computed) return (x) => x === c;
      return (x) => instant(x) === c;
    }
    return (x) => x === c;
  },
  gt: ordered('>'),
  gte: ordered('>='),
  lt: ordered('<'),
  lte: ordered('<='),
  in(i) {
    const items = listItems(i.node);
    const kind = i.kind ?? literalKind(items[0], false);
    if (kind === 'text') return textIn(items.filter((l): l is Literal & { type: 'string' } => l.type === 'string'));
    if (kind !== 'number') return false;
    const values = [...new Set(items.flatMap((l) => (l.type === 'number' ? [l.value] : [])))];
    if (values.length === 0) return false;
    if (values.length === 1) {
      const v = values[0];
      return (x) => x === v;
    }
    const set = new Set(values);
    return (x) => typeof x === 'number' && set.has(x);
  },
  between(i) {
    const range = i.node.operand;
    if (range === null || range.type !== 'range') return false;
    const kind = i.kind ?? literalKind(range.low, true);
    const low = constantValue(range.low, kind, i.clock);
    const high = constantValue(range.high, kind, i.clock);
    // Only numbers and dates are ordered: a text or boolean range never holds.
    if (typeof low !== 'number' || typeof high !== 'number') return false;
    if (kind === 'number') return (x) => typeof x === 'number' && x >= low && x <= high;
    if (kind === 'date') {
      const at = asInstant(i);
      return (x) => {
        const d = at(x);
        return d >= low && d <= high;
      };
    }
    return false;
  },
  contains(i) {
    const lit = literalOperand(i.node);
    const c = constantValue(lit, 'text', i.clock);
    const substring: ValueTest | false = typeof c === 'string' ? (x) => (x as string).toLowerCase().includes(c) : false;
    if (i.kind === 'text') {
      if (lit?.type !== 'string' || substring === false) return false;
      return (x) => typeof x === 'string' && substring(x);
    }
    const element = elementTest(i, lit);
    if (i.kind === 'list') return element === false ? false : (x) => Array.isArray(x) && element(x);
    if (i.kind !== undefined) return false;
    // Not in the schema: substring of a text, or element of a list, whichever the value is.
    if (substring === false && element === false) return false;
    return (x) => (typeof x === 'string' ? substring !== false && substring(x) : Array.isArray(x) && element !== false && element(x));
  },
  starts_with: affix('startsWith'),
  ends_with: affix('endsWith'),
  contains_any(i) {
    if (i.kind !== undefined && i.kind !== 'list') return false;
    const { texts, numbers } = listElements(i.node, i.items);
    const lowered = new Set(texts);
    const wanted = new Set(numbers);
    if (texts.length > 0 && numbers.length > 0) return (x) => Array.isArray(x) && (anyText(x, lowered) || anyNumber(x, wanted));
    if (texts.length > 0) return (x) => Array.isArray(x) && anyText(x, lowered);
    if (numbers.length > 0) return (x) => Array.isArray(x) && anyNumber(x, wanted);
    return false;
  },
  contains_all(i) {
    if (i.kind !== undefined && i.kind !== 'list') return false;
    const { texts, numbers, dropped } = listElements(i.node, i.items);
    if (dropped) return false;
    return (x) => Array.isArray(x) && allOf(x, texts, numbers);
  },
  is_known: () => (x) => x !== undefined && x !== null,
  is_empty(i) {
    if (i.kind === 'text') return (x) => x === undefined || x === null || x === '';
    if (i.kind === 'list') return (x) => x === undefined || x === null || (Array.isArray(x) && x.length === 0);
    return (x) => x === undefined || x === null || x === '' || (Array.isArray(x) && x.length === 0);
  },
  within_last(i) {
    const low = windowStart(i.node, i.kind, i.clock);
    if (low === undefined) return false;
    const now = i.clock.now;
    const at = asInstant(i);
    return (x) => {
      const d = at(x);
      return d >= low && d <= now;
    };
  },
  older_than(i) {
    const low = windowStart(i.node, i.kind, i.clock);
    if (low === undefined) return false;
    const at = asInstant(i);
    return (x) => at(x) < low;
  },
  before: dateComparison('<'),
  after: dateComparison('>'),
};

/** The test of one predicate on a value, or `true`/`false` when it does not depend on the value. */
export function closureTest(input: ClosureTestInput): ValueTest | boolean {
  const [positive, negated] = positiveForm(input.node.op);
  const test = BUILD[positive](input);
  if (!negated) return test;
  if (test === false) return true;
  return (x) => !test(x);
}

/* @__NO_SIDE_EFFECTS__ */ function ordered(op: '>' | '>=' | '<' | '<='): Build {
  return (i) => {
    const kind = i.kind ?? literalKind(literalOperand(i.node), true);
    const c = constantValue(literalOperand(i.node), kind, i.clock);
    if (typeof c !== 'number') return false;
    if (kind === 'number') {
      switch (op) {
        case '>':
          return (x) => typeof x === 'number' && x > c;
        case '>=':
          return (x) => typeof x === 'number' && x >= c;
        case '<':
          return (x) => typeof x === 'number' && x < c;
        case '<=':
          return (x) => typeof x === 'number' && x <= c;
      }
    }
    if (kind === 'date') return compareInstant(asInstant(i), op, c);
    return false;
  };
}

/* @__NO_SIDE_EFFECTS__ */ function dateComparison(op: '<' | '>'): Build {
  return (i) => {
    if (i.kind !== undefined && i.kind !== 'date') return false;
    const c = constantValue(literalOperand(i.node), 'date', i.clock);
    return typeof c === 'number' ? compareInstant(asInstant(i), op, c) : false;
  };
}

function compareInstant(at: (x: unknown) => number, op: '>' | '>=' | '<' | '<=', c: number): ValueTest {
  switch (op) {
    case '>':
      return (x) => at(x) > c;
    case '>=':
      return (x) => at(x) >= c;
    case '<':
      return (x) => at(x) < c;
    case '<=':
      return (x) => at(x) <= c;
  }
}

/* @__NO_SIDE_EFFECTS__ */ function affix(method: 'startsWith' | 'endsWith'): Build {
  return (i) => {
    if (i.kind !== undefined && i.kind !== 'text') return false;
    const c = constantValue(literalOperand(i.node), 'text', i.clock);
    if (typeof c !== 'string') return false;
    if (method === 'startsWith') return (x) => typeof x === 'string' && x.toLowerCase().startsWith(c);
    return (x) => typeof x === 'string' && x.toLowerCase().endsWith(c);
  };
}

/**
 * Text equal to one of `texts`, ignoring case. Fast paths as in the generated code: the text
 * exactly as written, and a length check (lower-casing never shortens a text).
 */
function textIn(texts: readonly { value: string }[]): ValueTest | false {
  if (texts.length === 0) return false;
  const lowered = [...new Set(texts.map((t) => t.value.toLowerCase()))];
  const longest = Math.max(...lowered.map((t) => t.length));
  if (lowered.length === 1 && texts.length === 1) {
    const written = texts[0].value;
    const lower = lowered[0];
    return (x) => typeof x === 'string' && (x === written || (x.length <= longest && x.toLowerCase() === lower));
  }
  const exact = new Set(texts.map((t) => t.value));
  const set = new Set(lowered);
  return (x) => typeof x === 'string' && (exact.has(x) || (x.length <= longest && set.has(x.toLowerCase())));
}

/** Membership of one literal in a list value (the caller checks that the value is a list). */
function elementTest(i: ClosureTestInput, lit: Literal | undefined): ((list: unknown[]) => boolean) | false {
  const kind = i.items ?? literalKind(lit, false);
  const c = kind === 'text' || kind === 'number' ? constantValue(lit, kind, i.clock) : undefined;
  if (typeof c === 'string') {
    const written = lit?.type === 'string' ? lit.value : c;
    return (list) => hasText(list, c, written);
  }
  if (typeof c === 'number') return (list) => hasNumber(list, c);
  return false;
}
