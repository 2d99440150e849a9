/**
 * The nodes' one way to a database: the `segmentsDatabaseApi` credential → a knex instance from the
 * server entry's `openDatabase`, destroyed when the work is done. No SQL is written here.
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions } from 'n8n-workflow';
import type { Knex } from 'knex';
import { openDatabase } from 'n8n-nodes-segments/server';

export interface SegmentsCredential {
  client: 'mysql' | 'postgres' | 'sqlite';
  file?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: 'disable' | 'require' | 'verify';
  role?: string;
}

export const CREDENTIAL_NAME = 'segmentsDatabaseApi';

/**
 * The node's credential, for work that needs the database (`what` names it: "A saved segment"); a
 * clear error when the node has none (the credential is optional where only some choices need it).
 */
export async function credentialOf(context: IExecuteFunctions, what: string): Promise<SegmentsCredential> {
  const node = context.getNode();
  if (!node.credentials?.[CREDENTIAL_NAME]) {
    throw new NodeOperationError(node, `${what} needs a Segments Database API credential`, { description: 'Choose the credential of the database that holds the profiles' });
  }
  return asCredential(await context.getCredentials(CREDENTIAL_NAME));
}

export function asCredential(data: ICredentialDataDecryptedObject): SegmentsCredential {
  return data as unknown as SegmentsCredential;
}

/** The database URL of a credential (the form the CLI's `--db` takes). */
export function databaseUrl(c: SegmentsCredential): string {
  if (c.client === 'sqlite') return `sqlite:${String(c.file ?? '').trim()}`;
  const scheme = c.client === 'mysql' ? 'mysql' : 'postgres';
  const auth = `${encodeURIComponent(c.user ?? '')}:${encodeURIComponent(c.password ?? '')}`;
  return `${scheme}://${auth}@${c.host ?? 'localhost'}:${Number(c.port)}/${encodeURIComponent(c.database ?? '')}`;
}

/** Opens the credential's database for one piece of work and always closes it. */
export async function withDatabase<T>(credential: SegmentsCredential, work: (db: Knex) => Promise<T>): Promise<T> {
  const ssl = credential.client === 'sqlite' || !credential.ssl || credential.ssl === 'disable' ? undefined : { rejectUnauthorized: credential.ssl === 'verify' };
  const db = openDatabase(databaseUrl(credential), { mustExist: true, ssl });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
