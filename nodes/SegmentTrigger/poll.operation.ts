/**
 * Segment Trigger's poll: for each chosen saved segment, re-evaluate it (the catalogue records who
 * entered and left since its previous evaluation, in the database), then read the recorded changes
 * after this workflow's cursor and emit one item per person and change. The cursors live in the
 * node's static data, which n8n saves with the workflow once the poll's items are emitted, so a
 * restart resumes after the last change emitted: no change is emitted twice or skipped.
 *
 * The first poll of a segment (no cursor yet) either starts at the head of its changes or emits its
 * current members once, spread over polls when there are more than the poll's max items. When the
 * changes since the cursor were deleted (older than the kept history: `cursor-expired`), the trigger
 * continues from now, emits the current members again, or fails, as the user chose. A manual run (the editor's "Fetch Test Event") shows a sample, the latest
 * recorded changes or else a few members, and moves no cursor.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { formatChangeCursor, profilesById, SegmentCatalog } from 'n8n-nodes-segments/server';
import type { Knex } from 'knex';
import { asCredential, withDatabase } from '../shared/database';
import { errorCode, nodeError } from '../shared/errors';
import { CREDENTIAL_NAME } from '../shared/methods';
import { segmentIds } from '../shared/segments';

interface TriggerOptions {
  refresh?: boolean;
  includeProfile?: boolean;
  maxItems?: number;
  onExpiredCursor?: 'now' | 'members' | 'error';
}

/** Why the current members are being emitted. */
type Snapshot = 'firstPoll' | 'cursorExpired';

/**
 * What the workflow keeps between polls (n8n's static data), per segment id: the change cursor, and
 * while the current members are still being emitted (more of them than one poll's max items), the
 * last member id emitted (null before the first) and why.
 */
interface TriggerState {
  cursors?: Record<string, string>;
  backlog?: Record<string, { after: string | null; reason: Snapshot }>;
}

interface Change {
  segment: string;
  segmentId: number;
  profileId: string;
  change: 'entered' | 'left';
  at: string;
  version: number;
  firstPoll?: boolean;
  cursorExpired?: boolean;
}

const SAMPLE_SIZE = 5;
const PAGE = 1000;

export async function poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
  const node = this.getNode();
  const ids = segmentIds(this.getNodeParameter('segments', []) as unknown, node);
  const event = this.getNodeParameter('event', 'entered') as 'entered' | 'left' | 'both';
  const firstPoll = this.getNodeParameter('firstPoll', 'changes') as 'changes' | 'members';
  const options = this.getNodeParameter('options', {}) as TriggerOptions;
  const only = event === 'both' ? undefined : event;
  const manual = this.getMode() === 'manual';
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const data = this.getWorkflowStaticData('node') as TriggerState;
  const state: Required<TriggerState> = { cursors: { ...(data.cursors ?? {}) }, backlog: { ...(data.backlog ?? {}) } };
  const reader = { only, budget: Math.max(1, Math.floor(options.maxItems ?? 10_000)), changes: [] as Change[] };
  const logger = this.logger;

  let profiles = new Map<string, Record<string, unknown>>();
  try {
    await withDatabase(credential, async (db) => {
      const catalog = await SegmentCatalog.open(db);
      for (const id of ids) {
        const record = await catalog.get(id);
        if (options.refresh !== false && record.kind === 'dynamic') await catalog.refresh([record.id]);
        const key = String(record.id);
        if (manual) {
          reader.changes.push(...(await sample(catalog, record.id, record.name, only)));
          continue;
        }
        if (state.cursors[key] === undefined) {
          state.cursors[key] = await catalog.changesHead(record.id);
          if (firstPoll === 'members' && only !== 'left') state.backlog[key] = { after: null, reason: 'firstPoll' };
        }
        try {
          await readSegment(catalog, record, state, reader);
        } catch (error) {
          if (errorCode(error) !== 'cursor-expired') throw nodeError(node, error);
          if (options.onExpiredCursor === 'error') {
            const failure = nodeError(node, error, undefined, record.name);
            failure.description = `${failure.description ?? ''}\n\nSet Options › When Changes Were Deleted to continue from now or to emit the current members.`;
            throw failure;
          }
          // The changes after this workflow's cursor were deleted (older than the kept history).
          const emit = options.onExpiredCursor === 'members' && only !== 'left';
          logger.warn(`Segment Trigger: the changes of "${record.name}" since the last poll were deleted (older than the kept history); ${emit ? 'emitting its current members' : 'continuing from now'}`);
          state.cursors[key] = await catalog.changesHead(record.id);
          delete state.backlog[key];
          if (emit) state.backlog[key] = { after: null, reason: 'cursorExpired' };
          await readSegment(catalog, record, state, reader);
        }
      }
      if (manual) reader.changes = reader.changes.slice(0, SAMPLE_SIZE * Math.max(1, ids.length));
      if (options.includeProfile !== false) profiles = await profilesById(db as Knex, [...new Set(reader.changes.map((c) => c.profileId))]);
    });
  } catch (error) {
    throw nodeError(node, error);
  }
  if (!manual) {
    data.cursors = state.cursors;
    if (Object.keys(state.backlog).length > 0) data.backlog = state.backlog;
    else delete data.backlog;
  }
  if (reader.changes.length === 0) return null;
  const items = reader.changes.map((c): INodeExecutionData => {
    const json: IDataObject = { ...c };
    if (options.includeProfile !== false) json.profile = (profiles.get(c.profileId) ?? null) as IDataObject | null;
    return { json };
  });
  return [items];
}

interface Reader {
  only: 'entered' | 'left' | undefined;
  /** How many more items this poll may emit. */
  budget: number;
  changes: Change[];
}

/**
 * Emits a segment's changes after the cursor, then (while its current members are being emitted)
 * the next members in id order, within the poll's budget. Each person comes out consistently: the
 * members emitted so far (ids up to `after`) get every change after the cursor; the others are not
 * emitted yet, and when their turn comes they come out as members at that moment, their earlier
 * changes being part of that state. So a backlog spread over polls neither repeats nor skips anyone.
 */
async function readSegment(catalog: SegmentCatalog, record: { id: number; name: string; version: number }, state: Required<TriggerState>, reader: Reader): Promise<void> {
  const key = String(record.id);
  const emit = (c: Omit<Change, 'segment' | 'segmentId'>) => reader.changes.push({ segment: record.name, segmentId: record.id, ...c });
  for (;;) {
    const pending = state.backlog[key];
    if (pending?.after === null) state.cursors[key] = await catalog.changesHead(record.id); // no one emitted yet: no change concerns them
    else {
      while (reader.budget > 0) {
        const page = await catalog.changes(record.id, { since: state.cursors[key], change: reader.only, limit: Math.min(reader.budget, PAGE), upTo: pending?.after ?? undefined });
        for (const c of page.changes) emit({ profileId: c.profileId, change: c.change, at: c.at.toISOString(), version: c.version });
        reader.budget -= page.changes.length;
        state.cursors[key] = page.cursor;
        if (!page.more) break;
      }
    }
    if (pending === undefined || reader.budget === 0) return;
    // The cursor is the head: the members recorded now are the state the changes so far lead to.
    const members = await catalog.recordedMembers(record.id, { afterId: pending.after ?? undefined, limit: Math.min(reader.budget, PAGE) });
    if ((await catalog.changesHead(record.id)) !== state.cursors[key]) continue; // a refresh ran in between: read its changes first
    const at = new Date().toISOString();
    for (const profileId of members) emit({ profileId, change: 'entered', at, version: record.version, [pending.reason]: true });
    reader.budget -= members.length;
    if (members.length < Math.min(reader.budget + members.length, PAGE)) {
      delete state.backlog[key];
      return;
    }
    state.backlog[key] = { after: members[members.length - 1]!, reason: pending.reason };
  }
}

/** A few of the latest changes, or else a few members: what the editor shows when the node is tested. */
async function sample(catalog: SegmentCatalog, id: number, name: string, only: 'entered' | 'left' | undefined): Promise<Change[]> {
  const runs = await catalog.runs(id, 50);
  const out: Change[] = [];
  for (const run of runs) {
    if (out.length >= SAMPLE_SIZE) break;
    if ((only === 'left' ? run.left : only === 'entered' ? run.entered : run.entered + run.left) === 0) continue;
    const from = run.run > 1 ? formatChangeCursor({ segmentId: id, seq: run.run - 1, profileId: null }) : undefined;
    const page = await catalog.changes(id, { since: from, change: only, limit: SAMPLE_SIZE - out.length });
    for (const c of page.changes) out.push({ segment: name, segmentId: id, profileId: c.profileId, change: c.change, at: c.at.toISOString(), version: c.version });
  }
  if (out.length > 0 || only === 'left') return out;
  const record = await catalog.get(id);
  return (await catalog.recordedMembers(id, { limit: SAMPLE_SIZE })).map((profileId) => ({ segment: name, segmentId: id, profileId, change: 'entered', at: new Date().toISOString(), version: record.version }));
}
