/**
 * Segment Export's one operation: the segment's profiles as the catalogue's CSV, written by the
 * core's `exportProfiles` (formula-safe cells, the `<segment>_<date>.csv` name, counts) to a private
 * temporary directory, then handed to n8n as binary data on one item. The profiles come from the
 * credential's database (the segment pushed down as SQL and streamed) or from the incoming items.
 * Only an admin credential may export: checked before anything is read.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { assertCanExport, exportProfiles, prepareSegment, SegmentCatalog, sqlSegmentProfiles, streamProfiles, type ContactFields, type ExportResult } from 'n8n-nodes-segments/server';
import { parse } from 'csv-parse/sync';
import { asCredential, withDatabase } from '../shared/database';
import { nodeError } from '../shared/errors';
import { CREDENTIAL_NAME } from '../shared/methods';
import { prepareSegments, savedAudience, type ProfileOptions } from '../shared/segments';

interface ExportOptions extends ProfileOptions {
  contactFields?: { fields?: ContactFields };
  rowsAsItems?: boolean;
  bom?: boolean;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const node = this.getNode();
  const items = this.getInputData();
  const from = this.getNodeParameter('profiles', 0) as 'database' | 'items';
  const source = this.getNodeParameter('source', 0) as 'expression' | 'saved' | 'savedMany';
  const options = this.getNodeParameter('options', 0, {}) as ExportOptions;
  const binaryPropertyName = this.getNodeParameter('binaryPropertyName', 0) as string;
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const name = source === 'expression' ? (this.getNodeParameter('name', 0, 'segment') as string) || 'segment' : undefined;
  const fields = options.contactFields?.fields;
  const directory = await mkdtemp(join(tmpdir(), 'segment-export-'));
  const common = { role: String(credential.role ?? ''), directory, fields, timeZone: options.timeZone || this.getTimezone(), now: options.now ? new Date(options.now) : undefined, bom: options.bom === true };
  try {
    let result: ExportResult;
    try {
      // The role first: a member's credential reads nothing.
      assertCanExport(common.role, name ?? 'the saved segment');
      if (from === 'items') {
        const runner = await prepareSegments.call(this, items, options, true);
        const matched = items.filter((item, i) => runner.segmentFor(i).test(runner.read(item.json))).map((item) => item.json);
        result = await exportProfiles(name ?? (await savedName.call(this, credential)), { ...common, profiles: matched });
      } else {
        result = await withDatabase(credential, async (db) => {
          if (source === 'savedMany') {
            // Anyone in any of the segments, each once: one query over the union.
            const audience = await savedAudience(db, this.getNodeParameter('segments', 0, []), node);
            return exportProfiles(audience.names.join(' + '), { ...common, profiles: sqlSegmentProfiles(db, { name: audience.names.join(' + '), expression: audience.expression }, audience.definitions) });
          }
          if (source === 'saved') {
            const ref = this.getNodeParameter('segment', 0, '', { extractValue: true }) as string;
            const catalog = await SegmentCatalog.open(db);
            return catalog.export(Number(ref), { ...common, profiles: (def, all) => sqlSegmentProfiles(db, def, all) });
          }
          const expression = this.getNodeParameter('expression', 0) as string;
          const segment = await prepareSegment(db, expression, { timeZone: common.timeZone, now: options.now || undefined, origin: 'Expression' });
          return exportProfiles(name!, { ...common, profiles: streamProfiles(db, segment) });
        });
      }
    } catch (error) {
      throw nodeError(node, error, 0);
    }
    const content = await readFile(result.path);
    const binary = await this.helpers.prepareBinaryData(content, result.fileName, 'text/csv');
    const summary: IDataObject = { fileName: result.fileName, exported: result.rows, skipped: result.skipped };
    const out: INodeExecutionData[] = [{ json: summary, binary: { [binaryPropertyName]: binary }, pairedItem: items.map((_, i) => ({ item: i })) }];
    if (options.rowsAsItems) {
      const rows = parse(content, { columns: true, bom: true }) as IDataObject[];
      for (const row of rows) out.push({ json: row, pairedItem: items.map((_, i) => ({ item: i })) });
    }
    return [out];
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The saved segment's name (exporting items against a saved segment still names the file after it). */
async function savedName(this: IExecuteFunctions, credential: ReturnType<typeof asCredential>): Promise<string> {
  if (this.getNodeParameter('source', 0) === 'savedMany') {
    return withDatabase(credential, async (db) => (await savedAudience(db, this.getNodeParameter('segments', 0, []), this.getNode())).names.join(' + '));
  }
  const ref = this.getNodeParameter('segment', 0, '', { extractValue: true }) as string;
  return withDatabase(credential, async (db) => (await (await SegmentCatalog.open(db)).get(Number(ref))).name);
}
