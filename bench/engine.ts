/**
 * `npm run bench:engine`: the compiled in-memory predicates, both evaluators (`generated`: the
 * code built with `new Function`; `closures`: the CSP-safe one, no code generation), against a
 * hand-written JavaScript predicate with the same semantics, json-logic-js and filtrex, on 1M
 * generated profiles, in one run.
 *
 * - hand-written: what a careful developer writes for each segment: typeof checks, toLowerCase for
 *   case-insensitive text, ISO-8601 parsing with `Date.parse` (the data's timestamps carry a zone or
 *   are dates, which `Date.parse` reads as UTC), windows computed
 *   once, one loop over the events. It must agree with the engine on every count.
 * - json-logic-js and filtrex: approximate semantics (json-logic is case-sensitive and compares ISO
 *   strings as text; filtrex gets small helper functions). Their counts are printed, not enforced.
 *
 * Each engine counts through its own freshly generated loop (so no engine pays for a megamorphic
 * call site), after a warm-up, interleaved over several rounds; we print medians. Also measures
 * parse + validate + compile (`compileSegment`) for a typical 100-character segment.
 */
import { createRequire } from 'node:module';
import { compileExpression, useDotAccessOperatorAndOptionalChaining } from 'filtrex';
import { compileSegment, type Schema, type SegmentDefinition } from '../core/index';
import { generateProfiles } from '../sample/generate';
import sampleSchema from '../sample/schema.json';
import sampleSegments from '../sample/segments.json';

type Profile = Record<string, unknown>;
type Test = (p: Profile) => unknown;

const require = createRequire(import.meta.url);
const jsonLogic = require('json-logic-js') as { apply(rule: unknown, data: unknown): unknown };

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PEER_ROUNDS = Math.min(ROUNDS, 2);
const NOW_ISO = '2026-11-24T12:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const DAY = 86_400_000;
const D7 = NOW - 7 * DAY;
const D30 = NOW - 30 * DAY;
const schema = sampleSchema as Schema;
const segments = sampleSegments as SegmentDefinition[];
const seed = (name: string): string => {
  const s = segments.find((d) => d.name === name);
  if (s === undefined || !('expression' in s)) throw new Error(`no seed segment ${name}`);
  return s.expression;
};

// ——— the hand-written baseline ———

const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);
const ms = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : v instanceof Date ? v.getTime() : NaN);
const hasTag = (tags: unknown, tag: string): boolean => {
  if (!Array.isArray(tags)) return false;
  for (const t of tags) if (typeof t === 'string' && t.toLowerCase() === tag) return true;
  return false;
};
const attr = (p: Profile, key: string): unknown => {
  const a = p.attributes;
  return typeof a === 'object' && a !== null ? (a as Profile)[key] : undefined;
};
const vipArabic = (p: Profile): boolean => hasTag(p.tags, 'vip') && lower(p.language) === 'ar';
const inactive = (p: Profile): boolean => ms(p.last_interaction) < D30;

function hotOffer(p: Profile): boolean {
  const events = p.events;
  if (!Array.isArray(events)) return false;
  let views = 0;
  let bought = 0;
  for (const e of events as Profile[]) {
    if (typeof e !== 'object' || e === null || typeof e.event !== 'string') continue;
    const name = e.event.toLowerCase();
    if (name !== 'page_view' && name !== 'purchase') continue;
    const props = e.properties as Profile | null | undefined;
    const offer = typeof props === 'object' && props !== null ? lower(props.offer) : undefined;
    if (offer !== 'summer-pass') continue;
    if (name === 'purchase') bought++;
    else {
      const t = ms(e.timestamp);
      if (t >= D7 && t <= NOW) views++;
    }
  }
  return views >= 5 && bought === 0;
}

// ——— the peers (approximate semantics) ———

const filtrexOptions = {
  customProp: useDotAccessOperatorAndOptionalChaining,
  constants: { D7, D30, NOW, EARLIEST: -8.64e15, LATEST: 8.64e15 },
  extraFunctions: {
    num: (v: unknown) => (typeof v === 'number' ? v : NaN),
    date: (v: unknown) => ms(v),
    lower: (v: unknown) => lower(v) ?? '',
    hasTag: (tags: unknown, tag: string) => hasTag(tags, tag),
    countEvents: (events: unknown, name: string, offer: string, from: number, to: number) => {
      let n = 0;
      if (Array.isArray(events)) {
        for (const e of events as Profile[]) {
          if (e?.event !== name || (e.properties as Profile | undefined)?.offer !== offer) continue;
          const t = ms(e.timestamp);
          if (t >= from && t <= to) n++;
        }
      }
      return n;
    },
  },
};

const isoD7 = new Date(D7).toISOString();
const isoD30 = new Date(D30).toISOString();
const countLogic = (name: string, withinFrom: string | null) => ({
  reduce: [
    {
      filter: [
        { var: 'events' },
        {
          and: [
            { '==': [{ var: 'event' }, name] },
            { '==': [{ var: 'properties.offer' }, 'summer-pass'] },
            ...(withinFrom === null ? [] : [{ '>=': [{ var: 'timestamp' }, withinFrom] }, { '<=': [{ var: 'timestamp' }, NOW_ISO] }]),
          ],
        },
      ],
    },
    { '+': [{ var: 'accumulator' }, 1] },
    0,
  ],
});
const vipArabicLogic = { and: [{ in: ['VIP', { var: 'tags' }] }, { '==': [{ var: 'language' }, 'ar'] }] };
const inactiveLogic = { and: [{ '!!': [{ var: 'last_interaction' }] }, { '<': [{ var: 'last_interaction' }, isoD30] }] };

interface Case {
  name: string;
  expression: string;
  hand: Test;
  jsonLogic: unknown;
  filtrex: string;
}

const CASES: Case[] = [
  {
    name: 'VIP Arabic (list, enum)',
    expression: seed('VIP Arabic Speakers'),
    hand: vipArabic,
    jsonLogic: vipArabicLogic,
    filtrex: 'hasTag(tags, "vip") and lower(language) == "ar"',
  },
  {
    name: 'Inactive 30+ days (date window)',
    expression: seed('Inactive 30+ Days'),
    hand: inactive,
    jsonLogic: inactiveLogic,
    filtrex: 'date(last_interaction) < D30',
  },
  {
    name: 'Omani carriers (in list)',
    expression: seed('Omani Carriers'),
    hand: (p) => lower(p.country) === 'om' && (lower(p.carrier) === 'omantel' || lower(p.carrier) === 'ooredoo'),
    jsonLogic: { and: [{ '==': [{ var: 'country' }, 'OM'] }, { in: [{ var: 'carrier' }, ['Omantel', 'Ooredoo']] }] },
    filtrex: 'lower(country) == "om" and lower(carrier) in ("omantel", "ooredoo")',
  },
  {
    name: 'High value (nested number)',
    expression: seed('High Value Customers'),
    hand: (p) => {
      const v = attr(p, 'lifetime_value');
      return typeof v === 'number' && v > 25000;
    },
    jsonLogic: { '>': [{ var: 'attributes.lifetime_value' }, 25000] },
    filtrex: 'num(attributes.lifetime_value) > 25000',
  },
  {
    name: 'Enterprise leads (case-insensitive text)',
    expression: seed('Enterprise Leads'),
    hand: (p) => lower(attr(p, 'interest')) === 'enterprise' && hasTag(p.tags, 'lead'),
    jsonLogic: { and: [{ '==': [{ var: 'attributes.interest' }, 'Enterprise'] }, { in: ['lead', { var: 'tags' }] }] },
    filtrex: 'lower(attributes.interest) == "enterprise" and hasTag(tags, "lead")',
  },
  {
    name: 'Clickers not messaged (number, date)',
    expression: seed('Clickers Not Messaged For A Month'),
    hand: (p) => typeof p.clicks_count === 'number' && p.clicks_count > 0 && ms(p.last_received_sms) < D30,
    jsonLogic: { and: [{ '>': [{ var: 'clicks_count' }, 0] }, { '!!': [{ var: 'last_received_sms' }] }, { '<': [{ var: 'last_received_sms' }, isoD30] }] },
    filtrex: 'num(clicks_count) > 0 and date(last_received_sms) < D30',
  },
  {
    name: 'Hot offer not bought (events)',
    expression: seed('Hot Offer Not Bought'),
    hand: hotOffer,
    jsonLogic: { and: [{ '>=': [countLogic('page_view', isoD7), 5] }, { '==': [countLogic('purchase', null), 0] }] },
    filtrex: 'countEvents(events, "page_view", "summer-pass", D7, NOW) >= 5 and countEvents(events, "purchase", "summer-pass", EARLIEST, LATEST) == 0',
  },
  {
    name: 'VIP Arabic still active (nested segments)',
    expression: seed('VIP Arabic Speakers Still Active'),
    hand: (p) => vipArabic(p) && !inactive(p),
    jsonLogic: { and: [vipArabicLogic, { '!': [inactiveLogic] }] },
    filtrex: '(hasTag(tags, "vip") and lower(language) == "ar") and not (date(last_interaction) < D30)',
  },
];

const ENGINES = ['generated', 'closures', 'hand-written', 'json-logic-js', 'filtrex'] as const;
/** The engine's own evaluators: they must count exactly as the hand-written predicate. */
const OURS: readonly Engine[] = ['generated', 'closures'];
type Engine = (typeof ENGINES)[number];

/** A fresh counting loop per engine and segment, so each call site stays monomorphic. */
function counter(test: Test): (profiles: Profile[]) => number {
  const loop = new Function('test', 'return function count(profiles) { let n = 0; for (let i = 0; i < profiles.length; i++) if (test(profiles[i]) === true) n++; return n; };');
  return loop(test) as (profiles: Profile[]) => number;
}

function tests(c: Case): Record<Engine, Test> {
  const generated = compileSegment(c.expression, { schema, segments, now: NOW_ISO, evaluator: 'generated' });
  const closures = compileSegment(c.expression, { schema, segments, now: NOW_ISO, evaluator: 'closures' });
  const fx = compileExpression(c.filtrex, filtrexOptions) as Test;
  return {
    generated: generated.test,
    closures: closures.test,
    'hand-written': c.hand,
    'json-logic-js': (p) => jsonLogic.apply(c.jsonLogic, p),
    filtrex: fx,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pad = (s: string | number, n: number): string => String(s).padStart(n);

function main(): void {
  const started = performance.now();
  process.stdout.write(`generating ${PROFILES.toLocaleString('en')} profiles… `);
  const profiles: Profile[] = [];
  for (const p of generateProfiles(PROFILES, { now: NOW_ISO })) profiles.push(p);
  globalThis.gc?.();
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);

  const runs = CASES.map((c) => {
    const t = tests(c);
    const counters = Object.fromEntries(ENGINES.map((e) => [e, counter(t[e])])) as Record<Engine, (ps: Profile[]) => number>;
    return { c, counters, times: Object.fromEntries(ENGINES.map((e) => [e, [] as number[]])) as Record<Engine, number[]>, counts: {} as Record<Engine, number> };
  });

  const warm = profiles.slice(0, Math.min(50_000, profiles.length));
  for (const r of runs) for (const e of ENGINES) for (let i = 0; i < 3; i++) r.counters[e](warm);

  for (let round = 0; round < ROUNDS; round++) {
    for (const r of runs) {
      const order = round % 2 === 0 ? ENGINES : [...ENGINES].reverse();
      for (const e of order) {
        if (round >= PEER_ROUNDS && (e === 'json-logic-js' || e === 'filtrex')) continue; // slow peers: fewer rounds
        const t0 = performance.now();
        const n = r.counters[e](profiles);
        r.times[e].push(((performance.now() - t0) * 1e6) / profiles.length);
        r.counts[e] = n;
      }
    }
  }

  console.log(`\nns/profile (median of ${ROUNDS} rounds; peers ${PEER_ROUNDS}), ratio to hand-written, count`);
  console.log(`${'segment'.padEnd(42)}${ENGINES.map((e) => pad(e, 16)).join('')}`);
  const ratios = Object.fromEntries(ENGINES.map((e) => [e, [] as number[]])) as Record<Engine, number[]>;
  const closuresToGenerated: number[] = [];
  let mismatch = false;
  for (const r of runs) {
    const hand = median(r.times['hand-written']);
    const cells = ENGINES.map((e) => {
      const ns = median(r.times[e]);
      const ratio = ns / hand;
      ratios[e].push(ratio);
      return pad(`${ns.toFixed(1)} ${ratio.toFixed(2)}×`, 16);
    });
    closuresToGenerated.push(median(r.times.closures) / median(r.times.generated));
    console.log(`${r.c.name.padEnd(42)}${cells.join('')}   closures/generated ${closuresToGenerated[closuresToGenerated.length - 1].toFixed(2)}×`);
    const counts = ENGINES.map((e) => {
      const same = r.counts[e] === r.counts['hand-written'];
      if (!same && OURS.includes(e)) mismatch = true;
      return pad(`${r.counts[e]}${same ? '' : OURS.includes(e) ? ' !!' : ' ≠'}`, 16);
    });
    console.log(`${'  count'.padEnd(42)}${counts.join('')}`);
  }
  const geo = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  console.log(`${'geometric mean of ratios'.padEnd(42)}${ENGINES.map((e) => pad(`${geo(ratios[e]).toFixed(2)}×`, 16)).join('')}   closures/generated ${geo(closuresToGenerated).toFixed(2)}×`);
  console.log('(≠: the peer\'s approximate semantics, e.g. case-sensitive json-logic, count differently; not an error)');

  compileTimes();
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (mismatch) {
    console.error('\nMISMATCH: an evaluator of the engine and the hand-written predicate disagree on a count (marked !!)');
    process.exit(1);
  }
}

/** parse + validate + compile of a typical 100-character segment. */
function compileTimes(): void {
  const typical = (n: number) => `country = "OM" and carrier in ["Omantel", "Ooredoo"] and last_interaction within last ${n} days`;
  console.log(`\ncompileSegment on a ${typical(30).length}-character segment: ${typical(30)}`);
  const measure = (label: string, source: (i: number) => string, evaluator: 'generated' | 'closures') => {
    for (let i = 0; i < 500; i++) compileSegment(source(i), { schema, segments, now: NOW_ISO, evaluator });
    const times: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = source(i);
      const t0 = performance.now();
      compileSegment(s, { schema, segments, now: NOW_ISO, evaluator });
      times.push((performance.now() - t0) * 1000);
    }
    const sorted = times.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(50)} median ${median(times).toFixed(1)} µs, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)} µs`);
  };
  for (const evaluator of ['generated', 'closures'] as const) {
    measure(`${evaluator}: same text every time`, () => typical(30), evaluator);
    measure(`${evaluator}: a different duration every time`, (i) => typical(1 + (i % 997)), evaluator);
  }
}

main();
