import { describe, expect, it } from 'vitest';
import { AGGREGATES } from '../../core/aggregates';
import { check } from '../../core/engine';
import { checkSchema } from '../../core/infer-schema';
import { eventListing, fieldListing, operandSpec, type ValueEditor } from '../../core/metadata';
import { OPERATOR_LIST, operatorsFor, type OperatorId } from '../../core/operators';
import { kindOf, type FieldSchema, type Schema } from '../../core/schema';
import { en, localeStrings, operatorWords } from '../../core/strings';
import { compileSegment } from '../../core/engine';

const FIELDS: Record<string, FieldSchema> = {
  name: { type: 'text' },
  score: { type: 'number' },
  active: { type: 'boolean' },
  signup: { type: 'date' },
  tier: { type: 'enum', values: ['gold', 'silver'] },
  tags: { type: 'list', items: 'text' },
  codes: { type: 'list', items: 'number' },
};
const schema: Schema = { fields: FIELDS, events: { purchase: { properties: { amount: { type: 'number' } } } } };

/** A value one item editor produces, as text. */
const SAMPLE: Record<ValueEditor, [string, string]> = {
  text: ['"abc"', '"abd"'],
  number: ['5', '7'],
  boolean: ['true', 'false'],
  enum: ['"gold"', '"silver"'],
  date: ['"2026-01-01"', '"2026-02-01"'],
  'relative-date': ['30 days ago', 'today'],
  duration: ['30 days', '2 weeks'],
  none: ['', ''],
  list: ['', ''],
  between: ['', ''],
};

describe('operandSpec', () => {
  it('applies exactly where the operator table says the operator applies', () => {
    for (const field of Object.values(FIELDS)) {
      for (const def of OPERATOR_LIST) {
        const applies = operatorsFor(kindOf(field)).includes(def);
        expect(operandSpec(field, def.id) !== null, `${field.type} ${def.id}`).toBe(applies);
      }
    }
  });

  it('describes operands that validate: every field type, every operator, every item editor', () => {
    let checked = 0;
    for (const [path, field] of Object.entries(FIELDS)) {
      for (const def of OPERATOR_LIST) {
        const spec = operandSpec(field, def.id);
        if (spec === null) continue;
        const editors = spec.itemEditors.length === 0 ? [undefined] : spec.itemEditors;
        for (const editor of editors) {
          const [one, two] = editor ? SAMPLE[editor] : ['', ''];
          const operand = spec.values === 0 ? '' : spec.values === 'many' ? `[${one}, ${two}]` : spec.values === 2 ? `${one} and ${two}` : one;
          const source = `${path} ${def.print} ${operand}`;
          const result = check(source, { schema });
          expect(result.diagnostics.map((d) => d.summary), source).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('gives the editor, the number of values and the item type', () => {
    expect(operandSpec('text', 'eq')).toEqual({ editor: 'text', values: 1, item: 'text', itemEditors: ['text'] });
    expect(operandSpec('number', 'between')).toEqual({ editor: 'between', values: 2, item: 'number', itemEditors: ['number'] });
    expect(operandSpec('date', 'before')).toEqual({ editor: 'date', values: 1, item: 'date', itemEditors: ['date', 'relative-date'] });
    expect(operandSpec('date', 'within_last')).toEqual({ editor: 'duration', values: 1, item: 'duration', itemEditors: ['duration'] });
    expect(operandSpec('date', 'is_known')).toEqual({ editor: 'none', values: 0, item: null, itemEditors: [] });
    expect(operandSpec(FIELDS.tier, 'in')).toEqual({ editor: 'list', values: 'many', item: 'enum', itemEditors: ['enum'], options: ['gold', 'silver'] });
    expect(operandSpec(FIELDS.tier, 'starts_with')?.editor).toBe('text');
    expect(operandSpec(FIELDS.codes, 'contains_any')).toEqual({ editor: 'list', values: 'many', item: 'number', itemEditors: ['number'] });
    expect(operandSpec(FIELDS.tags, 'contains')?.editor).toBe('text');
    expect(operandSpec('boolean', 'eq')?.editor).toBe('boolean');
    expect(operandSpec('boolean', 'gt')).toBeNull();
  });

  it('takes an aggregate by its result type', () => {
    expect(operandSpec(AGGREGATES.count.returns, 'gte')?.editor).toBe('number');
    expect(operandSpec(AGGREGATES.last_at.returns, 'older_than')?.editor).toBe('duration');
    expect(operandSpec(AGGREGATES.first_at.returns, 'contains')).toBeNull();
  });
});

describe('AGGREGATES', () => {
  it('lists every aggregate the parser accepts, with what it takes and returns', () => {
    expect(Object.keys(AGGREGATES)).toEqual(['count', 'sum', 'min', 'max', 'avg', 'first_at', 'last_at']);
    for (const def of Object.values(AGGREGATES)) {
      const argument = def.property === 'number' ? '"amount"' : '';
      const operand = def.returns === 'date' ? 'is known' : '>= 0';
      expect(check(`event("purchase").${def.id}(${argument}) ${operand}`, { schema }).diagnostics, def.id).toEqual([]);
      // The other argument rule is refused.
      const wrong = def.property === 'number' ? '' : '"amount"';
      expect(check(`event("purchase").${def.id}(${wrong}) ${operand}`, { schema }).diagnostics.length, def.id).toBeGreaterThan(0);
    }
  });

  it('gives the value over no events that the engine computes', () => {
    const none = { id: 1, events: [] };
    for (const def of Object.values(AGGREGATES)) {
      const argument = def.property === 'number' ? '"amount"' : '';
      const known = compileSegment(`event("purchase").${def.id}(${argument}) is known`, { schema }).test(none);
      expect(known, def.id).toBe(def.ofNoEvents !== null);
      if (def.ofNoEvents !== null) expect(compileSegment(`event("purchase").${def.id}(${argument}) = ${def.ofNoEvents}`, { schema }).test(none)).toBe(true);
    }
  });
});

describe('operator words', () => {
  it('gives every operator a label, words and negated words', () => {
    for (const def of OPERATOR_LIST) {
      const w = en.operators[def.id];
      expect(w.label.length, def.id).toBeGreaterThan(0);
      expect(w.words.length, def.id).toBeGreaterThan(0);
      expect(w.negated).not.toBe(w.words);
    }
    expect(operatorWords('gt')).toEqual({ label: '>', words: 'is greater than', negated: 'is not greater than' });
    expect(operatorWords('gte').words).toBe('is at least');
    expect(operatorWords('neq').negated).toBe('is');
    expect(operatorWords('contains_any').negated).toBe('contains none of');
    expect(operatorWords('starts_with').negated).toBe('does not start with');
  });

  it('reads comparisons of dates as time', () => {
    expect(operatorWords('gt', { fieldType: 'date' }).words).toBe('is after');
    expect(operatorWords('lte', { fieldType: 'date' }).negated).toBe('is not on or before');
    expect(operatorWords('gt', { fieldType: 'number' }).words).toBe('is greater than');
  });

  it('names a negative form the words of its positive form when negated, and the reverse', () => {
    for (const def of OPERATOR_LIST) {
      if (!def.negates) continue;
      expect(en.operators[def.id].negated, def.id).toBe(en.operators[def.negates as OperatorId].words);
      expect(en.operators[def.negates].negated, def.id).toBe(en.operators[def.id].words);
    }
  });

  it('falls back to English for a locale that is not registered', () => {
    expect(localeStrings('xx')).toBe(en);
    expect(localeStrings('en-GB')).toBe(en);
  });
});

describe('field listings', () => {
  it('groups fields by category for a picker, top-level profile fields first', () => {
    const s = checkSchema({
      fields: {
        'attributes.plan': { type: 'text', label: 'Plan' },
        country: { type: 'text', label: 'Country' },
        'attributes.seats': { type: 'number' },
        phone: { type: 'text', category: 'Contact' },
        email: { type: 'text', category: 'Contact' },
      },
    });
    const groups = fieldListing(s);
    expect(groups.map((g) => [g.id, g.label, g.fields.map((f) => f.label)])).toEqual([
      ['', 'Profile', ['Country']],
      ['attributes', 'Attributes', ['Plan', 'attributes.seats']],
      ['Contact', 'Contact', ['phone', 'email']],
    ]);
    expect(groups[1].fields[0]).toMatchObject({ path: 'attributes.plan', type: 'text' });
  });

  it('refuses a category that is not text in a schema file', () => {
    expect(() => checkSchema({ fields: { a: { type: 'text', category: 3 } } })).toThrow(/fields\.a\.category/);
  });

  it('lists events with their properties', () => {
    expect(eventListing(schema)).toEqual([{ name: 'purchase', label: 'purchase', properties: [{ path: 'amount', label: 'amount', type: 'number', field: { type: 'number' } }] }]);
  });
});
