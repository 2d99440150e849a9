/**
 * The ISO-8601 table: what `parseIsoDate` accepts and what it refuses (docs/LANGUAGE.md §4, §7.4).
 *
 * Accepted texts carry the instant they mean, written by hand as the canonical UTC text
 * `YYYY-MM-DDTHH:MM:SS.sssZ`; the test turns that into milliseconds with plain calendar arithmetic
 * (`epochMs` below), not with the parser under test nor with `Date`. Refused texts must give NaN.
 * The run-time fast path for canonical texts (`instant`) must agree with the parser on every row.
 */
import { describe, expect, it } from 'vitest';
import { instant } from '../../core/evaluate/runtime';
import { parseIsoDate } from '../../core/time';

/** Milliseconds since 1970 of a canonical UTC text, by counting days (proleptic Gregorian calendar). */
function epochMs(canonical: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/.exec(canonical);
  if (m === null) throw new Error(`not canonical: ${canonical}`);
  const [year, month, day, hour, minute, second, ms] = m.slice(1).map(Number);
  const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const monthDays = [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let days = 0;
  if (year >= 1970) for (let y = 1970; y < year; y++) days += leap(y) ? 366 : 365;
  else for (let y = year; y < 1970; y++) days -= leap(y) ? 366 : 365;
  for (let mo = 1; mo < month; mo++) days += monthDays[mo - 1];
  days += day - 1;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** [text, the instant it means (canonical UTC), why]. */
const accepted: [string, string, string][] = [
  // Date only: midnight UTC.
  ['2026-11-24', '2026-11-24T00:00:00.000Z', 'date only'],
  ['1970-01-01', '1970-01-01T00:00:00.000Z', 'the epoch'],
  ['1969-12-31', '1969-12-31T00:00:00.000Z', 'before the epoch'],
  ['9999-12-31', '9999-12-31T00:00:00.000Z', 'the last four-digit year'],
  // Years below 100 are those years, not 1900 + the year.
  ['0050-03-01', '0050-03-01T00:00:00.000Z', 'a two-digit year written with four digits'],
  ['0000-01-01', '0000-01-01T00:00:00.000Z', 'year zero'],
  ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59.000Z', 'the last year below 100'],
  // Leap days.
  ['2024-02-29', '2024-02-29T00:00:00.000Z', 'leap day (divisible by 4)'],
  ['2000-02-29', '2000-02-29T00:00:00.000Z', 'leap day (divisible by 400)'],
  ['1600-02-29T12:00:00Z', '1600-02-29T12:00:00.000Z', 'leap day (divisible by 400, before 1970)'],
  ['0004-02-29', '0004-02-29T00:00:00.000Z', 'leap day in year 4'],
  ['0000-02-29', '0000-02-29T00:00:00.000Z', 'leap day in year 0 (divisible by 400)'],
  ['2026-01-31', '2026-01-31T00:00:00.000Z', 'the 31st of a long month'],
  ['2026-04-30', '2026-04-30T00:00:00.000Z', 'the 30th of a short month'],
  // Times: separators and the UTC designator.
  ['2026-11-24T12:34:56Z', '2026-11-24T12:34:56.000Z', 'T and Z'],
  ['2026-11-24t12:34:56z', '2026-11-24T12:34:56.000Z', 'lower-case t and z'],
  ['2026-11-24 12:34:56Z', '2026-11-24T12:34:56.000Z', 'a space separator (RFC 3339)'],
  ['2026-11-24T12:34Z', '2026-11-24T12:34:00.000Z', 'no seconds'],
  ['2026-11-24T12:34:56', '2026-11-24T12:34:56.000Z', 'no offset: UTC'],
  ['2026-11-24T12:34', '2026-11-24T12:34:00.000Z', 'no seconds, no offset'],
  ['2026-11-24T00:00:00Z', '2026-11-24T00:00:00.000Z', 'midnight'],
  ['2026-11-24T23:59:59Z', '2026-11-24T23:59:59.000Z', 'the last second of a day'],
  // Fractions of a second: 1 to 9 digits, truncated to milliseconds; a comma is ISO's decimal sign too.
  ['2026-11-24T12:00:00.5Z', '2026-11-24T12:00:00.500Z', 'one fraction digit'],
  ['2026-11-24T12:00:00.25Z', '2026-11-24T12:00:00.250Z', 'two fraction digits'],
  ['2026-11-24T12:00:00.123Z', '2026-11-24T12:00:00.123Z', 'three fraction digits'],
  ['2026-11-24T12:00:00.1239Z', '2026-11-24T12:00:00.123Z', 'four digits, truncated'],
  ['2026-11-24T12:00:00.999999Z', '2026-11-24T12:00:00.999Z', 'six digits, truncated not rounded'],
  ['2026-11-24T12:00:00.999999999Z', '2026-11-24T12:00:00.999Z', 'nine digits'],
  ['2026-11-24T12:00:00.001Z', '2026-11-24T12:00:00.001Z', 'one millisecond'],
  ['2026-11-24T12:00:00.0009Z', '2026-11-24T12:00:00.000Z', 'less than a millisecond'],
  ['2026-11-24T12:00:00.29Z', '2026-11-24T12:00:00.290Z', 'a fraction that is inexact in binary'],
  ['2026-11-24T12:00:00.57Z', '2026-11-24T12:00:00.570Z', 'another inexact fraction'],
  ['2026-11-24T12:00:00,5Z', '2026-11-24T12:00:00.500Z', 'a decimal comma'],
  ['2026-11-24T12:00:00.5', '2026-11-24T12:00:00.500Z', 'a fraction without an offset'],
  // Offsets: ±HH:MM, ±HHMM, ±HH; the instant is the local time minus the offset.
  ['2026-11-24T16:00:00+04:00', '2026-11-24T12:00:00.000Z', '+HH:MM'],
  ['2026-11-24T16:00:00+0400', '2026-11-24T12:00:00.000Z', '+HHMM'],
  ['2026-11-24T16:00:00+04', '2026-11-24T12:00:00.000Z', '+HH'],
  ['2026-11-24T06:30:00-05:30', '2026-11-24T12:00:00.000Z', '-HH:MM'],
  ['2026-11-24T06:30:00-0530', '2026-11-24T12:00:00.000Z', '-HHMM'],
  ['2026-11-24T07:00:00-05', '2026-11-24T12:00:00.000Z', '-HH'],
  ['2026-11-24T12:00:00+00:00', '2026-11-24T12:00:00.000Z', '+00:00'],
  ['2026-11-24T12:00:00-00:00', '2026-11-24T12:00:00.000Z', '-00:00 (RFC 3339: UTC, offset unknown)'],
  ['2026-11-24T12:00:00+23:59', '2026-11-23T12:01:00.000Z', 'the largest offset'],
  ['2026-11-24T12:00:00-23:59', '2026-11-25T11:59:00.000Z', 'the smallest offset'],
  ['2026-11-24T12:00+04:00', '2026-11-24T08:00:00.000Z', 'an offset after minutes'],
  ['2026-11-24T12:00:00.5+04:00', '2026-11-24T08:00:00.500Z', 'an offset after a fraction'],
  ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z', 'an offset that crosses the year'],
  ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00.000Z', 'an offset that lands on a leap day'],
  ['2026-11-24T12:00:00+05:45', '2026-11-24T06:15:00.000Z', 'a quarter-hour offset (Nepal)'],
  ['2026-11-24T12:00:00+14:00', '2026-11-23T22:00:00.000Z', 'the easternmost zone (Kiribati)'],
];

/** [text, why it is refused]. */
const refused: [string, string][] = [
  // Dates.
  ['2026-13-01', 'month 13'],
  ['2026-00-10', 'month 0'],
  ['2026-01-00', 'day 0'],
  ['2026-01-32', 'day 32'],
  ['2026-04-31', 'April 31'],
  ['2026-02-29', 'February 29 of a common year'],
  ['1900-02-29', 'February 29 of a century that is not divisible by 400'],
  ['2100-02-29T00:00:00Z', 'February 29, 2100'],
  ['0100-02-29', 'February 29, 100'],
  ['2026-02-30', 'February 30'],
  ['2026-1-01', 'a one-digit month'],
  ['2026-01-1', 'a one-digit day'],
  ['26-01-01', 'a two-digit year'],
  ['+002026-01-01', 'an expanded year'],
  ['20261124', 'the basic date format'],
  ['2026/11/24', 'slashes'],
  ['24/11/2026', 'day first'],
  ['2026-11', 'year and month only'],
  ['2026-W48-2', 'a week date'],
  ['2026-328', 'an ordinal date'],
  // Hours, minutes, seconds.
  ['2026-11-24T24:00:00Z', 'hour 24 (even at 00:00)'],
  ['2026-11-24T24:00Z', 'hour 24 without seconds'],
  ['2026-11-24T25:00:00Z', 'hour 25'],
  ['2026-11-24T12:60:00Z', 'minute 60'],
  ['2026-11-24T12:99Z', 'minute 99'],
  ['2026-11-24T12:00:60Z', 'second 60'],
  ['2016-12-31T23:59:60Z', 'a leap second'],
  ['2026-11-24T12:00:61Z', 'second 61'],
  ['2026-11-24T12:00:99.5Z', 'second 99 with a fraction'],
  ['2026-11-24T1:00:00Z', 'a one-digit hour'],
  ['2026-11-24T12:0:00Z', 'a one-digit minute'],
  ['2026-11-24T12:00:0Z', 'a one-digit second'],
  ['2026-11-24T12Z', 'an hour alone'],
  ['2026-11-24T12', 'an hour alone without an offset'],
  ['2026-11-24T1200Z', 'the basic time format'],
  // Fractions.
  ['2026-11-24T12:00:00.Z', 'a decimal sign without digits'],
  ['2026-11-24T12:00:00.1234567890Z', 'ten fraction digits'],
  ['2026-11-24T12:00.5Z', 'a fraction of a minute'],
  ['2026-11-24T12:00:00.-5Z', 'a signed fraction'],
  // Offsets.
  ['2026-11-24T12:00:00+24:00', 'offset +24:00'],
  ['2026-11-24T12:00:00-24:00', 'offset -24:00'],
  ['2026-11-24T12:00:00+2400', 'offset +2400'],
  ['2026-11-24T12:00:00+24', 'offset +24'],
  ['2026-11-24T12:00:00+23:60', 'offset minute 60'],
  ['2026-11-24T12:00:00+2360', 'offset minute 60, no colon'],
  ['2026-11-24T12:00:00+99:00', 'offset hour 99'],
  ['2026-11-24T12:00:00+4:00', 'a one-digit offset hour'],
  ['2026-11-24T12:00:00+04:0', 'a one-digit offset minute'],
  ['2026-11-24T12:00:00+040', 'three offset digits'],
  ['2026-11-24T12:00:00+04:000', 'an offset minute of three digits'],
  ['2026-11-24T12:00:00+04:00:00', 'offset seconds'],
  ['2026-11-24T12:00:00\u221205:00', 'a Unicode minus sign'],
  ['2026-11-24T12:00:00 +04:00', 'a space before the offset'],
  ['2026-11-24T12:00:00ZZ', 'two UTC designators'],
  ['2026-11-24T12:00:00Z+04:00', 'Z and an offset'],
  ['2026-11-24T12:00:00UTC', 'a zone abbreviation'],
  ['2026-11-24T12:00:00[Europe/Paris]', 'a zone name'],
  ['2026-11-24Z', 'a UTC designator on a date'],
  ['2026-11-24+04:00', 'an offset on a date'],
  // Separators and surroundings.
  ['2026-11-24T', 'a separator without a time'],
  ['2026-11-24  12:00:00Z', 'two spaces'],
  ['2026-11-24_12:00:00Z', 'an underscore separator'],
  ['2026-11-24X12:00:00Z', 'another letter as the separator'],
  [' 2026-11-24', 'a leading space'],
  ['2026-11-24 ', 'a trailing space'],
  ['2026-11-24\n', 'a trailing newline'],
  ['\u0662\u0660\u0662\u0666-\u0661\u0661-\u0662\u0664', 'Arabic-Indic digits'],
  ['\uff12\uff10\uff12\uff16-11-24', 'full-width digits'],
  ['', 'empty text'],
  ['now', 'a word'],
  ['yesterday', 'a relative word'],
  ['1700000000000', 'epoch milliseconds as text'],
  ['Tue, 24 Nov 2026 12:00:00 GMT', 'an RFC 2822 date'],
];

describe('parseIsoDate accepts ISO-8601 dates and date-times', () => {
  it.each(accepted)('%s means %s (%s)', (text, canonical) => {
    expect(parseIsoDate(text)).toBe(epochMs(canonical));
  });

  it('reads each canonical instant back as itself, and the fast path agrees', () => {
    for (const [, canonical] of accepted) {
      expect(parseIsoDate(canonical), canonical).toBe(epochMs(canonical));
      expect(instant(canonical), canonical).toBe(epochMs(canonical));
    }
  });
});

describe('parseIsoDate refuses what is not a valid ISO-8601 date', () => {
  it.each(refused)('%j is refused (%s)', (text) => {
    expect(parseIsoDate(text)).toBeNaN();
    expect(instant(text)).toBeNaN();
  });

  it('refuses impossible canonical-length texts on the fast path too', () => {
    for (const text of ['2026-11-24T12:00:60.000Z', '2026-02-29T00:00:00.000Z', '0100-02-29T00:00:00.000Z', '2026-11-24T24:00:00.000Z', '2026-11-24T12:60:00.000Z']) {
      expect(instant(text), text).toBeNaN();
      expect(parseIsoDate(text), text).toBeNaN();
    }
  });
});

describe('the table’s own arithmetic', () => {
  // The expected values come from epochMs: check it against instants everyone knows.
  it('counts days like the calendar', () => {
    expect(epochMs('1970-01-01T00:00:00.000Z')).toBe(0);
    expect(epochMs('2001-09-09T01:46:40.000Z')).toBe(1_000_000_000_000);
    expect(epochMs('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(epochMs('2000-03-01T00:00:00.000Z') - epochMs('2000-02-28T00:00:00.000Z')).toBe(2 * 86_400_000);
    expect(epochMs('1900-03-01T00:00:00.000Z') - epochMs('1900-02-28T00:00:00.000Z')).toBe(86_400_000);
    // -62167219200000: 0000-01-01, as ECMAScript's own calendar counts it (ECMA-262 §21.4.1).
    expect(epochMs('0000-01-01T00:00:00.000Z')).toBe(-62_167_219_200_000);
  });
});
