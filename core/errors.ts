/**
 * Diagnostics as data, and one error family for throwing APIs.
 *
 * A `Diagnostic` is a plain object: a stable kebab-case `code`, a `severity`, a one-line `summary`,
 * an optional `hint`, the `span` of source text it is about (absent on trees built in code) and the
 * `path` of the node it is about (keys from the root: `["items", 1, "operand"]`). Parse, validate and
 * segment resolution return diagnostics; `formatDiagnostic` turns one into the caret text at the
 * edge (CLI, n8n node, editor), and `SegmentError` wraps one for the APIs that throw.
 *
 * Positions come from a line index built once per source text, and messages are formatted only when
 * read, so reporting 100,000 problems in a 1 MB expression stays linear.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { Span } from './ast';

export type ErrorCode =
  // syntax
  | 'empty-expression'
  | 'unexpected-token'
  | 'unexpected-end'
  | 'unterminated-string'
  | 'invalid-escape'
  | 'invalid-character'
  | 'unbalanced-parenthesis'
  | 'missing-operator'
  | 'missing-operand'
  | 'unknown-operator'
  | 'invalid-number'
  | 'invalid-duration'
  | 'invalid-date'
  | 'invalid-field'
  | 'invalid-list'
  | 'invalid-event'
  | 'too-deep'
  | 'too-long'
  // trees held by an editor: drafts, unparsed stretches, malformed nodes
  | 'empty-group'
  | 'incomplete-condition'
  | 'unparsed-text'
  | 'invalid-node'
  // validation
  | 'unknown-field'
  | 'unknown-event'
  | 'unknown-property'
  | 'operator-type-mismatch'
  | 'value-type-mismatch'
  | 'unknown-enum-value'
  | 'unknown-segment'
  | 'segment-cycle'
  | 'too-many-segments'
  // schema and data
  | 'invalid-schema'
  | 'invalid-data'
  // evaluation environment
  | 'invalid-option'
  | 'code-generation-refused'
  | 'no-layout'
  | 'no-profiles'
  // databases
  | 'database-unavailable'
  | 'database-read-only'
  | 'sql-limit'
  // segment catalogue
  | 'segment-not-found'
  | 'duplicate-segment-name'
  | 'segment-limit'
  | 'segment-in-use'
  | 'wrong-segment-kind'
  | 'invalid-cursor'
  | 'cursor-expired'
  | 'forbidden'
  | 'invalid-csv'
  | 'export-failed'
  // the command line's own failures
  | 'write-failed'
  | 'internal-error';

export type Severity = 'error' | 'warning';

/**
 * Where in a tree a diagnostic points: the property names and array indexes from the root to the
 * node (`[]` is the root). `["items", 2, "op"]` is the operator of the third item of an `and`.
 * `nodeAt(root, path)` follows it.
 */
export type NodePath = readonly (string | number)[];

export interface Diagnostic {
  code: ErrorCode;
  severity: Severity;
  /** One line, lower case, no trailing period. */
  summary: string;
  hint?: string;
  /** Offsets into the source text (0-based, end exclusive); absent for trees built in code. */
  span?: Span;
  /** The node it is about, from the root of the tree that was checked. */
  path: NodePath;
  /**
   * Set when the diagnostic is about another text than the one checked, e.g. `segment "VIP"` for a
   * problem inside a saved segment that the expression references (its span and path are then in
   * that segment's text and tree).
   */
  origin?: string;
}

export interface FormatOptions {
  /** The source text the span points into; without it there is no position or excerpt. */
  source?: string;
  /** What the source is, for the header: `expression`, `segment "VIP"`, a file name. */
  origin?: string;
}

export interface ErrorInit {
  code: ErrorCode;
  span?: Span;
  summary: string;
  hint?: string;
  severity?: Severity;
  path?: NodePath;
  /** The source text the span points into; without it the message has no excerpt. */
  source?: string;
  /** What the source is, for messages: `expression`, `segment "VIP"`, a file name. */
  origin?: string;
}

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units. */
  column: number;
}

/** `SegmentError.toJSON()`: the diagnostic plus positions and the formatted message. */
export interface DiagnosticJSON extends Diagnostic {
  start?: Position;
  end?: Position;
  message: string;
}

const NO_SPAN: Span = { start: 0, end: 0 };
const ROOT: NodePath = [];

/** A diagnostic with the defaults filled in (severity `error`, the root path). */
export function diagnostic(init: Omit<ErrorInit, 'source'>): Diagnostic {
  const d: Diagnostic = { code: init.code, severity: init.severity ?? 'error', summary: init.summary, path: init.path ?? ROOT };
  if (init.hint !== undefined) d.hint = init.hint;
  if (init.span !== undefined) d.span = init.span;
  if (init.origin !== undefined) d.origin = init.origin;
  return d;
}

/**
 * A diagnostic as an exception, for the APIs that throw (`parse`, `compileSegment`, the SQL entry).
 * `message` is the formatted text (with the caret excerpt when the source is known), computed when
 * first read.
 */
export class SegmentError extends Error {
  readonly diagnostic: Diagnostic;
  readonly source: string | undefined;
  readonly origin: string | undefined;
  override readonly name = 'SegmentError';
  private formatted: string | undefined;

  constructor(init: ErrorInit | (Diagnostic & { source?: string })) {
    super();
    // `origin` says what the source is; it lives on the error (and in toJSON), not in the diagnostic.
    const { source, origin, ...rest } = init;
    this.diagnostic = diagnostic(rest);
    this.source = source;
    this.origin = origin;
  }

  get code(): ErrorCode {
    return this.diagnostic.code;
  }
  get severity(): Severity {
    return this.diagnostic.severity;
  }
  get summary(): string {
    return this.diagnostic.summary;
  }
  get hint(): string | undefined {
    return this.diagnostic.hint;
  }
  /** The span (`{0, 0}` when the diagnostic has none). */
  get span(): Span {
    return this.diagnostic.span ?? NO_SPAN;
  }
  get path(): NodePath {
    return this.diagnostic.path;
  }

  /** 1-based line and column of the span's start (1:1 without a source). */
  get start(): Position {
    return positionAt(this.source ?? '', this.span.start);
  }

  get end(): Position {
    return positionAt(this.source ?? '', this.span.end);
  }

  /** A plain object for `--json` output and for the editor's diagnostics. */
  toJSON(): DiagnosticJSON {
    const out: DiagnosticJSON = { ...this.diagnostic, message: this.message };
    if (this.origin !== undefined) out.origin = this.origin;
    if (this.diagnostic.span !== undefined) {
      out.start = this.start;
      out.end = this.end;
    }
    return out;
  }
}

// `message` is an accessor on the prototype (formatted on first read), not an own property set by
// the constructor: building 100,000 errors must not format 100,000 excerpts.
Object.defineProperty(SegmentError.prototype, 'message', {
  configurable: true,
  get(this: SegmentError): string {
    const self = this as unknown as { formatted?: string };
    return (self.formatted ??= formatDiagnostic(this.diagnostic, { source: this.source, origin: this.origin }));
  },
});

/**
 * The error a compiler throws if a draft, an empty group or unparsed text ever reaches it (validation
 * reports them first, so this only happens when a caller skips validation).
 */
export function notCompilable(node: { type: string; span?: Span }): SegmentError {
  const code: ErrorCode = node.type === 'raw' ? 'unparsed-text' : node.type === 'draft' ? 'incomplete-condition' : 'empty-group';
  const what = node.type === 'raw' ? 'text that does not parse' : node.type === 'draft' ? 'a condition that is not finished' : 'an empty group';
  return new SegmentError({ code, span: node.span, summary: `the segment has ${what} and cannot be evaluated`, hint: 'validate the segment and fix what it reports' });
}

export function isSegmentError(e: unknown): e is SegmentError {
  return e instanceof SegmentError;
}

/** Thrown by phases that stop at the first problem but may know of several (validation). */
export class SegmentErrors extends Error {
  override readonly name = 'SegmentErrors';
  readonly errors: readonly SegmentError[];
  constructor(errors: readonly SegmentError[]) {
    super();
    this.errors = errors;
  }

  /** The diagnostics of the errors, as data. */
  get diagnostics(): Diagnostic[] {
    return this.errors.map((e) => e.diagnostic);
  }
}

Object.defineProperty(SegmentErrors.prototype, 'message', {
  configurable: true,
  get(this: SegmentErrors): string {
    return this.errors.map((e) => e.message).join('\n\n');
  },
});

/**
 * Wraps many diagnostics at once. Stack traces are not captured: they would say where the checking
 * code ran, not where the problem is, and capturing 100,000 of them takes seconds.
 */
export function toErrors(diagnostics: readonly Diagnostic[], options: FormatOptions = {}): SegmentError[] {
  const wrap = () => diagnostics.map((d) => new SegmentError({ ...d, source: options.source, origin: d.origin ?? options.origin }));
  return diagnostics.length > 1 ? quietly(wrap) : wrap();
}

/** Runs `fn` without capturing stack traces for the errors it creates (V8; elsewhere a no-op). */
export function quietly<T>(fn: () => T): T {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit !== 'number') return fn();
  E.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    E.stackTraceLimit = limit;
  }
}

// ——— positions ———

/**
 * Line starts of a text, found in one pass; positions are then a binary search. `\r\n`, `\n` and `\r`
 * all end a line.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  /** 0-based index of the line holding `offset`. */
  lineOf(offset: number): number {
    const { starts } = this;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.source.length));
    const line = this.lineOf(at);
    return { line: line + 1, column: at - this.starts[line] + 1 };
  }

  /** Start and end (before the line break) of the 0-based line `line`. */
  lineBounds(line: number): [number, number] {
    const start = this.starts[line];
    let end = line + 1 < this.starts.length ? this.starts[line + 1] : this.source.length;
    while (end > start && (this.source.charCodeAt(end - 1) === 10 || this.source.charCodeAt(end - 1) === 13)) end--;
    return [start, end];
  }
}

// One cached index: formatting many diagnostics of one text builds it once.
let cached: LineIndex | undefined;

export function lineIndex(source: string): LineIndex {
  if (cached === undefined || cached.source !== source) cached = new LineIndex(source);
  return cached;
}

/** 1-based line and column of a 0-based offset. `\r\n`, `\n` and `\r` all end a line. */
export function positionAt(source: string, offset: number): Position {
  return lineIndex(source).position(offset);
}

// ——— formatting ———

const MAX_EXCERPT = 120;

/**
 * `error[unknown-field] at expression 1:1: unknown field "contry"` followed by the source line, a
 * caret line under the span, and the hint. Long lines are windowed around the span; control
 * characters are shown as `·` so junk input cannot garble a terminal; the caret is aligned by
 * display width (wide CJK characters take two columns, combining marks none).
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const { source } = options;
  const origin = d.origin ?? options.origin;
  const label = `${d.severity}[${d.code}]`;
  let head: string;
  const lines: string[] = [];
  if (source !== undefined && d.span !== undefined) {
    const index = lineIndex(source);
    const p = index.position(d.span.start);
    head = `${label} at ${origin ? `${origin} ` : ''}${p.line}:${p.column}: ${d.summary}`;
    lines.push(head, ...excerpt(index, d.span));
  } else {
    head = source !== undefined && origin ? `${label} in ${origin}: ${d.summary}` : `${label}: ${d.summary}`;
    lines.push(head);
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

/** The message of an `ErrorInit` (kept for callers of the earlier API). */
export function formatMessage(init: ErrorInit): string {
  return formatDiagnostic(diagnostic(init), { source: init.source, origin: init.origin });
}

function excerpt(index: LineIndex, span: Span): string[] {
  const { source } = index;
  const start = Math.max(0, Math.min(span.start, source.length));
  const end = Math.max(start, Math.min(span.end, source.length));
  const line = index.lineOf(start);
  const [lineStart, lineEnd] = index.lineBounds(line);
  // Window long lines around the span.
  let from = lineStart;
  let to = lineEnd;
  if (to - from > MAX_EXCERPT) {
    from = Math.max(lineStart, start - Math.floor(MAX_EXCERPT / 3));
    to = Math.min(lineEnd, from + MAX_EXCERPT);
    from = safeBoundary(source, from);
    to = safeBoundary(source, to);
  }
  const caretFrom = Math.min(start, to);
  const text = printable(source.slice(from, to));
  const pad = displayWidth(printable(source.slice(from, caretFrom)));
  const caretLen = Math.max(1, displayWidth(printable(source.slice(caretFrom, Math.min(end, to)))));
  const gutter = String(line + 1);
  const blank = ' '.repeat(gutter.length);
  return [
    `  ${gutter} | ${from > lineStart ? '…' : ''}${text}${to < lineEnd ? '…' : ''}`,
    `  ${blank} | ${from > lineStart ? ' ' : ''}${' '.repeat(pad)}${'^'.repeat(caretLen)}`,
  ];
}

/** Moves an offset off the second half of a surrogate pair. */
function safeBoundary(source: string, i: number): number {
  const c = source.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff && i > 0 && (source.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
}

function printable(text: string): string {
  // Tabs become one space so the caret stays aligned; other control characters become a dot, and
  // so do lone surrogates (a terminal would show them as a replacement character of unknown width).
  return text
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '·');
}

// East Asian Wide and Fullwidth characters (the CJK blocks, Hangul, fullwidth forms, the
// supplementary ideographic planes) and emoji shown as pictures: two columns in a terminal.
const WIDE = /[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{18cff}\u{1b000}-\u{1b2ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/**
 * Columns a terminal gives `text`: per grapheme cluster (`Intl.Segmenter` where there is one), 2 for
 * wide characters and emoji, 0 for clusters of combining marks and format characters, else 1.
 */
export function displayWidth(text: string): number {
  // Plain ASCII (the usual case) is one column per character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const cluster of graphemes(text)) {
    const cp = cluster.codePointAt(0) as number;
    if (cp < 0x7f) width += cp < 0x20 ? 0 : 1;
    else if (ZERO_WIDTH.test(String.fromCodePoint(cp))) width += 0;
    else if (WIDE.test(cluster) || cluster.includes('\ufe0f')) width += 2;
    else width += 1;
  }
  return width;
}

type Segmenter = { segment(text: string): Iterable<{ segment: string }> };
let segmenter: Segmenter | null | undefined;

function graphemes(text: string): Iterable<string> {
  if (segmenter === undefined) {
    const S = (globalThis as { Intl?: { Segmenter?: new (locale?: string, options?: { granularity: string }) => Segmenter } }).Intl?.Segmenter;
    segmenter = S ? new S(undefined, { granularity: 'grapheme' }) : null;
  }
  if (segmenter) {
    const s = segmenter;
    return (function* () {
      for (const part of s.segment(text)) yield part.segment;
    })();
  }
  // Without Intl.Segmenter: a code point with the combining marks and joiners after it.
  return text.match(/[\s\S][\p{M}\ufe0f]*(?:\u200d[\s\S][\p{M}\ufe0f]*)*/gu) ?? [];
}

/** "did you mean `country`?" for the closest candidate within a small edit distance. */
export function didYouMean(word: string, candidates: readonly string[], quote = (s: string) => `\`${s}\``): string | undefined {
  if (candidates.length === 0) return undefined;
  const lower = word.toLowerCase();
  const lowered = candidates.map((c) => c.toLowerCase());
  const best = closest(lower, lowered);
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (distance(lower, best) > limit) return undefined;
  return `did you mean ${quote(candidates[lowered.indexOf(best)])}?`;
}
