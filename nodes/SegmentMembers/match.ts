/**
 * The people the items name: each item's identifier normalised (emails case-folded, phones to E.164
 * with libphonenumber-js through the core) and looked up among the stored profiles in one batch.
 * Items whose value is not an identifier, or that match no profile, are reported with the reason.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { layoutDirectory, normaliseContact, SegmentCatalog, type MatchKey } from 'n8n-nodes-segments/server';
import { asCredential, withDatabase } from '../shared/database';
import { nodeError } from '../shared/errors';
import { CREDENTIAL_NAME } from '../shared/methods';

export interface Matched {
  index: number;
  /** The profile ids the item's identifier belongs to (an email may be shared). */
  profileIds: string[];
}

export interface Unmatched {
  index: number;
  value: string;
  reason: string;
}

/**
 * Reads the parameters, matches every item, and runs `change` with the catalogue and the matched
 * profile ids; returns the Done and No Profile outputs.
 */
export async function withMatchedItems(
  this: IExecuteFunctions,
  change: (catalog: SegmentCatalog, ref: number | string, ids: string[]) => Promise<{ segment: string; changed: Set<string>; verb: string; unchangedVerb: string }>,
): Promise<INodeExecutionData[][]> {
  const node = this.getNode();
  const items = this.getInputData();
  const key = this.getNodeParameter('matchBy', 0) as MatchKey;
  const options = this.getNodeParameter('options', 0, {}) as { defaultCountry?: string };
  const ref = String(this.getNodeParameter('segment', 0, '', { extractValue: true }));
  const wanted: { index: number; value: string; normal: string }[] = [];
  const unmatched: Unmatched[] = [];
  for (let i = 0; i < items.length; i++) {
    const raw = this.getNodeParameter('value', i, '') as unknown;
    const value = raw === null || raw === undefined ? '' : String(raw);
    const normal = normaliseContact(key, value, { defaultCountry: options.defaultCountry || undefined });
    if ('reason' in normal) unmatched.push({ index: i, value, reason: normal.reason });
    else wanted.push({ index: i, value, normal: normal.value });
  }
  const matched: Matched[] = [];
  let outcome: Awaited<ReturnType<typeof change>> | undefined;
  try {
    await withDatabase(asCredential(await this.getCredentials(CREDENTIAL_NAME)), async (db) => {
      const catalog = await SegmentCatalog.open(db);
      const directory = await layoutDirectory(db);
      const found = await directory.lookup(key, [...new Set(wanted.map((w) => w.normal))]);
      for (const w of wanted) {
        const ids = found.get(w.normal);
        if (ids === undefined || ids.length === 0) unmatched.push({ index: w.index, value: w.value, reason: `no profile has the ${label(key)} ${JSON.stringify(w.normal)}` });
        else matched.push({ index: w.index, profileIds: ids });
      }
      outcome = await change(catalog, /^\d+$/.test(ref) ? Number(ref) : ref, [...new Set(matched.flatMap((m) => m.profileIds))]);
    });
  } catch (error) {
    const failure = nodeError(node, error);
    if (!this.continueOnFail()) throw failure;
    return [items.map((item, i) => ({ json: { ...item.json, error: { message: failure.message, description: failure.description ?? undefined } }, pairedItem: { item: i } })), []];
  }
  const done: INodeExecutionData[] = matched
    .sort((a, b) => a.index - b.index)
    .map((m) => {
      const changed = m.profileIds.some((id) => outcome!.changed.has(id));
      const membership: IDataObject = { segment: outcome!.segment, profileIds: m.profileIds, status: changed ? outcome!.verb : outcome!.unchangedVerb };
      return { json: { ...items[m.index]!.json, membership }, pairedItem: { item: m.index } };
    });
  const noProfile: INodeExecutionData[] = unmatched
    .sort((a, b) => a.index - b.index)
    .map((u) => ({ json: { ...items[u.index]!.json, membership: { segment: outcome!.segment, status: 'noProfile', value: u.value, reason: u.reason } }, pairedItem: { item: u.index } }));
  return [done, noProfile];
}

function label(key: MatchKey): string {
  return { profile_id: 'profile ID', custom_id: 'custom ID', email: 'email', phone: 'phone number' }[key];
}
