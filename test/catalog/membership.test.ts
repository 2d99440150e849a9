/**
 * Membership over time on SQLite, MariaDB and PostgreSQL: what a refresh records (entered, left)
 * equals the difference of the member sets the in-memory engine computes on its own from the same
 * profiles, definitions and instant; concurrent refreshes record a change once; a crash in the
 * middle of a run leaves nothing half-written; manual segments record their adds and removes;
 * cursors resume exactly; old history is deleted after the retention time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/catalog/catalog';
import { layoutDirectory } from '../../core/catalog/sql-source';
import { compileSegment } from '../../core/engine';
import type { Schema } from '../../core/schema';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createLayout, dropLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { LAYOUT_TABLES, type SqlMapping } from '../../core/sql/mapping';
import { TARGETS, type TestDatabase } from './databases';
import { rejectsWith as expectError } from './expect-error';

const SCHEMA: Schema = {
  fields: {
    id: { type: 'text' },
    email: { type: 'text' },
    phone: { type: 'text' },
    plan: { type: 'text' },
    spend: { type: 'number' },
    tags: { type: 'list', items: 'text' },
  },
  events: { purchase: { properties: { amount: { type: 'number' } } } },
};

type P = { id: string; plan?: string; spend?: number; tags?: string[]; events?: { event: string; timestamp: string; properties?: Record<string, unknown> }[] };

const DAY = 86_400_000;
const REFRESHER = join(__dirname, '..', '..', 'build', 'test', 'membership-refresher.mjs');

beforeAll(async () => {
  await build({ entryPoints: [join(__dirname, 'fixtures', 'refresher.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: REFRESHER, logLevel: 'warning' });
});

/** A refresher in a real child process: it connects, says `ready`, and starts on `go`. */
function refresher(url: string, segment: string, now: string, times: number) {
  const child = spawn(process.execPath, [REFRESHER, url, segment, now, String(times)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let sayReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (sayReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) sayReady();
  });
  child.stderr.on('data', (d) => (err += d));
  const outcome = new Promise<{ run: number; entered: number; left: number }[]>((resolve, reject) => {
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch (e) {
        reject(new Error(`refresher failed (${(e as Error).message}): ${out}${err}`));
      }
    });
  });
  const readyOrDead = Promise.race([ready, outcome.then(() => Promise.reject(new Error(`refresher ended before ready: ${out}${err}`)))]);
  return { ready: readyOrDead, outcome, go: () => child.stdin.end('go\n') };
}
const T0 = Date.parse('2026-11-24T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A small deterministic generator (the same profiles on every database). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SEGMENTS = [
  { name: 'Big Spenders', expression: 'spend > 100' },
  { name: 'Recent Buyers', expression: 'event("purchase").within(7 days).count() >= 1' },
  { name: 'Gold or Recent', expression: 'plan = "gold" or in_segment("Recent Buyers")' },
  { name: 'Tagged VIP', expression: 'tags contains "vip" and not in_segment("Hand Picked")' },
];

function makeProfile(r: () => number, id: string, now: number): P {
  const p: P = { id, plan: ['gold', 'silver', 'bronze'][Math.floor(r() * 3)], spend: Math.floor(r() * 200), tags: r() < 0.3 ? ['vip'] : [] };
  if (r() < 0.5) p.events = [{ event: 'purchase', timestamp: iso(now - Math.floor(r() * 10 * DAY)), properties: { amount: 5 } }];
  return p;
}

describe.each(TARGETS)('segment membership over time on $name', (target) => {
  let t: TestDatabase;
  let catalog: SegmentCatalog;
  let mapping: SqlMapping;
  /** The profiles as the in-memory engine sees them (kept equal to what is stored). */
  const profiles = new Map<string, P>();

  async function store(list: P[]): Promise<void> {
    for (const p of list) profiles.set(p.id, p);
    await loadProfiles(t.db, list.map((value, i) => ({ line: i + 1, value })), { schema: SCHEMA, mapping });
  }
  async function remove(id: string): Promise<void> {
    profiles.delete(id);
    for (const table of [LAYOUT_TABLES.events, LAYOUT_TABLES.lists, LAYOUT_TABLES.bodies, LAYOUT_TABLES.profiles]) await t.db(table).where({ pid: id }).delete();
  }
  /** Members of a saved segment by the in-memory engine, from the catalogue's current definitions. */
  async function inMemory(name: string, now: number): Promise<Set<string>> {
    const segments = await catalog.definitions();
    const compiled = compileSegment(`in_segment(${JSON.stringify(name)})`, { schema: SCHEMA, segments, now: new Date(now) });
    return new Set(compiled.filter([...profiles.values()] as never[]).map((p) => String((p as P).id)));
  }
  async function allChanges(name: string, since?: string) {
    const out: { profileId: string; change: string; run: number; version: number; at: Date }[] = [];
    let cursor = since;
    for (;;) {
      const page = await catalog.changes(name, { since: cursor, limit: 7 });
      out.push(...page.changes);
      cursor = page.cursor;
      if (!page.more) return { changes: out, cursor: cursor! };
    }
  }
  const diff = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();
  const ids = (list: { profileId: string }[]) => list.map((c) => c.profileId).sort();

  /** Refreshes every segment at `now` and checks each run against the in-memory difference. */
  async function refreshAndCompare(now: number, before: Map<string, Set<string>>, cursors: Map<string, string | undefined>): Promise<void> {
    const results = await catalog.refresh(undefined, { now: new Date(now) });
    for (const r of results) {
      const after = await inMemory(r.segment, now);
      const prior = before.get(r.segment) ?? new Set();
      const { changes, cursor } = await allChanges(r.segment, cursors.get(r.segment));
      const entered = changes.filter((c) => c.change === 'entered');
      const left = changes.filter((c) => c.change === 'left');
      expect({ segment: r.segment, entered: ids(entered), left: ids(left) }).toEqual({ segment: r.segment, entered: diff(after, prior), left: diff(prior, after) });
      expect(r).toMatchObject({ entered: entered.length, left: left.length, members: after.size });
      for (const c of changes) expect(c).toMatchObject({ run: r.run, version: r.version, at: new Date(now) });
      expect(new Set(await catalog.recordedMembers(r.segment, { limit: 100_000 }))).toEqual(after);
      before.set(r.segment, after);
      cursors.set(r.segment, cursor);
    }
  }

  beforeAll(async () => {
    t = await target.create();
    await dropLayout(t.db);
    mapping = await createLayout(t.db, SCHEMA);
    catalog = await SegmentCatalog.open(t.db, { now: () => new Date(T0), historyRetention: Infinity });
    const r = rng(7);
    await store(Array.from({ length: 120 }, (_, i) => makeProfile(r, `u${String(i).padStart(3, '0')}`, T0)));
    await catalog.create({ name: 'Hand Picked', members: ['u001', 'u002', 'u003'] });
    for (const s of SEGMENTS) await catalog.create(s);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('records who entered and left between refreshes exactly as the in-memory engine differs', async () => {
    const before = new Map<string, Set<string>>();
    const cursors = new Map<string, string | undefined>();
    // The first refresh: everyone in a dynamic segment entered (the manual one recorded its members when it was made).
    before.set('Hand Picked', new Set(['u001', 'u002', 'u003']));
    cursors.set('Hand Picked', await catalog.changesHead('Hand Picked'));
    await refreshAndCompare(T0, before, cursors);
    expect(before.get('Big Spenders')!.size).toBeGreaterThan(20);

    // An attribute changes both ways, an event arrives, a profile is deleted, a segment is edited.
    const p1 = [...profiles.values()].find((p) => (p.spend ?? 0) <= 100 && !(p.tags ?? []).includes('vip'))!;
    const p2 = [...profiles.values()].find((p) => (p.spend ?? 0) > 150)!;
    const buyer = [...profiles.values()].find((p) => !p.events && p.plan !== 'gold')!;
    const gone = [...before.get('Big Spenders')!].find((id) => id !== p2.id)!;
    await store([
      { ...p1, spend: 180, tags: ['vip'] },
      { ...p2, spend: 5 },
      { ...buyer, events: [{ event: 'purchase', timestamp: iso(T0 + DAY), properties: { amount: 1 } }] },
    ]);
    await remove(gone);
    await catalog.update('Big Spenders', { expression: 'spend > 90' });
    await refreshAndCompare(T0 + 2 * DAY, before, cursors);
    expect(before.get('Recent Buyers')!.has(buyer.id)).toBe(true);

    // Time moves on: purchases leave the 7-day window, nothing else changes.
    await refreshAndCompare(T0 + 6 * DAY, before, cursors);
    const leftWindow = await catalog.changes('Recent Buyers', { since: new Date(T0 + 6 * DAY) });
    expect(leftWindow.changes.filter((c) => c.change === 'left').length).toBeGreaterThan(0);

    // Random edits, several rounds.
    const r = rng(99);
    for (let round = 0; round < 3; round++) {
      const now = T0 + (7 + round * 2) * DAY;
      const edits: P[] = [];
      for (const p of profiles.values()) if (r() < 0.15) edits.push(makeProfile(r, p.id, now));
      for (let i = 0; i < 5; i++) edits.push(makeProfile(r, `n${round}_${i}`, now));
      await store(edits);
      for (const p of [...profiles.values()]) if (r() < 0.02) await remove(p.id);
      await refreshAndCompare(now, before, cursors);
    }
    // Replaying a segment's whole history gives its members.
    const replay = new Set<string>();
    for (const c of (await allChanges('Gold or Recent')).changes) {
      if (c.change === 'entered') replay.add(c.profileId);
      else replay.delete(c.profileId);
    }
    expect(replay).toEqual(before.get('Gold or Recent'));
  });

  it('records a manual segment’s adds and removes as they are made, with the version', async () => {
    // A fresh list of people who exist (the rounds above deleted a few).
    const [a, b, c, d, e] = [...profiles.keys()].sort();
    await catalog.update('Hand Picked', { members: [a!, b!] });
    const head = await catalog.changesHead('Hand Picked');
    const v = (await catalog.get('Hand Picked')).version;
    await catalog.update('Hand Picked', { members: [b!, c!, d!] });
    const first = await catalog.changes('Hand Picked', { since: head });
    expect(first.changes.map((x) => [x.change, x.profileId, x.version])).toEqual([
      ['left', a, v + 1],
      ['entered', c, v + 1],
      ['entered', d, v + 1],
    ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))));
    const report = await catalog.importMembers('Hand Picked', `Profile ID\n${e}\n${c}\n`, { directory: await layoutDirectory(t.db) });
    expect(report.added).toBe(1);
    const second = await catalog.changes('Hand Picked', { since: first.cursor });
    expect(second.changes.map((x) => [x.change, x.profileId])).toEqual([['entered', e]]);
    // A refresh of a manual segment finds nothing new to record...
    const [run] = await catalog.refresh(['Hand Picked']);
    expect(run).toMatchObject({ entered: 0, left: 0, members: 4 });
    expect((await catalog.changes('Hand Picked', { since: second.cursor })).changes).toEqual([]);
    // ...until a member's profile is deleted: they leave it, as the engines evaluate it.
    await remove(d!);
    const [after] = await catalog.refresh(['Hand Picked']);
    expect(after).toMatchObject({ entered: 0, left: 1, members: 3 });
    expect(new Set(await catalog.recordedMembers('Hand Picked'))).toEqual(await inMemory('Hand Picked', T0));
  });

  it('records each change once when refreshes of one segment run at the same time', async () => {
    await catalog.refresh(['Big Spenders'], { now: new Date(T0 + 20 * DAY) });
    const head = await catalog.changesHead('Big Spenders');
    const flipped = [...profiles.values()].filter((p) => (p.spend ?? 0) <= 90).slice(0, 4);
    await store(flipped.map((p) => ({ ...p, spend: 500 })));
    // Four processes refresh the same segment at once, three times each.
    const children = Array.from({ length: 4 }, () => refresher(t.url, 'Big Spenders', iso(T0 + 20 * DAY), 3));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const runs = (await Promise.all(children.map((c) => c.outcome))).flat();
    // The runs queued: twelve consecutive numbers, and the change was recorded by exactly one of them.
    const numbers = runs.map((r) => r.run).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => numbers[0]! + i));
    expect(runs.reduce((n, r) => n + r.entered, 0)).toBe(4);
    expect(runs.reduce((n, r) => n + r.left, 0)).toBe(0);
    expect(runs.filter((r) => r.entered > 0)).toHaveLength(1);
    const recorded = await catalog.changes('Big Spenders', { since: head });
    expect(ids(recorded.changes)).toEqual(flipped.map((p) => p.id).sort());
    expect(new Set(await catalog.recordedMembers('Big Spenders', { limit: 100_000 }))).toEqual(await inMemory('Big Spenders', T0 + 20 * DAY));
  });

  it('leaves nothing half-written when a refresh fails between evaluating and recording', async () => {
    const head = await catalog.changesHead('Big Spenders');
    const runsBefore = await catalog.runs('Big Spenders', 1000);
    const membersBefore = await catalog.recordedMembers('Big Spenders', { limit: 100_000 });
    const changed = [...profiles.values()].filter((p) => (p.spend ?? 0) > 90).slice(0, 3);
    await store(changed.map((p) => ({ ...p, spend: 0 })));
    const crash = catalog.refresh(['Big Spenders'], { now: new Date(T0 + 21 * DAY), faults: { afterChanges: () => { throw new Error('power cut'); } } });
    await expect(crash).rejects.toThrow('power cut');
    expect(await catalog.changesHead('Big Spenders')).toBe(head);
    expect(await catalog.runs('Big Spenders', 1000)).toEqual(runsBefore);
    expect(await catalog.recordedMembers('Big Spenders', { limit: 100_000 })).toEqual(membersBefore);
    expect((await catalog.changes('Big Spenders', { since: head })).changes).toEqual([]);
    // The next refresh records the change, once.
    await catalog.refresh(['Big Spenders'], { now: new Date(T0 + 21 * DAY) });
    const after = await catalog.changes('Big Spenders', { since: head });
    expect(after.changes.map((c) => [c.change, c.profileId])).toEqual(changed.map((p) => ['left', p.id]).sort());
  });

  it('deletes history older than the retention time, and says so to a reader whose cursor is older', async () => {
    const short = await SegmentCatalog.open(t.db, { historyRetention: 3 * DAY });
    const old = await catalog.changesHead('Tagged VIP');
    await store([{ ...profiles.get('u020')!, tags: ['vip'] }, { ...profiles.get('u021')!, tags: ['vip'] }]);
    await short.refresh(['Tagged VIP'], { now: new Date(T0 + 30 * DAY) });
    const kept = await short.changesHead('Tagged VIP');
    await short.refresh(['Tagged VIP'], { now: new Date(T0 + 40 * DAY) });
    const runs = await short.runs('Tagged VIP', 1000);
    expect(runs.map((r) => r.at.getTime())).toEqual([T0 + 40 * DAY]);
    await expectError(short.changes('Tagged VIP', { since: old }), 'cursor-expired');
    // A reader who had read everything before the deletion misses nothing.
    expect((await short.changes('Tagged VIP', { since: kept })).changes).toEqual([]);
  });

  it('refuses bad cursors and instants with a clear error', async () => {
    await expectError(catalog.changes('Big Spenders', { since: 'yesterday' }), 'invalid-option');
    await expectError(catalog.changes('Big Spenders', { since: 'seg999999.1' }), 'invalid-cursor');
    const id = (await catalog.get('Big Spenders')).id;
    await expectError(catalog.changes('Big Spenders', { since: `seg${id}.999999` }), 'invalid-cursor');
    await expectError(catalog.changes('Big Spenderz'), 'segment-not-found');
  });

  it('deletes a segment’s history with it', async () => {
    await catalog.create({ name: 'Short Lived', expression: 'spend > 1' });
    const [run] = await catalog.refresh(['Short Lived']);
    expect(run!.entered).toBeGreaterThan(0);
    const id = run!.segmentId;
    await catalog.delete('Short Lived');
    for (const table of ['seg_changes', 'seg_runs', 'seg_membership', 'seg_membership_state']) {
      expect(Number((await t.db(table).where({ segment_id: id }).count({ n: '*' }))[0]!.n)).toBe(0);
    }
  });
});
