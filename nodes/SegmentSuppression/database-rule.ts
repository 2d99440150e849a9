/**
 * The global rule with counts computed from the events the credential's database holds: the items
 * are matched to stored profiles (by profile ID, email case-folded, or phone in E.164), and the rule
 * `event("<received>").count() >= N and event("<clicked>").count() = 0` is pushed down as the core's
 * SQL, asked only for the matched profiles. No SQL is written here.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INode, type INodeExecutionData } from 'n8n-workflow';
import { layoutDirectory, normaliseContact, prepareSegment, profileIds, readLayout, type MatchKey } from 'n8n-nodes-segments/server';
import type { Knex } from 'knex';
import { credentialOf, withDatabase } from '../shared/database';
import { nodeError } from '../shared/errors';
import { readPath } from '../shared/profiles';

export interface DatabaseRuleFields {
  emailField: string;
  phoneField: string;
  idField: string;
  defaultCountry: string;
}

/** One rule as the parameters give it for an item (they may differ per item through n8n expressions). */
interface Rule {
  threshold: number;
  messageEvent: string;
  clickEvent: string;
}

/** Identifiers looked up per query (well under every driver's limit of bound values). */
const LOOKUP_BATCH = 1000;

/**
 * The reason each item is suppressed by the global rule (absent: kept). Items whose identifier is
 * missing or matches no profile have received nothing the database knows of, so they are kept.
 */
export async function databaseRule(
  this: IExecuteFunctions,
  items: INodeExecutionData[],
  ruleFor: (i: number) => Rule,
  fields: DatabaseRuleFields,
): Promise<Map<number, IDataObject>> {
  const node = this.getNode();
  if (items.length === 0) return new Map();
  const matchBy = this.getNodeParameter('matchBy', 0, 'profile_id') as MatchKey;
  const path = matchBy === 'email' ? fields.emailField : matchBy === 'phone' ? fields.phoneField : fields.idField;
  // Each item's identifier in its matching form, and the items of each distinct rule.
  const keyOf: (string | undefined)[] = [];
  const groups = new Map<string, { rule: Rule; items: number[] }>();
  for (let i = 0; i < items.length; i++) {
    const raw = readPath(items[i]!.json, path);
    const normal = typeof raw === 'string' || typeof raw === 'number' ? normaliseContact(matchBy, String(raw), { defaultCountry: fields.defaultCountry || undefined }) : undefined;
    keyOf.push(normal !== undefined && 'value' in normal ? normal.value : undefined);
    const rule = checkedRule(node, ruleFor(i), i);
    const id = JSON.stringify([rule.threshold, rule.messageEvent.toLowerCase(), rule.clickEvent.toLowerCase()]);
    const group = groups.get(id) ?? { rule, items: [] };
    group.items.push(i);
    groups.set(id, group);
  }

  const reasons = new Map<number, IDataObject>();
  try {
    await withDatabase(await credentialOf(this, 'Counting messages and clicks from the database'), async (db) => {
      const events = await storedEvents(db);
      const idsOf = await profilesOf(db, matchBy, keyOf);
      for (const { rule, items: members } of groups.values()) {
        for (const [parameter, name] of [['Message Event', rule.messageEvent], ['Click Event', rule.clickEvent]] as const) {
          if (!events.has(name.toLowerCase())) throw noSuchEvent(node, parameter, name, [...events.values()], members[0]!);
        }
        const text = `event(${JSON.stringify(rule.messageEvent)}).count() >= ${rule.threshold} and event(${JSON.stringify(rule.clickEvent)}).count() = 0`;
        const segment = await prepareSegment(db, text, { origin: 'the global suppression rule' });
        const candidates = members.flatMap((i) => idsOf.get(keyOf[i]!) ?? []);
        const suppressed = new Set(await profileIds(db, segment, candidates));
        for (const i of members) {
          const ids = (idsOf.get(keyOf[i]!) ?? []).filter((id) => suppressed.has(id));
          if (ids.length > 0) reasons.set(i, { rule: 'global', threshold: rule.threshold, messageEvent: rule.messageEvent, clickEvent: rule.clickEvent, countsFrom: 'database', profileIds: ids });
        }
      }
    });
  } catch (error) {
    throw nodeError(node, error);
  }
  return reasons;
}

function checkedRule(node: INode, rule: Rule, itemIndex: number): Rule {
  const threshold = Number(rule.threshold);
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new NodeOperationError(node, `the threshold must be a whole number of messages, at least 1 (got ${JSON.stringify(rule.threshold)})`, { itemIndex, description: 'Set Threshold (Messages) to how many messages a contact may receive without clicking' });
  }
  for (const [parameter, name] of [['Message Event', rule.messageEvent], ['Click Event', rule.clickEvent]] as const) {
    if (typeof name !== 'string' || name.trim() === '') throw new NodeOperationError(node, `${parameter} is empty`, { itemIndex, description: `Name the event the database records for each ${parameter === 'Message Event' ? 'message received' : 'click'}` });
  }
  return { threshold, messageEvent: rule.messageEvent.trim(), clickEvent: rule.clickEvent.trim() };
}

/** The events the database holds (lower-cased name → name as stored), from its layout's schema. */
async function storedEvents(db: Knex): Promise<Map<string, string>> {
  const layout = await readLayout(db);
  if (layout === undefined) throw new Error('the database has no profiles to count messages for: import profiles and their events first');
  return new Map(Object.keys(layout.schema.events ?? {}).map((name) => [name.toLowerCase(), name]));
}

function noSuchEvent(node: INode, parameter: string, name: string, known: string[], itemIndex: number): NodeOperationError {
  const list = known.length === 0 ? 'It holds no events at all: import the profiles with their events, or count from item fields' : `Its events: ${known.map((k) => JSON.stringify(k)).join(', ')}`;
  return new NodeOperationError(node, `the database has no ${JSON.stringify(name)} events`, { itemIndex, description: `${parameter} names an event the database does not hold. ${list}.` });
}

/** Matching form of an identifier → the stored profiles that have it (profile IDs are checked by the rule's query itself). */
async function profilesOf(db: Knex, key: MatchKey, keyOf: readonly (string | undefined)[]): Promise<Map<string, string[]>> {
  const values = [...new Set(keyOf.filter((k): k is string => k !== undefined))];
  if (key === 'profile_id') return new Map(values.map((v) => [v, [v]]));
  const directory = await layoutDirectory(db);
  const out = new Map<string, string[]>();
  for (let i = 0; i < values.length; i += LOOKUP_BATCH) for (const [value, ids] of await directory.lookup(key, values.slice(i, i + LOOKUP_BATCH))) out.set(value, ids);
  return out;
}
