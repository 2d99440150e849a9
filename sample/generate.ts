/**
 * Deterministic, realistic sample profiles for `sample/schema.json`: the data set the CLI demo,
 * the benchmarks and the SQL tests run on. Same seed and `now` → same profiles, on any machine.
 *
 * Shape: ids `p000001`…, custom ids (~80%), E.164 phones (~90%: Oman, UAE, Saudi Arabia, India, US),
 * emails (~70%), names, tags, languages, platforms, countries weighted to the Gulf and India,
 * carriers, tiers, lifetime values, dates over the last two years relative to `now` (a few exactly on
 * the 7- and 30-day bounds, some date-only), counters, and 0–30 events per profile (Segment
 * track-call shape) — with some nulls and absent keys, as real exports have.
 */
import type { Profile } from '../core/evaluate/compile';

export interface GenerateOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** The instant dates are relative to (default 2026-11-24T12:00:00Z). */
  now?: string;
}

const DAY = 86_400_000;

/** sfc32: a small, fast, well-distributed 32-bit PRNG (seeded through splitmix32). */
class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    for (let i = 0; i < 12; i++) this.float();
  }
  /** Uniform in [0, 1). */
  float(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }
  weighted<T>(table: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of table) total += w;
    let x = this.float() * total;
    for (const [item, w] of table) if ((x -= w) < 0) return item;
    return table[table.length - 1][0];
  }
  digits(n: number): string {
    return String(Math.floor(this.float() * 10 ** n)).padStart(n, '0');
  }
}

interface Country {
  code: string;
  weight: number;
  phone: (r: Random) => string;
  carriers: readonly string[];
  languages: readonly (readonly [string, number])[];
}

const COUNTRIES: readonly Country[] = [
  { code: 'OM', weight: 35, phone: (r) => `+968${r.pick(['9', '7'])}${r.digits(7)}`, carriers: ['Omantel', 'Ooredoo', 'Vodafone Oman'], languages: [['ar', 70], ['en', 25], ['hi', 3], ['ur', 2]] },
  { code: 'AE', weight: 20, phone: (r) => `+9715${r.pick(['0', '2', '4', '5', '6', '8'])}${r.digits(7)}`, carriers: ['Etisalat', 'du'], languages: [['ar', 40], ['en', 45], ['hi', 8], ['ur', 5], ['fr', 2]] },
  { code: 'SA', weight: 15, phone: (r) => `+9665${r.pick(['0', '3', '4', '5', '6', '9'])}${r.digits(7)}`, carriers: ['STC', 'Mobily', 'Zain'], languages: [['ar', 80], ['en', 18], ['ur', 2]] },
  { code: 'IN', weight: 15, phone: (r) => `+91${r.int(6, 9)}${r.digits(9)}`, carriers: ['Jio', 'Airtel', 'Vi'], languages: [['hi', 55], ['en', 40], ['ur', 5]] },
  { code: 'US', weight: 10, phone: (r) => `+1${r.int(2, 9)}${r.digits(2)}${r.int(2, 9)}${r.digits(6)}`, carriers: ['Verizon', 'AT&T', 'T-Mobile'], languages: [['en', 80], ['es', 18], ['ar', 2]] },
  { code: 'FR', weight: 3, phone: (r) => `+33${r.pick(['6', '7'])}${r.digits(8)}`, carriers: ['Orange', 'SFR', 'Free'], languages: [['fr', 85], ['en', 10], ['ar', 5]] },
  { code: 'GB', weight: 2, phone: (r) => `+447${r.digits(9)}`, carriers: ['EE', 'O2', 'Vodafone UK'], languages: [['en', 95], ['ur', 3], ['hi', 2]] },
];
const COUNTRY_TABLE = COUNTRIES.map((c) => [c, c.weight] as const);

const FIRST = {
  female: ['Fatma', 'Aisha', 'Maryam', 'Noor', 'Priya', 'Ananya', 'Sarah', 'Emily', 'Zoë', 'Léa', 'Huda', 'Salma'],
  male: ['Ahmed', 'Mohammed', 'Khalid', 'Said', 'Rahul', 'Arjun', 'John', 'Michael', 'Omar', 'Yusuf', 'José', 'Karim'],
  other: ['Sam', 'Alex', 'Noor', 'Jordan', 'Rin'],
} as const;
const LAST = ['Al Balushi', 'Al Harthy', 'Al Said', 'Al Maktoum', 'Al Saud', 'Sharma', 'Patel', 'Iyer', 'Smith', 'Johnson', 'García', 'Dubois', 'Khan'];
const TAGS = [['VIP', 10], ['lead', 20], ['newsletter', 35], ['churn-risk', 10], ['beta', 5], ['wholesale', 4], ['student', 6], ['loyal', 12]] as const;
const INTERESTS = [['Enterprise', 12], ['SMB', 20], ['Retail', 30], ['Education', 10], ['Travel', 15], ['Health', 10]] as const;
const TIERS = [['bronze', 50], ['silver', 30], ['gold', 15], ['platinum', 5]] as const;
const PLATFORMS = [['WhatsApp', 55], ['Instagram', 20], ['Webchat', 15], ['SMS', 10]] as const;
const OFFERS = ['summer-pass', 'family-plan', 'roaming-pack', 'data-booster', 'eid-bundle'];
const URLS: Record<string, string> = Object.fromEntries(OFFERS.map((o) => [o, `/offers/${o}`]));
const CAMPAIGNS = ['welcome', 'eid-sale', 'win-back', 'renewal', 'summer-pass'];
const AGENTS = ['Huda', 'Ravi', 'Marc', 'Latifa'];
const DOMAINS = ['gmail.com', 'outlook.com', 'omantel.net.om', 'yahoo.com', 'example.org'];
const EVENT_TYPES = [['sms_received', 30], ['sms_clicked', 8], ['page_view', 30], ['add_to_cart', 8], ['purchase', 5], ['agent_chat', 6], ['flow_completed', 8]] as const;

/** Profiles `p000001`… for `sample/schema.json`, deterministic for a seed and `now`. */
export function* generateProfiles(count: number, options: GenerateOptions = {}): Generator<Profile> {
  const r = new Random(options.seed ?? 1);
  const now = Date.parse(options.now ?? '2026-11-24T12:00:00Z');
  for (let i = 1; i <= count; i++) yield profile(r, i, now);
}

function profile(r: Random, index: number, now: number): Profile {
  const id = `p${String(index).padStart(6, '0')}`;
  const country = r.weighted(COUNTRY_TABLE);
  const gender = r.weighted([['female', 46], ['male', 46], ['other', 3], [null, 5]] as const);
  const first = r.pick(FIRST[gender ?? 'other']);
  const last = r.pick(LAST);
  const p: Profile = { id };
  if (r.chance(0.8)) p.custom_id = `C-${r.digits(7)}`;
  if (r.chance(0.7)) p.email = `${emailName(first, last)}${r.int(1, 999)}@${r.pick(DOMAINS)}`;
  if (r.chance(0.9)) p.phone = country.phone(r);
  if (r.chance(0.95)) p.name = `${first} ${last}`;
  if (gender !== null) p.gender = gender;
  else if (r.chance(0.5)) p.gender = null;
  p.tags = tags(r);
  p.language = r.weighted(country.languages);
  p.platform = r.weighted(PLATFORMS);
  p.country = country.code;
  if (r.chance(0.92)) p.carrier = r.pick(country.carriers);
  if (r.chance(0.95)) p.opt_out = r.chance(0.12);
  const createdDaysAgo = r.float() * 730;
  const created = now - Math.floor(createdDaysAgo * DAY);
  p.created_at = r.chance(0.1) ? iso(created).slice(0, 10) : iso(created);
  if (r.chance(0.9)) p.last_interaction = iso(boundary(r, now) ?? now - Math.floor(Math.min(createdDaysAgo, r.float() ** 2 * 200) * DAY));
  else if (r.chance(0.5)) p.last_interaction = null;
  const sent = r.weighted([[0, 20], [1, 25], [2, 15], [3, 12], [5, 10], [8, 10], [12, 8]] as const);
  p.sent_count = sent;
  p.clicks_count = sent === 0 || r.chance(0.55) ? 0 : r.int(1, Math.max(1, sent * 2));
  if (sent > 0) p.last_received_sms = iso(boundary(r, now) ?? now - Math.floor(r.float() * 120 * DAY));
  p.attributes = attributes(r);
  p.events = events(r, now);
  return p;
}

/** Now and then a date exactly on the 7- or 30-day bound (or one millisecond off it). */
function boundary(r: Random, now: number): number | undefined {
  if (!r.chance(0.002)) return undefined;
  return now - r.pick([7, 30]) * DAY + r.pick([0, 0, -1, 1]);
}

function tags(r: Random): string[] {
  const out: string[] = [];
  for (const [tag, percent] of TAGS) {
    if (r.chance(percent / 100)) out.push(r.chance(0.03) ? tag.toLowerCase() === tag ? tag.toUpperCase() : tag.toLowerCase() : tag);
  }
  return out;
}

function attributes(r: Random): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  if (r.chance(0.9)) a.tier = r.weighted(TIERS);
  if (r.chance(0.8)) a.interest = r.weighted(INTERESTS);
  if (r.chance(0.85)) a.lifetime_value = r.chance(0.06) ? r.int(25_000, 250_000) : Math.round(r.float() ** 2 * 25_000 * 100) / 100;
  if (r.chance(0.9)) a.returning_user = r.chance(0.4);
  if (r.chance(0.3)) a.scores = Array.from({ length: r.int(1, 5) }, () => r.int(0, 10));
  return a;
}

interface Event {
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

function events(r: Random, now: number): Event[] {
  // Some profiles keep coming back to the summer pass: four to nine views in the last week; some buy it.
  const views = r.chance(0.03) ? r.int(4, 9) : 0;
  const bought = views > 0 && r.chance(0.4);
  const n = Math.min(30 - views - (bought ? 1 : 0), Math.floor(r.float() ** 4 * 31));
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(now - Math.floor(r.float() ** 1.5 * 90 * DAY));
  times.sort((a, b) => a - b);
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const type = r.weighted(EVENT_TYPES);
    out.push({ event: type, timestamp: iso(times[i]), properties: properties(r, type) });
  }
  for (let i = 0; i < views; i++) {
    out.push({ event: 'page_view', timestamp: iso(now - Math.floor(r.float() * 7 * DAY)), properties: { offer: 'summer-pass', url: URLS['summer-pass'] } });
  }
  if (bought) out.push({ event: 'purchase', timestamp: iso(now - Math.floor(r.float() * 3 * DAY)), properties: { offer: 'summer-pass', amount: 49 } });
  return out;
}

function properties(r: Random, type: string): Record<string, unknown> {
  switch (type) {
    case 'sms_received':
    case 'sms_clicked':
      return { campaign: r.pick(CAMPAIGNS) };
    case 'page_view': {
      const offer = r.pick(OFFERS);
      return r.chance(0.95) ? { offer, url: URLS[offer] } : { url: '/' };
    }
    case 'add_to_cart':
    case 'purchase':
      return r.chance(0.97) ? { offer: r.pick(OFFERS), amount: r.pick([9, 19, 29, 49, 99]) } : { offer: r.pick(OFFERS) };
    case 'agent_chat':
      return { agent: r.pick(AGENTS) };
    default:
      return { flow: r.pick(['product', 'collection', 'bot']) };
  }
}

const emailNames = new Map<string, string>();

/** `zoë`, `Al Said` → `zoe.alsaid` (cached: normalising is slow). */
function emailName(first: string, last: string): string {
  const key = `${first}.${last}`;
  let name = emailNames.get(key);
  if (name === undefined) {
    name = key.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    emailNames.set(key, name);
  }
  return name;
}

const DIGIT_PAIRS = Array.from({ length: 100 }, (_, i) => [48 + Math.floor(i / 10), 48 + (i % 10)] as const);

/**
 * `Date#toISOString` at a third of its cost (days → civil date by H. Hinnant's algorithm, one flat
 * string from char codes), for years 0–9999.
 */
function iso(ms: number): string {
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  const [y1, y2] = DIGIT_PAIRS[Math.floor(year / 100)];
  const [y3, y4] = DIGIT_PAIRS[year % 100];
  const [mo1, mo2] = DIGIT_PAIRS[month];
  const [d1, d2] = DIGIT_PAIRS[day];
  const [h1, h2] = DIGIT_PAIRS[hour];
  const [mi1, mi2] = DIGIT_PAIRS[minute];
  const [s1, s2] = DIGIT_PAIRS[second];
  const ms1 = 48 + Math.floor(milli / 100);
  const [ms2, ms3] = DIGIT_PAIRS[milli % 100];
  return String.fromCharCode(y1, y2, y3, y4, 45, mo1, mo2, 45, d1, d2, 84, h1, h2, 58, mi1, mi2, 58, s1, s2, 46, ms1, ms2, ms3, 90);
}
