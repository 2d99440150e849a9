import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import type { Expr } from '../../core/ast';
import { describe } from '../../core/describe';
import { checkSchema } from '../../core/infer-schema';
import { parse } from '../../core/parse/parse';
import type { SegmentDefinition } from '../../core/segments';
import { expr as arbitraryExpr } from './parse/arbitraries';

const schema = checkSchema(JSON.parse(readFileSync(new URL('../../sample/schema.json', import.meta.url), 'utf8')));
const seeds = JSON.parse(readFileSync(new URL('../../sample/segments.json', import.meta.url), 'utf8')) as SegmentDefinition[];

function say(source: string, withSchema = true): string {
  return describe(parse(source), withSchema ? { schema } : {});
}

/** The product copy for every seed segment, described with the sample schema's labels. */
const SEED_SENTENCES: Record<string, string> = {
  'VIP Arabic Speakers': 'Customers whose tags contain "VIP" and whose language is "ar"',
  'Inactive 30+ Days': 'Customers whose last interaction is more than 30 days ago',
  'Gold Tier in Oman': 'Customers whose tier is "gold" and whose country code is "OM"',
  'WhatsApp Opted-In': 'Customers whose platform is "WhatsApp" and whose marketing opt-out is false',
  'New This Week': 'Customers whose date created is within the last 7 days',
  'Enterprise Leads': 'Customers whose interest is "Enterprise" and whose tags contain "lead"',
  'High Value Customers': 'Customers whose lifetime value is greater than 25000',
  'Hot Offer Not Bought':
    'Customers who did "page_view" (where offer is "summer-pass") at least 5 times in the last 7 days and who never did "purchase" (where offer is "summer-pass")',
  Clickers: 'Customers whose clicks count is greater than 0',
  'Clickers Who Received One Message': 'Customers whose clicks count is greater than 0 and whose sent count is 1',
  'Clickers Not Messaged For A Month': 'Customers whose clicks count is greater than 0 and whose last received SMS is more than 30 days ago',
  'Unused Numbers': 'Customers whose sent count is less than 1',
  'Received Once Never Clicked': 'Customers whose sent count is 1 and whose clicks count is 0',
  'Omani Carriers': 'Customers whose country code is "OM" and whose carrier is one of "Omantel" or "Ooredoo"',
  'Female Customers With Email': 'Customers whose gender is "female" and whose email is known',
  'Returning Users': 'Customers whose returning user is true',
  'Talked With Agent This Month': 'Customers who did "agent_chat" at least once in the last 30 days',
  'Completed Bot Flow': 'Customers who did "flow_completed" (where flow is "bot") at least once',
  'Cart Not Paid': 'Customers who did "add_to_cart" at least once in the last 7 days and who never did "purchase" in the last 7 days',
  'Global Suppression (3+ SMS, Never Clicked)': 'Customers who did "sms_received" at least 3 times and who never did "sms_clicked"',
  'VIP Arabic Speakers Still Active': 'Customers in the segment "VIP Arabic Speakers" but not in the segment "Inactive 30+ Days"',
};

group('describe: the seed segments', () => {
  const dynamic = seeds.flatMap((s) => ('expression' in s ? [[s.name, s.expression] as const] : []));

  it('has a sentence for every dynamic seed segment', () => {
    expect(dynamic.map(([name]) => name).sort()).toEqual(Object.keys(SEED_SENTENCES).sort());
  });

  it.each(dynamic)('describes "%s"', (name, expression) => {
    expect(say(expression)).toBe(SEED_SENTENCES[name]);
  });
});

group('describe: fields', () => {
  it('reads field paths as words without a schema', () => {
    expect(say('last_interaction older than 30 days', false)).toBe('Customers whose last interaction is more than 30 days ago');
    expect(say('attributes.tier = "gold"', false)).toBe('Customers whose attributes tier is "gold"');
  });

  it('keeps acronyms in labels', () => {
    expect(say('id = "p1"')).toBe('Customers whose profile ID is "p1"');
  });

  it.each([
    ['country != "OM"', 'whose country code is not "OM"'],
    ['clicks_count >= 5', 'whose clicks count is at least 5'],
    ['clicks_count <= 5', 'whose clicks count is at most 5'],
    ['carrier not in ["Omantel", "Ooredoo", "Vodafone"]', 'whose carrier is not one of "Omantel", "Ooredoo" or "Vodafone"'],
    ['clicks_count between 1 and 5', 'whose clicks count is between 1 and 5'],
    ['clicks_count not between 1 and 5', 'whose clicks count is not between 1 and 5'],
    ['email contains "@gmail"', 'whose email contains "@gmail"'],
    ['email not contains "@gmail"', 'whose email does not contain "@gmail"'],
    ['phone starts with "+968"', 'whose phone number starts with "+968"'],
    ['email ends with ".om"', 'whose email ends with ".om"'],
    ['tags contains any ["a", "b"]', 'whose tags contain any of "a" or "b"'],
    ['tags contains all ["a", "b"]', 'whose tags contain all of "a" and "b"'],
    ['tags contains none ["a", "b"]', 'whose tags contain none of "a" or "b"'],
    ['tags not contains "x"', 'whose tags do not contain "x"'],
    ['email is unknown', 'whose email is unknown'],
    ['tags is empty', 'whose tags are empty'],
    ['email is not empty', 'whose email is not empty'],
    ['created_at before "2026-01-01"', 'whose date created is before 2026-01-01'],
    ['created_at after 3 days ago', 'whose date created is after 3 days ago'],
    ['created_at > today', 'whose date created is after today'],
    ['created_at <= now', 'whose date created is on or before now'],
    ['created_at between "2026-01-01" and "2026-02-01"', 'whose date created is between 2026-01-01 and 2026-02-01'],
  ])('describes `%s`', (source, sentence) => {
    expect(say(source)).toBe(`Customers ${sentence}`);
  });
});

group('describe: groups and negation', () => {
  it('reads an or-group as "either … or …"', () => {
    expect(say('country = "OM" or country = "AE" or country = "QA"')).toBe(
      'Customers either whose country code is "OM" or whose country code is "AE" or whose country code is "QA"',
    );
  });

  it('leaves a trailing or-group in an and unbracketed', () => {
    expect(say('tags contains "VIP" and (language = "ar" or language = "en")')).toBe(
      'Customers whose tags contain "VIP" and either whose language is "ar" or whose language is "en"',
    );
  });

  it('brackets an or-group that is followed by more conditions', () => {
    expect(say('(language = "ar" or language = "en") and tags contains "VIP"')).toBe(
      'Customers (either whose language is "ar" or whose language is "en") and whose tags contain "VIP"',
    );
  });

  it('brackets an and-group inside an or-group', () => {
    expect(say('country = "OM" and opt_out = false or tags contains "VIP"')).toBe(
      'Customers either (whose country code is "OM" and whose marketing opt-out is false) or whose tags contain "VIP"',
    );
  });

  it.each([
    ['not country = "OM"', 'whose country code is not "OM"'],
    ['not clicks_count > 5', 'whose clicks count is not greater than 5'],
    ['not tags contains "VIP"', 'whose tags do not contain "VIP"'],
    ['not tags is empty', 'whose tags are not empty'],
    ['not email starts with "a"', 'whose email does not start with "a"'],
    ['not created_at within last 7 days', 'whose date created is not within the last 7 days'],
    ['not in_segment("VIP")', 'not in the segment "VIP"'],
    ['not not country = "OM"', 'whose country code is "OM"'],
  ])('phrases `%s` without "not (…)"', (source, sentence) => {
    expect(say(source)).toBe(`Customers ${sentence}`);
  });

  it('pushes not into a group', () => {
    expect(say('not (country = "OM" and opt_out = false)')).toBe('Customers either whose country code is not "OM" or whose marketing opt-out is not false');
    expect(say('not (country = "OM" or tags contains "VIP")')).toBe('Customers whose country code is not "OM" and whose tags do not contain "VIP"');
  });

  it('joins a negated segment with "but"', () => {
    expect(say('clicks_count > 0 and not in_segment("Unused Numbers")')).toBe('Customers whose clicks count is greater than 0 but not in the segment "Unused Numbers"');
  });
});

group('describe: events', () => {
  it.each([
    ['event("purchase").count() = 1', 'who did "purchase" exactly once'],
    ['event("purchase").count() = 4', 'who did "purchase" exactly 4 times'],
    ['event("purchase").count() > 2', 'who did "purchase" more than 2 times'],
    ['event("purchase").count() <= 3', 'who did "purchase" at most 3 times'],
    ['event("purchase").count() < 1', 'who never did "purchase"'],
    ['event("purchase").count() < 3', 'who did "purchase" fewer than 3 times'],
    ['event("purchase").count() != 0', 'who did "purchase" at least once'],
    ['event("purchase").count() != 2', 'who did not do "purchase" exactly 2 times'],
    ['event("purchase").count() between 2 and 4', 'who did "purchase" between 2 and 4 times'],
    ['event("purchase").count() in [1, 2]', 'who did "purchase" 1 or 2 times'],
    ['not event("purchase").count() >= 2', 'who did "purchase" fewer than 2 times'],
    ['not event("purchase").count() = 0', 'who did "purchase" at least once'],
    ['event("purchase").sum("amount") > 100', 'whose total amount of "purchase" events is greater than 100'],
    ['event("purchase").where(offer = "x").within(30 days).avg("amount") >= 10', 'whose average amount of "purchase" events (where offer is "x") in the last 30 days is at least 10'],
    ['event("purchase").max("amount") < 5', 'whose highest amount of "purchase" events is less than 5'],
    ['event("purchase").min("amount") > 5', 'whose lowest amount of "purchase" events is greater than 5'],
    ['event("sms_received").last_at() older than 30 days', 'whose last "sms_received" event is more than 30 days ago'],
    ['event("sms_received").first_at() before "2026-01-01"', 'whose first "sms_received" event is before 2026-01-01'],
    ['event("sms_received").first_at() > 7 days ago', 'whose first "sms_received" event is after 7 days ago'],
    ['event("page_view").where(offer = "a" or url contains "/sale").count() > 0', 'who did "page_view" (where either offer is "a" or url contains "/sale") at least once'],
  ])('describes `%s`', (source, sentence) => {
    expect(say(source)).toBe(`Customers ${sentence}`);
  });
});

group('describe: size', () => {
  it('describes a chain of 5,000 conditions', () => {
    const source = Array.from({ length: 5000 }, (_, i) => `clicks_count > ${i}`).join(' and ');
    const sentence = say(source);
    expect(sentence.startsWith('Customers whose clicks count is greater than 0 and whose clicks count is greater than 1 and')).toBe(true);
    expect(sentence.endsWith('whose clicks count is greater than 4999')).toBe(true);
  });

  it('unwraps 100,000 nested nots without overflowing the stack', () => {
    let expr: Expr = parse('country = "OM"');
    for (let i = 0; i < 100_000; i++) expr = { type: 'not', operand: expr, span: expr.span };
    expect(describe(expr, { schema })).toBe('Customers whose country code is "OM"');
  });
});

group('describe: any tree', () => {
  it('returns one sentence and never throws', () => {
    fc.assert(
      fc.property(arbitraryExpr, (tree) => {
        for (const sentence of [describe(tree, { schema }), describe(tree)]) {
          expect(sentence.startsWith('Customers ')).toBe(true);
          expect(sentence).not.toContain('undefined');
        }
      }),
      { numRuns: 300 },
    );
  });
});
