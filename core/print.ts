/**
 * print: AST → canonical text.
 *
 * Lower-case keywords, `and`/`or`/`not`, each operator's canonical words (`OPERATORS[op].print`),
 * double-quoted strings with minimal escapes, numbers as JavaScript prints them, durations in long
 * form (`30 days`), field names bare when they can be, back-quoted otherwise. Parentheses: the
 * groups the user made (`group` nodes), and wherever the precedence table needs them in a tree
 * built in code. What fits in `width` stays on one line; longer and/or chains put each item on its
 * own line with the operator leading, nested groups indented.
 *
 * Drafts print with `?` for each missing piece and the empty group as `()`; raw stretches print as
 * they were typed. `parse(print(e))` gives back `normalize(e)` (without spans), so the printed form
 * is a faithful save format, also for a tree an editor is still building.
 */
import { assertNever, type DraftExpr, type EventAggregate, type Expr, type Literal, type Operand, type PredicateExpr, type Subject } from './ast';
import { formatDuration } from './durations';
import { OPERATORS } from './operators';
import { isBareName, scanIdentifier } from './parse/lexer';

export interface PrintOptions {
  /** Line width before and/or chains are broken over lines (default 80). */
  width?: number;
  /** One level of indentation (default two spaces). */
  indent?: string;
}

/** Binding strength: a child weaker than its context is parenthesised. */
const PRECEDENCE: Record<Expr['type'], number> = { or: 1, and: 2, not: 3, predicate: 4, segment: 4, group: 4, draft: 4, raw: 4 };

/** The weakest child each context takes without parentheses. */
const OR_ITEM = 2; // `and` inside `or` is fine; a nested `or` is grouped
const AND_ITEM = 3;
const NOT_OPERAND = 3;

export function print(expr: Expr, options: PrintOptions = {}): string {
  return new Printer(options.width ?? 80, options.indent ?? '  ').layout(expr, '', 0);
}

/** How strongly a node binds: the empty group `()` is an atom, a one-item and/or is its item. */
function precedence(expr: Expr): number {
  let e = expr;
  while ((e.type === 'and' || e.type === 'or') && e.items.length === 1) e = e.items[0];
  if ((e.type === 'and' || e.type === 'or') && e.items.length === 0) return 4;
  return PRECEDENCE[e.type] ?? 4;
}

class Printer {
  private readonly flatCache = new Map<Expr, string>();

  constructor(
    private readonly width: number,
    private readonly unit: string,
  ) {}

  /** `expr` starting at column `col` on a line whose continuation lines are indented by `indent`. */
  layout(expr: Expr, indent: string, col: number): string {
    const flat = this.flat(expr);
    if (col + flat.length <= this.width) return flat;
    // Only and/or chains, groups, `not` and event `.where(…)` bodies break; everything else stays whole.
    if ((expr.type === 'and' || expr.type === 'or') && expr.items.length >= 2) {
      const need = expr.type === 'and' ? AND_ITEM : OR_ITEM;
      const lead = `${expr.type} `;
      return expr.items
        .map((item, k) => (k === 0 ? this.child(item, need, indent, col) : indent + lead + this.child(item, need, indent, indent.length + lead.length)))
        .join('\n');
    }
    if ((expr.type === 'and' || expr.type === 'or') && expr.items.length === 1) return this.layout(expr.items[0], indent, col);
    if (expr.type === 'group') return this.parenthesised(expr.expr, indent);
    if (expr.type === 'not') return `not ${this.child(expr.operand, NOT_OPERAND, indent, col + 4)}`;
    if ((expr.type === 'predicate' || expr.type === 'draft') && expr.subject?.type === 'aggregate' && expr.subject.where !== null) {
      const subject = expr.subject;
      const inner = indent + this.unit;
      const where = this.layout(subject.where as Expr, inner, inner.length);
      return `event(${quoteString(subject.event.value)}).where(\n${inner}${where}\n${indent})${this.aggregateTail(subject)} ${this.tail(expr)}`;
    }
    return flat;
  }

  /** A child in a context that takes `need` or stronger without parentheses. */
  private child(item: Expr, need: number, indent: string, col: number): string {
    if (precedence(item) >= need) {
      // An `and` chain inside a broken `or` is indented one level so the two never look alike.
      const nested = (item.type === 'and' || item.type === 'or') && item.items.length >= 2;
      return this.layout(item, nested ? indent + this.unit : indent, col);
    }
    const flat = `(${this.flat(item)})`;
    if (col + flat.length <= this.width) return flat;
    return this.parenthesised(item, indent);
  }

  /** `(` + `expr` broken over indented lines + `)`. */
  private parenthesised(expr: Expr, indent: string): string {
    const inner = indent + this.unit;
    return `(\n${inner}${this.layout(expr, inner, inner.length)}\n${indent})`;
  }

  /** The one-line form, cached per node so breaking a long chain stays linear. */
  flat(expr: Expr): string {
    let text = this.flatCache.get(expr);
    if (text !== undefined) return text;
    switch (expr.type) {
      case 'and':
      case 'or': {
        if (expr.items.length <= 1) {
          // The empty group; a one-item chain is its item, in its parent's context.
          text = expr.items.length === 0 ? '()' : this.flat(expr.items[0]);
          break;
        }
        const need = expr.type === 'and' ? AND_ITEM : OR_ITEM;
        text = expr.items.map((item) => (precedence(item) >= need ? this.flat(item) : `(${this.flat(item)})`)).join(` ${expr.type} `);
        break;
      }
      case 'not':
        text = `not ${precedence(expr.operand) >= NOT_OPERAND ? this.flat(expr.operand) : `(${this.flat(expr.operand)})`}`;
        break;
      case 'group':
        text = `(${this.flat(expr.expr)})`;
        break;
      case 'predicate':
      case 'draft': {
        const tail = this.tail(expr);
        if (expr.subject === null) text = expr.op === null ? '?' : `? ${tail}`;
        else text = `${this.subject(expr.subject)}${tail ? ` ${tail}` : ''}`;
        break;
      }
      case 'segment':
        text = `in_segment(${quoteString(expr.name)})`;
        break;
      case 'raw':
        text = expr.text;
        break;
      default:
        return assertNever(expr);
    }
    this.flatCache.set(expr, text);
    return text;
  }

  /** The operator and operand; `?` for a draft's missing operator or operand. */
  private tail(expr: PredicateExpr | DraftExpr): string {
    if (expr.op === null) return '?';
    const def = OPERATORS[expr.op];
    if (expr.operand === null) return def.operand === 'none' ? def.print : `${def.print} ?`;
    return `${def.print} ${operand(expr.operand)}`;
  }

  private subject(subject: Subject): string {
    switch (subject.type) {
      case 'field':
        return fieldPath(subject.path);
      case 'aggregate': {
        const where = subject.where === null ? '' : `.where(${this.flat(subject.where)})`;
        return `event(${quoteString(subject.event.value)})${where}${this.aggregateTail(subject)}`;
      }
      default:
        return assertNever(subject);
    }
  }

  private aggregateTail(a: EventAggregate): string {
    const within = a.within === null ? '' : `.within(${formatDuration(a.within.amount, a.within.unit)})`;
    return `${within}.${a.fn}(${a.property === null ? '' : quoteString(a.property.value)})`;
  }
}

function operand(o: Operand): string {
  switch (o.type) {
    case 'list':
      return `[${o.items.map(printLiteral).join(', ')}]`;
    case 'range':
      return `${printLiteral(o.low)} and ${printLiteral(o.high)}`;
    default:
      return printLiteral(o);
  }
}

/** A literal in canonical form, as the user would write it (also used in messages and sentences). */
export function printLiteral(l: Literal): string {
  switch (l.type) {
    case 'string':
      return quoteString(l.value);
    case 'number':
      return String(l.value);
    case 'boolean':
      return l.value ? 'true' : 'false';
    case 'duration':
      return formatDuration(l.amount, l.unit);
    case 'now':
      return 'now';
    case 'today':
      return 'today';
    case 'ago':
      return `${formatDuration(l.duration.amount, l.duration.unit)} ago`;
    default:
      return assertNever(l);
  }
}

/** `attributes.plan`, `` `favorite color` ``, `` `not`.x ``: back-quotes only where needed. */
export function fieldPath(path: readonly string[]): string {
  return path
    .map((name, k) => ((k === 0 ? isBareName(name) : name.length > 0 && scanIdentifier(name, 0) === name.length) ? name : quote(name, '`')))
    .join('.');
}

export function quoteString(value: string): string {
  return quote(value, '"');
}

// Characters escaped in quoted text: the quote, backslash, control and line-separator characters,
// and lone surrogates (so the output is valid Unicode text).
const NEEDS_ESCAPE = /["`\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;
const SHORT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quote(value: string, q: '"' | '`'): string {
  if (!NEEDS_ESCAPE.test(value)) return q + value + q;
  let out = q;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && value.charCodeAt(i + 1) >= 0xdc00 && value.charCodeAt(i + 1) <= 0xdfff) {
      out += ch + value[++i];
    } else if (ch === q) out += `\\${q}`;
    else if (SHORT[ch] !== undefined) out += SHORT[ch];
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff)) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + q;
}
