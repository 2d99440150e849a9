/**
 * `npm run bench:reach`: segment counts over 1M profiles with the reach index (`core/reach`), the
 * row engine (`compileSegment`), a hand-written expert predicate over the profile objects, and
 * DuckDB in the same process, in one run, every count checked equal; then the index's bytes per
 * profile, build time and single-profile update time.
 *
 * - Data: generated JS objects (dates as `Date`, events as `{event, timestamp, properties}`), text
 *   in its canonical case, so the hand-written predicates compare exactly (`===`), as an expert
 *   would on such data. Phase 1 runs the issue's eight segments on it; phase 2 the seed examples
 *   (sample/segments.json) on the sample generator's profiles (dates turned into `Date`s; their
 *   text is in mixed case, so the hand-written code lower-cases where the data needs it).
 * - DuckDB (`@duckdb/node-api`, in-process): the same data written to CSV and loaded with its own
 *   CSV reader into typed tables (timestamps, booleans, doubles), events in their own table, tags
 *   both as a `VARCHAR[]` column and as a (profile, tag) table; each query in every form, the best
 *   one taken. SQL written by hand for each segment, with the same semantics.
 * - The reach index is timed evaluating the segment from scratch each time (no cached result);
 *   compiling a segment (parse, validate, plan) is timed apart.
 *
 * BENCH_PROFILES (default 1,000,000), BENCH_ROUNDS (default 5), BENCH_PHASES (default "1,2");
 * BENCH_BUILD_ONLY=1: only the build time, the bytes by structure and the update times (no DuckDB).
 */
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { check, compileSegment, createClock, type Schema, type SegmentDefinition } from '../core/index';
import { compileReach, ReachIndex } from '../core/reach/index';
// The evaluator itself, without the query's cache (each round must evaluate, not read the cache).
import { Evaluator } from '../core/reach/evaluate';
import { cardinality } from '../core/reach/bitset';
import { generateProfiles } from '../sample/generate';
import sampleSchema from '../sample/schema.json';
import sampleSegments from '../sample/segments.json';

type Profile = Record<string, unknown>;
type Test = (p: Profile) => boolean;

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PHASES = (process.env.BENCH_PHASES ?? '1,2').split(',').map(Number);
const NOW_ISO = '2026-11-24T12:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const DAY = 86_400_000;
const D7 = NOW - 7 * DAY;
const D30 = NOW - 30 * DAY;
const DIR = resolve('build/bench/reach');

// ——— phase 1 data: the issue's fields ———

const benchSchema: Schema = {
  idField: 'id',
  fields: {
    id: { type: 'text' },
    email: { type: 'text' },
    tier: { type: 'enum', values: ['bronze', 'silver', 'gold', 'platinum'] },
    country: { type: 'text' },
    language: { type: 'enum', values: ['ar', 'en', 'fr', 'hi', 'ur', 'es'] },
    platform: { type: 'enum', values: ['whatsapp', 'instagram', 'webchat', 'sms'] },
    tags: { type: 'list', items: 'text' },
    clicks: { type: 'number' },
    sent_count: { type: 'number' },
    lifetime_value: { type: 'number' },
    marketing_opt_out: { type: 'boolean' },
    created_at: { type: 'date' },
    last_interaction_at: { type: 'date' },
  },
  events: {
    viewed_offer: { properties: { offer_id: { type: 'text' } } },
    purchase: { properties: { offer_id: { type: 'text' }, amount: { type: 'number' } } },
    opened_message: { properties: { campaign: { type: 'text' } } },
    clicked_link: { properties: { campaign: { type: 'text' } } },
  },
};

/** sfc32, seeded. */
function random(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

function* benchProfiles(count: number): Generator<Profile> {
  const r = random(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)];
  const weighted = <T>(table: readonly (readonly [T, number])[]): T => {
    let x = r() * 100;
    for (const [item, w] of table) if ((x -= w) < 0) return item;
    return table[table.length - 1][0];
  };
  const COUNTRIES = [['OM', 35], ['AE', 20], ['SA', 15], ['IN', 15], ['US', 10], ['FR', 3], ['GB', 2]] as const;
  const LANGUAGES = [['ar', 45], ['en', 35], ['hi', 10], ['ur', 4], ['fr', 3], ['es', 3]] as const;
  const TIERS = [['bronze', 50], ['silver', 30], ['gold', 15], ['platinum', 5]] as const;
  const PLATFORMS = [['whatsapp', 55], ['instagram', 20], ['webchat', 15], ['sms', 10]] as const;
  const TAGS = [['VIP', 10], ['lead', 20], ['newsletter', 30], ['churned', 8], ['beta', 5], ['loyal', 12]] as const;
  const OFFERS = ['OFF-1', 'OFF-2', 'OFF-3', 'OFF-4', 'OFF-5', 'OFF-6', 'OFF-7', 'OFF-8'];
  const CAMPAIGNS = ['welcome', 'eid', 'winback', 'renewal'];
  for (let i = 1; i <= count; i++) {
    const p: Profile = { id: `p${String(i).padStart(7, '0')}` };
    if (r() < 0.7) p.email = `user${i}@example.com`;
    if (r() < 0.9) p.tier = weighted(TIERS);
    p.country = weighted(COUNTRIES);
    p.language = weighted(LANGUAGES);
    p.platform = weighted(PLATFORMS);
    const tags: string[] = [];
    for (const [tag, percent] of TAGS) if (r() * 100 < percent) tags.push(tag);
    p.tags = tags;
    const sent = pick([0, 0, 1, 1, 1, 2, 3, 5, 8]);
    p.sent_count = sent;
    p.clicks = sent === 0 || r() < 0.5 ? 0 : 1 + Math.floor(r() * sent * 2);
    if (r() < 0.85) p.lifetime_value = r() < 0.06 ? 25_000 + Math.floor(r() * 200_000) : Math.round(r() ** 2 * 25_000 * 100) / 100;
    if (r() < 0.95) p.marketing_opt_out = r() < 0.12;
    const created = NOW - Math.floor(r() * 730 * DAY);
    p.created_at = new Date(created);
    if (r() < 0.9) p.last_interaction_at = new Date(Math.max(created, NOW - Math.floor(r() ** 2 * 200 * DAY)));
    const events: Profile[] = [];
    const n = Math.floor(r() ** 3 * 8);
    for (let e = 0; e < n; e++) {
      const name = weighted([['viewed_offer', 45], ['purchase', 10], ['opened_message', 30], ['clicked_link', 15]] as const);
      const timestamp = new Date(NOW - Math.floor(r() ** 1.5 * 90 * DAY));
      const properties = name === 'viewed_offer' ? { offer_id: pick(OFFERS) } : name === 'purchase' ? { offer_id: pick(OFFERS), amount: pick([9, 19, 49]) } : { campaign: pick(CAMPAIGNS) };
      events.push({ event: name, timestamp, properties });
    }
    if (r() < 0.03) {
      // Keeps coming back to one offer: four to nine views this week; some buy it.
      const views = 4 + Math.floor(r() * 6);
      for (let v = 0; v < views; v++) events.push({ event: 'viewed_offer', timestamp: new Date(NOW - Math.floor(r() * 7 * DAY)), properties: { offer_id: 'OFF-1' } });
      if (r() < 0.4) events.push({ event: 'purchase', timestamp: new Date(NOW - Math.floor(r() * 3 * DAY)), properties: { offer_id: 'OFF-1', amount: 49 } });
    }
    p.events = events;
    yield p;
  }
}

// ——— hand-written expert predicates (phase 1: canonical case, exact comparisons) ———

const has = (tags: unknown, tag: string): boolean => Array.isArray(tags) && tags.includes(tag);
const time = (v: unknown): number => (v instanceof Date ? v.getTime() : NaN);

function hotOffer(p: Profile): boolean {
  const events = p.events as Profile[] | undefined;
  if (!Array.isArray(events)) return false;
  let views = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const name = e.event;
    if (name !== 'viewed_offer' && name !== 'purchase') continue;
    if ((e.properties as Profile).offer_id !== 'OFF-1') continue;
    if (name === 'purchase') return false;
    const t = time(e.timestamp);
    if (t >= D7 && t <= NOW) views++;
  }
  return views >= 5;
}

interface Case {
  name: string;
  expression: string;
  hand: Test;
  /** SQL forms (the fastest is taken); each returns one row with the count `n`. */
  sql: string[];
}

const ts = (ms: number): string => `TIMESTAMPTZ '${new Date(ms).toISOString()}'`;

const PHASE1: Case[] = [
  {
    name: 'tier and country',
    expression: 'tier = "gold" and country = "OM"',
    hand: (p) => p.tier === 'gold' && p.country === 'OM',
    sql: [`select count(*) n from profiles where tier = 'gold' and country = 'OM'`],
  },
  {
    name: 'tags contains and language',
    expression: 'tags contains "VIP" and language = "ar"',
    hand: (p) => has(p.tags, 'VIP') && p.language === 'ar',
    sql: [
      `select count(*) n from profiles where list_contains(tags_list, 'VIP') and language = 'ar'`,
      `select count(*) n from profiles where language = 'ar' and pk in (select pk from profile_tags where tag = 'VIP')`,
    ],
  },
  {
    name: 'two numbers',
    expression: 'clicks > 0 and sent_count = 1',
    hand: (p) => typeof p.clicks === 'number' && p.clicks > 0 && p.sent_count === 1,
    sql: [`select count(*) n from profiles where clicks > 0 and sent_count = 1`],
  },
  {
    name: 'older than',
    expression: 'last_interaction_at older than 30 days',
    hand: (p) => time(p.last_interaction_at) < D30,
    sql: [`select count(*) n from profiles where last_interaction_at < ${ts(D30)}`],
  },
  {
    name: 'or of and, date window',
    expression: '(platform = "whatsapp" and marketing_opt_out = false) or created_at within last 7 days',
    hand: (p) => (p.platform === 'whatsapp' && p.marketing_opt_out === false) || (time(p.created_at) >= D7 && time(p.created_at) <= NOW),
    sql: [`select count(*) n from profiles where (platform = 'whatsapp' and marketing_opt_out = false) or (created_at >= ${ts(D7)} and created_at <= ${ts(NOW)})`],
  },
  {
    name: 'number, not list, known',
    expression: 'lifetime_value > 25000 and not tags contains "churned" and email is known',
    hand: (p) => typeof p.lifetime_value === 'number' && p.lifetime_value > 25000 && !has(p.tags, 'churned') && p.email != null,
    sql: [
      `select count(*) n from profiles where lifetime_value > 25000 and not coalesce(list_contains(tags_list, 'churned'), false) and email is not null`,
      `select count(*) n from profiles where lifetime_value > 25000 and email is not null and pk not in (select pk from profile_tags where tag = 'churned')`,
    ],
  },
  {
    name: 'three levels, six conditions',
    expression: '(tier = "gold" or clicks > 2 and language = "en") and (country = "AE" or lifetime_value < 1000 and platform = "sms")',
    hand: (p) =>
      (p.tier === 'gold' || (typeof p.clicks === 'number' && p.clicks > 2 && p.language === 'en')) &&
      (p.country === 'AE' || (typeof p.lifetime_value === 'number' && p.lifetime_value < 1000 && p.platform === 'sms')),
    sql: [`select count(*) n from profiles where (tier = 'gold' or (clicks > 2 and language = 'en')) and (country = 'AE' or (lifetime_value < 1000 and platform = 'sms'))`],
  },
  {
    name: 'events: viewed, not bought',
    expression: 'event("viewed_offer").where(offer_id = "OFF-1").within(7 days).count() >= 5 and event("purchase").where(offer_id = "OFF-1").count() = 0',
    hand: hotOffer,
    sql: [
      `select count(*) n from (select pk from events where event = 'viewed_offer' and offer_id = 'OFF-1' and ts >= ${ts(D7)} and ts <= ${ts(NOW)} group by pk having count(*) >= 5) v
       where pk not in (select pk from events where event = 'purchase' and offer_id = 'OFF-1')`,
    ],
  },
];

// ——— phase 2: the seed examples on the sample generator's profiles ———

const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);
const hasTag = (tags: unknown, tag: string): boolean => {
  if (!Array.isArray(tags)) return false;
  for (const t of tags) if (typeof t === 'string' && (t === tag || t.toLowerCase() === tag)) return true;
  return false;
};
const attr = (p: Profile, key: string): unknown => {
  const a = p.attributes;
  return typeof a === 'object' && a !== null ? (a as Profile)[key] : undefined;
};
const num = (v: unknown): v is number => typeof v === 'number';
/** Counts a profile's events of one name (the sample's names are lower case) passing `keep`. */
const countEvents = (p: Profile, name: string, keep: (e: Profile) => boolean, cap = Infinity): number => {
  const events = p.events as Profile[] | undefined;
  let n = 0;
  if (!Array.isArray(events)) return 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.event === name && keep(e) && ++n >= cap) break;
  }
  return n;
};
const within = (from: number) => (e: Profile): boolean => {
  const t = time(e.timestamp);
  return t >= from && t <= NOW;
};
const always = (): boolean => true;
const offer = (e: Profile): unknown => (e.properties as Profile | undefined)?.offer;
const vipArabic = (p: Profile): boolean => hasTag(p.tags, 'vip') && lower(p.language) === 'ar';
const inactive = (p: Profile): boolean => time(p.last_interaction) < D30;
const MANUAL = new Set(['p000001', 'p000002', 'p000003', 'p000042']);

const SEEDS: Record<string, { hand: Test; sql: string[] }> = {
  'VIP Arabic Speakers': {
    hand: vipArabic,
    sql: [
      `select count(*) n from profiles where list_contains(tags_lower, 'vip') and lower(language) = 'ar'`,
      `select count(*) n from profiles where lower(language) = 'ar' and pk in (select pk from profile_tags where lower(tag) = 'vip')`,
    ],
  },
  'Inactive 30+ Days': { hand: inactive, sql: [`select count(*) n from profiles where last_interaction < ${ts(D30)}`] },
  'Gold Tier in Oman': { hand: (p) => lower(attr(p, 'tier')) === 'gold' && lower(p.country) === 'om', sql: [`select count(*) n from profiles where lower(tier) = 'gold' and lower(country) = 'om'`] },
  'WhatsApp Opted-In': { hand: (p) => lower(p.platform) === 'whatsapp' && p.opt_out === false, sql: [`select count(*) n from profiles where lower(platform) = 'whatsapp' and opt_out = false`] },
  'New This Week': { hand: (p) => within(D7)({ timestamp: p.created_at }), sql: [`select count(*) n from profiles where created_at >= ${ts(D7)} and created_at <= ${ts(NOW)}`] },
  'Enterprise Leads': {
    hand: (p) => lower(attr(p, 'interest')) === 'enterprise' && hasTag(p.tags, 'lead'),
    sql: [`select count(*) n from profiles where lower(interest) = 'enterprise' and list_contains(tags_lower, 'lead')`],
  },
  'High Value Customers': { hand: (p) => { const v = attr(p, 'lifetime_value'); return num(v) && v > 25000; }, sql: [`select count(*) n from profiles where lifetime_value > 25000`] },
  'Hot Offer Not Bought': {
    hand: (p) => countEvents(p, 'page_view', (e) => lower(offer(e)) === 'summer-pass' && within(D7)(e), 5) >= 5 && countEvents(p, 'purchase', (e) => lower(offer(e)) === 'summer-pass', 1) === 0,
    sql: [
      `select count(*) n from (select pk from events where event = 'page_view' and lower(offer) = 'summer-pass' and ts >= ${ts(D7)} and ts <= ${ts(NOW)} group by pk having count(*) >= 5) v
       where pk not in (select pk from events where event = 'purchase' and lower(offer) = 'summer-pass')`,
    ],
  },
  Clickers: { hand: (p) => num(p.clicks_count) && p.clicks_count > 0, sql: [`select count(*) n from profiles where clicks_count > 0`] },
  'Clickers Who Received One Message': { hand: (p) => num(p.clicks_count) && p.clicks_count > 0 && p.sent_count === 1, sql: [`select count(*) n from profiles where clicks_count > 0 and sent_count = 1`] },
  'Clickers Not Messaged For A Month': {
    hand: (p) => num(p.clicks_count) && p.clicks_count > 0 && time(p.last_received_sms) < D30,
    sql: [`select count(*) n from profiles where clicks_count > 0 and last_received_sms < ${ts(D30)}`],
  },
  'Unused Numbers': { hand: (p) => num(p.sent_count) && p.sent_count < 1, sql: [`select count(*) n from profiles where sent_count < 1`] },
  'Received Once Never Clicked': { hand: (p) => p.sent_count === 1 && p.clicks_count === 0, sql: [`select count(*) n from profiles where sent_count = 1 and clicks_count = 0`] },
  'Omani Carriers': {
    hand: (p) => { const c = lower(p.carrier); return lower(p.country) === 'om' && (c === 'omantel' || c === 'ooredoo'); },
    sql: [`select count(*) n from profiles where lower(country) = 'om' and lower(carrier) in ('omantel', 'ooredoo')`],
  },
  'Female Customers With Email': { hand: (p) => lower(p.gender) === 'female' && p.email != null, sql: [`select count(*) n from profiles where lower(gender) = 'female' and email is not null`] },
  'Returning Users': { hand: (p) => attr(p, 'returning_user') === true, sql: [`select count(*) n from profiles where returning_user = true`] },
  'Talked With Agent This Month': {
    hand: (p) => countEvents(p, 'agent_chat', within(D30), 1) > 0,
    sql: [`select count(distinct pk) n from events where event = 'agent_chat' and ts >= ${ts(D30)} and ts <= ${ts(NOW)}`],
  },
  'Completed Bot Flow': {
    hand: (p) => countEvents(p, 'flow_completed', (e) => lower((e.properties as Profile | undefined)?.flow) === 'bot', 1) >= 1,
    sql: [`select count(distinct pk) n from events where event = 'flow_completed' and lower(flow) = 'bot'`],
  },
  'Cart Not Paid': {
    hand: (p) => countEvents(p, 'add_to_cart', within(D7), 1) > 0 && countEvents(p, 'purchase', within(D7), 1) === 0,
    sql: [
      `select count(*) n from (select distinct pk from events where event = 'add_to_cart' and ts >= ${ts(D7)} and ts <= ${ts(NOW)}) c
       where pk not in (select pk from events where event = 'purchase' and ts >= ${ts(D7)} and ts <= ${ts(NOW)})`,
    ],
  },
  'Global Suppression (3+ SMS, Never Clicked)': {
    hand: (p) => countEvents(p, 'sms_received', always, 3) >= 3 && countEvents(p, 'sms_clicked', always, 1) === 0,
    sql: [
      `select count(*) n from (select pk from events where event = 'sms_received' group by pk having count(*) >= 3) s
       where pk not in (select pk from events where event = 'sms_clicked')`,
    ],
  },
  'VIP Arabic Speakers Still Active': {
    hand: (p) => vipArabic(p) && !inactive(p),
    sql: [`select count(*) n from profiles where list_contains(tags_lower, 'vip') and lower(language) = 'ar' and not coalesce(last_interaction < ${ts(D30)}, false)`],
  },
  'Event Attendees (manual)': { hand: (p) => MANUAL.has(p.id as string), sql: [`select count(*) n from profiles where id in ('p000001', 'p000002', 'p000003', 'p000042')`] },
};

const segments = sampleSegments as SegmentDefinition[];
const PHASE2: Case[] = segments.map((d) => {
  const s = SEEDS[d.name];
  if (s === undefined) throw new Error(`no hand-written predicate for the seed ${d.name}`);
  return { name: d.name, expression: 'expression' in d ? d.expression : `in_segment(${JSON.stringify(d.name)})`, hand: s.hand, sql: s.sql };
});

// ——— CSV for DuckDB ———

const csvText = (v: unknown): string => (v === undefined || v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);
const csvDate = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '');
const csvNum = (v: unknown): string => (typeof v === 'number' ? String(v) : '');
const csvBool = (v: unknown): string => (typeof v === 'boolean' ? String(v) : '');

interface CsvLayout {
  profileColumns: { name: string; type: string; value: (p: Profile) => string }[];
  eventColumns: { name: string; type: string; value: (e: Profile) => string }[];
}

const LAYOUT1: CsvLayout = {
  profileColumns: [
    { name: 'id', type: 'VARCHAR', value: (p) => csvText(p.id) },
    { name: 'email', type: 'VARCHAR', value: (p) => csvText(p.email) },
    { name: 'tier', type: 'VARCHAR', value: (p) => csvText(p.tier) },
    { name: 'country', type: 'VARCHAR', value: (p) => csvText(p.country) },
    { name: 'language', type: 'VARCHAR', value: (p) => csvText(p.language) },
    { name: 'platform', type: 'VARCHAR', value: (p) => csvText(p.platform) },
    { name: 'tags', type: 'VARCHAR', value: (p) => csvText((p.tags as string[]).join('|')) },
    { name: 'clicks', type: 'DOUBLE', value: (p) => csvNum(p.clicks) },
    { name: 'sent_count', type: 'DOUBLE', value: (p) => csvNum(p.sent_count) },
    { name: 'lifetime_value', type: 'DOUBLE', value: (p) => csvNum(p.lifetime_value) },
    { name: 'marketing_opt_out', type: 'BOOLEAN', value: (p) => csvBool(p.marketing_opt_out) },
    { name: 'created_at', type: 'TIMESTAMPTZ', value: (p) => csvDate(p.created_at) },
    { name: 'last_interaction_at', type: 'TIMESTAMPTZ', value: (p) => csvDate(p.last_interaction_at) },
  ],
  eventColumns: [
    { name: 'event', type: 'VARCHAR', value: (e) => csvText(e.event) },
    { name: 'ts', type: 'TIMESTAMPTZ', value: (e) => csvDate(e.timestamp) },
    { name: 'offer_id', type: 'VARCHAR', value: (e) => csvText((e.properties as Profile).offer_id) },
  ],
};

const LAYOUT2: CsvLayout = {
  profileColumns: [
    { name: 'id', type: 'VARCHAR', value: (p) => csvText(p.id) },
    { name: 'email', type: 'VARCHAR', value: (p) => csvText(p.email) },
    { name: 'gender', type: 'VARCHAR', value: (p) => csvText(p.gender) },
    { name: 'tags', type: 'VARCHAR', value: (p) => csvText((p.tags as string[]).join('|')) },
    { name: 'language', type: 'VARCHAR', value: (p) => csvText(p.language) },
    { name: 'platform', type: 'VARCHAR', value: (p) => csvText(p.platform) },
    { name: 'country', type: 'VARCHAR', value: (p) => csvText(p.country) },
    { name: 'carrier', type: 'VARCHAR', value: (p) => csvText(p.carrier) },
    { name: 'opt_out', type: 'BOOLEAN', value: (p) => csvBool(p.opt_out) },
    { name: 'created_at', type: 'TIMESTAMPTZ', value: (p) => csvDate(p.created_at) },
    { name: 'last_interaction', type: 'TIMESTAMPTZ', value: (p) => csvDate(p.last_interaction) },
    { name: 'last_received_sms', type: 'TIMESTAMPTZ', value: (p) => csvDate(p.last_received_sms) },
    { name: 'clicks_count', type: 'DOUBLE', value: (p) => csvNum(p.clicks_count) },
    { name: 'sent_count', type: 'DOUBLE', value: (p) => csvNum(p.sent_count) },
    { name: 'tier', type: 'VARCHAR', value: (p) => csvText(attr(p, 'tier')) },
    { name: 'interest', type: 'VARCHAR', value: (p) => csvText(attr(p, 'interest')) },
    { name: 'lifetime_value', type: 'DOUBLE', value: (p) => csvNum(attr(p, 'lifetime_value')) },
    { name: 'returning_user', type: 'BOOLEAN', value: (p) => csvBool(attr(p, 'returning_user')) },
  ],
  eventColumns: [
    { name: 'event', type: 'VARCHAR', value: (e) => csvText(e.event) },
    { name: 'ts', type: 'TIMESTAMPTZ', value: (e) => csvDate(e.timestamp) },
    { name: 'offer', type: 'VARCHAR', value: (e) => csvText((e.properties as Profile | undefined)?.offer) },
    { name: 'flow', type: 'VARCHAR', value: (e) => csvText((e.properties as Profile | undefined)?.flow) },
  ],
};

async function writeCsv(path: string, header: string, rows: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let buffer: string[] = [];
  for (const row of rows) {
    buffer.push(row);
    if (buffer.length === 4096) {
      if (!out.write(`${buffer.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = [];
    }
  }
  if (buffer.length > 0) out.write(`${buffer.join('\n')}\n`);
  await new Promise<void>((r) => out.end(r));
}

async function loadDuckDb(profiles: Profile[], layout: CsvLayout, tag: string): Promise<{ db: DuckDBConnection; close: () => void; seconds: number }> {
  mkdirSync(DIR, { recursive: true });
  const pPath = join(DIR, `${tag}-profiles.csv`);
  const ePath = join(DIR, `${tag}-events.csv`);
  await writeCsv(pPath, ['pk', ...layout.profileColumns.map((c) => c.name)].join(','), (function* () {
    for (let i = 0; i < profiles.length; i++) yield [String(i), ...layout.profileColumns.map((c) => c.value(profiles[i]))].join(',');
  })());
  await writeCsv(ePath, ['pk', ...layout.eventColumns.map((c) => c.name)].join(','), (function* () {
    for (let i = 0; i < profiles.length; i++) {
      const events = profiles[i].events;
      if (!Array.isArray(events)) continue;
      for (const e of events as Profile[]) yield [String(i), ...layout.eventColumns.map((c) => c.value(e))].join(',');
    }
  })());
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db = await instance.connect();
  const columns = (cs: { name: string; type: string }[]) => `{'pk': 'INTEGER', ${cs.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;
  await db.run(`SET TimeZone = 'UTC'`);
  await db.run(`create table profiles_raw as select * from read_csv('${pPath}', header = true, columns = ${columns(layout.profileColumns)})`);
  await db.run(`create table profiles as select *, case when tags is null then null when tags = '' then []::VARCHAR[] else string_split(tags, '|') end tags_list,
    case when tags is null then null when tags = '' then []::VARCHAR[] else string_split(lower(tags), '|') end tags_lower from profiles_raw`);
  await db.run(`drop table profiles_raw`);
  await db.run(`create table profile_tags as select pk, unnest(tags_list) tag from profiles`);
  await db.run(`create table events as select * from read_csv('${ePath}', header = true, columns = ${columns(layout.eventColumns)})`);
  return { db, close: () => db.closeSync(), seconds: (performance.now() - started) / 1000 };
}

async function duckCount(db: DuckDBConnection, sql: string): Promise<number> {
  const reader = await db.runAndReadAll(sql);
  return Number((reader.getRowObjects()[0] as { n: bigint | number }).n);
}

// ——— measuring ———

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geo = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/** A fresh counting loop per predicate, so each call site stays monomorphic. */
function counter(test: Test): (profiles: Profile[]) => number {
  const loop = new Function('test', 'return function count(profiles) { let n = 0; for (let i = 0; i < profiles.length; i++) if (test(profiles[i]) === true) n++; return n; };');
  return loop(test) as (profiles: Profile[]) => number;
}

interface Row {
  name: string;
  counts: Record<string, number>;
  times: Record<string, number>;
}

/** Where the index's bytes go: per column and event table, bytes per profile, largest first. */
function breakdown(index: ReachIndex, profiles: number): void {
  const parts: [string, number][] = [['alive', index.alive.bytes()]];
  for (const [key, column] of index.profiles.columns) parts.push([`${key} (${column.kind})`, column.bytes()]);
  for (const [name, table] of index.events) {
    parts.push([`event ${name}: slots + times (${table.rows.toLocaleString('en')} rows)`, table.slots.bytes() + table.times.bytes()]);
    for (const [key, column] of table.properties.columns) parts.push([`event ${name}.${key} (${column.kind})`, column.bytes()]);
  }
  parts.push(['id → slot lookup', index.bytes() - parts.reduce((a, [, b]) => a + b, 0)]);
  parts.sort((a, b) => b[1] - a[1]);
  console.log(`bytes per profile by structure: ${parts.map(([k, b]) => `${k} ${(b / profiles).toFixed(1)}`).join('; ')}`);
}

/**
 * Single-profile updates: 10,000 upserts (a changed version of a random profile) straight after a
 * trimmed build, so the first ones cross every array's capacity boundary; the worst one is the cost
 * of growing.
 */
function updateFigures(index: ReachIndex, profiles: Profile[]): void {
  const updates: number[] = [];
  const r = random(99);
  for (let i = 0; i < 10_000; i++) {
    const p = profiles[Math.floor(r() * profiles.length)];
    const changed = { ...p, clicks: (typeof p.clicks === 'number' ? p.clicks : 0) + 1, clicks_count: 1 };
    const t0 = performance.now();
    index.upsert(changed);
    updates.push((performance.now() - t0) * 1000);
  }
  const sorted = [...updates].sort((a, b) => a - b);
  console.log(`single-profile update (upsert by id, ${updates.length.toLocaleString('en')}× right after a trimmed build): median ${median(updates).toFixed(1)} µs, p99 ${sorted[Math.floor(sorted.length * 0.99)].toFixed(1)} µs, worst ${sorted[sorted.length - 1].toFixed(0)} µs (the first, which grows every array: ${updates[0].toFixed(0)} µs; a worst far above p99 on a loaded machine is a GC pause or the scheduler)`);
}

async function phase(title: string, profiles: Profile[], schema: Schema, cases: Case[], layout: CsvLayout, tag: string, defs: readonly SegmentDefinition[]): Promise<{ rows: Row[]; ok: boolean }> {
  console.log(`\n=== ${title}: ${profiles.length.toLocaleString('en')} profiles ===`);
  globalThis.gc?.();
  const heap0 = process.memoryUsage();
  let t0 = performance.now();
  const index = ReachIndex.from(profiles, { schema });
  const build = performance.now() - t0;
  globalThis.gc?.();
  const heap1 = process.memoryUsage();
  const measured = heap1.heapUsed + heap1.arrayBuffers - (heap0.heapUsed + heap0.arrayBuffers);
  console.log(`reach index: built in ${ms(build)} ms (${((build * 1e6) / profiles.length).toFixed(0)} ns/profile); ${(measured / profiles.length).toFixed(1)} bytes/profile measured (heap + array buffers), ${(index.bytes() / profiles.length).toFixed(1)} counted by the index`);
  breakdown(index, profiles.length);

  const clock = createClock({ now: NOW_ISO });
  const duck = await loadDuckDb(profiles, layout, tag);
  console.log(`duckdb: CSV read into typed tables in ${duck.seconds.toFixed(1)} s`);

  const engines = ['reach', 'row engine', 'hand-written', 'duckdb'] as const;
  const rows: Row[] = [];
  let ok = true;
  const compileTimes: number[] = [];
  for (const c of cases) {
    const checked = check(c.expression, { schema, segments: defs });
    if (checked.expr === undefined || checked.errors.length > 0) throw new Error(`${c.name}: ${checked.errors[0]?.message}`);
    const expr = checked.expr;
    const evaluator = new Evaluator(index, clock, checked.segments);
    const row = compileSegment(c.expression, { schema, segments: defs, now: NOW_ISO });
    const rowCount = counter(row.test);
    const handCount = counter(c.hand);
    const times: Record<string, number[]> = { reach: [], 'row engine': [], 'hand-written': [], duckdb: [] };
    const counts: Record<string, number> = {};
    // Warm-up, then interleaved rounds.
    for (let i = 0; i < 2; i++) {
      cardinality(evaluator.select(expr));
      rowCount(profiles.slice(0, 50_000));
      handCount(profiles.slice(0, 50_000));
    }
    const sqlTimes = c.sql.map(() => [] as number[]);
    for (const sql of c.sql) await duckCount(duck.db, sql);
    for (let round = 0; round < ROUNDS; round++) {
      t0 = performance.now();
      counts.reach = cardinality(evaluator.select(expr));
      times.reach.push(performance.now() - t0);
      t0 = performance.now();
      counts['row engine'] = rowCount(profiles);
      times['row engine'].push(performance.now() - t0);
      t0 = performance.now();
      counts['hand-written'] = handCount(profiles);
      times['hand-written'].push(performance.now() - t0);
      for (const [i, sql] of c.sql.entries()) {
        t0 = performance.now();
        const n = await duckCount(duck.db, sql);
        sqlTimes[i].push(performance.now() - t0);
        if (i === 0) counts.duckdb = n;
        else if (n !== counts.duckdb) counts.duckdb = -1;
      }
    }
    const best = sqlTimes.map(median);
    times.duckdb = [Math.min(...best)];
    // Compiling the segment for the index: parse, validate, plan.
    t0 = performance.now();
    for (let i = 0; i < 20; i++) compileReach(index, c.expression, { segments: defs, now: NOW_ISO });
    compileTimes.push((performance.now() - t0) / 20);
    const medians = Object.fromEntries(engines.map((e) => [e, median(times[e])]));
    rows.push({ name: c.name, counts, times: medians });
    if (engines.some((e) => counts[e] !== counts['hand-written'])) ok = false;
  }
  duck.close();

  console.log(`\nms per count (median of ${ROUNDS}); ratio = hand-written time / engine time (higher is faster)`);
  console.log(`${'segment'.padEnd(44)}${engines.map((e) => pad(e, 22)).join('')}${pad('count', 10)}`);
  const ratios: Record<string, number[]> = { reach: [], 'row engine': [], duckdb: [] };
  const vsDuck: number[] = [];
  for (const r of rows) {
    const hand = r.times['hand-written'];
    const cells = engines.map((e) => {
      const ratio = hand / r.times[e];
      if (e !== 'hand-written') ratios[e].push(ratio);
      return pad(`${ms(r.times[e])} ${e === 'hand-written' ? '' : `${ratio.toFixed(2)}×`}`, 22);
    });
    vsDuck.push(r.times.duckdb / r.times.reach);
    const same = engines.every((e) => r.counts[e] === r.counts['hand-written']);
    console.log(`${r.name.slice(0, 43).padEnd(44)}${cells.join('')}${pad(same ? r.counts.reach : `MISMATCH ${engines.map((e) => r.counts[e]).join('/')}`, 10)}`);
  }
  console.log(`${'geometric mean (× faster than hand-written)'.padEnd(44)}${pad(`${geo(ratios.reach).toFixed(2)}×`, 22)}${pad(`${geo(ratios['row engine']).toFixed(2)}×`, 22)}${pad('1×', 22)}${pad(`${geo(ratios.duckdb).toFixed(2)}×`, 22)}`);
  console.log(`row engine time / hand-written time, geometric mean: ${(1 / geo(ratios['row engine'])).toFixed(2)}×`);
  console.log(`reach vs duckdb: ${Math.min(...vsDuck).toFixed(1)}× to ${Math.max(...vsDuck).toFixed(1)}× faster (geometric mean ${geo(vsDuck).toFixed(1)}×)`);
  console.log(`reach vs hand-written: slowest count ${Math.min(...ratios.reach).toFixed(1)}× faster`);
  console.log(`compileReach (parse, validate, plan): median ${ms(median(compileTimes))} ms per segment`);

  updateFigures(index, profiles);
  return { rows, ok };
}

async function main(): Promise<void> {
  let ok = true;
  if (PHASES.includes(1)) {
    const profiles = [...benchProfiles(PROFILES)];
    const result = await phase("The issue's eight segments", profiles, benchSchema, PHASE1, LAYOUT1, 'issue', []);
    ok &&= result.ok;
  }
  globalThis.gc?.();
  if (PHASES.includes(2)) {
    const profiles: Profile[] = [];
    for (const p of generateProfiles(PROFILES, { now: NOW_ISO })) {
      for (const key of ['created_at', 'last_interaction', 'last_received_sms']) if (typeof p[key] === 'string') p[key] = new Date(p[key] as string);
      for (const e of p.events as Profile[]) e.timestamp = new Date(e.timestamp as string);
      profiles.push(p);
    }
    const result = await phase('The seed examples (sample/segments.json)', profiles, sampleSchema as Schema, PHASE2, LAYOUT2, 'seeds', segments);
    ok &&= result.ok;
  }
  writeFileSync(join(DIR, '.done'), new Date().toISOString());
  if (!ok) {
    console.error('\nMISMATCH: the engines disagree on a count');
    process.exit(1);
  }
}

if (process.env.BENCH_BUILD_ONLY) {
  // Build time, bytes and updates only (no DuckDB, no counts): for working on the index.
  const profiles = [...benchProfiles(PROFILES)];
  let index = new ReachIndex();
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    index = ReachIndex.from(profiles, { schema: benchSchema });
    console.log(`build ${(performance.now() - t0).toFixed(0)} ms; ${(index.bytes() / profiles.length).toFixed(1)} bytes/profile counted`);
  }
  breakdown(index, profiles.length);
  updateFigures(index, profiles);
} else void main();
