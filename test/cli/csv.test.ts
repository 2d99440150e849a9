import { describe, expect, it } from 'vitest';
import { CsvCellError, csvRowConverter } from '../../cli/csv';
import type { Schema } from '../../core/index';

const schema: Schema = {
  idField: 'id',
  fields: {
    id: { type: 'text' },
    zip: { type: 'text' },
    age: { type: 'number' },
    vip: { type: 'boolean' },
    seen: { type: 'date' },
    tags: { type: 'list', items: 'text' },
    scores: { type: 'list', items: 'number' },
    'attributes.tier': { type: 'enum', values: ['gold'] },
  },
};

describe('CSV rows to profiles', () => {
  it('converts cells to the schema types and nests dotted columns', () => {
    const convert = csvRowConverter(['id', 'zip', 'age', 'vip', 'seen', 'tags', 'scores', 'attributes.tier'], schema, 'p.csv');
    expect(convert(['007', '01234', '-12.5', 'TRUE', '2026-01-31', ' a ; b ;', '[1, 2]', 'gold'])).toEqual({
      id: '007',
      zip: '01234',
      age: -12.5,
      vip: true,
      seen: '2026-01-31',
      tags: ['a', 'b'],
      scores: [1, 2],
      attributes: { tier: 'gold' },
    });
  });

  it('leaves empty cells out (absent, not "")', () => {
    const convert = csvRowConverter(['id', 'age', 'tags'], schema, 'p.csv');
    expect(convert(['p1', '', ''])).toEqual({ id: 'p1' });
    expect(convert(['p2'])).toEqual({ id: 'p2' }); // a short row: the missing cells are empty
  });

  it.each([
    [['age'], ['twelve'], /column "age": "twelve" is not a number/],
    [['age'], ['0x10'], /is not a number/],
    [['vip'], ['yes'], /"yes" is not a boolean/],
    [['seen'], ['31/01/2026'], /is not an ISO-8601 date/],
    [['scores'], ['1;two'], /"two" is not a number/],
    [['tags'], ['[1, 2'], /not a JSON array/],
    [['events'], ['{"event":"x"}'], /column "events": not a JSON array/],
    [['id'], ['p1', 'extra'], /the row has 2 cells but the header names 1 columns/],
  ])('rejects a bad cell with the column and the reason (%j = %j)', (header, row, message) => {
    const convert = csvRowConverter(header, schema, 'p.csv');
    expect(() => convert(row)).toThrow(CsvCellError);
    expect(() => convert(row)).toThrow(message);
  });

  it('types cells by appearance without a schema, keeping the id as text', () => {
    const convert = csvRowConverter(['id', 'n', 'b', 'l', 'zip', 'd', 'events'], undefined, 'p.csv');
    expect(convert(['42', '3.5', 'false', '["x"]', '007', '2026-01-31', '[{"event":"buy","timestamp":"2026-01-01"}]'])).toEqual({
      id: '42',
      n: 3.5,
      b: false,
      l: ['x'],
      zip: '007',
      d: '2026-01-31',
      events: [{ event: 'buy', timestamp: '2026-01-01' }],
    });
  });

  it.each([
    [['id', 'id'], /the column "id" appears twice/],
    [['id', ''], /column 2 has no name/],
    [['attributes', 'attributes.tier'], /the columns "attributes" and "attributes.tier" collide/],
  ])('rejects the header %j', (header, message) => {
    expect(() => csvRowConverter(header, schema, 'p.csv')).toThrow(message);
  });
});

describe('CSV columns named like object internals', () => {
  it('keeps __proto__, constructor and prototype columns as data, nested or not, and pollutes nothing', () => {
    const convert = csvRowConverter(['id', '__proto__.polluted', 'a.__proto__', 'constructor', 'prototype.x', 'b.constructor.c'], undefined, 'p.csv');
    const profile = convert(['1', 'yes', '2', 'c', 'p', 'd']);
    expect(JSON.stringify(profile)).toBe('{"id":"1","__proto__":{"polluted":"yes"},"a":{"__proto__":2},"constructor":"c","prototype":{"x":"p"},"b":{"constructor":{"c":"d"}}}');
    expect(Object.getPrototypeOf(profile)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('converts a column by its schema field even when the field is named __proto__ or constructor', () => {
    const s: Schema = { fields: {} };
    Object.defineProperty(s.fields, '__proto__', { value: { type: 'number' }, enumerable: true });
    const convert = csvRowConverter(['id', '__proto__', 'constructor'], s, 'p.csv');
    expect(JSON.stringify(convert(['1', '12', 'text']))).toBe('{"id":"1","__proto__":12,"constructor":"text"}');
  });
});

describe('CSV numbers too large to be finite', () => {
  it('refuses 1e309 and a list holding one, with or without a schema, rather than reading Infinity', () => {
    expect(() => csvRowConverter(['id', 'age'], schema, 'p.csv')(['1', '1e309'])).toThrow('1e309 is too large to be a finite number');
    expect(() => csvRowConverter(['id', 'n'], undefined, 'p.csv')(['1', '-2e400'])).toThrow('-2e400 is too large to be a finite number');
    expect(() => csvRowConverter(['id', 'n'], undefined, 'p.csv')(['1', '[1, 1e999]'])).toThrow('too large to be a finite number');
    expect(() => csvRowConverter(['id', 'events'], undefined, 'p.csv')(['1', '[{"event":"x","properties":{"a":1e999}}]'])).toThrow('too large to be a finite number');
    expect(csvRowConverter(['id', 'n'], undefined, 'p.csv')(['1', '1e308'])).toEqual({ id: '1', n: 1e308 });
  });
});
