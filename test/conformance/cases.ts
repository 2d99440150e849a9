/**
 * The shared conformance table: one fixture of profiles built to hurt, and segment expressions
 * with the ids they must select. The in-memory engine (memory.test.ts) and every SQL dialect run
 * the same table and must return exactly these ids.
 *
 * Expected ids were derived by hand from the fixture and the normative semantics (docs/LANGUAGE.md),
 * not by running an engine. The notes beside the profiles say what each one is there to test.
 *
 * Evaluation: now = 2026-11-24T12:00:00Z, time zone UTC unless a case says otherwise. Bounds used
 * below: 7 days ago = 2026-11-17T12:00:00.000Z, 30 days ago = 2026-10-25T12:00:00.000Z.
 */
import sampleSchema from '../../sample/schema.json';
import sampleSegments from '../../sample/segments.json';
import { codeGenerationAllowed, type EvaluatorOption } from '../../core/evaluate/compile';
import type { Schema } from '../../core/schema';
import type { SegmentDefinition } from '../../core/segments';

export interface ConformanceCase {
  name: string;
  expression: string;
  /** Profile ids, sorted. */
  expected: string[];
  /** Evaluation instant (default `NOW`). */
  now?: string;
  /** IANA zone for `today` and calendar steps (default UTC). */
  timeZone?: string;
}

export const NOW = '2026-11-24T12:00:00Z';

/**
 * The in-memory evaluators the in-memory tables run on: the generated code and the closures. Where
 * code generation is refused (the `no-codegen` test project: `--disallow-code-generation-from-strings`)
 * they run on the default, `auto`, which must fall back on the closures by itself.
 */
export const EVALUATORS: readonly EvaluatorOption[] = codeGenerationAllowed() ? ['generated', 'closures'] : ['auto'];

/** The sample schema (sample/schema.json): every field type, an enum, lists, nested attributes, typed events. */
export const fixtureSchema = sampleSchema as Schema;

const at = (iso: string, event: string, properties?: Record<string, unknown>) =>
  properties === undefined ? { event, timestamp: iso } : { event, timestamp: iso, properties };
const days = (from: number, to: number, time: string): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `2026-11-${String(from + i).padStart(2, '0')}T${time}Z`);

export const fixtureProfiles: Record<string, unknown>[] = [
  {
    // The well-formed VIP Arabic speaker; interacted exactly now.
    id: 'p000001', custom_id: 'C-1', email: 'zoe@example.com', phone: '+96891234567', name: 'Zoë', gender: 'female',
    tags: ['VIP', 'newsletter'], language: 'ar', platform: 'WhatsApp', country: 'OM', carrier: 'Omantel', opt_out: false,
    created_at: '2026-11-20T08:00:00Z', last_interaction: '2026-11-24T12:00:00Z', last_received_sms: '2026-11-01T00:00:00Z',
    clicks_count: 3, sent_count: 1,
    attributes: { tier: 'gold', interest: 'Enterprise', lifetime_value: 30000, returning_user: true, scores: [5, 10] },
    events: [...days(18, 22, '10:00:00').map((t) => at(t, 'page_view', { offer: 'summer-pass' })), at('2026-11-10T09:00:00Z', 'agent_chat', { agent: 'Huda' })],
  },
  {
    // Lower/upper case everywhere; empty email (known); last interaction exactly 30 days ago; date-only creation.
    id: 'p000002', name: 'zoë', gender: 'FEMALE', email: '', tags: ['vip'], language: 'AR', platform: 'whatsapp', country: 'om',
    carrier: 'ooredoo', opt_out: true, created_at: '2024-01-15', last_interaction: '2026-10-25T12:00:00.000Z', clicks_count: 0, sent_count: 1,
    attributes: { tier: 'GOLD', interest: 'enterprise', lifetime_value: 25000 },
    events: days(1, 3, '00:00:00').map((t) => at(t, 'sms_received', { campaign: 'welcome' })),
  },
  {
    // No accent, trailing spaces in a tag and the country; one millisecond older than 30 days.
    id: 'p000003', name: 'Zoe', gender: 'male', email: 'zoe3@example.com', tags: ['VIP ', 'lead'], language: 'ar', platform: 'SMS',
    country: 'OM ', carrier: 'Omantel', opt_out: false, created_at: '2025-06-01T00:00:00Z', last_interaction: '2026-10-25T11:59:59.999Z',
    last_received_sms: '2026-09-01', clicks_count: 1, sent_count: 2,
    attributes: { tier: 'silver', interest: 'Enterprise', lifetime_value: 25000.01, returning_user: false },
    events: [at('2026-11-22T12:00:00Z', 'add_to_cart', { offer: 'family-plan', amount: 29 })],
  },
  {
    // Wrong types: number for text, text for list/number/boolean/date, number for date.
    id: 'p000004', name: 5, email: 42, gender: 'female', tags: 'VIP', language: 'ar', platform: 'WhatsApp', country: 'OM', carrier: 'Omantel',
    opt_out: 'false', clicks_count: '5', sent_count: '1', created_at: 'yesterday', last_interaction: 1700000000000,
    attributes: { tier: 'gold', lifetime_value: '30000', returning_user: 'true', interest: 5 },
    events: [],
  },
  {
    // Every field null.
    id: 'p000005', name: null, email: null, gender: null, tags: null, language: null, platform: null, country: null, carrier: null,
    opt_out: null, created_at: null, last_interaction: null, last_received_sms: null, clicks_count: null, sent_count: null,
    attributes: null, events: null,
  },
  {
    // Empty text, empty list, empty attributes, no events.
    id: 'p000006', name: '', tags: [], attributes: {}, events: [],
  },
  {
    // Date objects (created exactly 7 days ago), -0 clicks, negative value; bought the summer pass.
    id: 'p000007', name: 'ZOË', tags: ['newsletter'], language: 'en', platform: 'Instagram', country: 'AE', carrier: 'du', opt_out: false,
    clicks_count: -0, sent_count: 0, created_at: new Date('2026-11-17T12:00:00.000Z'), last_interaction: new Date('2026-11-23T12:00:00Z'),
    attributes: { lifetime_value: -5, scores: [], returning_user: false },
    events: [
      ...days(18, 23, '10:00:00').map((t) => at(t, 'page_view', { offer: 'summer-pass' })),
      at('2026-11-23T11:00:00Z', 'purchase', { offer: 'summer-pass', amount: 49 }),
    ],
  },
  {
    // Trailing space in the name; huge numbers; now written with a +04:00 offset; events on and around the 7-day bound.
    id: 'p000008', name: 'Zoë ', gender: 'male', email: 'p8@example.com', tags: ['VIP', 'lead'], language: 'hi', platform: 'Webchat',
    country: 'IN', carrier: 'Jio', opt_out: true, clicks_count: 1e15, sent_count: 1, created_at: '2026-11-17T11:59:59.999Z',
    last_interaction: '2026-11-24T16:00:00+04:00', last_received_sms: '2026-10-25T12:00:00Z',
    attributes: { tier: 'platinum', interest: 'SMB', lifetime_value: 1e12, returning_user: true },
    events: ['2026-11-17T12:00:00.000Z', '2026-11-17T11:59:59.999Z', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', '2026-11-24T12:00:00.000Z', '2026-11-24T12:00:00.001Z'].map((t) =>
      at(t, 'page_view', { offer: 'summer-pass' }),
    ),
  },
  {
    // Date-time without offset (UTC) equal to now; date-only creation today; an enum value in another case.
    id: 'p000009', name: 'Noor', gender: 'other', tags: ['churn-risk'], language: 'ur', platform: 'SMS', country: 'SA', carrier: 'STC',
    clicks_count: 2, sent_count: 5, created_at: '2026-11-24', last_interaction: '2026-11-24T12:00:00', last_received_sms: '2026-10-01T00:00:00+03:00',
    attributes: { tier: 'bronze', interest: 'Retail', lifetime_value: 100 },
    events: [
      ...days(1, 4, '00:00:00').map((t) => at(t, 'sms_received', { campaign: 'welcome' })),
      at('2026-11-04T00:00:00Z', 'sms_clicked', { campaign: 'welcome' }),
      at('2026-11-05T00:00:00Z', 'flow_completed', { flow: 'Bot' }),
    ],
  },
  {
    // Dates in the future (1 ms after now, next month); zeros; the cart was paid; agent chat 31 days ago.
    id: 'p000010', name: 'Ahmed', gender: 'male', email: 'ahmed@example.com', tags: ['VIP'], language: 'ar', platform: 'WhatsApp', country: 'OM',
    carrier: 'Vodafone Oman', opt_out: false, clicks_count: 0, sent_count: 0, created_at: '2026-12-01', last_interaction: '2026-11-24T12:00:00.001Z',
    attributes: { tier: 'gold', interest: 'SMB', lifetime_value: 0, returning_user: false },
    events: [
      at('2026-11-01T00:00:00Z', 'flow_completed', { flow: 'bot' }),
      at('2026-10-24T11:00:00Z', 'agent_chat', { agent: 'Ravi' }),
      at('2026-11-20T00:00:00Z', 'add_to_cart', { offer: 'eid-bundle', amount: 19 }),
      at('2026-11-21T00:00:00Z', 'purchase', { offer: 'eid-bundle', amount: 19 }),
    ],
  },
  {
    // Events with missing properties, a text amount, an invalid timestamp, an event name in another case.
    id: 'p000011', name: 'Sam', tags: ['lead', 'newsletter'], language: 'en', platform: 'Webchat', country: 'US', carrier: 'Verizon',
    clicks_count: 4, sent_count: 1, last_received_sms: '2026-10-24T12:00:00Z', attributes: { interest: 'Enterprise', tier: 'bronze' },
    events: [
      at('2026-11-20T00:00:00Z', 'purchase'),
      at('2026-11-22T00:00:00Z', 'purchase', { amount: '10' }),
      at('bad', 'purchase', { amount: 20, offer: 'summer-pass' }),
      ...days(19, 23, '00:00:00').map((t) => at(t, 'Page_View', { offer: 'SUMMER-PASS' })),
    ],
  },
  {
    // Viewed the summer pass five times this week and never bought it.
    id: 'p000012', name: 'Léa', tags: ['newsletter'], language: 'fr', platform: 'Webchat', country: 'FR',
    events: [
      ...['01', '02', '03', '04', '05'].map((h) => at(`2026-11-20T${h}:00:00Z`, 'page_view', { offer: 'summer-pass' })),
      at('2026-11-24T11:00:00Z', 'agent_chat', { agent: 'Marc' }),
    ],
  },
  // Time-zone and calendar bounds: today starts 2026-11-24T00:00Z (UTC), 2026-11-23T20:00Z (Muscat), 2026-11-24T05:00Z (New York).
  { id: 'p000013', name: 'Rin', country: 'AE', last_interaction: '2026-11-23T21:00:00Z', created_at: '2026-02-28T13:30:00Z' },
  { id: 'p000014', name: 'Yusuf', country: 'SA', last_interaction: '2026-11-24T03:00:00Z', created_at: '2026-02-28T12:00:00Z' },
  { id: 'p000015', name: 'Omar', last_interaction: '2026-11-24T05:00:00Z', created_at: '2026-02-28T11:59:59.999Z' },
];

/** The seed segments (sample/segments.json) and a few more: nested dynamic and manual ones. */
export const segmentDefinitions: SegmentDefinition[] = [
  ...(sampleSegments as SegmentDefinition[]),
  { name: 'Zoë Fans', expression: 'name = "Zoë"' },
  { name: 'Fixture Picks', members: ['p000004', 'p000006', 'nobody'] },
  { name: 'Nested Picks', expression: 'in_segment("VIP Arabic Speakers Still Active") or in_segment("Fixture Picks")' },
];

const ALL = fixtureProfiles.map((p) => p.id as string);
const ids = (...n: number[]): string[] => n.map((i) => `p${String(i).padStart(6, '0')}`).sort();
const except = (...n: number[]): string[] => ALL.filter((id) => !ids(...n).includes(id));

/** Every seed example of sample/segments.json, by its own expression. */
const SEED_EXPECTED: Record<string, string[]> = {
  'VIP Arabic Speakers': ids(1, 2, 10),
  'Inactive 30+ Days': ids(3),
  'Gold Tier in Oman': ids(1, 2, 4, 10),
  'WhatsApp Opted-In': ids(1, 10),
  'New This Week': ids(1, 7, 9),
  'Enterprise Leads': ids(3, 11),
  'High Value Customers': ids(1, 3, 8),
  'Hot Offer Not Bought': ids(1, 12),
  Clickers: ids(1, 3, 8, 9, 11),
  'Clickers Who Received One Message': ids(1, 8, 11),
  'Clickers Not Messaged For A Month': ids(3, 9, 11),
  'Unused Numbers': ids(7, 10),
  'Received Once Never Clicked': ids(2),
  'Omani Carriers': ids(1, 2, 4),
  'Female Customers With Email': ids(1, 2, 4),
  'Returning Users': ids(1, 8),
  'Talked With Agent This Month': ids(1, 12),
  'Completed Bot Flow': ids(9, 10),
  'Cart Not Paid': ids(3),
  'Global Suppression (3+ SMS, Never Clicked)': ids(2),
  'VIP Arabic Speakers Still Active': ids(1, 2, 10),
};

const seedCases: ConformanceCase[] = (sampleSegments as SegmentDefinition[]).flatMap((s) => {
  if (!('expression' in s)) return [{ name: `seed: ${s.name}`, expression: `in_segment(${JSON.stringify(s.name)})`, expected: ids(1, 2, 3) }];
  const expected = SEED_EXPECTED[s.name];
  if (expected === undefined) throw new Error(`conformance table: no expected ids for seed segment "${s.name}"`);
  return [{ name: `seed: ${s.name}`, expression: s.expression, expected }];
});

export const cases: ConformanceCase[] = [
  ...seedCases,

  // text equality: case-insensitive, accents and spaces count, no coercion
  { name: 'text = ignores case, keeps accents', expression: 'name = "Zoë"', expected: ids(1, 2, 7) },
  { name: 'text != is true on unknown and wrong types', expression: 'name != "Zoë"', expected: except(1, 2, 7) },
  { name: 'text is (synonym of =)', expression: 'name is "ZOË"', expected: ids(1, 2, 7) },
  { name: 'text is not (synonym of !=)', expression: 'name is not "zoë"', expected: except(1, 2, 7) },
  { name: 'text = without the accent', expression: 'name = "Zoe"', expected: ids(3) },
  { name: 'text = with a trailing space', expression: 'name = "zoë "', expected: ids(8) },
  { name: 'a number is not the text "5"', expression: 'name = "5"', expected: [] },
  { name: 'text = empty text', expression: 'name = ""', expected: ids(6) },
  { name: 'country = "OM" ignores case, not the trailing space', expression: 'country = "OM"', expected: ids(1, 2, 4, 10) },
  { name: 'country != "OM" includes unknown countries', expression: 'country != "OM"', expected: except(1, 2, 4, 10) },

  // in / not in
  { name: 'in: short text list, case-insensitive', expression: 'country in ["om", "AE"]', expected: ids(1, 2, 4, 7, 10, 13) },
  { name: 'not in: true on unknown', expression: 'country not in ["om", "AE"]', expected: except(1, 2, 4, 7, 10, 13) },
  { name: 'in: long text list', expression: 'country in ["OM", "AE", "SA", "IN", "US", "GB"]', expected: ids(1, 2, 4, 7, 8, 9, 10, 11, 13, 14) },
  { name: 'in: enum value in another case', expression: 'language in ["AR"]', expected: ids(1, 2, 3, 4, 10) },
  { name: 'in: numbers, 0 matches -0, "5" is not 5', expression: 'clicks_count in [0, 4]', expected: ids(2, 7, 10, 11) },
  { name: 'not in: numbers', expression: 'clicks_count not in [0, 4]', expected: except(2, 7, 10, 11) },

  // contains / starts with / ends with on text
  { name: 'text contains: substring ignoring case', expression: 'name contains "OË"', expected: ids(1, 2, 7, 8) },
  { name: 'text not contains: true on unknown and wrong types', expression: 'name not contains "oë"', expected: except(1, 2, 7, 8) },
  { name: 'starts with', expression: 'name starts with "zo"', expected: ids(1, 2, 3, 7, 8) },
  { name: 'ends with: the trailing space counts', expression: 'name ends with "ë"', expected: ids(1, 2, 7) },
  { name: 'ends with on emails', expression: 'email ends with "@EXAMPLE.com"', expected: ids(1, 3, 8, 10) },
  { name: 'contains "" holds for every text', expression: 'name contains ""', expected: except(4, 5) },

  // lists
  { name: 'list contains: element, ignoring case', expression: 'tags contains "vip"', expected: ids(1, 2, 8, 10) },
  { name: 'list not contains: true on unknown and a text instead of a list', expression: 'tags not contains "VIP"', expected: except(1, 2, 8, 10) },
  { name: 'list contains: the trailing space counts', expression: 'tags contains "VIP "', expected: ids(3) },
  { name: 'contains any', expression: 'tags contains any ["lead", "CHURN-RISK"]', expected: ids(3, 8, 9, 11) },
  { name: 'contains all', expression: 'tags contains all ["VIP", "lead"]', expected: ids(8) },
  { name: 'contains all of one', expression: 'tags contains all ["lead"]', expected: ids(3, 8, 11) },
  { name: 'contains none: true on unknown and empty lists', expression: 'tags contains none ["VIP", "newsletter"]', expected: ids(3, 4, 5, 6, 9, 13, 14, 15) },
  { name: 'number list contains', expression: 'attributes.scores contains 10', expected: ids(1) },
  { name: 'number list contains any', expression: 'attributes.scores contains any [0, 5]', expected: ids(1) },
  { name: 'number list contains all', expression: 'attributes.scores contains all [5, 10]', expected: ids(1) },

  // empty / known
  { name: 'list is empty: unknown or []', expression: 'tags is empty', expected: ids(5, 6, 13, 14, 15) },
  { name: 'list is not empty', expression: 'tags is not empty', expected: except(5, 6, 13, 14, 15) },
  { name: 'text is empty: unknown or ""', expression: 'name is empty', expected: ids(5, 6) },
  { name: 'text is not empty', expression: 'name is not empty', expected: except(5, 6) },
  { name: 'is known: "" and wrong types are known', expression: 'email is known', expected: ids(1, 2, 3, 4, 8, 10) },
  { name: 'is unknown: absent or null', expression: 'email is unknown', expected: except(1, 2, 3, 4, 8, 10) },
  { name: 'is not null (synonym of is known)', expression: 'email is not null', expected: ids(1, 2, 3, 4, 8, 10) },
  { name: 'is null (synonym of is unknown)', expression: 'email is null', expected: except(1, 2, 3, 4, 8, 10) },
  { name: 'nested field is unknown when its parent is null, {} or absent', expression: 'attributes.tier is unknown', expected: ids(5, 6, 7, 12, 13, 14, 15) },

  // numbers
  { name: 'number = 0 matches -0', expression: 'clicks_count = 0', expected: ids(2, 7, 10) },
  { name: 'number != 0', expression: 'clicks_count != 0', expected: except(2, 7, 10) },
  { name: 'number >=', expression: 'clicks_count >= 1', expected: ids(1, 3, 8, 9, 11) },
  { name: 'number <= ("5" is not a number)', expression: 'clicks_count <= 0', expected: ids(2, 7, 10) },
  { name: 'negative numbers', expression: 'attributes.lifetime_value < 0', expected: ids(7) },
  { name: 'between is inclusive', expression: 'attributes.lifetime_value between 100 and 25000', expected: ids(2, 9) },
  { name: 'not between: true on unknown', expression: 'attributes.lifetime_value not between 100 and 25000', expected: except(2, 9) },
  { name: 'large numbers', expression: 'clicks_count >= 1000000000000000', expected: ids(8) },
  { name: 'decimals', expression: 'attributes.lifetime_value = 25000.01', expected: ids(3) },
  { name: 'sent_count = 0', expression: 'sent_count = 0', expected: ids(7, 10) },

  // booleans
  { name: 'boolean = false ("false" is text)', expression: 'opt_out = false', expected: ids(1, 3, 7, 10) },
  { name: 'boolean != false', expression: 'opt_out != false', expected: except(1, 3, 7, 10) },
  { name: 'boolean is true', expression: 'opt_out is true', expected: ids(2, 8) },
  { name: 'boolean is not true', expression: 'attributes.returning_user is not true', expected: except(1, 8) },

  // dates
  { name: 'within last: both bounds inclusive, offsets and Date objects', expression: 'last_interaction within last 30 days', expected: ids(1, 2, 7, 8, 9, 13, 14, 15) },
  { name: 'within (short spelling, compact unit)', expression: 'last_interaction within 30d', expected: ids(1, 2, 7, 8, 9, 13, 14, 15) },
  { name: 'older than: strict', expression: 'last_interaction older than 30 days', expected: ids(3) },
  { name: 'before: strict', expression: 'last_interaction before "2026-10-25T12:00:00Z"', expected: ids(3) },
  { name: 'after: strict', expression: 'last_interaction after "2026-11-24T12:00:00Z"', expected: ids(10) },
  { name: '>= now', expression: 'last_interaction >= now', expected: ids(1, 8, 9, 10) },
  { name: '= an instant written with an offset', expression: 'last_interaction = "2026-11-24T16:00:00+04:00"', expected: ids(1, 8, 9) },
  { name: 'between dates is inclusive', expression: 'last_interaction between "2026-10-25T12:00:00Z" and now', expected: ids(1, 2, 7, 8, 9, 13, 14, 15) },
  { name: 'not between dates: true on unknown and non-dates', expression: 'last_interaction not between 30 days ago and now', expected: ids(3, 4, 5, 6, 10, 11, 12) },
  { name: 'date-only literal is midnight UTC', expression: 'created_at >= "2026-11-24"', expected: ids(9, 10) },
  { name: '< duration ago (exactly 7 days ago is not before it)', expression: 'created_at < 7 days ago', expected: ids(2, 3, 8, 13, 14, 15) },
  { name: '> today (UTC)', expression: 'created_at > today', expected: ids(10) },
  { name: 'within last 1 month', expression: 'created_at within last 1 month', expected: ids(1, 7, 8, 9) },
  { name: 'within last 1 year', expression: 'created_at within last 1 year', expected: ids(1, 7, 8, 9, 13, 14, 15) },
  { name: '<= a date is inclusive', expression: 'last_interaction <= "2026-10-25T12:00:00Z"', expected: ids(2, 3) },
  { name: 'within last 12 hours', expression: 'last_interaction within last 12 hours', expected: ids(1, 8, 9, 14, 15) },
  { name: 'within last 2 weeks', expression: 'last_interaction within last 2 weeks', expected: ids(1, 7, 8, 9, 13, 14, 15) },
  { name: 'within last 15 minutes (compact unit)', expression: 'last_interaction within last 15min', expected: ids(1, 8, 9) },

  // time zones and calendar steps
  { name: 'today in UTC', expression: 'last_interaction >= today', expected: ids(1, 8, 9, 10, 14, 15) },
  { name: 'today in Asia/Muscat', expression: 'last_interaction >= today', timeZone: 'Asia/Muscat', expected: ids(1, 8, 9, 10, 13, 14, 15) },
  { name: 'today in America/New_York', expression: 'last_interaction >= today', timeZone: 'America/New_York', expected: ids(1, 8, 9, 10, 15) },
  { name: 'one month back from March 31 is February 28 (UTC)', expression: 'created_at within last 1 month', now: '2026-03-31T12:00:00Z', expected: ids(13, 14) },
  { name: 'one month back across a DST change (New York)', expression: 'created_at within last 1 month', now: '2026-03-31T12:00:00Z', timeZone: 'America/New_York', expected: ids(13) },
  { name: 'one month back in Asia/Muscat', expression: 'created_at within last 1 month', now: '2026-03-31T12:00:00Z', timeZone: 'Asia/Muscat', expected: ids(13, 14) },
  { name: 'older than 1 month from March 31', expression: 'created_at older than 1 month', now: '2026-03-31T12:00:00Z', expected: ids(2, 3, 15) },

  // not, precedence, synonyms, keyword case
  { name: 'not negates the predicate after it', expression: 'not country = "OM"', expected: except(1, 2, 4, 10) },
  { name: 'not negates a group', expression: 'not (country = "OM" or country = "AE")', expected: except(1, 2, 4, 7, 10, 13) },
  { name: 'and binds tighter than or', expression: 'country = "OM" or country = "AE" and opt_out = false', expected: ids(1, 2, 4, 7, 10) },
  { name: 'parentheses group', expression: '(country = "OM" or country = "AE") and opt_out = false', expected: ids(1, 7, 10) },
  { name: 'not binds tighter than and', expression: 'not tags contains "VIP" and language = "ar"', expected: ids(3, 4) },
  { name: 'A or not A is everyone', expression: 'name = "Zoë" or not name = "Zoë"', expected: ALL },
  { name: 'keywords in upper case', expression: 'NOT country = "OM" AND opt_out = false', expected: ids(3, 7) },
  { name: 'single-quoted strings', expression: "name = 'Zoë'", expected: ids(1, 2, 7) },
  { name: 'back-quoted field names', expression: '`name` = "Sam" or attributes.`tier` = "platinum"', expected: ids(8, 11) },
  { name: 'comments and newlines are whitespace', expression: 'country = "OM" // Oman\n  and opt_out = false', expected: ids(1, 10) },
  { name: 'operator words in upper case', expression: 'email IS NOT NULL', expected: ids(1, 2, 3, 4, 8, 10) },
  { name: 'negative decimal literals', expression: 'attributes.lifetime_value > -12.5', expected: ids(1, 2, 3, 7, 8, 9, 10) },
  { name: 'symbol synonyms', expression: 'country == "OM" && !(carrier == "Omantel") || name == "Léa"', expected: ids(2, 10, 12) },

  // events
  { name: 'event count, name ignoring case', expression: 'event("page_view").count() >= 5', expected: ids(1, 7, 8, 11, 12) },
  { name: 'event within: both bounds inclusive', expression: 'event("PAGE_VIEW").within(7 days).count() = 4', expected: ids(8) },
  { name: 'count of no events is 0', expression: 'event("page_view").count() = 0', expected: ids(2, 3, 4, 5, 6, 9, 10, 13, 14, 15) },
  { name: 'count without within keeps events with invalid timestamps', expression: 'event("purchase").count() = 3', expected: ids(11) },
  { name: 'within drops events with invalid timestamps', expression: 'event("purchase").within(30 days).count() = 2', expected: ids(11) },
  { name: 'sum skips missing and text amounts', expression: 'event("purchase").sum("amount") = 20', expected: ids(11) },
  { name: 'sum of no events is 0', expression: 'event("purchase").sum("amount") = 0', expected: except(7, 10, 11) },
  { name: 'min of no events is unknown', expression: 'event("purchase").min("amount") is unknown', expected: except(7, 10, 11) },
  { name: 'max', expression: 'event("purchase").max("amount") >= 19', expected: ids(7, 10, 11) },
  { name: 'avg', expression: 'event("purchase").avg("amount") > 19', expected: ids(7, 11) },
  { name: 'min', expression: 'event("purchase").min("amount") < 20', expected: ids(10) },
  { name: 'avg is known only with numeric amounts', expression: 'event("purchase").avg("amount") is known', expected: ids(7, 10, 11) },
  { name: 'last_at within last', expression: 'event("agent_chat").last_at() within last 30 days', expected: ids(1, 12) },
  { name: 'last_at of no events is unknown', expression: 'event("agent_chat").last_at() is unknown', expected: except(1, 10, 12) },
  { name: 'first_at before a date', expression: 'event("sms_received").first_at() before "2026-11-02"', expected: ids(2, 9) },
  { name: 'last_at = a date-only instant', expression: 'event("sms_received").last_at() = "2026-11-03"', expected: ids(2) },
  { name: 'event within a compact duration', expression: 'event("agent_chat").within(12h).count() = 1', expected: ids(12) },
  { name: 'where ignores case in property values', expression: 'event("page_view").where(offer = "SUMMER-PASS").within(7 days).count() >= 5', expected: ids(1, 7, 11, 12) },
  { name: 'first_at older than', expression: 'event("page_view").first_at() older than 7 days', expected: ids(8) },
  { name: 'last_at after now', expression: 'event("page_view").last_at() after now', expected: ids(8) },
  { name: 'where on a missing property', expression: 'event("purchase").where(amount is unknown).count() = 1', expected: ids(11) },
  { name: 'where on a number property', expression: 'event("purchase").where(amount > 5).count() >= 1', expected: ids(7, 10, 11) },
  { name: 'not over an aggregate', expression: 'not event("purchase").count() > 0', expected: except(7, 10, 11) },
  { name: 'where with a negative form on an enum', expression: 'event("flow_completed").where(flow != "product").count() = 1', expected: ids(9, 10) },

  // segments
  { name: 'segment names ignore case', expression: 'in_segment("vip arabic speakers")', expected: ids(1, 2, 10) },
  { name: 'nested dynamic and manual segments', expression: 'in_segment("Nested Picks")', expected: ids(1, 2, 4, 6, 10) },
  { name: 'not in a manual segment', expression: 'not in_segment("Event Attendees (manual)")', expected: except(1, 2, 3) },
  { name: 'two segments', expression: 'in_segment("Zoë Fans") and in_segment("VIP Arabic Speakers")', expected: ids(1, 2) },
  { name: 'manual segment with an unknown member', expression: 'in_segment("Fixture Picks")', expected: ids(4, 6) },
];
