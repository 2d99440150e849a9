/**
 * One error family for every phase.
 *
 * A `SegmentError` has a stable kebab-case `code`, the `span` it is about (0-based, end exclusive),
 * a one-line `summary`, an optional `hint`, and a `message` that shows the source line with a caret
 * under the span. Validation returns all of them at once; the other phases throw the first.
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
  | 'forbidden'
  | 'invalid-csv'
  | 'export-failed';

export interface ErrorInit {
  code: ErrorCode;
  span: Span;
  summary: string;
  hint?: string;
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

export class SegmentError extends Error {
  override readonly name = 'SegmentError';
  readonly code: ErrorCode;
  readonly span: Span;
  readonly summary: string;
  readonly hint: string | undefined;
  readonly source: string | undefined;
  readonly origin: string | undefined;

  constructor(init: ErrorInit) {
    super(formatMessage(init));
    this.code = init.code;
    this.span = init.span;
    this.summary = init.summary;
    this.hint = init.hint;
    this.source = init.source;
    this.origin = init.origin;
  }

  /** 1-based line and column of the span's start (1:1 without a source). */
  get start(): Position {
    return positionAt(this.source ?? '', this.span.start);
  }

  get end(): Position {
    return positionAt(this.source ?? '', this.span.end);
  }

  /** A plain object for `--json` output and for the editor's diagnostics. */
  toJSON(): Diagnostic {
    return {
      code: this.code,
      summary: this.summary,
      hint: this.hint,
      span: this.span,
      start: this.start,
      end: this.end,
      origin: this.origin,
      message: this.message,
    };
  }
}

export interface Diagnostic {
  code: ErrorCode;
  summary: string;
  hint: string | undefined;
  span: Span;
  start: Position;
  end: Position;
  origin: string | undefined;
  message: string;
}

export function isSegmentError(e: unknown): e is SegmentError {
  return e instanceof SegmentError;
}

/** Thrown by phases that stop at the first problem but may know of several (validation). */
export class SegmentErrors extends Error {
  override readonly name = 'SegmentErrors';
  readonly errors: readonly SegmentError[];
  constructor(errors: readonly SegmentError[]) {
    super(errors.map((e) => e.message).join('\n\n'));
    this.errors = errors;
  }
}

/** 1-based line and column of a 0-based offset. `\r\n`, `\n` and `\r` all end a line. */
export function positionAt(source: string, offset: number): Position {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

const MAX_EXCERPT = 120;

/**
 * `error[unknown-field] at 1:1: unknown field "contry"` followed by the source line, a caret line
 * under the span, and the hint. Long lines are windowed around the span; control characters are
 * shown as `·` so junk input cannot garble a terminal.
 */
export function formatMessage(init: ErrorInit): string {
  const { code, span, summary, hint, source, origin } = init;
  const head = source === undefined ? `error[${code}]: ${summary}` : `error[${code}] at ${where(source, span, origin)}: ${summary}`;
  const lines = [head];
  if (source !== undefined) lines.push(...excerpt(source, span));
  if (hint) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}

function where(source: string, span: Span, origin: string | undefined): string {
  const p = positionAt(source, span.start);
  return `${origin ? `${origin} ` : ''}${p.line}:${p.column}`;
}

function excerpt(source: string, span: Span): string[] {
  const start = Math.max(0, Math.min(span.start, source.length));
  const end = Math.max(start, Math.min(span.end, source.length));
  const { line } = positionAt(source, start);
  let lineStart = start;
  while (lineStart > 0 && !isNewline(source.charCodeAt(lineStart - 1))) lineStart--;
  let lineEnd = start;
  while (lineEnd < source.length && !isNewline(source.charCodeAt(lineEnd))) lineEnd++;
  // Window long lines around the span.
  let from = lineStart;
  let to = lineEnd;
  if (to - from > MAX_EXCERPT) {
    from = Math.max(lineStart, start - Math.floor(MAX_EXCERPT / 3));
    to = Math.min(lineEnd, from + MAX_EXCERPT);
  }
  const text = printable(source.slice(from, to));
  const caretFrom = start - from;
  const caretLen = Math.max(1, Math.min(end, to) - start);
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  return [
    `  ${gutter} | ${from > lineStart ? '…' : ''}${text}${to < lineEnd ? '…' : ''}`,
    `  ${pad} | ${from > lineStart ? ' ' : ''}${' '.repeat(caretFrom)}${'^'.repeat(caretLen)}`,
  ];
}

function isNewline(c: number): boolean {
  return c === 10 || c === 13;
}

function printable(text: string): string {
  // Tabs become one space so the caret stays aligned; other control characters become a dot.
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '·');
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
