/**
 * What the nodes ask the catalogue from the editor: the saved-segment picker's list search and the
 * credential test (connect, read the layout and the catalogue).
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, ILoadOptionsFunctions, INodeCredentialTestResult, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import { readLayout, SegmentCatalog } from 'n8n-nodes-segments/server';
import { asCredential, CREDENTIAL_NAME, withDatabase } from './database';

export { CREDENTIAL_NAME };

/** The saved segments whose name contains the filter (case-insensitive), active ones first. */
export async function searchSegments(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const wanted = (filter ?? '').trim().toLowerCase();
  const list = await withDatabase(credential, async (db) => (await SegmentCatalog.open(db)).list());
  return {
    results: list
      .filter((s) => wanted === '' || s.name.toLowerCase().includes(wanted) || String(s.id) === wanted)
      .map((s) => ({ name: s.name, value: String(s.id), description: s.description || `${s.kind} segment` })),
  };
}

/** The active saved segments, for a multi-segment picker (value: the segment's id). */
export async function getSegments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  const credential = asCredential(await this.getCredentials(CREDENTIAL_NAME));
  const list = await withDatabase(credential, async (db) => (await SegmentCatalog.open(db)).list());
  return list.map((s) => ({ name: s.name, value: String(s.id), description: s.description || `${s.kind} segment` }));
}

/** Connects with the credential and reads the profile layout: says what is missing if anything. */
export async function testConnection(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  try {
    const found = await withDatabase(asCredential(credential.data ?? {}), async (db) => {
      const layout = await readLayout(db);
      const segments = (await SegmentCatalog.open(db)).list();
      return { layout, segments: (await segments).length };
    });
    if (found.layout === undefined) {
      return { status: 'Error', message: 'Connected, but the database has no profile layout: import profiles with `segment import --db <url> profiles.jsonl` first' };
    }
    const fields = Object.keys(found.layout.schema.fields).length;
    return { status: 'OK', message: `Connected: ${fields} profile fields, ${found.segments} saved segments` };
  } catch (error) {
    const e = error as { summary?: string; message?: string };
    return { status: 'Error', message: e.summary ?? e.message ?? String(error) };
  }
}
