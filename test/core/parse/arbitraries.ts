/**
 * fast-check arbitraries for segment trees and segment-like source text, shared by the parser fuzz
 * tests and the printer round-trip property.
 *
 * `factoryTree` builds trees with the node factories in any shape an editor might hold: and/or of
 * any length (empty groups, one item, nested same-kind chains), explicit groups (also of groups),
 * drafts with any pieces missing, every operator and operand shape. `expr` is the same, normalized:
 * the shape the parser gives for the printed text. Leaves have zero spans (tests compare trees with
 * `stripSpans`).
 */
import fc from 'fast-check';
import type { AggregateFn, DurationLiteral, EventAggregate, Expr, FieldRef, ListLiteral, Literal, Operand, PredicateExpr, Span } from '../../../core/ast';
import { UNITS as UNIT_DEFS, type DurationUnit } from '../../../core/durations';
import { nodes } from '../../../core/factories';
import { normalize } from '../../../core/normalize';
import { OPERATOR_LIST, OPERATORS, type OperatorId } from '../../../core/operators';

const span: Span = { start: 0, end: 0 };

const AWKWARD = ['"', "'", '\\', '`', '\n', '\r', '\t', '\u0000', '\u2028', '\ud800', '\udc00', '😀', 'é', 'ß', ' ', '.', '//', 'and', 'or', 'not', '(', ')', '[', ']', ','];

/** Text with quotes, backslashes, control characters, lone surrogates, emoji and keywords. */
export const awkwardText = fc.string({
  unit: fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('a', 'b', 'Z', '1', '_')),
  maxLength: 12,
});

/** Field path segments: identifiers, keywords, names needing back-quotes (spaces, dots, back-quotes). */
const fieldName = fc.oneof(
  fc.constantFrom('country', 'attributes', 'plan', 'last_seen', 'tags', 'Zoë', 'x1', '_id'),
  fc.constantFrom('not', 'AND', 'or', 'true', 'False', 'null', 'now', 'today', 'event', 'in_segment', 'contains', 'is', 'in'),
  fc.constantFrom('favorite color', 'a.b', 'back`quote', 'back\\slash', '1st', 'with-dash', ' '),
  awkwardText.filter((s) => s.length > 0),
);

export const fieldRef: fc.Arbitrary<FieldRef> = fc.array(fieldName, { minLength: 1, maxLength: 3 }).map((path) => ({ type: 'field', path, span }));

const UNITS: DurationUnit[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

export const duration: fc.Arbitrary<DurationLiteral> = fc
  .record({ amount: fc.oneof(fc.nat(400), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })), unit: fc.constantFrom(...UNITS) })
  .map(({ amount, unit }) => ({ type: 'duration', amount: Object.is(amount, -0) ? 0 : amount, unit, span }));

const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => (Object.is(n, -0) ? 0 : n));

const plainLiteral: fc.Arbitrary<Literal> = fc.oneof(
  awkwardText.map((value): Literal => ({ type: 'string', value, span })),
  number.map((value): Literal => ({ type: 'number', value, span })),
  fc.boolean().map((value): Literal => ({ type: 'boolean', value, span })),
);

export const scalar: fc.Arbitrary<Literal> = fc.oneof(
  plainLiteral,
  duration,
  fc.constant<Literal>({ type: 'now', span }),
  fc.constant<Literal>({ type: 'today', span }),
  duration.map((d): Literal => ({ type: 'ago', duration: d, span })),
);

const list: fc.Arbitrary<ListLiteral> = fc.array(plainLiteral, { maxLength: 4 }).map((items) => ({ type: 'list', items, span }));

function operandFor(op: OperatorId): fc.Arbitrary<Operand | null> {
  switch (OPERATORS[op].operand) {
    case 'none':
      return fc.constant(null);
    case 'value':
      return scalar;
    case 'list':
      return list;
    case 'range':
      return fc.tuple(scalar, scalar).map(([low, high]): Operand => ({ type: 'range', low, high, span }));
    case 'duration':
      return duration;
  }
}

const FNS: AggregateFn[] = ['count', 'sum', 'min', 'max', 'avg', 'first_at', 'last_at'];
const WITH_PROPERTY = new Set<AggregateFn>(['sum', 'min', 'max', 'avg']);

function aggregate(where: fc.Arbitrary<Expr>): fc.Arbitrary<EventAggregate> {
  return fc
    .record({
      event: awkwardText,
      where: fc.option(where, { nil: null }),
      within: fc.option(duration, { nil: null }),
      fn: fc.constantFrom(...FNS),
      property: awkwardText,
    })
    .map(({ event, where, within, fn, property }) => ({
      type: 'aggregate',
      event: { type: 'string', value: event, span },
      where,
      within,
      fn,
      property: WITH_PROPERTY.has(fn) ? { type: 'string', value: property, span } : null,
      span,
    }));
}

const opId = fc.constantFrom(...OPERATOR_LIST.map((d) => d.id));

/**
 * Every node kind (but raw text), every operator and operand shape, nested up to a few levels, in no
 * particular shape: what an editor may hold after any sequence of edits.
 */
export const factoryTree: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr; and: Expr; or: Expr; leaf: Expr; draft: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    tie('leaf'),
    tie('leaf'),
    tie('and'),
    tie('or'),
    tie('draft'),
    tie('expr').map(nodes.not),
    tie('expr').map(nodes.group),
  ),
  and: fc.array(tie('expr'), { maxLength: 4 }).map((items) => nodes.and(...items)),
  or: fc.array(tie('expr'), { maxLength: 4 }).map((items) => nodes.or(...items)),
  draft: fc
    .record({ subject: fc.option(fc.oneof({ weight: 4, arbitrary: fieldRef }, { weight: 1, arbitrary: aggregate(tie('expr')) }), { nil: null }), op: fc.option(opId, { nil: null }) })
    .chain(({ subject: s, op }) => (op === null ? fc.constant(null) : fc.option(operandFor(op), { nil: null })).map((operand) => nodes.draft({ subject: s, op, operand }))),
  leaf: fc.oneof(
    fc
      .record({
        subject: fc.oneof({ weight: 4, arbitrary: fieldRef }, { weight: 1, arbitrary: aggregate(tie('expr')) }),
        op: opId,
      })
      .chain(({ subject: s, op }) => operandFor(op).map((operand): PredicateExpr => ({ type: 'predicate', subject: s, op, operand, opSpan: span, span }))),
    awkwardText.map((name): Expr => nodes.segment(name)),
  ),
})).expr;

/** Factory trees, normalized: the parser's shape for their printed text. */
export const expr: fc.Arbitrary<Expr> = factoryTree.map(normalize);

/** Pieces of the language, for source text that is nearly valid (and often not). */
const TOKENS = [
  'country', 'attributes.plan', '`favorite color`', 'tags', ' ', ' ', '\n', '// c\n', '=', '==', '!=', '>', '>=', '<', '<=',
  'is', 'is not', 'not', 'NOT', '!', 'and', 'AND', 'or', '&&', '||', 'in', 'not in', 'between', 'contains', 'contains any',
  'starts with', 'ends with', 'is known', 'is null', 'is empty', 'within last', 'older than', 'before', 'after', '(', ')',
  '[', ']', ',', '"OM"', "'x'", '"', '12', '-12.5', '1e3', '30 days', '30d', '15min', '6mo', 'ago', 'now', 'today', 'true',
  'event("x")', '.where(', '.within(', '.count()', '.sum("p")', '.cnt()', 'in_segment("VIP")', '\\', '`', '\u0000', '\ud800',
];

export const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((parts) => parts.join(' '));

/**
 * Source text for a tree in a random valid style: keyword case, synonyms (`&&`, `||`, `!`, `==`,
 * `is`, `is null`, `within`), compact durations, single quotes, needless back-quotes and
 * parentheses, and whitespace, newlines and comments between tokens. It parses back to the tree.
 */
export const styledSource: fc.Arbitrary<{ tree: Expr; source: string }> = fc
  .tuple(expr, fc.integer({ min: 1, max: 2 ** 31 - 2 }))
  .map(([tree, seed]) => ({ tree, source: new Stylist(seed).expr(tree) }));

class Stylist {
  constructor(private seed: number) {}

  private pick<T>(options: readonly T[]): T {
    this.seed = (this.seed * 48271) % 2147483647;
    return options[this.seed % options.length];
  }

  private space(): string {
    return this.pick([' ', ' ', ' ', '  ', '\n', '\t', ' // note\n', '\r\n  ']);
  }

  private word(w: string): string {
    return this.pick([w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]);
  }

  private group(inner: string): string {
    return `(${this.pick(['', ' ', '\n'])}${inner}${this.pick(['', ' '])})`;
  }

  expr(e: Expr): string {
    switch (e.type) {
      case 'and':
      case 'or': {
        if (e.items.length === 0) return this.pick(['()', '( )', '(\n)', '(// empty\n)']);
        const op = () => (e.type === 'and' ? this.pick([this.word('and'), '&&']) : this.pick([this.word('or'), '||']));
        return e.items.map((item) => this.expr(item)).reduce((a, b) => `${a}${this.space()}${op()}${this.space()}${b}`);
      }
      case 'group': {
        const inner = this.group(this.expr(e.expr));
        // Doubled parentheses are one group.
        return this.pick([false, false, false, true]) ? this.group(inner) : inner;
      }
      case 'not':
        return this.pick([`${this.word('not')}${this.space()}${this.expr(e.operand)}`, `!${this.pick(['', ' '])}${this.expr(e.operand)}`]);
      case 'segment':
        return `${this.word('in_segment')}(${this.string(e.name)})`;
      case 'predicate':
      case 'draft': {
        const subject = e.subject === null ? '?' : e.subject.type === 'field' ? this.field(e.subject.path) : this.aggregate(e.subject);
        if (e.op === null) return e.subject === null ? this.pick(['?', `?${this.space()}?`]) : `${subject}${this.space()}?`;
        const spelling = this.pick(OPERATORS[e.op].spellings)
          .split(' ')
          .map((w) => this.word(w))
          .join(this.space());
        const operand = e.operand === null ? (OPERATORS[e.op].operand === 'none' ? '' : `${this.space()}?`) : this.space() + this.operand(e.operand);
        return `${subject}${this.space()}${spelling}${operand}`;
      }
      case 'raw':
        return e.text;
    }
  }

  private field(path: string[]): string {
    return path
      .map((name, k) => {
        const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && (k > 0 || !['and', 'or', 'not', 'true', 'false', 'null', 'now', 'today'].includes(name.toLowerCase()));
        return bare && this.pick([true, true, false]) ? name : `\`${escape(name, '`')}\``;
      })
      .join('.');
  }

  private aggregate(a: EventAggregate): string {
    const parts: string[] = [];
    if (a.where) parts.push(`${this.word('where')}(${this.expr(a.where)})`);
    if (a.within) parts.push(`${this.word('within')}(${this.duration(a.within)})`);
    if (this.pick([false, true])) parts.reverse();
    parts.push(`${this.word(a.fn)}(${a.property ? this.string(a.property.value) : ''})`);
    return `${this.word('event')}(${this.string(a.event.value)})${parts.map((p) => `${this.pick(['', '\n  '])}.${p}`).join('')}`;
  }

  private operand(o: Operand): string {
    switch (o.type) {
      case 'list':
        return `[${o.items.map((i) => this.literal(i)).join(`,${this.space()}`)}]`;
      case 'range':
        return `${this.literal(o.low)}${this.space()}${this.word('and')}${this.space()}${this.literal(o.high)}`;
      default:
        return this.literal(o);
    }
  }

  private literal(l: Literal): string {
    switch (l.type) {
      case 'string':
        return this.string(l.value);
      case 'number':
        return String(l.value);
      case 'boolean':
        return this.word(String(l.value));
      case 'duration':
        return this.duration(l);
      case 'now':
      case 'today':
        return this.word(l.type);
      case 'ago':
        return `${this.duration(l.duration)}${this.space()}${this.word('ago')}`;
    }
  }

  private duration(d: DurationLiteral): string {
    const spellings = UNIT_DEFS[d.unit].spellings;
    const spelling = this.pick(spellings);
    // Compact forms attach to the number; word forms follow a space.
    return spelling.length <= 3 && this.pick([true, false]) ? `${d.amount}${spelling}` : `${d.amount}${this.space()}${this.word(spelling)}`;
  }

  private string(value: string): string {
    const q = this.pick(['"', "'"] as const);
    return `${q}${escape(value, q)}${q}`;
  }
}

/** Escapes for a quoted string or back-quoted name (the language's escapes, not JSON's). */
function escape(value: string, q: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff && ch.length === 1)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}
