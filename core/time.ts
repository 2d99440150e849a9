/**
 * Time: the evaluation clock, duration arithmetic and ISO-8601 parsing.
 *
 * `now` is given to the engine (default: the current time) and every date window is computed once
 * per compilation from it, so the in-memory engine and SQL agree to the millisecond. Minutes, hours,
 * days and weeks are fixed lengths; months and years are calendar steps in the configured time zone
 * (default UTC); `today` is the start of the day in that zone. A date without a time, and a date-time
 * without an offset, are UTC.
 */
import { DateTime, IANAZone } from 'luxon';
import { assertNever, type DurationLiteral, type Literal } from './ast';
import { UNITS } from './durations';
import { SegmentError } from './errors';

export interface Clock {
  /** The evaluation instant, epoch milliseconds. */
  readonly now: number;
  /** IANA time zone for calendar steps and `today`. */
  readonly timeZone: string;
  /** Start of today in the time zone, epoch milliseconds. */
  readonly today: number;
  /** now − duration, epoch milliseconds (calendar-aware for months and years). */
  ago(duration: Pick<DurationLiteral, 'amount' | 'unit'>): number;
}

export interface ClockOptions {
  now?: Date | string | number;
  timeZone?: string;
}

// Checking a zone builds an Intl.DateTimeFormat (~0.2–0.7 ms); remember the valid ones (a bounded set).
const VALID_ZONES = new Set<string>(['UTC']);

function isValidZone(zone: string): boolean {
  if (VALID_ZONES.has(zone)) return true;
  const valid = IANAZone.isValidZone(zone);
  if (valid) VALID_ZONES.add(zone);
  return valid;
}

export function createClock(options: ClockOptions = {}): Clock {
  const timeZone = options.timeZone ?? 'UTC';
  if (!isValidZone(timeZone)) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `unknown time zone "${timeZone}"`,
      hint: 'use an IANA zone name such as "UTC", "Asia/Muscat" or "Europe/Paris"',
    });
  }
  const now = options.now === undefined ? Date.now() : toInstant(options.now);
  if (Number.isNaN(now)) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `"now" is not an ISO-8601 date: ${JSON.stringify(String(options.now))}`,
      hint: 'write it like 2026-11-24T12:00:00Z',
    });
  }
  const zoned = DateTime.fromMillis(now, { zone: timeZone });
  const today = zoned.startOf('day').toMillis();
  return {
    now,
    timeZone,
    today,
    ago({ amount, unit }) {
      const fixed = UNITS[unit].ms;
      if (fixed !== null) return now - amount * fixed;
      return zoned.minus({ [`${unit}s`]: amount }).toMillis();
    },
  };
}

// YYYY-MM-DD, optionally followed by THH:MM[:SS[.fff]] and Z or ±HH:MM / ±HHMM / ±HH.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Epoch milliseconds of an ISO-8601 date or date-time string, or NaN when the text is not one
 * (no coercion of other date formats). Dates without a time, and times without an offset, are UTC.
 */
export function parseIsoDate(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return NaN;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (m[4] === undefined) return utc(year, month, day);
  const hour = +m[4];
  const minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000 + 1e-7);
  let offset = 0;
  const z = m[8];
  if (z !== undefined && z !== 'Z' && z !== 'z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return NaN;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  return utc(year, month, day, hour, minute, second, ms) - offset;
}

/** Epoch milliseconds of a UTC date-time; years 0–99 are those years (`Date.UTC` would read 1900–1999). */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year >= 100) return t;
  const d = new Date(t);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * A profile value as an instant: ISO-8601 strings and `Date` objects; NaN for anything else (a
 * number is not a date: no coercion).
 */
export function valueInstant(value: unknown): number {
  if (typeof value === 'string') return parseIsoDate(value);
  if (value instanceof Date) return value.getTime();
  return NaN;
}

/** An option (`now`) as an instant: like `valueInstant`, and epoch milliseconds too. */
export function toInstant(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return valueInstant(value);
}

/** `2026-11-24T12:00:00.000Z`. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A literal as an instant for a date comparison: ISO-8601 text, `now`, `today`, `<duration> ago`;
 * NaN for literals that are not dates. Shared by the in-memory and SQL compilers so both bound the
 * same windows.
 */
export function literalInstant(lit: Literal, clock: Clock): number {
  switch (lit.type) {
    case 'string':
      return parseIsoDate(lit.value);
    case 'now':
      return clock.now;
    case 'today':
      return clock.today;
    case 'ago':
      return clock.ago(lit.duration);
    case 'number':
    case 'boolean':
    case 'duration':
      return NaN;
    default:
      return assertNever(lit, 'literal');
  }
}
