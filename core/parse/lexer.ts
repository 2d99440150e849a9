/**
 * Lexical scanning for the segment language: whitespace and `//` comments, identifiers, quoted
 * strings, back-quoted names and numbers. Every function takes the source and an offset and returns
 * the end offset (or a value with its end), so the parser never copies or rescans the input.
 * Shared with the printer, which uses `isBareName` to decide when a field name needs back-quotes.
 */
import { SegmentError, type ErrorCode } from '../errors';

/** Throws a syntax error about `source[start, end)`. */
export function fail(source: string, code: ErrorCode, start: number, end: number, summary: string, hint?: string): never {
  throw new SegmentError({ code, span: { start, end: Math.max(start, end) }, summary, hint, source });
}

/**
 * Words that cannot be a bare field name at the start of a condition: they begin a clause or are
 * literal values. Back-quote them to use them as names (`` `not` = 1 ``).
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'true', 'false', 'null', 'now', 'today']);

const START = 1;
const PART = 2;
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) ASCII[c] = START | PART;
  else if (/[0-9]/.test(ch)) ASCII[c] = PART;
}
const UNICODE_START = /^[\p{L}\p{Nl}]$/u;
const UNICODE_PART = /^[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]$/u;

/** Length (0, 1 or 2 code units) of the identifier character at `i`, or 0 when there is none. */
function identChar(source: string, i: number, want: number): number {
  const c = source.charCodeAt(i);
  if (c < 128) return ASCII[c] & want ? 1 : 0;
  if (Number.isNaN(c)) return 0;
  const cp = source.codePointAt(i) as number;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0; // lone surrogate
  const ch = String.fromCodePoint(cp);
  return (want === START ? UNICODE_START : UNICODE_PART).test(ch) ? ch.length : 0;
}

export function isIdentStart(source: string, i: number): boolean {
  return identChar(source, i, START) > 0;
}

export function isIdentPart(source: string, i: number): boolean {
  return identChar(source, i, PART) > 0;
}

/** End of the identifier starting at `i` (returns `i` when there is none). */
export function scanIdentifier(source: string, i: number): number {
  let n = identChar(source, i, START);
  if (n === 0) return i;
  let j = i + n;
  while ((n = identChar(source, j, PART)) > 0) j += n;
  return j;
}

/** Whether `name` can be written without back-quotes as the first segment of a field path. */
export function isBareName(name: string): boolean {
  return name.length > 0 && scanIdentifier(name, 0) === name.length && !RESERVED_WORDS.has(name.toLowerCase());
}

/** Skips whitespace (space, tab, newlines) and `//` comments. */
export function skipSpace(source: string, i: number): number {
  for (;;) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else if (c === 47 && source.charCodeAt(i + 1) === 47) {
      i += 2;
      for (let d = source.charCodeAt(i); i < source.length && d !== 10 && d !== 13; d = source.charCodeAt(++i));
    } else return i;
  }
}

/** The lower-cased word at `i` (empty when none) and its end. */
export function readWord(source: string, i: number): { word: string; end: number } {
  const end = scanIdentifier(source, i);
  return { word: source.slice(i, end).toLowerCase(), end };
}

export interface Scanned<T> {
  value: T;
  end: number;
}

/** `"…"` or `'…'` with escapes `\" \' \\ \n \t \r \uXXXX` (and `\/` `\b` `\f` `` \` ``). */
export function readString(source: string, i: number): Scanned<string> {
  return readQuoted(source, i, 'unterminated-string', 'this string is never closed');
}

/** `` `favorite color` ``: a field name segment with the same escapes as strings. */
export function readBackquoted(source: string, i: number): Scanned<string> {
  const r = readQuoted(source, i, 'invalid-field', 'this back-quoted name is never closed');
  if (r.value.length === 0) fail(source, 'invalid-field', i, r.end, 'a back-quoted name cannot be empty');
  return r;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', '`': '`', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

function readQuoted(source: string, i: number, unterminated: ErrorCode, summary: string): Scanned<string> {
  const quote = source.charCodeAt(i);
  let out = '';
  let j = i + 1;
  let from = j;
  for (;;) {
    if (j >= source.length) {
      fail(source, unterminated, i, i + 1, summary, `close it with ${String.fromCharCode(quote)}`);
    }
    const c = source.charCodeAt(j);
    if (c === quote) return { value: out + source.slice(from, j), end: j + 1 };
    if (c !== 92) {
      j++;
      continue;
    }
    out += source.slice(from, j);
    const e = source.charAt(j + 1);
    if (e === 'u') {
      const hex = source.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        fail(source, 'invalid-escape', j, Math.min(source.length, j + 6), 'a \\u escape needs four hex digits', 'write e.g. \\u00e9');
      }
      out += String.fromCharCode(parseInt(hex, 16));
      j += 6;
    } else if (e !== '' && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) {
      out += SIMPLE_ESCAPES[e];
      j += 2;
    } else if (e === '') {
      fail(source, unterminated, i, i + 1, summary, `close it with ${String.fromCharCode(quote)}`);
    } else {
      fail(source, 'invalid-escape', j, j + 2, `unknown escape \\${printableChar(e)}`, 'escapes are \\" \\\' \\\\ \\n \\t \\r and \\uXXXX; write \\\\ for a backslash');
    }
    from = j;
  }
}

/** `12`, `-12.5`, `1e-7`, `2.5E+21`. Returns undefined when there is no number at `i`. */
export function readNumber(source: string, i: number): Scanned<number> | undefined {
  let j = i;
  if (source.charCodeAt(j) === 45) j++;
  const digitsFrom = j;
  j = digits(source, j);
  if (j === digitsFrom) return undefined;
  if (source.charCodeAt(j) === 46) {
    const f = digits(source, j + 1);
    if (f === j + 1) fail(source, 'invalid-number', i, j + 1, 'a decimal point must be followed by digits', 'write e.g. 12.5');
    j = f;
  }
  const e = source.charCodeAt(j);
  if (e === 101 || e === 69) {
    const k = digitsAfterSign(source, j + 1);
    const f = digits(source, k);
    if (f > k) j = f;
  }
  const value = Number(source.slice(i, j));
  if (!Number.isFinite(value)) fail(source, 'invalid-number', i, j, 'this number is too large');
  return { value, end: j };
}

function digitsAfterSign(source: string, j: number): number {
  const s = source.charCodeAt(j);
  return s === 43 || s === 45 ? j + 1 : j;
}

function digits(source: string, j: number): number {
  for (let c = source.charCodeAt(j); c >= 48 && c <= 57; c = source.charCodeAt(++j));
  return j;
}

/** A character for a message: itself when printable, else `U+0000` (also for invisible spaces). */
export function printableChar(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  return c < 32 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0x2000 && c <= 0x200f)
    ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
    : ch;
}

/** Describes what is at `i` for an "unexpected …" message: a word, a quoted string, a character. */
export function describeAt(source: string, i: number): { text: string; end: number } {
  if (i >= source.length) return { text: 'the end of the input', end: i };
  const word = scanIdentifier(source, i);
  if (word > i) return { text: `\`${source.slice(i, Math.min(word, i + 40))}\``, end: word };
  const c = source.charCodeAt(i);
  if (c === 34 || c === 39) {
    const close = source.indexOf(source.charAt(i), i + 1);
    if (close > 0 && close - i < 40 && !/[\\\n\r]/.test(source.slice(i, close))) return { text: `\`${source.slice(i, close + 1)}\``, end: close + 1 };
  }
  const ch = String.fromCodePoint(source.codePointAt(i) as number);
  return { text: `\`${printableChar(ch)}\``, end: i + ch.length };
}
