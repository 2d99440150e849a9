/**
 * Helpers the generated predicates call at run time. They are passed into the generated code
 * through its constants array (never by name lookup), and are small so V8 inlines them.
 */
import { daysInMonth, parseIsoDate, utc } from '../time';

/** Stand-in for a profile or an event's properties that is not an object: every field is unknown. */
export const EMPTY: Readonly<Record<string, unknown>> = /* @__PURE__ */ Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * A profile value as epoch milliseconds: ISO-8601 strings and `Date` objects, NaN for anything
 * else (a number is not a date). Same result as `valueInstant` in `time.ts`, with a fast path for
 * the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` form that `Date#toISOString` writes.
 */
export function instant(value: unknown): number {
  if (typeof value === 'string') {
    return value.length === 24 && value.charCodeAt(23) === 90 ? canonicalIso(value) : parseIsoDate(value);
  }
  if (value instanceof Date) return value.getTime();
  return NaN;
}

const DIGIT_MASK = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

function canonicalIso(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) {
    return parseIsoDate(s);
  }
  for (let i = 0; i < DIGIT_MASK.length; i++) {
    const c = s.charCodeAt(DIGIT_MASK[i]) - 48;
    if (c < 0 || c > 9) return NaN;
  }
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  const hour = num(s, 11, 2);
  const minute = num(s, 14, 2);
  const second = num(s, 17, 2);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  if (day > 28 && day > daysInMonth(year, month)) return NaN;
  return utc(year, month, day, hour, minute, second, num(s, 20, 3));
}

function num(s: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

/** An own property (for keys such as `constructor` that every object inherits). */
export function own(object: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/**
 * Whether a list has a text element equal to `lowered` (already lower case), ignoring case;
 * `written` (the text as the segment spells it) is a fast path. Lower-casing never shortens a
 * text, so longer elements are skipped without lower-casing them.
 */
export function hasText(list: readonly unknown[], lowered: string, written: string = lowered): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e === written || (typeof e === 'string' && e.length <= lowered.length && (e === lowered || e.toLowerCase() === lowered))) return true;
  }
  return false;
}

/** Whether a list has a number element equal to `n` (`0` and `-0` are equal). */
export function hasNumber(list: readonly unknown[], n: number): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === n) return true;
  return false;
}

/** Whether a list has a text element in `lowered` (a set of lower-case texts), ignoring case. */
export function anyText(list: readonly unknown[], lowered: ReadonlySet<string>): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (typeof e === 'string' && lowered.has(e.toLowerCase())) return true;
  }
  return false;
}

/** Whether a list has a number element in `numbers`. */
export function anyNumber(list: readonly unknown[], numbers: ReadonlySet<number>): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (typeof e === 'number' && numbers.has(e)) return true;
  }
  return false;
}

/** Whether a list holds every one of `lowered` (lower-case texts) and `numbers`. */
export function allOf(list: readonly unknown[], lowered: readonly string[], numbers: readonly number[]): boolean {
  for (let i = 0; i < lowered.length; i++) if (!hasText(list, lowered[i])) return false;
  for (let i = 0; i < numbers.length; i++) if (!hasNumber(list, numbers[i])) return false;
  return true;
}

export const RUNTIME = { EMPTY, instant, own, hasText, hasNumber, anyText, anyNumber, allOf } as const;
export type RuntimeName = keyof typeof RUNTIME;
