/**
 * The text view's machinery: syntax colours and squiggles in a coloured copy of the text behind a
 * transparent text area (a keystroke edits one text node of it), and completion at the caret.
 *
 * Colours come from the tree the core parsed (the spans of fields, operator words, values, events
 * and segment references); only the text between those nodes (`and`, `or`, `not`, parentheses,
 * comments) is classified here. (The CSS Custom Highlight API was tried first: Chromium maps every
 * range again on each change anywhere in the page, so a thousand ranges made every keystroke slow,
 * in any input of the page.)
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
    words.lastIndex = from;
    for (let m = words.exec(text); m !== null && m.index < to; m = words.exec(text)) gaps.push([m[0].startsWith('//') ? 'comment' : 'keyword', m.index, Math.min(to, m.index + m[0].length)]);
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

/** A stretch of the mirror with its classes (`t-field`, `t-error`, …), or none for plain text. */
export interface Piece {
  cls: string;
  start: number;
  end: number;
}

/**
 * The mirror's pieces: the text cut wherever a token, a problem or the selected stretch starts or
 * ends, each piece with the classes of everything over it (a string inside an event chain is both
 * `t-function` and `t-string`; the stylesheet's order decides the colour).
 */
export function piecesOf(length: number, tokens: readonly Token[], selected: { start: number; end: number } | undefined, errors: readonly { start: number; end: number }[]): Piece[] {
  const marks: [number, number, string][] = [];
  const clamp = (n: number) => Math.max(0, Math.min(n, length));
  const add = (cls: string, start: number, end: number) => {
    const s = clamp(start);
    const e = clamp(end);
    if (e > s) marks.push([s, e, cls]);
  };
  for (const [kind, start, end] of tokens) add(`t-${kind}`, start, end);
  if (selected) add('t-selected', selected.start, selected.end);
  // An empty span (a missing value at the end) squiggles the characters around it.
  for (const e of errors) add('t-error', e.end > e.start ? e.start : e.start - 1, e.end > e.start ? e.end : e.start + 1);
  const cuts = new Set<number>([0, length]);
  for (const [s, e] of marks) cuts.add(s).add(e);
  const points = [...cuts].sort((a, b) => a - b);
  marks.sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  const open: [number, number, string][] = [];
  let next = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k];
    const end = points[k + 1];
    while (next < marks.length && marks[next][0] <= start) open.push(marks[next++]);
    for (let j = open.length - 1; j >= 0; j--) if (open[j][1] <= start) open.splice(j, 1);
    const cls = [...new Set(open.map((m) => m[2]))].join(' ');
    const last = pieces[pieces.length - 1];
    if (last && last.cls === cls) last.end = end;
    else pieces.push({ cls, start, end });
  }
  return pieces;
}

/**
 * The coloured copy of the text behind the transparent text area: one text node per piece, in
 * spans with the pieces' classes. A keystroke edits one text node (`follow`) and paints at once;
 * the colours are drawn again (`draw`) when the text's analysis comes.
 */
export class TextMirror {
  private pre: HTMLElement | undefined;
  private texts: Text[] = [];
  private starts: number[] = [];
  /** The text shown. */
  text = '';

  draw(pre: HTMLElement, text: string, pieces: readonly Piece[]): void {
    const doc = pre.ownerDocument;
    const frag = doc.createDocumentFragment();
    this.texts = [];
    this.starts = [];
    for (const p of pieces) {
      const t = doc.createTextNode(text.slice(p.start, p.end));
      if (p.cls) {
        const span = doc.createElement('span');
        span.className = p.cls;
        span.append(t);
        frag.append(span);
      } else frag.append(t);
      this.texts.push(t);
      this.starts.push(p.start);
    }
    // A last line break gives an empty last line its height, as in the text area.
    frag.append(doc.createTextNode('\n'));
    pre.replaceChildren(frag);
    this.pre = pre;
    this.text = text;
  }

  /** Shows `text`, an edit of the text shown, without colouring it again: the new characters join the piece where the edit starts. */
  follow(pre: HTMLElement, text: string): void {
    const old = this.text;
    if (text === old && pre === this.pre) return;
    if (pre !== this.pre || this.texts.length === 0) return this.draw(pre, text, text ? [{ cls: '', start: 0, end: text.length }] : []);
    const max = Math.min(old.length, text.length);
    let a = 0;
    while (a < max && old.charCodeAt(a) === text.charCodeAt(a)) a++;
    let b = 0;
    while (b < max - a && old.charCodeAt(old.length - 1 - b) === text.charCodeAt(text.length - 1 - b)) b++;
    const removedEnd = old.length - b;
    const inserted = text.slice(a, text.length - b);
    const starts = this.starts;
    // The piece the edit starts in: the last one starting at or before it.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= a) lo = mid;
      else hi = mid - 1;
    }
    const at = lo;
    for (let j = at; j < starts.length && starts[j] < removedEnd; j++) {
      const s = starts[j];
      const e = j + 1 < starts.length ? starts[j + 1] : old.length;
      const from = Math.max(a, s);
      const to = Math.min(removedEnd, e);
      // Setting `data` (insertData and deleteData take Chromium tens of milliseconds here).
      if (to > from) {
        const t = this.texts[j];
        t.data = t.data.slice(0, from - s) + t.data.slice(to - s);
      }
    }
    if (inserted) {
      const t = this.texts[at];
      const k = a - starts[at];
      t.data = t.data.slice(0, k) + inserted + t.data.slice(k);
    }
    const delta = inserted.length - (removedEnd - a);
    for (let j = at + 1; j < starts.length; j++) starts[j] = starts[j] >= removedEnd ? starts[j] + delta : a + inserted.length;
    this.text = text;
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
export function completionsAt(
  text: string,
  caret: number,
  schema: Schema | undefined,
  segments: readonly SegmentDefinition[],
  /** The values of an enum field whose schema lists none, as loaded by the host. */
  loaded?: (field: string) => readonly string[],
): CompletionList | undefined {
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
  const tail = prev.slice(-40).toLowerCase();
  const opMatch = Object.values(OPERATORS)
    .flatMap((d) => d.spellings.map((s) => ({ d, s })))
    .filter(({ s }) => tail.endsWith(s))
    .sort((a, b) => b.s.length - a.s.length)[0];
  if (opMatch && opMatch.d.operand !== 'none') {
    const head = prev.slice(0, prev.length - opMatch.s.length).trimEnd();
    const path = Object.keys(fields).find((p) => head.endsWith(p));
    const field = path === undefined ? undefined : fields[path];
    const enumValues = field?.type === 'enum' ? (field.values?.length ? field.values : (loaded?.(path!) ?? [])) : [];
    const values = field?.type === 'enum' ? enumValues.map((v) => JSON.stringify(v)) : field?.type === 'boolean' ? ['true', 'false'] : [];
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
