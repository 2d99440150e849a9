/**
 * The database's own bulk path for the loader: MySQL/MariaDB `LOAD DATA LOCAL INFILE` from a
 * stream (mysql2's `infileStreamFactory`), PostgreSQL `COPY … FROM STDIN` (pg-copy-streams), both
 * inside the loader's transaction. Rows arrive already checked and classified by `load.ts`, so the
 * text format only has to carry them faithfully: tab-separated, `\N` for NULL, backslash escapes
 * (the same for both). A server that refuses LOCAL INFILE (`local_infile=OFF`) makes `bulkInsert`
 * return false and the loader goes on with multi-row INSERTs; a warning from LOAD DATA (which turns
 * conversion errors into warnings) fails the load rather than storing an altered value.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
// Imported statically: the built CommonJS files gave a dynamic import of it only a `default` (`from`
// was undefined, and `segment import --db postgres://…` failed with an internal error).
import { from as copyFrom } from 'pg-copy-streams';
import { dialectOf } from './connect';

type Row = Record<string, unknown>;

/** Writes rows with the bulk path; false when the server does not allow it (nothing was written). */
export async function bulkInsert(trx: Knex.Transaction | Knex, table: string, rows: readonly Row[]): Promise<boolean> {
  if (rows.length === 0) return true;
  const dialect = dialectOf(trx);
  if (dialect === 'sqlite') return false;
  const columns = Object.keys(rows[0]);
  const mysql = dialect === 'mysql';
  const body = () => Readable.from(blocks(rows, columns, mysql));
  if (mysql) {
    let result: unknown;
    try {
      result = await trx.raw(`LOAD DATA LOCAL INFILE 'rows' INTO TABLE ?? CHARACTER SET utf8mb4 (${columns.map(() => '??').join(', ')})`, [table, ...columns]).options({ infileStreamFactory: body });
    } catch (e) {
      if (localInfileRefused(e)) return false;
      throw e;
    }
    const header = (Array.isArray(result) ? result[0] : result) as { warningStatus?: number; affectedRows?: number };
    if ((header.warningStatus ?? 0) > 0 || (header.affectedRows !== undefined && header.affectedRows !== rows.length)) {
      throw new Error(`LOAD DATA into ${table} stored ${header.affectedRows} of ${rows.length} rows with ${header.warningStatus} warnings`);
    }
    return true;
  }
  const connection = (await trx.client.acquireConnection()) as { query: (q: unknown) => NodeJS.WritableStream; escapeIdentifier: (s: string) => string };
  try {
    const id = (s: string) => s.split('.').map((p) => connection.escapeIdentifier(p)).join('.');
    await pipeline(body(), connection.query(copyFrom(`COPY ${id(table)} (${columns.map(id).join(', ')}) FROM STDIN`)));
  } finally {
    await trx.client.releaseConnection(connection);
  }
  return true;
}

/** mysql2's errors when the server (or client) does not allow LOAD DATA LOCAL. */
function localInfileRefused(e: unknown): boolean {
  const code = (e as { code?: string; errno?: number }).code;
  const errno = (e as { errno?: number }).errno;
  return code === 'ER_NOT_ALLOWED_COMMAND' || code === 'ER_LOAD_INFILE_CAPABILITY_DISABLED' || errno === 1148 || errno === 3948 || errno === 4166;
}

/** The rows as text, in blocks of about 64 kB. */
function* blocks(rows: readonly Row[], columns: readonly string[], mysql: boolean): Generator<Buffer> {
  let block = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += '\t';
      line += field(row[columns[i]], mysql);
    }
    block += `${line}\n`;
    if (block.length > 65_536) {
      yield Buffer.from(block);
      block = '';
    }
  }
  if (block.length > 0) yield Buffer.from(block);
}

function field(v: unknown, mysql: boolean): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return mysql ? (v ? '1' : '0') : v ? 't' : 'f';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
