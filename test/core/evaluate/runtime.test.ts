import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allOf, anyNumber, anyText, hasText, instant, own } from '../../../core/evaluate/runtime';
import { parseIsoDate } from '../../../core/time';

describe('instant', () => {
  it('reads canonical ISO strings like parseIsoDate', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const text = d.toISOString();
        expect(instant(text)).toBe(d.getTime());
        expect(instant(text)).toBe(parseIsoDate(text));
      }),
    );
  });

  it('rejects impossible canonical-looking dates and times', () => {
    for (const text of ['2026-02-29T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:60:00.000Z', '2026-01-01T00:00:60.000Z', '2026-01-0aT00:00:00.000Z', '2026-00-10T00:00:00.000Z']) {
      expect(instant(text), text).toBeNaN();
    }
    expect(instant('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('falls back on the full parser for other forms, and reads Date objects', () => {
    expect(instant('2026-11-24')).toBe(Date.UTC(2026, 10, 24));
    expect(instant('2026-11-24T16:00:00+04:00')).toBe(Date.UTC(2026, 10, 24, 12));
    expect(instant('2026-11-24 12:00:00.000Z')).toBe(Date.UTC(2026, 10, 24, 12));
    expect(instant(new Date(5))).toBe(5);
  });

  it('does not read numbers, booleans or other text as dates', () => {
    for (const value of [0, 1700000000000, true, null, undefined, 'yesterday', '24/11/2026', {}, []]) expect(instant(value)).toBeNaN();
  });
});

describe('list helpers', () => {
  it('match text elements ignoring case and numbers exactly', () => {
    expect(hasText(['VIP', 5], 'vip')).toBe(true);
    expect(hasText(['VIP '], 'vip')).toBe(false);
    expect(anyText([5, 'Lead'], new Set(['lead']))).toBe(true);
    expect(anyNumber(['5', -0], new Set([0]))).toBe(true);
    expect(anyNumber(['5'], new Set([5]))).toBe(false);
    expect(allOf(['A', 'b', 3], ['a', 'b'], [3])).toBe(true);
    expect(allOf(['A', 'b'], ['a', 'b'], [3])).toBe(false);
  });

  it('reads own properties only', () => {
    expect(own({}, 'constructor')).toBeUndefined();
    expect(own({ constructor: 1 }, 'constructor')).toBe(1);
  });
});
