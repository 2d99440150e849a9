import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Operand, PredicateExpr, Span } from '../../core/ast';
import fc from 'fast-check';
import { SegmentError, toErrors } from '../../core/errors';
import { checkSchema } from '../../core/infer-schema';
import { parse } from '../../core/parse/parse';
import type { Schema } from '../../core/schema';
import { isManual, type SegmentDefinition } from '../../core/segments';
import { validateTree, type ValidateOptions } from '../../core/validate';

/** Validation's diagnostics as errors with the source, for positions and messages. */
function validate(expr: Parameters<typeof validateTree>[0], options: ValidateOptions & { source?: string; origin?: string }): SegmentError[] {
  return toErrors(validateTree(expr, options), { source: options.source, origin: options.origin });
}
import { expr as arbitraryExpr } from './parse/arbitraries';

const schema = checkSchema(JSON.parse(readFileSync(new URL('../../sample/schema.json', import.meta.url), 'utf8')), 'sample/schema.json');
const seeds = JSON.parse(readFileSync(new URL('../../sample/segments.json', import.meta.url), 'utf8')) as SegmentDefinition[];

function problems(source: string, against: Schema = schema): SegmentError[] {
  return validate(parse(source), { schema: against, source, origin: 'expression' });
}

/** The single problem of `source`, as `{code, at, hint}` plus the error itself. */
function only(source: string, against: Schema = schema): SegmentError & { at: string } {
  const errors = problems(source, against);
  expect(errors.map((e) => e.summary)).toHaveLength(1);
  const e = errors[0];
  return Object.assign(e, { at: `${e.start.line}:${e.start.column}` });
}

describe('validate: the seed segments', () => {
  it.each(seeds.filter((s) => !isManual(s)).map((s) => [s.name, (s as { expression: string }).expression]))('accepts "%s"', (_name, expression) => {
    expect(problems(expression)).toEqual([]);
  });
});

describe('validate: fields', () => {
  it('reports an unknown field at the field, with a did-you-mean over the schema fields', () => {
    const e = only('contry = "OM"');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['unknown-field', '1:1', 'unknown field `contry`', 'did you mean `country`?']);
  });

  it('suggests dotted paths for nested fields', () => {
    expect(only('attributes.teir = "gold"').hint).toBe('did you mean `attributes.tier`?');
  });

  it('shows the source line with a caret and the origin in the message', () => {
    const e = only('country = "OM"\n  and contry = "AE"');
    expect(e.at).toBe('2:7');
    expect(e.message).toBe(
      ['error[unknown-field] at expression 2:7: unknown field `contry`', '  2 |   and contry = "AE"', '    |       ^^^^^^', '  hint: did you mean `country`?'].join('\n'),
    );
  });

  it('reports every problem at once, in source order', () => {
    const errors = problems('contry = "OM" and clicks_count > "5" and language = "xx"');
    expect(errors.map((e) => e.code)).toEqual(['unknown-field', 'value-type-mismatch', 'unknown-enum-value']);
  });

  it('does not check segment references (resolution does)', () => {
    expect(problems('in_segment("No Such Segment")')).toEqual([]);
  });
});

describe('validate: operator and field type', () => {
  it('rejects an ordering operator on a text field, pointing at the operator', () => {
    const e = only('country > 5');
    expect([e.code, e.at, e.summary]).toEqual(['operator-type-mismatch', '1:9', '`>` applies to number and date fields; `country` is text']);
    expect(e.hint).toContain('operators for text: =, !=');
  });

  it('treats an enum as text', () => {
    expect(only('language >= "ar"').summary).toBe('`>=` applies to number and date fields; `language` is text');
  });

  it('suggests contains for `=` on a list', () => {
    const e = only('tags = "VIP"');
    expect([e.code, e.at, e.hint]).toEqual(['operator-type-mismatch', '1:6', 'to test the elements of a list use `tags contains …`']);
  });

  it('suggests `in` for `contains any` on a text field', () => {
    expect(only('country contains any ["OM", "AE"]').hint).toBe('to match one of several values use `country in [...]`');
  });

  it('rejects `starts with` on a number and `is empty` on a date', () => {
    expect(only('clicks_count starts with "1"').summary).toBe('`starts with` applies to text fields; `clicks_count` is a number');
    expect(only('created_at is empty').summary).toBe('`is empty` applies to text and list fields; `created_at` is a date');
  });

  it('accepts `is known` on every type', () => {
    expect(problems('tags is known and opt_out is unknown and created_at is known and clicks_count is known')).toEqual([]);
  });
});

describe('validate: values', () => {
  it('asks for a number without quotes', () => {
    const e = only('clicks_count > "5"');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:16', '`clicks_count` is a number, but "5" is text', 'write 5 without quotes']);
  });

  it('asks for quotes around a number compared with text', () => {
    expect(only('country = 968').hint).toBe('write "968" in quotes');
  });

  it('rejects a non-boolean for a boolean field', () => {
    expect(only('opt_out = "false"').hint).toBe('write false without quotes');
    const e = only('opt_out = 1');
    expect([e.code, e.summary, e.hint]).toEqual(['value-type-mismatch', '`opt_out` is a boolean, but 1 is a number', 'write true or false']);
  });

  it('checks each list item against the list type', () => {
    const e = only('attributes.scores contains any [4, "5"]');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:36', '`attributes.scores` is a list of numbers, but "5" is text', 'write 5 without quotes']);
    expect(only('tags contains all ["a", 5]').hint).toBe('write "5" in quotes');
    expect(only('carrier in ["Omantel", 3]').at).toBe('1:24');
  });

  it('checks the element type of `contains` on a list', () => {
    expect(only('attributes.scores contains "4"').hint).toBe('write 4 without quotes');
  });

  it('rejects a duration where a date is expected, suggesting `ago` and the duration operators', () => {
    const e = only('last_interaction > 30 days');
    expect([e.code, e.at, e.summary, e.hint]).toEqual([
      'value-type-mismatch',
      '1:20',
      '`last_interaction` is a date, but `30 days` is a duration',
      'write `30 days ago` for a point in time, or use `within last 30 days` / `older than 30 days`',
    ]);
  });

  it('rejects a range whose low bound is greater than its high bound', () => {
    const e = only('clicks_count between 10 and 5');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:22', 'the range is empty: 10 is greater than 5', 'write the smaller bound first: `between 5 and 10`']);
    expect(only('created_at between "2026-02-01" and "2026-01-01"').summary).toBe('the range is empty: "2026-02-01" is later than "2026-01-01"');
    expect(only('created_at between now and 3 days ago').hint).toBe('write the earlier bound first: `between 3 days ago and now`');
    expect(problems('clicks_count between 5 and 5 and created_at between 60 days ago and 30 days ago')).toEqual([]);
  });

  it('accepts a range from a fixed date to now, whose order only the clock knows', () => {
    expect(problems('created_at between "2026-10-25T12:00:00Z" and now')).toEqual([]);
    expect(problems('created_at between now and "2030-01-01"')).toEqual([]);
  });
});

/**
 * Trees the parser never produces from text but a visual builder can: the operand of a parsed
 * predicate swapped for another, keeping the source so spans still point at the right text.
 */
describe('validate: operand shapes from hand-built trees', () => {
  /** Parses `parsable` (same field and operator as `source`), then swaps in the operand `build` makes. */
  function withOperand(source: string, parsable: string, operandText: string, build: (span: Span) => Operand): SegmentError & { at: string } {
    const expr = parse(parsable) as PredicateExpr;
    const start = source.lastIndexOf(operandText);
    const tree: PredicateExpr = { ...expr, operand: build({ start, end: start + operandText.length }) };
    const errors = validate(tree, { schema, source, origin: 'builder' });
    expect(errors.map((e) => e.summary)).toHaveLength(1);
    return Object.assign(errors[0], { at: `${errors[0].start.line}:${errors[0].start.column}` });
  }

  it('asks for a list after `contains any`', () => {
    const e = withOperand('tags contains any "VIP"', 'tags contains any ["VIP"]', '"VIP"', (span) => ({ type: 'string', value: 'VIP', span }));
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:19', '`contains any` takes a list of values', '`contains any` takes a list: `["a", "b"]`']);
  });

  it('shows a list of numbers for a number list', () => {
    const e = withOperand('attributes.scores contains any 5', 'attributes.scores contains any [5]', '5', (span) => ({ type: 'number', value: 5, span }));
    expect(e.hint).toBe('`contains any` takes a list: `[1, 2]`');
  });

  it('rejects a list after `=` and points to `in`', () => {
    const e = withOperand('country = ["OM", "AE"]', 'country = "OM"', '["OM", "AE"]', (span) => ({
      type: 'list',
      items: [
        { type: 'string', value: 'OM', span: { start: span.start + 1, end: span.start + 5 } },
        { type: 'string', value: 'AE', span: { start: span.start + 7, end: span.start + 11 } },
      ],
      span,
    }));
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:11', '`=` compares with one value, not a list', 'to match any of several values write `in [...]`']);
  });

  it('rejects a date where a duration is expected', () => {
    const e = withOperand('created_at within last "2026-01-01"', 'created_at within last 30 days', '"2026-01-01"', (span) => ({ type: 'string', value: '2026-01-01', span }));
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['value-type-mismatch', '1:24', '`within last` takes a duration such as `30 days`', 'for a fixed date use `after "2026-01-01"`']);
  });

  it('asks to drop `ago` after `older than`', () => {
    const e = withOperand('created_at older than 30 days ago', 'created_at older than 30 days', '30 days ago', (span) => ({
      type: 'ago',
      duration: { type: 'duration', amount: 30, unit: 'day', span: { start: span.start, end: span.start + 7 } },
      span,
    }));
    expect(e.hint).toBe('drop `ago`: `older than 30 days`');
  });

  it('rejects a value after `is known`', () => {
    const e = withOperand('email is known true', 'email is known', 'true', (span) => ({ type: 'boolean', value: true, span }));
    expect([e.code, e.summary]).toEqual(['value-type-mismatch', '`is known` takes no value']);
  });

  it('asks for two bounds after `between`', () => {
    const e = withOperand('clicks_count between 5', 'clicks_count between 5 and 6', '5', (span) => ({ type: 'number', value: 5, span }));
    expect([e.code, e.hint]).toEqual(['value-type-mismatch', 'write `between <low> and <high>`, e.g. `between 1 and 10`']);
  });
});

describe('validate: enums', () => {
  it('reports a value outside the enum at the value', () => {
    const e = only('language = "Arabic"');
    expect([e.code, e.at, e.summary]).toEqual(['unknown-enum-value', '1:12', '"Arabic" is not a value of `language`']);
    expect(e.hint).toBe('allowed values: "ar", "en", "fr", "hi", "ur", "es"');
  });

  it('matches enum values case-insensitively', () => {
    expect(problems('language = "AR" and platform = "whatsapp"')).toEqual([]);
  });

  it('suggests the closest allowed value', () => {
    expect(only('platform = "Whatsap"').hint).toBe('did you mean "WhatsApp"?');
  });

  it('checks each value of an `in` list', () => {
    expect(only('language in ["ar", "xx"]').at).toBe('1:20');
  });

  it('does not check substrings of enum values', () => {
    expect(problems('platform contains "App"')).toEqual([]);
  });
});

describe('validate: dates and durations', () => {
  it('rejects a date that is not ISO-8601, with the format in the hint', () => {
    const e = only('created_at > "yesterday"');
    expect([e.code, e.at, e.summary]).toEqual(['invalid-date', '1:14', '"yesterday" is not an ISO-8601 date']);
    expect(e.hint).toContain('"2026-01-01" or "2026-01-01T10:00:00Z"');
    expect(only('created_at before "2026-02-30"').code).toBe('invalid-date');
  });

  it('accepts ISO dates, now, today and `ago`', () => {
    expect(problems('created_at > "2026-01-01T10:00:00Z" and created_at < now and created_at >= today and created_at after 3 months ago')).toEqual([]);
  });

  it('rejects a number compared with a date', () => {
    expect(only('created_at > 5').code).toBe('value-type-mismatch');
  });

  it('rejects a zero duration', () => {
    const e = only('created_at within last 0 days');
    expect([e.code, e.at, e.summary]).toEqual(['invalid-duration', '1:24', 'a duration must be a positive number of days; got 0 days']);
  });

  it('rejects fractional months and years but not fractional days', () => {
    const e = only('created_at older than 1.5 months');
    expect([e.code, e.summary, e.hint]).toEqual(['invalid-duration', 'months must be whole numbers; got 1.5 months', 'write whole months, or a length in days such as `45 days`']);
    expect(problems('created_at older than 1.5 days')).toEqual([]);
  });

  it('checks durations inside `ago` and `.within()`', () => {
    expect(only('created_at after 0 days ago').code).toBe('invalid-duration');
    expect(only('event("page_view").within(2.5 years).count() > 0').code).toBe('invalid-duration');
  });

  it('rejects a duration too long to compute', () => {
    expect(only('created_at within last 999999999999 days').summary).toBe('the duration 999999999999 days is too long');
  });
});

describe('validate: events', () => {
  it('reports an unknown event at its name with a did-you-mean', () => {
    const e = only('event("page_veiw").count() > 0');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['unknown-event', '1:7', 'unknown event "page_veiw"', 'did you mean "page_view"?']);
  });

  it('matches event names case-insensitively', () => {
    expect(problems('event("PAGE_VIEW").count() > 0')).toEqual([]);
  });

  it('validates `.where()` against the event properties', () => {
    const e = only('event("page_view").where(ofer = "summer-pass").count() > 0');
    expect([e.code, e.at, e.summary, e.hint]).toEqual(['unknown-property', '1:26', 'event "page_view" has no property `ofer`', 'did you mean `offer`?']);
    expect(only('event("flow_completed").where(flow = "bots").count() > 0').code).toBe('unknown-enum-value');
    expect(only('event("purchase").where(amount > "5").count() > 0').hint).toBe('write 5 without quotes');
  });

  it('does not accept profile fields inside `.where()`', () => {
    expect(only('event("purchase").where(country = "OM").count() > 0').code).toBe('unknown-property');
  });

  it('needs a known number property for sum, min, max and avg', () => {
    const unknown = only('event("purchase").sum("amout") > 5');
    expect([unknown.code, unknown.at, unknown.hint]).toEqual(['unknown-property', '1:23', 'did you mean "amount"?']);
    const text = only('event("purchase").avg("offer") > 5');
    expect([text.code, text.at, text.summary]).toEqual(['operator-type-mismatch', '1:23', '`avg` needs a number property; `offer` is text']);
    expect(problems('event("purchase").max("amount") > 5 and event("purchase").min("amount") < 1')).toEqual([]);
  });

  it('types count and sum as numbers', () => {
    const e = only('event("purchase").count() = "5"');
    expect([e.code, e.summary, e.hint]).toEqual(['value-type-mismatch', '`event("purchase").count()` is a number, but "5" is text', 'write 5 without quotes']);
    expect(only('event("purchase").sum("amount") contains "1"').code).toBe('operator-type-mismatch');
  });

  it('types first_at and last_at as dates', () => {
    expect(problems('event("sms_received").last_at() older than 30 days and event("sms_received").first_at() after "2026-01-01"')).toEqual([]);
    expect(only('event("sms_received").last_at() > 5').code).toBe('value-type-mismatch');
    expect(only('event("sms_received").count() within last 3 days').code).toBe('operator-type-mismatch');
  });

  it('does not allow an aggregate or a segment inside `.where()`', () => {
    expect(only('event("purchase").where(event("page_view").count() > 0).count() > 0').code).toBe('invalid-event');
    expect(only('event("purchase").where(in_segment("VIP")).count() > 0').code).toBe('invalid-event');
  });

  describe('without events in the schema', () => {
    const noEvents: Schema = { fields: schema.fields };

    it('does not check event names or properties', () => {
      expect(problems('event("anything").where(whatever = 1).sum("x") > 0', noEvents)).toEqual([]);
    });

    it('still checks the aggregate type', () => {
      expect(only('event("anything").count() within last 3 days', noEvents).code).toBe('operator-type-mismatch');
      expect(only('event("anything").last_at() > 3', noEvents).code).toBe('value-type-mismatch');
    });
  });
});

describe('validate: any tree', () => {
  it('validates a chain of 5,000 conditions and reports each bad one', () => {
    const source = Array.from({ length: 5000 }, (_, i) => (i % 1000 === 999 ? `contry = "${i}"` : `clicks_count > ${i}`)).join(' and ');
    expect(problems(source).map((e) => e.code)).toEqual(Array(5).fill('unknown-field'));
  });

  it('returns typed errors and never throws, with or without events in the schema', () => {
    const noEvents: Schema = { fields: schema.fields };
    fc.assert(
      fc.property(arbitraryExpr, (tree) => {
        for (const against of [schema, noEvents, { fields: {} }]) {
          for (const e of validate(tree, { schema: against })) expect(e).toBeInstanceOf(SegmentError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
