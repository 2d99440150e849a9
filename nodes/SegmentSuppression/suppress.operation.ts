/**
 * Suppression: the seeds' global suppression (at least N messages received and never a click) and
 * suppression lists (opt-outs, bounces, do-not-contact) from the second input, a saved manual
 * segment or a table of the credential's database (read by the server entry's `readContactTable`).
 * The rule's counts are read from item fields, counted from each item's events, or computed from
 * the events in the credential's database (`database-rule.ts`).
 * Emails are case-folded and phones normalised to E.164 (libphonenumber-js, with a default country)
 * on both sides before matching. Kept items go to the first output, suppressed ones to the
 * second with `suppressed: { rule, … }` saying why.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { normaliseContact, readContactTable, SegmentCatalog } from 'n8n-nodes-segments/server';
import { credentialOf, withDatabase } from '../shared/database';
import { nodeError } from '../shared/errors';
import { perItem } from '../shared/parameters';
import { readPath } from '../shared/profiles';
import { databaseRule } from './database-rule';
import { ListMatcher } from './matcher';

interface Options {
  defaultCountry?: string;
  emailField?: string;
  phoneField?: string;
  idField?: string;
}

/** The matching forms of a contact: `email:…`, `phone:+…`, `id:…`. */
function keysOf(json: IDataObject, o: Required<Options>): string[] {
  return contactKeys(readPath(json, o.emailField), readPath(json, o.phoneField), o);
}

function contactKeys(email: unknown, phone: unknown, o: Required<Options>): string[] {
  const keys: string[] = [];
  if (typeof email === 'string') {
    const n = normaliseContact('email', email);
    if ('value' in n) keys.push(`email:${n.value}`);
  }
  if (typeof phone === 'string' || typeof phone === 'number') {
    const n = normaliseContact('phone', String(phone), { defaultCountry: o.defaultCountry || undefined });
    if ('value' in n) keys.push(`phone:${n.value}`);
  }
  return keys;
}

function count(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const node = this.getNode();
  const items = this.getInputData(0);
  const raw = this.getNodeParameter('options', 0, {}) as Options;
  const o: Required<Options> = { defaultCountry: raw.defaultCountry ?? '', emailField: raw.emailField || 'email', phoneField: raw.phoneField || 'phone', idField: raw.idField || 'id' };
  const globalRule = this.getNodeParameter('globalRule', 0) as boolean;
  const listSource = this.getNodeParameter('listSource', 0) as 'none' | 'input' | 'segment' | 'table';

  // The list: contact keys (email/phone) from the second input, or profile ids of a manual segment.
  const listed = new Map<string, string>();
  if (listSource === 'input') {
    const listName = (this.getNodeParameter('listName', 0, '') as string) || 'suppression list';
    const list = (() => {
      try {
        return this.getInputData(1);
      } catch {
        return [];
      }
    })();
    for (const entry of list) for (const key of keysOf(entry.json, o)) listed.set(key, listName);
  } else if (listSource === 'segment') {
    try {
      await withDatabase(await credentialOf(this, 'A saved manual segment as the suppression list'), async (db) => {
        const ref = Number(this.getNodeParameter('segment', 0, '', { extractValue: true }));
        const catalog = await SegmentCatalog.open(db);
        const record = await catalog.get(ref);
        for (const id of await catalog.members(ref)) listed.set(`id:${id}`, record.name);
      });
    } catch (error) {
      throw nodeError(node, error);
    }
  } else if (listSource === 'table') {
    const table = this.getNodeParameter('table', 0) as string;
    const spec = { table, email: this.getNodeParameter('emailColumn', 0, '') as string, phone: this.getNodeParameter('phoneColumn', 0, '') as string, id: this.getNodeParameter('idColumn', 0, '') as string };
    try {
      const rows = await withDatabase(await credentialOf(this, 'A database table as the suppression list'), (db) => readContactTable(db, spec));
      const name = table.trim();
      for (const row of rows) {
        for (const key of contactKeys(row.email, row.phone, o)) listed.set(key, name);
        if (row.id !== undefined) listed.set(`id:${row.id}`, name);
      }
    } catch (error) {
      throw nodeError(node, error, undefined, `the suppression table ${JSON.stringify(table)}`);
    }
  }

  const rule = globalRule ? await ruleReader(this, items, o) : undefined;
  const matcher = new ListMatcher(listed, o);

  const kept: INodeExecutionData[] = [];
  const suppressed: INodeExecutionData[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      const json = item.json;
      const onList = matcher.match(json);
      const reason: IDataObject | undefined = onList ? { rule: 'list', ...onList } : rule ? rule(json, i) : undefined;
      if (reason === undefined) kept.push({ json, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: i } });
      else suppressed.push({ json: { ...json, suppressed: reason }, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: i } });
    } catch (error) {
      const failure = nodeError(node, error, i);
      if (!this.continueOnFail()) throw failure;
      kept.push({ json: { ...item.json, error: { message: failure.message } }, pairedItem: { item: i } });
    }
  }
  return [kept, suppressed];
}

/**
 * The global rule, its parameters read once unless they hold n8n expressions. Counts from the
 * database are computed for every item before any is routed (one query per batch of profiles).
 */
async function ruleReader(context: IExecuteFunctions, items: INodeExecutionData[], o: Required<Options>): Promise<(json: IDataObject, i: number) => IDataObject | undefined> {
  const thresholdOf = perItem<number>(context, 'threshold');
  const countsFromOf = perItem<'fields' | 'events' | 'database'>(context, 'countsFrom');
  const messagesFieldOf = perItem<string>(context, 'messagesField', 'sent_count');
  const clicksFieldOf = perItem<string>(context, 'clicksField', 'clicks_count');
  const messageEventOf = perItem<string>(context, 'messageEvent', 'message_received');
  const clickEventOf = perItem<string>(context, 'clickEvent', 'clicked');
  if (countsFromOf(0) === 'database') {
    const reasons = await databaseRule.call(context, items, (i) => ({ threshold: thresholdOf(i), messageEvent: messageEventOf(i), clickEvent: clickEventOf(i) }), o);
    return (_json, i) => reasons.get(i);
  }
  return (json, i) => {
    const threshold = thresholdOf(i);
    let messages: number;
    let clicks: number;
    if (countsFromOf(i) === 'fields') {
      messages = count(readPath(json, messagesFieldOf(i)));
      clicks = count(readPath(json, clicksFieldOf(i)));
    } else {
      const messageEvent = messageEventOf(i).toLowerCase();
      const clickEvent = clickEventOf(i).toLowerCase();
      const events = Array.isArray(json.events) ? (json.events as IDataObject[]) : [];
      messages = 0;
      clicks = 0;
      for (const e of events) {
        const name = String(e?.event ?? '').toLowerCase();
        if (name === messageEvent) messages++;
        else if (name === clickEvent) clicks++;
      }
    }
    if (messages >= threshold && clicks === 0) return { rule: 'global', messages, clicks, threshold };
    return undefined;
  };
}
