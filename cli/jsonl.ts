/**
 * JSON Lines from a user's file, for every command that reads them (`--data`, `import`): streamed
 * chunk by chunk, each line checked before and after `JSON.parse`:
 *
 * - a line longer than the cap (`--max-line-length`, `SEGMENT_MAX_LINE_LENGTH`, default 10,000,000
 *   characters) is refused with its line number as soon as the cap is passed, without holding it
 *   whole (a 50 MB line of `[[[…` took 32 s and 2.9 GB before "not valid JSON");
 * - a value nested more than 1,000 levels deep is refused before it is parsed (nothing downstream
 *   has to recurse that deep);
 * - a number too large to be finite (`1e999`, which JSON.parse turns into Infinity) is refused: a
 *   profile's data is never rewritten (`filter` would print `null`) or read differently in memory and
 *   in a database.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { userError } from './errors';

export const DEFAULT_MAX_LINE_LENGTH = 10_000_000;
export const MAX_DEPTH = 1000;

/** A line of the file: its parsed value, or why it cannot be read. Blank lines are left out. */
export type JsonLine = { line: number; value: unknown; error?: undefined } | { line: number; error: string; hint?: string; value?: undefined };

export const JSON_ARRAY_HINT = "--data expects JSON Lines (one profile object per line), not a JSON array: convert it with jq -c '.[]' profiles.json > profiles.jsonl";

export interface JsonLinesStats {
  /** Bytes read so far. */
  bytes: number;
}

/**
 * The line-length cap: `--max-line-length` when given, else `$SEGMENT_MAX_LINE_LENGTH`, else
 * 10,000,000 characters. A value that is not a positive whole number is a user error.
 */
export function maxLineLength(option?: string): number {
  const given = option ?? process.env.SEGMENT_MAX_LINE_LENGTH;
  if (given === undefined || given === '') return DEFAULT_MAX_LINE_LENGTH;
  const n = Number(given.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    const from = option !== undefined ? '--max-line-length' : 'SEGMENT_MAX_LINE_LENGTH';
    throw userError('invalid-option', `${from} must be a positive whole number of characters, not "${given}"`, `the default is ${DEFAULT_MAX_LINE_LENGTH.toLocaleString('en-US')}`);
  }
  return n;
}

/**
 * Reads `path` as JSON Lines, yielding the lines of each chunk read (a list per chunk, so a count
 * over millions of lines does not pay for one promise a line). System errors (EACCES, EIO) are thrown
 * as they come; bad lines are yielded with their reason.
 */
export async function* readJsonLines(path: string, stats: JsonLinesStats, maxLength: number): AsyncGenerator<JsonLine[]> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  // Inside a line that passed the cap: skip to its end.
  let skipping = false;
  const lines = (text: string, final: boolean): JsonLine[] => {
    const out: JsonLine[] = [];
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl === -1) {
        if (!final) {
          if (!skipping && text.length - from > maxLength) {
            lineNo++;
            out.push({ line: lineNo, error: tooLong(maxLength) });
            skipping = true;
          }
          rest = skipping ? '' : text.slice(from);
          return out;
        }
        if (skipping) {
          rest = '';
          return out;
        }
      }
      const end = nl === -1 ? text.length : nl;
      if (skipping) {
        skipping = false;
      } else {
        lineNo++;
        const parsed = parseLine(text.slice(from, end), lineNo, maxLength);
        if (parsed !== undefined) out.push(parsed);
      }
      if (nl === -1) {
        rest = '';
        return out;
      }
      from = nl + 1;
    }
  };
  try {
    for await (const chunk of stream) {
      stats.bytes += (chunk as Buffer).length;
      const out = lines(rest + decoder.write(chunk as Buffer), false);
      if (out.length > 0) yield out;
    }
    const last = lines(rest + decoder.end(), true);
    if (last.length > 0) yield last;
  } finally {
    stream.destroy();
  }
}

function tooLong(maxLength: number): string {
  return `the line is longer than ${maxLength.toLocaleString('en-US')} characters (raise the cap with --max-line-length or SEGMENT_MAX_LINE_LENGTH)`;
}

// Only a line this long can be nested MAX_DEPTH deep: shorter ones are not scanned.
const SCAN_FROM = 2 * MAX_DEPTH;
// A number that may parse as Infinity: an exponent of three digits or more, or 309 digits in a row.
const HUGE_NUMBER = /\d[eE]\+?\d{3}|\d{309}/;

function parseLine(raw: string, line: number, maxLength: number): JsonLine | undefined {
  const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.length > maxLength) return { line, error: tooLong(maxLength) };
  if (text.trim() === '') return undefined;
  if (text.length > SCAN_FROM && depth(text) > MAX_DEPTH) return { line, error: `the value is nested more than ${MAX_DEPTH.toLocaleString('en-US')} levels deep` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // A whole JSON document (`[{…}, {…}]`) instead of JSON Lines: say how to convert it.
    const hint = line === 1 && text.trimStart().startsWith('[') ? JSON_ARRAY_HINT : undefined;
    return { line, error: `not valid JSON (${(e as Error).message})`, ...(hint ? { hint } : {}) };
  }
  if (HUGE_NUMBER.test(text)) {
    const at = nonFinite(value, '');
    if (at !== undefined) return { line, error: `the number ${at === '' ? '' : `at ${at} `}is too large to be a finite number (${numberText(text)})` };
  }
  return { line, value };
}

/** The deepest nesting of `[` and `{` outside strings. */
export function depth(text: string): number {
  let d = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++d > max) max = d;
    } else if (c === 93 || c === 125) d--;
  }
  return max;
}

/** The path (`"clicks_count"`, `"events"[2]."amount"`) of the first non-finite number in a value, or undefined. */
export function nonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = nonFinite(value[i], `${path}[${i}]`);
      if (at !== undefined) return at;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const at = nonFinite((value as Record<string, unknown>)[key], path === '' ? JSON.stringify(key) : `${path}.${JSON.stringify(key)}`);
    if (at !== undefined) return at;
  }
  return undefined;
}

function numberText(text: string): string {
  const m = /-?\d+(?:\.\d+)?[eE]\+?\d{3,}|\d{309,}/.exec(text);
  const n = m?.[0] ?? 'a huge number';
  return n.length > 24 ? `${n.slice(0, 12)}…(${n.length} characters)` : n;
}
