import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SegmentError } from '../../core/errors';
import { checkSchema, inferSchema } from '../../core/infer-schema';

const sampleSchemaJson: unknown = JSON.parse(readFileSync(new URL('../../sample/schema.json', import.meta.url), 'utf8'));

function schemaError(json: unknown): SegmentError {
  try {
    checkSchema(json, 'schema.json');
  } catch (e) {
    if (e instanceof SegmentError) return e;
    throw e;
  }
  throw new Error('checkSchema accepted the document');
}

describe('inferSchema', () => {
  const profiles = [
    {
      id: 'p1',
      country: 'OM',
      created_at: '2026-01-05T10:00:00Z',
      clicks_count: 3,
      opt_out: false,
      tags: ['VIP', 'lead'],
      attributes: { tier: 'gold', scores: [4, 5], lifetime_value: 1200 },
      events: [
        { event: 'page_view', timestamp: '2026-11-20T10:00:00Z', properties: { offer: 'summer-pass', url: '/a' } },
        { event: 'page_view', timestamp: '2026-11-20T11:00:00Z', properties: { offer: 'summer-pass' } },
        { event: 'purchase', timestamp: '2026-11-21T10:00:00Z', properties: { offer: 'summer-pass', amount: 40 } },
      ],
    },
    {
      id: 'p2',
      country: null,
      created_at: '2025-12-31',
      clicks_count: 0,
      opt_out: true,
      tags: [],
      attributes: { tier: 'silver', scores: [] },
      events: [{ event: 'Page_View', timestamp: '2026-11-22T10:00:00Z', properties: { offer: 'winter', device: { os: 'ios' } } }],
    },
    { id: 'p3' },
  ];

  it('types fields from their values: dates from ISO-8601 strings, text, numbers, booleans and lists', () => {
    const schema = inferSchema(profiles);
    expect(schema.idField).toBe('id');
    expect(schema.fields.id).toEqual({ type: 'text' });
    expect(schema.fields.country).toEqual({ type: 'text' });
    expect(schema.fields.created_at).toEqual({ type: 'date' });
    expect(schema.fields.clicks_count).toEqual({ type: 'number' });
    expect(schema.fields.opt_out).toEqual({ type: 'boolean' });
    expect(schema.fields.tags).toEqual({ type: 'list', items: 'text' });
  });

  it('flattens nested objects into dotted paths and types list items as numbers when all are numbers', () => {
    const schema = inferSchema(profiles);
    expect(schema.fields['attributes.tier']).toEqual({ type: 'text' });
    expect(schema.fields['attributes.scores']).toEqual({ type: 'list', items: 'number' });
    expect(schema.fields['attributes.lifetime_value']).toEqual({ type: 'number' });
    expect(schema.fields.attributes).toBeUndefined();
  });

  it('infers only the paths the engines read: a flat dotted key without its parent, never one hidden by it', () => {
    const schema = inferSchema([
      { 'plan.name': 'gold', 'plan.seats': 5 },
      { attributes: null, 'attributes.tier': 'gold' },
      { meta: {}, 'meta.source': 3 },
      { inner: { 'x.y': 1 }, 'box.lid': { open: true } },
      { events: [{ event: 'buy', properties: { price: null, 'price.amount': 5, 'ref.code': 'A' } }] },
    ]);
    expect(Object.keys(schema.fields)).toEqual(['plan.name', 'plan.seats']);
    expect(schema.events).toEqual({ buy: { properties: { 'ref.code': { type: 'text' } } } });
  });

  it('lists fields in sorted order so the same data always gives the same schema', () => {
    const schema = inferSchema(profiles);
    expect(Object.keys(schema.fields)).toEqual([
      'attributes.lifetime_value',
      'attributes.scores',
      'attributes.tier',
      'clicks_count',
      'country',
      'created_at',
      'id',
      'opt_out',
      'tags',
    ]);
    expect(JSON.stringify(inferSchema([...profiles].reverse()))).toBe(JSON.stringify(schema));
  });

  it('turns the events array into event schemas with property types, merging names case-insensitively under the most frequent spelling', () => {
    const schema = inferSchema(profiles);
    expect(schema.fields.events).toBeUndefined();
    expect(Object.keys(schema.events ?? {})).toEqual(['page_view', 'purchase']);
    expect(schema.events?.page_view.properties).toEqual({ 'device.os': { type: 'text' }, offer: { type: 'text' }, url: { type: 'text' } });
    expect(schema.events?.purchase.properties).toEqual({ amount: { type: 'number' }, offer: { type: 'text' } });
  });

  it('leaves out events when no profile has any', () => {
    expect(inferSchema([{ id: 'a' }]).events).toBeUndefined();
  });

  it('ignores null and absent values and leaves out fields never seen with a value', () => {
    const schema = inferSchema([{ id: 'a', phone: null }, { id: 'b' }]);
    expect(schema.fields.phone).toBeUndefined();
  });

  it('makes a field text when any of its values is a string, dates mixed with other text included', () => {
    const schema = inferSchema([
      { code: 5, seen: '2026-01-01' },
      { code: 7, seen: 'yesterday' },
      { code: 'A1', seen: '2026-02-01' },
    ]);
    expect(schema.fields.code).toEqual({ type: 'text' });
    expect(schema.fields.seen).toEqual({ type: 'text' });
  });

  it('takes the majority type when no value is a string', () => {
    const schema = inferSchema([{ n: 1 }, { n: 2 }, { n: true }, { b: true }, { b: false }, { b: 3 }]);
    expect(schema.fields.n).toEqual({ type: 'number' });
    expect(schema.fields.b).toEqual({ type: 'boolean' });
  });

  it('reads no more than sampleSize profiles', () => {
    function* endless(): Generator<Record<string, unknown>> {
      for (let i = 0; ; i++) yield i < 2 ? { a: 1 } : { b: 'x' };
    }
    expect(Object.keys(inferSchema(endless(), { sampleSize: 2 }).fields)).toEqual(['a']);
  });

  it('rejects a sample size that is not a positive whole number', () => {
    expect(() => inferSchema([], { sampleSize: 0 })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });

  it('survives hostile data: non-object rows and very deep nesting', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const schema = inferSchema([null, 42, [1], { deep, ok: 'x' }] as unknown as Record<string, unknown>[]);
    expect(schema.fields.ok).toEqual({ type: 'text' });
    expect(Object.keys(schema.fields).every((k) => k.split('.').length <= 17)).toBe(true);
  });
});

describe('checkSchema', () => {
  it('accepts the sample schema and keeps its fields, labels and events', () => {
    const schema = checkSchema(sampleSchemaJson, 'sample/schema.json');
    expect(schema.idField).toBe('id');
    expect(schema.fields.language).toEqual({ type: 'enum', values: ['ar', 'en', 'fr', 'hi', 'ur', 'es'], label: 'Language' });
    expect(schema.fields['attributes.scores']).toEqual({ type: 'list', items: 'number', label: 'Survey scores' });
    expect(schema.events?.flow_completed.properties.flow).toEqual({ type: 'enum', values: ['product', 'collection', 'bot'] });
  });

  it('names the JSON path of a wrong field type and suggests the right one', () => {
    const e = schemaError({ fields: { country: { type: 'string' } } });
    expect(e.code).toBe('invalid-schema');
    expect(e.summary).toBe('fields.country.type must be one of text, number, boolean, date, enum, list; got "string"');
    expect(e.hint).toBe('did you mean `text`?');
    expect(e.origin).toBe('schema.json');
  });

  it('suggests a close type name for a typo', () => {
    expect(schemaError({ fields: { n: { type: 'numbr' } } }).hint).toBe('did you mean `number`?');
  });

  it('writes dotted field keys in brackets in the JSON path', () => {
    expect(schemaError({ fields: { 'attributes.tier': { type: 'enum' } } }).summary).toBe(
      'fields["attributes.tier"].values must be a non-empty list of strings for an enum field',
    );
  });

  it('rejects an enum without values and an enum value that is not a string', () => {
    expect(schemaError({ fields: { g: { type: 'enum', values: [] } } }).summary).toBe('fields.g.values must be a non-empty list of strings for an enum field');
    expect(schemaError({ fields: { g: { type: 'enum', values: ['a', 3] } } }).summary).toBe('fields.g.values[1] must be a string; got 3');
  });

  it('rejects a list without items and items of an unsupported type', () => {
    expect(schemaError({ fields: { tags: { type: 'list' } } }).summary).toBe('fields.tags.items must be "text" or "number" for a list field; got nothing');
    expect(schemaError({ fields: { tags: { type: 'list', items: 'boolean' } } }).summary).toBe('fields.tags.items must be "text" or "number" for a list field; got "boolean"');
  });

  it('rejects values on a non-enum field and items on a non-list field', () => {
    expect(schemaError({ fields: { c: { type: 'text', values: ['a'] } } }).summary).toBe('fields.c.values is only allowed on enum fields; this field is text');
    expect(schemaError({ fields: { c: { type: 'number', items: 'number' } } }).summary).toBe('fields.c.items is only allowed on list fields; this field is number');
  });

  it('rejects unknown keys with a did-you-mean, but allows $-keys', () => {
    const e = schemaError({ fields: { c: { type: 'text', lable: 'Country' } } });
    expect(e.summary).toBe('fields.c.lable is not a known key (known: type, values, items, label, description, category)');
    expect(e.hint).toBe('did you mean `label`?');
    expect(schemaError({ feilds: {} }).summary).toBe('the schema has an unknown key "feilds" (known: idField, fields, events)');
    expect(checkSchema({ $schema: 'x', fields: { a: { type: 'text', $comment: 'ok' } } }).fields).toEqual({ a: { type: 'text' } });
  });

  it('rejects documents that are not objects, lack fields, or have malformed events', () => {
    expect(schemaError([]).summary).toBe('the schema must be a JSON object; got a list');
    expect(schemaError({}).summary).toBe('the schema has no "fields"');
    expect(schemaError({ fields: [] }).summary).toBe('fields must be a JSON object; got a list');
    expect(schemaError({ fields: { a: 'text' } }).summary).toBe('fields.a must be a JSON object; got "text"');
    expect(schemaError({ fields: {}, events: { buy: { properties: { amount: { type: 'money' } } } } }).summary).toBe(
      'events.buy.properties.amount.type must be one of text, number, boolean, date, enum, list; got "money"',
    );
    expect(schemaError({ fields: { 'a..b': { type: 'text' } } }).summary).toBe('fields["a..b"] is not a valid field path');
    expect(schemaError({ idField: 3, fields: {} }).summary).toBe('idField must be a non-empty string; got 3');
  });

  it('rejects two events whose names differ only in case', () => {
    const e = schemaError({ fields: {}, events: { Purchase: {}, purchase: {} } });
    expect([e.summary, e.hint]).toEqual(['events.purchase has the same name as events.Purchase', 'event names are matched case-insensitively: merge the two']);
  });

  it('gives an event without properties an empty property map', () => {
    expect(checkSchema({ fields: {}, events: { login: {} } }).events).toEqual({ login: { properties: {} } });
  });

  it('shows the path and hint in the error message', () => {
    const e = schemaError({ fields: { country: { type: 'string' } } });
    expect(e.message).toContain('fields.country.type must be one of');
    expect(e.message).toContain('hint: did you mean `text`?');
  });
});

describe('fields named like object internals', () => {
  it('keeps schema fields and events named __proto__, constructor and prototype (one was silently dropped)', () => {
    const schema = checkSchema(JSON.parse('{"fields":{"__proto__":{"type":"number"},"constructor":{"type":"text"},"prototype.x":{"type":"boolean"}},"events":{"__proto__":{"properties":{"__proto__":{"type":"number"}}}}}'));
    expect(Object.keys(schema.fields)).toEqual(['__proto__', 'constructor', 'prototype.x']);
    expect(Object.getOwnPropertyDescriptor(schema.fields, '__proto__')?.value).toEqual({ type: 'number' });
    expect(Object.getPrototypeOf(schema.fields)).toBe(Object.prototype);
    expect(JSON.stringify(schema.events)).toBe('{"__proto__":{"properties":{"__proto__":{"type":"number"}}}}');
  });

  it('infers __proto__ and constructor fields from profiles that hold them (JSON keeps such keys as data)', () => {
    const schema = inferSchema([JSON.parse('{"id":"1","__proto__":{"polluted":1},"constructor":"c","events":[{"event":"__proto__","properties":{"__proto__":2}}]}')]);
    expect(Object.keys(schema.fields).sort()).toEqual(['__proto__.polluted', 'constructor', 'id']);
    expect(Object.keys(schema.events ?? {})).toEqual(['__proto__']);
  });
});
