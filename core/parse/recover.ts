/**
 * Error recovery: a partial tree and every syntax error found, for an editor that must show
 * something while the user types.
 *
 * Only text that does not parse is recovered; a valid expression gives exactly the tree of the
 * strict parser. Otherwise the text is cut at its top-level `and`/`or` (and `&&`/`||`), outside
 * strings, back-quoted names, comments and parentheses, `or` binding looser than `and` as usual;
 * each stretch between two connectives is parsed on its own:
 * - a stretch that parses is its tree (`x between 1` followed by `and 5` is joined back first);
 * - a parenthesised stretch (also after `not`) that does not parse is recovered inside, keeping its
 *   group; a `(` never closed is reported and closed at the end of the text;
 * - an empty stretch (`a = 1 and`, `and and`) is the empty draft `?`, reported as a missing condition;
 * - anything else is a `raw` node with its text and span, reported with the parser's own error.
 *
 * So every character of the input outside whitespace and comments is in the span of a leaf of the
 * tree (a condition, a segment reference, a draft or a raw stretch), is a parenthesis of a group or a
 * `not`, or is the one connective between two items of an `and`/`or`. Diagnostics carry the `path`
 * of their node. This file takes the strict parser as an argument and imports nothing of it.
 */
import type { AndExpr, DraftExpr, Expr, OrExpr, RawExpr, Span } from '../ast';
import { SegmentError, type Diagnostic, type NodePath } from '../errors';
import { isIdentStart, scanIdentifier, skipSpace } from './lexer';

export interface ParseResult {
  /** The tree: complete when `diagnostics` is empty, else partial (with `raw` and `draft` nodes). */
  expr: Expr;
  /** Every syntax error found, in source order, each with its `span` and the `path` of its node. */
  diagnostics: Diagnostic[];
}

export type StrictParse = (source: string) => Expr;

/** Parses `source`, recovering from syntax errors; `strict` is the throwing parser. */
export function recover(source: string, strict: StrictParse, maxDepth: number): ParseResult {
  try {
    return { expr: strict(source), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof SegmentError)) throw e;
    const whole = { start: 0, end: source.length };
    if (e.code === 'too-long') return { expr: { type: 'raw', text: source, span: whole }, diagnostics: [e.diagnostic] };
    if (e.code === 'empty-expression') return { expr: { type: 'and', items: [], span: whole }, diagnostics: [e.diagnostic] };
    const r = new Recovery(source, strict, maxDepth);
    const expr = r.range(0, source.length, 0);
    const diagnostics = r.finish(expr);
    // Every piece parsed, yet the whole did not: report the parser's error rather than nothing.
    return { expr, diagnostics: diagnostics.length > 0 ? diagnostics : [e.diagnostic] };
  }
}

type Connective = 'and' | 'or';

/** A stretch of text between connectives, and the connective after it. */
interface Piece {
  /** Without leading and trailing whitespace and comments (`start === end` when empty). */
  start: number;
  end: number;
  after?: { type: Connective; span: Span };
}

const CONDITION_EXAMPLE = 'a condition looks like `country = "OM"`';

class Recovery {
  /** Diagnostics by the node they are about (paths are known once the tree is built). */
  private readonly found = new Map<Expr, Diagnostic[]>();

  constructor(
    private readonly source: string,
    private readonly strict: StrictParse,
    private readonly maxDepth: number,
  ) {}

  /** The tree of `source[start, end)`, at `depth` parentheses. */
  range(start: number, end: number, depth: number): Expr {
    const pieces = this.split(start, end);
    // `or` binds looser than `and`: runs of pieces joined by `and`, joined by `or`.
    const ors: Expr[] = [];
    let run: Piece[] = [];
    pieces.forEach((piece, i) => {
      run.push(piece);
      if (piece.after?.type === 'or' || i === pieces.length - 1) {
        ors.push(this.conjunction(run, i - run.length + 1 === 0 ? undefined : pieces[i - run.length].after!.span, depth));
        run = [];
      }
    });
    return join('or', ors);
  }

  /** Pieces joined by `and` (`before`: the `or` before the first, if any). */
  private conjunction(pieces: Piece[], before: Span | undefined, depth: number): Expr {
    const items: Expr[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      const prev = i === 0 ? before : pieces[i - 1].after!.span;
      if (piece.start === piece.end) {
        items.push(this.missing(piece, prev));
        continue;
      }
      const parsed = this.parse(piece.start, piece.end);
      if (parsed.expr) {
        items.push(parsed.expr);
        continue;
      }
      // `x between 1` `and` `5`: the range's own `and`.
      const next = pieces[i + 1];
      if (next && next.start < next.end && /between/i.test(this.source.slice(piece.start, piece.end))) {
        const joined = this.parse(piece.start, next.end);
        if (joined.expr) {
          items.push(joined.expr);
          pieces[i] = { start: piece.start, end: next.end, after: next.after };
          i++;
          continue;
        }
      }
      items.push(this.unparsed(piece, parsed.error as SegmentError, depth));
    }
    return join('and', items);
  }

  /** A stretch that does not parse: a group recovered inside, else a raw node. */
  private unparsed(piece: Piece, error: SegmentError, depth: number): Expr {
    const { source } = this;
    let open = piece.start;
    let notStart: number | undefined;
    const word = scanIdentifier(source, open);
    if (word > open && source.slice(open, word).toLowerCase() === 'not') {
      notStart = open;
      open = skipSpace(source, word);
    } else if (source.charCodeAt(open) === 33 && source.charCodeAt(open + 1) !== 61) {
      notStart = open;
      open = skipSpace(source, open + 1);
    }
    if (source.charCodeAt(open) === 40 && error.code !== 'too-deep' && depth < this.maxDepth) {
      const close = this.matching(open, piece.end);
      if (close === piece.end - 1 || close === undefined) {
        const inner = this.range(open + 1, close ?? piece.end, depth + 1);
        const group: Expr = { type: 'group', expr: inner, span: { start: open, end: piece.end } };
        if (close === undefined) {
          this.report(group, { code: 'unbalanced-parenthesis', severity: 'error', summary: 'this `(` is never closed', hint: 'add a `)`', span: { start: open, end: open + 1 }, path: [] });
        }
        return notStart === undefined ? group : { type: 'not', operand: group, span: { start: notStart, end: piece.end } };
      }
    }
    const raw: RawExpr = { type: 'raw', text: source.slice(piece.start, piece.end), span: { start: piece.start, end: piece.end } };
    this.report(raw, error.diagnostic);
    return raw;
  }

  /** The empty draft standing for a missing condition next to a connective. */
  private missing(piece: Piece, before: Span | undefined): DraftExpr {
    const { source } = this;
    const draft: DraftExpr = { type: 'draft', subject: null, op: null, operand: null, span: { start: piece.start, end: piece.start } };
    const quote = (span: Span) => `\`${source.slice(span.start, span.end)}\``;
    if (before) {
      const at = skipSpace(source, before.end);
      const found = at >= source.length ? 'the end of the input' : quote({ start: at, end: Math.max(at + 1, scanIdentifier(source, at)) });
      this.report(draft, { code: 'missing-operand', severity: 'error', summary: `${quote(before)} needs a condition after it, found ${found}`, hint: CONDITION_EXAMPLE, span: before, path: [] });
    } else if (piece.after) {
      this.report(draft, { code: 'missing-operand', severity: 'error', summary: `${quote(piece.after.span)} needs a condition before it`, hint: CONDITION_EXAMPLE, span: piece.after.span, path: [] });
    }
    return draft;
  }

  /** The strict parse of `source[start, end)`, its spans moved to offsets of the whole text. */
  private parse(start: number, end: number): { expr?: Expr; error?: SegmentError } {
    try {
      return { expr: shift(this.strict(this.source.slice(start, end)), start) };
    } catch (e) {
      if (!(e instanceof SegmentError)) throw e;
      const d = e.diagnostic;
      const span = d.span ? { start: d.span.start + start, end: d.span.end + start } : undefined;
      return { error: new SegmentError({ ...d, span }) };
    }
  }

  /**
   * Cuts `source[start, end)` at its top-level connectives. Strings, back-quoted names and comments
   * are skipped whole (one never closed runs to `end`); a `)` without its `(` stays in its piece.
   */
  private split(start: number, end: number): Piece[] {
    const { source } = this;
    const pieces: Piece[] = [];
    let pieceStart = -1;
    let lastEnd = start;
    let depth = 0;
    let i = start;
    const cut = (type: Connective, span: Span) => {
      pieces.push(pieceStart < 0 ? { start: span.start, end: span.start, after: { type, span } } : { start: pieceStart, end: lastEnd, after: { type, span } });
      pieceStart = -1;
    };
    for (;;) {
      i = Math.min(skipSpace(source, i), end);
      if (i >= end) break;
      const c = source.charCodeAt(i);
      let next: number;
      if (c === 34 || c === 39 || c === 96) next = this.closeQuote(i, end);
      else if (c === 40) {
        depth++;
        next = i + 1;
      } else if (c === 41) {
        if (depth > 0) depth--;
        next = i + 1;
      } else if (depth === 0 && (c === 38 || c === 124) && source.charCodeAt(i + 1) === c) {
        cut(c === 38 ? 'and' : 'or', { start: i, end: i + 2 });
        i += 2;
        continue;
      } else if (isIdentStart(source, i)) {
        next = Math.min(scanIdentifier(source, i), end);
        const word = next - i <= 3 ? source.slice(i, next).toLowerCase() : '';
        if (depth === 0 && (word === 'and' || word === 'or') && source.charCodeAt(i - 1) !== 46) {
          cut(word, { start: i, end: next });
          i = next;
          continue;
        }
      } else next = i + (c >= 0xd800 && c <= 0xdbff ? 2 : 1);
      if (pieceStart < 0) pieceStart = i;
      lastEnd = Math.min(next, end);
      i = next;
    }
    pieces.push(pieceStart < 0 ? { start: i, end: i } : { start: pieceStart, end: lastEnd });
    return pieces;
  }

  /** The offset after the quote closing the one at `i` (escapes skipped), or `end`. */
  private closeQuote(i: number, end: number): number {
    const { source } = this;
    const quote = source.charCodeAt(i);
    for (let j = i + 1; j < end; j++) {
      const c = source.charCodeAt(j);
      if (c === 92) j++;
      else if (c === quote) return j + 1;
    }
    return end;
  }

  /** The `)` matching the `(` at `open`, before `end`, or undefined. */
  private matching(open: number, end: number): number | undefined {
    const { source } = this;
    let depth = 0;
    for (let i = open; i < end; ) {
      const c = source.charCodeAt(i);
      if (c === 34 || c === 39 || c === 96) {
        i = this.closeQuote(i, end);
        continue;
      }
      if (c === 47 && source.charCodeAt(i + 1) === 47) {
        i = skipSpace(source, i);
        continue;
      }
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) return i;
      i++;
    }
    return undefined;
  }

  private report(node: Expr, d: Diagnostic): void {
    const list = this.found.get(node);
    if (list) list.push(d);
    else this.found.set(node, [d]);
  }

  /** The diagnostics with the paths of their nodes, in source order. */
  finish(root: Expr): Diagnostic[] {
    const out: Diagnostic[] = [];
    const stack: [Expr, NodePath][] = [[root, []]];
    while (stack.length > 0) {
      const [node, path] = stack.pop()!;
      for (const d of this.found.get(node) ?? []) out.push({ ...d, path });
      if (node.type === 'and' || node.type === 'or') node.items.forEach((item, i) => stack.push([item, [...path, 'items', i]]));
      else if (node.type === 'group') stack.push([node.expr, [...path, 'expr']]);
      else if (node.type === 'not') stack.push([node.operand, [...path, 'operand']]);
    }
    return out.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  }
}

/** One item as is, several as an `and`/`or` spanning them. */
function join(type: Connective, items: Expr[]): Expr {
  if (items.length === 1) return items[0];
  const node: AndExpr | OrExpr = { type, items };
  const first = items[0].span;
  const last = items[items.length - 1].span;
  if (first && last) node.span = { start: first.start, end: last.end };
  return node;
}

/** Moves every span of a freshly parsed tree by `by` (in place; no recursion). */
function shift(root: Expr, by: number): Expr {
  if (by === 0) return root;
  const stack: unknown[] = [root];
  const moved = new Set<Span>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'span' || key === 'opSpan') {
        const span = value as Span;
        if (moved.has(span)) continue;
        moved.add(span);
        span.start += by;
        span.end += by;
      } else if (value !== null && typeof value === 'object') stack.push(value);
    }
  }
  return root;
}
