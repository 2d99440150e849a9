/**
 * Segment Trigger's poll: for each chosen saved segment, re-evaluate it (the catalogue records who
 * entered and left since its previous evaluation, in the database), then read the recorded changes
 * after this workflow's cursor and emit one item per person and change. The cursors live in the
 * node's static data, which n8n saves with the workflow once the poll's items are emitted, so a
 * restart resumes after the last change emitted: no change is emitted twice or skipped.
 *
 * The first poll of a segment (no cursor yet) either starts at the head of its changes or emits its
 * current members once. A manual run (the editor's "Fetch Test Event") shows a sample, the latest
 * recorded changes or else a few members, and moves no cursor.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { formatChangeCursor, profilesById, SegmentCatalog } from 'n8n-nodes-segments/server';
import type { Knex } from 'knex';
import { asCredential, withDatabase } from '../shared/database';
import { nodeError } from '../shared/errors';
import { CREDENTIAL_NAME } from '../shared/methods';
import { segmentIds } from '../shared/segments';

interface TriggerOptions {
  refresh?: boolean;
  includeProfile?: boolean;
  maxItems?: number;
}

interface Cursors {
  cursors?: Record<string, string>;
}

interface Change {
  segment: string;
  segmentId: number;
  profileId: string;
  change: 'entered' | 'left';
  at: string;
  version: number;
  firstPoll?: boolean;
}

const SAMPLE_SIZE = 5;

export async function poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
  const node = this.getNode();
  const ids = segmentIds(this.getNodeParameter('segments', []) as unknown, node);
  const event = this.getNodeParameter('event', 'entered') as 'entered' | 'left' | 'both';
  const firstPoll = this.getNodeParameter('firstPoll', 'changes') as 'changes' | 'members';
  const options = this.getNodeParameter('options', {}) as TriggerOptions;
  const only = event === 'both' ? undefined : event;
  const manual = this.getMode() === 'manual';
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const data = this.getWorkflowStaticData('node') as Cursors;
  const cursors: Record<string, string> = { ...(data.cursors ?? {}) };
  let budget = Math.max(1, Math.floor(options.maxItems ?? 10_000));

  let changes: Change[] = [];
  let profiles = new Map<string, Record<string, unknown>>();
  try {
    await withDatabase(credential, async (db) => {
      const catalog = await SegmentCatalog.open(db);
      for (const id of ids) {
        const record = await catalog.get(id);
        if (options.refresh !== false && record.kind === 'dynamic') await catalog.refresh([record.id]);
        const key = String(record.id);
        if (manual) {
          changes.push(...(await sample(catalog, record.id, record.name, only)));
          continue;
        }
        if (cursors[key] === undefined) {
          if (firstPoll === 'members' && only !== 'left') {
            const { members, head } = await currentMembers(catalog, record.id);
            const at = new Date().toISOString();
            changes.push(...members.map((profileId) => ({ segment: record.name, segmentId: record.id, profileId, change: 'entered' as const, at, version: record.version, firstPoll: true })));
            cursors[key] = head;
          } else {
            cursors[key] = await catalog.changesHead(record.id);
          }
          continue;
        }
        let since = cursors[key];
        while (budget > 0) {
          const page = await catalog.changes(record.id, { since, change: only, limit: Math.min(budget, 1000) });
          for (const c of page.changes) changes.push({ segment: record.name, segmentId: record.id, profileId: c.profileId, change: c.change, at: c.at.toISOString(), version: c.version });
          budget -= page.changes.length;
          since = page.cursor;
          if (!page.more) break;
        }
        cursors[key] = since;
      }
      if (manual) changes = changes.slice(0, SAMPLE_SIZE * Math.max(1, ids.length));
      if (options.includeProfile !== false) profiles = await profilesById(db as Knex, [...new Set(changes.map((c) => c.profileId))]);
    });
  } catch (error) {
    throw nodeError(node, error);
  }
  if (!manual) data.cursors = cursors;
  if (changes.length === 0) return null;
  const items = changes.map((c): INodeExecutionData => {
    const json: IDataObject = { ...c };
    if (options.includeProfile !== false) json.profile = (profiles.get(c.profileId) ?? null) as IDataObject | null;
    return { json };
  });
  return [items];
}

/** The recorded members and the head cursor they go with (read again if a refresh ran in between). */
async function currentMembers(catalog: SegmentCatalog, id: number): Promise<{ members: string[]; head: string }> {
  for (;;) {
    const head = await catalog.changesHead(id);
    const members: string[] = [];
    for (let afterId: string | undefined; ; ) {
      const page = await catalog.recordedMembers(id, { afterId, limit: 5000 });
      members.push(...page);
      if (page.length < 5000) break;
      afterId = page[page.length - 1];
    }
    if ((await catalog.changesHead(id)) === head) return { members, head };
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
