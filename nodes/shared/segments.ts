/**
 * The segment a node runs, compiled once per distinct text per execution: typed in the language
 * (the parameter may differ per item through n8n expressions) or a saved segment of the catalogue
 * (run as `in_segment("name")` against the definitions it reaches, so manual segments work too).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INode, type INodeExecutionData } from 'n8n-workflow';
import { compileSegment, type CompiledSegment, type Schema, type SegmentDefinition } from 'n8n-nodes-segments';
import { inferSchema } from 'n8n-nodes-segments/schema';
import { readLayout, SegmentCatalog } from 'n8n-nodes-segments/server';
import type { Knex } from 'knex';
import { asCredential, withDatabase } from './database';
import { nodeError } from './errors';
import { hasExpression, perItem } from './parameters';
import { CREDENTIAL_NAME } from './methods';
import { asProfile, loosened, profileReader, type FieldMapping } from './profiles';

export interface ProfileOptions {
  mapping?: { fields?: FieldMapping[] };
  schema?: 'none' | 'infer' | 'database';
  timeZone?: string;
  now?: string;
  looseTypes?: boolean;
}

/** Everything a node needs to test items against segments in one execution. */
export interface SegmentRunner {
  /** The compiled segment for an item (throws a NodeOperationError carrying the item index). */
  segmentFor(itemIndex: number): CompiledSegment;
  read: ReturnType<typeof profileReader>;
  /**
   * When one valid segment serves every item (the text holds no n8n expression): the test of an
   * item's JSON, to call in the item loop instead of `segmentFor` and `read`. The loop then calls
   * one function per item, and V8's optimised code for it does not depend on closures made for
   * this run (which die after it, and whose death would throw that code away every execution).
   */
  uniform?: (json: IDataObject) => boolean;
}

function quote(name: string): string {
  return JSON.stringify(name);
}

/**
 * Reads the parameters, loads what the database must give (saved segments, the schema) once, and
 * compiles every distinct segment text before any item is routed: an invalid segment fails the
 * node (or, with continue-on-fail, only the items that use it).
 */
export async function prepareSegments(this: IExecuteFunctions, items: INodeExecutionData[], options: ProfileOptions, failFast = !this.continueOnFail()): Promise<SegmentRunner> {
  const node = this.getNode();
  const source = this.getNodeParameter('source', 0) as 'expression' | 'saved' | 'savedMany';
  let definitions: SegmentDefinition[] | undefined;
  let savedText: string | undefined;
  let schema: Schema | undefined;
  const needsDatabase = source !== 'expression' || options.schema === 'database';
  if (needsDatabase) {
    if (!node.credentials?.[CREDENTIAL_NAME]) {
      const what = source === 'saved' ? 'A saved segment' : source === 'savedMany' ? 'Saved segments' : "The database's schema";
      throw new NodeOperationError(node, `${what} needs a Segments Database API credential`, { description: 'Choose the credential of the database that holds the profiles and the saved segments, or write the segment here with another schema option' });
    }
    const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
    try {
      await withDatabase(credential, async (db) => {
        if (source === 'saved') {
          const ref = this.getNodeParameter('segment', 0, '', { extractValue: true }) as string;
          const catalog = await SegmentCatalog.open(db);
          const record = await catalog.get(/^\d+$/.test(String(ref)) ? Number(ref) : String(ref));
          definitions = await catalog.definitions({ reachableFrom: record.id });
          savedText = `in_segment(${quote(record.name)})`;
        }
        if (source === 'savedMany') {
          const audience = await savedAudience(db, this.getNodeParameter('segments', 0, []), node);
          definitions = audience.definitions;
          savedText = audience.expression;
        }
        if (options.schema === 'database') {
          const layout = await readLayout(db);
          if (layout === undefined) throw new Error('the database has no profile layout to read a schema from: import profiles with `segment import` first, or choose another schema option');
          schema = layout.schema;
        }
      });
    } catch (error) {
      throw nodeError(node, error);
    }
  }
  if (options.schema === 'infer') {
    const sample = items.slice(0, 10_000).map((item) => item.json);
    schema = inferSchema(options.looseTypes ? sample.map((json) => loosened(json) as IDataObject) : sample);
  }
  const timeZone = options.timeZone || this.getTimezone();
  const now = options.now || undefined;
  const mapping = (options.mapping?.fields ?? []).filter((m) => m.field && m.path);
  const read = profileReader(mapping, options.looseTypes === true, schema);

  const compiled = new Map<string, CompiledSegment | Error>();
  // The typed segment is resolved per item only when it holds n8n expressions.
  const typed = savedText === undefined ? perItem<string>(this, 'expression') : undefined;
  const textFor = (i: number) => savedText ?? typed!(i);
  /** The compiled segment of a text, or why it does not compile (each text compiled once). */
  const entryFor = (text: string): CompiledSegment | Error => {
    let entry = compiled.get(text);
    if (entry === undefined) {
      try {
        entry = compileSegment(text, { schema, segments: definitions, timeZone, now, origin: savedText ? undefined : 'Expression' });
      } catch (error) {
        entry = error as Error;
      }
      compiled.set(text, entry);
    }
    return entry;
  };
  const compile = (text: string, i: number): CompiledSegment => {
    const entry = entryFor(text);
    if (entry instanceof Error) throw nodeError(node, entry, i);
    return entry;
  };
  // One text for every item unless the parameter holds n8n expressions.
  const same = savedText !== undefined || !hasExpression(node.parameters.expression);
  // Before any item is routed: every distinct segment compiles, or the node fails at the first item
  // that uses a bad one (continue-on-fail leaves those items to the per-item handling).
  if (failFast) for (let i = 0; i < (same ? Math.min(1, items.length) : items.length); i++) compile(textFor(i), i);
  let uniform: SegmentRunner['uniform'];
  if (same && items.length > 0) {
    const entry = entryFor(textFor(0));
    if (!(entry instanceof Error)) uniform = read === asProfile ? (entry.test as (json: IDataObject) => boolean) : (json) => entry.test(read(json));
  }
  return { segmentFor: (i) => compile(textFor(i), i), read, uniform };
}

export function errorJson(json: IDataObject, error: Error): IDataObject {
  const e = error as { message: string; description?: string };
  return { ...json, error: { message: e.message, ...(e.description ? { description: e.description } : {}) } };
}

/**
 * The saved segments a multi-segment parameter names: ids (from the picker) or names (typed in an
 * expression), each once; at least one.
 */
export function segmentIds(value: unknown, node: INode): (number | string)[] {
  const list = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value === undefined || value === null ? [] : [value]).map((v) => String(v).trim()).filter((v) => v !== '');
  if (list.length === 0) throw new NodeOperationError(node, 'no saved segment chosen', { description: 'Pick at least one saved segment' });
  return [...new Set(list)].map((v) => (/^\d+$/.test(v) ? Number(v) : v));
}

/**
 * An audience of several saved segments: anyone in any of them, each person once, as one segment
 * (`in_segment("A") or in_segment("B")`) over the definitions those segments reach.
 */
export async function savedAudience(db: Knex, value: unknown, node: INode): Promise<{ names: string[]; expression: string; definitions: SegmentDefinition[] }> {
  const catalog = await SegmentCatalog.open(db);
  const names: string[] = [];
  for (const ref of segmentIds(value, node)) names.push((await catalog.get(ref)).name);
  // Only what the chosen segments reach (manual members of unrelated segments are not loaded).
  const reached = new Map<string, SegmentDefinition>();
  for (const name of names) for (const d of await catalog.definitions({ reachableFrom: name })) reached.set(d.name.toLowerCase(), d);
  return { names, expression: names.map((n) => `in_segment(${quote(n)})`).join(' or '), definitions: [...reached.values()] };
}
