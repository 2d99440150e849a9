/**
 * Time zones on `Intl`, against luxon as the oracle (luxon is a dev dependency only: the core no
 * longer ships it). The clock's `today` and `ago` (months and years step the calendar in the zone)
 * and the zone offsets must equal luxon's to the millisecond over random instants, in zones with
 * daylight saving (north and south, half-hour and 30-minute shifts, a 45-minute zone, transitions at
 * midnight), and above all near the transitions: instants a few hours either side of each one, and
 * "now"s whose calendar step back lands in a gap or an overlap.
 */
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createClock, zoneOffset } from '../../core/time';
import type { DurationUnit } from '../../core/durations';

const ZONES = [
  'UTC',
  'Europe/London', // +0/+1 at 01:00 UTC
  'Europe/Paris',
  'America/New_York', // −5/−4 at 02:00 local
  'America/Sao_Paulo', // DST until 2019, then none
  'America/Santiago', // southern DST, the clocks jump at midnight (no 00:00 on that day)
  'America/Havana', // DST at midnight too
  'Asia/Beirut', // DST at midnight
  'Asia/Muscat', // +4, no DST
  'Asia/Kolkata', // +5:30
  'Asia/Kathmandu', // +5:45
  'Asia/Tehran', // +3:30, DST until 2022
  'Australia/Lord_Howe', // a 30-minute DST shift
  'Australia/Adelaide', // +9:30/+10:30
  'Pacific/Chatham', // +12:45/+13:45
  'Pacific/Apia', // skipped 30 Dec 2011 (−10 → +14)
  'Pacific/Kiritimati', // +14
  'America/St_Johns', // −3:30/−2:30
  'Africa/Casablanca', // DST suspended during Ramadan
];

const DAY = 86_400_000;
const FROM = Date.UTC(1900, 0, 1);
const TO = Date.UTC(2100, 0, 1);

/** Every offset change of a zone between two instants (found day by day with luxon, then bisected). */
function transitions(zone: string, from: number, to: number): number[] {
  const z = IANAZone.create(zone);
  const out: number[] = [];
  let prev = z.offset(from);
  for (let t = from + DAY; t <= to; t += DAY) {
    const o = z.offset(t);
    if (o === prev) continue;
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (z.offset(mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    prev = o;
  }
  return out;
}

// Transitions from 1995 to 2035 for every zone (hundreds of instants, found once).
const NEAR: [string, number][] = ZONES.flatMap((zone) => transitions(zone, Date.UTC(1995, 0, 1), Date.UTC(2035, 0, 1)).map((t) => [zone, t] as [string, number]));

const zone = fc.constantFrom(...ZONES);
const anyInstant = fc.integer({ min: FROM, max: TO });
/** A zone and an instant within 36 hours of one of its transitions. */
const nearTransition = fc.tuple(fc.constantFrom(...NEAR), fc.integer({ min: -36 * 3600, max: 36 * 3600 }), fc.integer({ min: 0, max: 999 })).map(([[z, t], s, ms]) => [z, t + s * 1000 + ms] as [string, number]);
const zoneAndInstant = fc.oneof(fc.tuple(zone, anyInstant), nearTransition);
const unit = fc.constantFrom<DurationUnit>('minute', 'hour', 'day', 'week', 'month', 'year');
const amount = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2400 }), fc.constantFrom(0.5, 1.5, 2.25));

/**
 * The clock before this change (luxon): days and weeks are fixed lengths in the language (24 and 168
 * hours, not calendar days), months and years calendar steps in the zone.
 */
const FIXED_HOURS: Partial<Record<DurationUnit, number>> = { day: 24, week: 168 };
const luxonAgo = (now: number, z: string, u: DurationUnit, n: number) => {
  const hours = FIXED_HOURS[u];
  return DateTime.fromMillis(now, { zone: z }).minus(hours === undefined ? { [`${u}s`]: n } : { hours: n * hours }).toMillis();
};
const luxonToday = (now: number, z: string) => DateTime.fromMillis(now, { zone: z }).startOf('day').toMillis();

describe('the clock on Intl agrees with luxon', () => {
  it('found transitions to test near (the oracle sees daylight saving)', () => {
    expect(NEAR.length).toBeGreaterThan(500);
    for (const z of ['Europe/London', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      expect(NEAR.filter(([n]) => n === z).length, z).toBeGreaterThan(40);
    }
    expect(NEAR.filter(([n]) => n === 'Asia/Muscat')).toEqual([]);
  });

  it('reads the same offset as luxon for every zone at random instants and near transitions', () => {
    fc.assert(
      fc.property(zoneAndInstant, ([z, t]) => {
        expect(zoneOffset(z, t)).toBe(IANAZone.create(z).offset(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('starts today where luxon does', () => {
    fc.assert(
      fc.property(zoneAndInstant, ([z, now]) => {
        expect(createClock({ now, timeZone: z }).today).toBe(luxonToday(now, z));
      }),
      { numRuns: 3000 },
    );
  });

  it('steps back minutes, hours, days, weeks, months and years where luxon does', () => {
    fc.assert(
      fc.property(zoneAndInstant, unit, amount, ([z, now], u, n) => {
        expect(createClock({ now, timeZone: z }).ago({ amount: n, unit: u })).toBe(luxonAgo(now, z, u, n));
      }),
      { numRuns: 5000 },
    );
  });

  it('lands where luxon does when N months or years back falls in a gap or an overlap', () => {
    // A wall time read with the offset from before a transition (in the gap after a spring forward,
    // the repeated hour after a fall back), then N months or years later on the calendar is "now":
    // stepping back N lands on it.
    const landing = fc.tuple(fc.constantFrom(...NEAR), fc.integer({ min: -30, max: 150 }), fc.constantFrom<DurationUnit>('month', 'year'), fc.integer({ min: 1, max: 36 }));
    let gaps = 0; // the wall time did not exist: the result moved forward
    let overlaps = 0; // the wall time occurred twice
    fc.assert(
      fc.property(landing, ([[z, t], minutes, u, n]) => {
        const zz = IANAZone.create(z);
        const local = t + (minutes * 60 + zz.offset(t - 1000) * 60) * 1000;
        const later = DateTime.fromMillis(local, { zone: 'UTC' }).plus({ [`${u}s`]: n });
        const now = DateTime.fromObject(later.toObject(), { zone: z }).toMillis();
        const expected = luxonAgo(now, z, u, n);
        expect(createClock({ now, timeZone: z }).ago({ amount: n, unit: u })).toBe(expected);
        expect(createClock({ now, timeZone: z }).today).toBe(luxonToday(now, z));
        const wall = (ms: number) => ms + zz.offset(ms) * 60_000;
        if (wall(expected) !== local && later.day === DateTime.fromMillis(local, { zone: 'UTC' }).day) gaps++;
        else if (zz.offset(expected - 7_200_000) > zz.offset(expected + 7_200_000) && [-3_600_000, -1_800_000, 1_800_000, 3_600_000].some((d) => wall(expected + d) === local)) overlaps++;
      }),
      { numRuns: 3000 },
    );
    // (printed for the record; the assertions make sure both kinds were tried)
    console.log(`months/years back: ${gaps} landings in a gap, ${overlaps} on a repeated wall time, of 3000`);
    expect(gaps).toBeGreaterThan(100);
    expect(overlaps).toBeGreaterThan(100);
  });
});

describe('the clock on Intl, by hand', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('starts the day at 01:00 when midnight does not exist (Santiago, 8 September 2024)', () => {
    // Clocks went from 00:00 to 01:00 (−4 → −3): the day starts at 01:00 −03:00.
    expect(iso(createClock({ now: '2024-09-08T15:00:00Z', timeZone: 'America/Santiago' }).today)).toBe('2024-09-08T04:00:00.000Z');
  });

  it('keeps the wall-clock time across a daylight-saving change (New York, 1 month back over 10 March 2024)', () => {
    const clock = createClock({ now: '2024-04-01T12:00:00-04:00', timeZone: 'America/New_York' });
    expect(iso(clock.ago({ amount: 1, unit: 'month' }))).toBe('2024-03-01T17:00:00.000Z'); // 12:00 −05:00
    expect(iso(clock.ago({ amount: 30, unit: 'day' }))).toBe('2024-03-02T16:00:00.000Z'); // 30 × 24 h
  });

  it('clamps the day to the end of a shorter month and of February in leap years', () => {
    const clock = createClock({ now: '2024-03-31T10:00:00Z', timeZone: 'UTC' });
    expect(iso(clock.ago({ amount: 1, unit: 'month' }))).toBe('2024-02-29T10:00:00.000Z');
    expect(iso(clock.ago({ amount: 13, unit: 'month' }))).toBe('2023-02-28T10:00:00.000Z');
    expect(iso(createClock({ now: '2024-02-29T00:00:00Z' }).ago({ amount: 1, unit: 'year' }))).toBe('2023-02-28T00:00:00.000Z');
  });

  it('moves a wall time that falls in a gap forward (Lord Howe, 30-minute shift)', () => {
    // 6 October 2024: 02:00 → 02:30 (+10:30 → +11). 6 November 02:15 − 1 month = 6 October 02:15, in the gap.
    const clock = createClock({ now: '2024-11-06T02:15:00+11:00', timeZone: 'Australia/Lord_Howe' });
    expect(iso(clock.ago({ amount: 1, unit: 'month' }))).toBe('2024-10-05T15:45:00.000Z'); // 02:45 +11:00
  });

  it('reads offsets of half-hour, 45-minute and historical zones', () => {
    expect(zoneOffset('Asia/Kathmandu', Date.UTC(2026, 0, 1))).toBe(345);
    expect(zoneOffset('Pacific/Chatham', Date.UTC(2026, 0, 1))).toBe(825);
    expect(zoneOffset('Asia/Muscat', Date.UTC(2026, 6, 1))).toBe(240);
    expect(zoneOffset('Europe/London', Date.UTC(1800, 0, 1))).toBeCloseTo(-1.25, 10); // local mean time, −0:01:15
    expect(zoneOffset('Not/AZone', 0)).toBeNaN();
  });

  it('refuses an unknown zone and a "now" outside the dates JavaScript has, with the option named', () => {
    expect(() => createClock({ timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => createClock({ timeZone: '' })).toThrow(/unknown time zone ""/);
    expect(() => createClock({ now: 1e20 })).toThrow(/"now" is not/);
  });
});
