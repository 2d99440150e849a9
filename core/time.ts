/**
 * Time: the evaluation clock, duration arithmetic and ISO-8601 parsing.
 *
 * `now` is given to the engine (default: the current time) and every date window is computed once
 * per compilation from it, so the in-memory engine and SQL agree to the millisecond. Minutes, hours,
 * days and weeks are fixed lengths; months and years are calendar steps in the configured time zone
 * (default UTC); `today` is the start of the day in that zone. A date without a time, and a date-time
 * without an offset, are UTC.
 *
 * Time zones come from the platform's `Intl` (its IANA database): the offset of a zone at an instant
 * is read from `Intl.DateTimeFormat#formatToParts` (one formatter per zone, cached), and a wall-clock
 * time is turned back into an instant by guessing the offset and correcting it once, as luxon does,
 * so the results are luxon's to the millisecond (test/core/time-zones.test.ts compares them over
 * random instants, zones with daylight saving, and calendar steps): a wall time that falls in a
 * daylight-saving gap moves forward by the gap; one that occurs twice keeps the offset `now` has when
 * it can.
 */
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

// Building an Intl.DateTimeFormat costs ~0.2–0.7 ms: one per valid zone, kept (a bounded set).
const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The zone's formatter (wall-clock fields, 24-hour, with the era), or undefined when the zone is unknown. */
function formatter(zone: string): Intl.DateTimeFormat | undefined {
  let f = FORMATS.get(zone);
  if (f === undefined && zone) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      return undefined;
    }
    FORMATS.set(zone, f);
  }
  return f;
}

/**
 * The zone's offset from UTC at an instant, in minutes (east positive; fractional for the local mean
 * times of the 19th century); NaN for an instant out of `Date`'s range.
 */
function offsetAt(f: Intl.DateTimeFormat, ms: number): number {
  const date = new Date(ms);
  const t = date.getTime();
  if (t !== t) return NaN;
  // year, month, day, hour, minute, second; era
  const c = [0, 1, 1, 0, 0, 0];
  let bc = false;
  for (const { type, value } of f.formatToParts(date)) {
    const i = PART[type];
    if (i !== undefined) c[i] = +value;
    else if (type === 'era') bc = value === 'BC' || value === 'B';
  }
  if (bc) c[0] = 1 - c[0];
  // (some engines wrote midnight as 24 with a 24-hour clock)
  const local = utc(c[0], c[1], c[2], c[3] === 24 ? 0 : c[3], c[4], c[5]);
  return (local - (t - (((t % 1000) + 1000) % 1000))) / 60_000;
}

const PART: Partial<Record<string, number>> = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5 };

/** The instant of a wall-clock time (as UTC milliseconds) in a zone, starting from a guessed offset. */
function fromWall(local: number, guess: number, f: Intl.DateTimeFormat): number {
  const first = local - guess * 60_000;
  const o2 = offsetAt(f, first);
  if (o2 === guess) return first;
  const second = first - (o2 - guess) * 60_000;
  const o3 = offsetAt(f, second);
  if (o2 === o3) return second;
  // In a gap (the clocks jumped over this wall time): the later offset, so the time moves forward.
  return local - Math.min(o2, o3) * 60_000;
}

/** The zone's offset at an instant, in minutes; NaN for an unknown zone (for tests and hosts that show it). */
export function zoneOffset(timeZone: string, ms: number): number {
  const f = formatter(timeZone);
  return f === undefined ? NaN : offsetAt(f, ms);
}

/** Casual lengths for the fraction of a calendar step (`1.5 months`: one month, then 15 days). */
const CASUAL_MS = { month: 30 * 86_400_000, year: 365 * 86_400_000 };

export function createClock(options: ClockOptions = {}): Clock {
  const timeZone = options.timeZone ?? 'UTC';
  const f = formatter(timeZone);
  if (f === undefined) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `unknown time zone "${timeZone}"`,
      hint: 'use an IANA zone name such as "UTC", "Asia/Muscat" or "Europe/Paris"',
    });
  }
  const now = options.now === undefined ? Date.now() : toInstant(options.now);
  // (beyond ±8.64e15 ms, about 273,790 years from 1970, there are no dates)
  if (!(Math.abs(now) <= 8.64e15)) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `"now" is not an ISO-8601 date: ${JSON.stringify(String(options.now))}`,
      hint: 'write it like 2026-11-24T12:00:00Z',
    });
  }
  const offset = offsetAt(f, now);
  // now's wall clock in the zone, read from a Date shifted by the offset
  const wall = new Date(now + offset * 60_000);
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  const time = now + offset * 60_000 - utc(year, month, day);
  const today = fromWall(utc(year, month, day), offset, f);
  return {
    now,
    timeZone,
    today,
    ago({ amount, unit }) {
      const fixed = UNITS[unit].ms;
      if (fixed !== null) return now - amount * fixed;
      // Whole months or years back on the calendar, the day clamped to the month's last (31 March −
      // 1 month = 28/29 February), the wall-clock time kept.
      const whole = Math.trunc(amount);
      const y = year - (unit === 'year' ? whole : 0);
      const m = month - (unit === 'month' ? whole : 0);
      const normalized = ((((m - 1) % 12) + 12) % 12) + 1;
      const d = Math.min(day, daysInMonth(y + (m - normalized) / 12, normalized));
      return fromWall(utc(y, m, d) + time, offset, f) - (amount - whole) * CASUAL_MS[unit as 'month' | 'year'];
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
