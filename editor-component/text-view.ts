/**
 * The text view's machinery: syntax colours and squiggles painted with the CSS Custom Highlight API
 * (ranges over one text node, so a keystroke in a long expression changes no element), and
 * completion at the caret.
 *
 * Colours come from the tree the core parsed (the spans of fields, operator words, values, events
 * and segment references); only the text between those nodes (`and`, `or`, `not`, parentheses,
 * comments) is classified here. Without the Highlight API the text is shown uncoloured.
 */
import { OPERATORS, spanOf, type Expr, type Literal, type Schema, type SegmentDefinition } from './language';

export type TokenKind = 'keyword' | 'field' | 'operator' | 'string' | 'number' | 'function' | 'comment';
export type Token = readonly [kind: TokenKind, start: number, end: number];

const LITERAL_KIND: Record<Literal['type'], TokenKind> = {
  string: 'string',
  number: 'number',
  boolean: 'keyword',
  duration: 'number',
  now: 'keyword',
  today: 'keyword',
  ago: 'number',
};

/** The coloured stretches of `text`, in order, from its tree. */
export function tokensOf(text: string, expr: Expr | undefined): Token[] {
  const found: Token[] = [];
  const add = (kind: TokenKind, node: unknown) => {
    const span = spanOf(node);
    if (span && span.end > span.start) found.push([kind, span.start, span.end]);
  };
  const literal = (l: Literal) => add(LITERAL_KIND[l.type], l);
  const plain: [number, number][] = [];
  const stack: Expr[] = expr ? [expr] : [];
  while (stack.length > 0) {
    const node = stack.pop() as Expr;
    switch (node.type) {
      case 'and':
      case 'or':
        for (const item of node.items) stack.push(item);
        break;
      case 'not':
        stack.push(node.operand);
        break;
      case 'group':
        stack.push(node.expr);
        break;
      case 'draft':
        if (node.subject?.type === 'field') add('field', node.subject);
        if (node.opSpan) add('operator', { span: node.opSpan });
        break;
      case 'segment':
        add('function', node);
        break;
      case 'raw':
        // Text that does not parse: left uncoloured (its problem is squiggled), never read as keywords.
        if (node.span) plain.push([node.span.start, node.span.end]);
        break;
      case 'predicate': {
        const s = node.subject;
        if (s.type === 'field') add('field', s);
        else {
          // The event chain's punctuation and method names between its own tokens.
          add('function', s);
          literal(s.event);
          if (s.property) literal(s.property);
          if (s.within) literal(s.within);
          if (s.where) stack.push(s.where);
        }
        add('operator', { span: node.opSpan });
        const o = node.operand;
        if (o?.type === 'list') o.items.forEach(literal);
        else if (o?.type === 'range') [o.low, o.high].forEach(literal);
        else if (o) literal(o);
        break;
      }
      default:
        break;
    }
  }
  // The words outside every node (`and`, `or`, `not`, parentheses, comments) are keywords or comments.
  found.sort((a, b) => a[1] - b[1]);
  const words = /\/\/[^\r\n]*|[A-Za-z]+|&&|\|\||!/g;
  const gaps: Token[] = [];
  const gap = (from: number, to: number) => {
    const slice = text.slice(0, to);
    words.lastIndex = from;
    for (let m = words.exec(slice); m !== null; m = words.exec(slice)) gaps.push([m[0].startsWith('//') ? 'comment' : 'keyword', m.index, m.index + m[0].length]);
  };
  let at = 0;
  const covered: [number, number][] = [...found.map(([, start, end]): [number, number] => [start, end]), ...plain].sort((a, b) => a[0] - b[0]);
  for (const [start, end] of covered) {
    if (start > at) gap(at, start);
    at = Math.max(at, end);
  }
  if (expr) gap(at, text.length);
  return found.concat(gaps);
}

const KINDS = ['function', 'keyword', 'field', 'operator', 'string', 'number', 'comment', 'selected', 'error'] as const;
type PaintKind = (typeof KINDS)[number];

let registry: Map<PaintKind, Highlight> | null | undefined;

/** The shared highlights (one per kind for the whole page), registered once; null without the API. */
function highlights(): Map<PaintKind, Highlight> | null {
  if (registry !== undefined) return registry;
  if (typeof CSS === 'undefined' || !('highlights' in CSS) || typeof Highlight === 'undefined') return (registry = null);
  registry = new Map();
  KINDS.forEach((kind, priority) => {
    const h = new Highlight();
    h.priority = priority;
    CSS.highlights.set(`segment-builder-${kind}`, h);
    registry!.set(kind, h);
  });
  return registry;
}

/** One text view's ranges in the shared highlights. */
export class TextPainter {
  private mine: [PaintKind, AbstractRange][] = [];

  /** Paints `tokens`, the selected stretch and the error spans over `node` (the mirror's text). */
  paint(node: Text, tokens: readonly Token[], selected: { start: number; end: number } | undefined, errors: readonly { start: number; end: number }[]): void {
    const all = highlights();
    if (!all) return;
    this.clear();
    const length = node.data.length;
    const range = (kind: PaintKind, start: number, end: number) => {
      const s = Math.max(0, Math.min(start, length));
      const e = Math.max(s, Math.min(end, length));
      if (e <= s) return;
      const r = new StaticRange({ startContainer: node, startOffset: s, endContainer: node, endOffset: e });
      all.get(kind)!.add(r);
      this.mine.push([kind, r]);
    };
    for (const [kind, start, end] of tokens) range(kind, start, end);
    if (selected) range('selected', selected.start, selected.end);
    for (const e of errors) {
      // An empty span (a missing value at the end) squiggles the character before it.
      if (e.end > e.start) range('error', e.start, e.end);
      else range('error', Math.max(0, e.start - 1), e.start + 1);
    }
  }

  clear(): void {
    const all = highlights();
    if (!all) return;
    for (const [kind, r] of this.mine) all.get(kind)!.delete(r);
    this.mine = [];
  }
}

export interface Completion {
  /** What the list shows. */
  label: string;
  /** What replaces the word at the caret. */
  insert: string;
  /** A second line: the field's type, the operator's words. */
  detail: string;
}

export interface CompletionList {
  /** The stretch the chosen completion replaces. */
  from: number;
  to: number;
  items: Completion[];
}

const MAX_COMPLETIONS = 50;

/**
 * What may come at the caret: field names (and `in_segment`, `event`) where a condition starts,
 * the operators that fit a field after it, and values after an operator (enum values, booleans),
 * saved segment names inside `in_segment("`, event names inside `event("`.
 */
export function completionsAt(text: string, caret: number, schema: Schema | undefined, segments: readonly SegmentDefinition[]): CompletionList | undefined {
  const before = text.slice(0, caret);
  // Inside `in_segment("…` or `event("…`: names.
  const call = /\b(in_segment|event)\(\s*"([^"]*)$/.exec(before);
  if (call) {
    const names = call[1] === 'event' ? Object.keys(schema?.events ?? {}) : segments.map((s) => s.name);
    const from = caret - call[2].length;
    return list(from, caret, call[2], names.map((n) => ({ label: n, insert: `${n}")`, detail: call[1] === 'event' ? 'event' : 'segment' })));
  }
  const word = /[\p{L}\p{N}_.]*$/u.exec(before)![0];
  const from = caret - word.length;
  const prev = before.slice(0, from).trimEnd();
  const fields = schema?.fields ?? {};
  // After a field: its operators.
  const fieldBefore = Object.keys(fields)
    .filter((path) => prev.endsWith(path) && !/[\p{L}\p{N}_.]/u.test(prev.charAt(prev.length - path.length - 1)))
    .sort((a, b) => b.length - a.length)[0];
  if (fieldBefore !== undefined && prev.length > 0) {
    const field = fields[fieldBefore];
    const kind = field.type === 'enum' ? 'text' : field.type;
    const ops = Object.values(OPERATORS).filter((d) => d.kinds.includes(kind));
    return list(from, caret, word, ops.map((d) => ({ label: d.print, insert: `${d.print} `, detail: d.phrase })));
  }
  // After an operator that follows a field: the field's values.
  const opMatch = Object.values(OPERATORS)
    .flatMap((d) => d.spellings.map((s) => ({ d, s })))
    .filter(({ s }) => prev.toLowerCase().endsWith(s))
    .sort((a, b) => b.s.length - a.s.length)[0];
  if (opMatch && opMatch.d.operand !== 'none') {
    const head = prev.slice(0, prev.length - opMatch.s.length).trimEnd();
    const path = Object.keys(fields).find((p) => head.endsWith(p));
    const field = path === undefined ? undefined : fields[path];
    const values = field?.type === 'enum' ? (field.values ?? []).map((v) => JSON.stringify(v)) : field?.type === 'boolean' ? ['true', 'false'] : [];
    const items = values.map((v) => ({ label: v, insert: opMatch.d.operand === 'list' ? `[${v}]` : v, detail: 'value' }));
    return items.length > 0 ? list(from, caret, word, items) : undefined;
  }
  // Where a condition starts: fields, saved segments, events.
  if (prev === '' || /(\(|\band|\bor|\bnot|&&|\|\||!)$/i.test(prev)) {
    const items: Completion[] = Object.entries(fields).map(([path, f]) => ({ label: path, insert: `${path} `, detail: f.label ?? f.type }));
    items.push({ label: 'in_segment("…")', insert: 'in_segment("', detail: 'saved segment' });
    if (schema?.events) items.push({ label: 'event("…")', insert: 'event("', detail: 'event aggregate' });
    return list(from, caret, word, items);
  }
  return undefined;
}

function list(from: number, to: number, typed: string, items: Completion[]): CompletionList | undefined {
  const needle = typed.toLowerCase();
  const starts = items.filter((c) => c.label.toLowerCase().startsWith(needle));
  const contains = needle ? items.filter((c) => !c.label.toLowerCase().startsWith(needle) && c.label.toLowerCase().includes(needle)) : [];
  const matched = [...starts, ...contains].slice(0, MAX_COMPLETIONS);
  if (matched.length === 0 || (matched.length === 1 && matched[0].insert.trim() === typed)) return undefined;
  return { from, to, items: matched };
}
