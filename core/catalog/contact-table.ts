/**
 * A contact list kept in a database table (opt-outs, bounces, do-not-contact), read for suppression:
 * the table's email, phone and profile-id columns, through knex's query builder (identifiers quoted
 * by knex, no SQL text). The table and its columns are checked first, so a typo is a clear error
 * naming what the table has, not a driver message.
 */
import type { Knex } from 'knex';
import { didYouMean } from '../errors';
import { databaseError } from '../sql/connect';
import { catalogError, listing, q } from './fail';

export interface ContactTable {
  /** The table (`schema.table` where the database has schemas). */
  table: string;
  /** The column holding email addresses, if any. */
  email?: string;
  /** The column holding phone numbers, if any. */
  phone?: string;
  /** The column holding profile ids, if any. */
  id?: string;
}

/** One row of a contact table: the values of the columns asked for, as text (absent when empty). */
export interface ContactRow {
  email?: string;
  phone?: string;
  id?: string;
}

const KINDS = ['email', 'phone', 'id'] as const;

/** Every row of a contact table; fails with a `SegmentError` if the table or a column is missing. */
export async function readContactTable(db: Knex, spec: ContactTable): Promise<ContactRow[]> {
  const table = spec.table.trim();
  if (table === '') throw catalogError('invalid-option', 'the contact table has no name', 'name the table that holds the list (e.g. opt_outs)');
  const wanted = KINDS.flatMap((kind) => {
    const column = spec[kind]?.trim();
    return column ? [[kind, column] as const] : [];
  });
  if (wanted.length === 0) throw catalogError('invalid-option', `no column of ${q(table)} is named for the list`, 'name its email, phone or profile id column');
  let columns: string[];
  try {
    columns = Object.keys(await db(table).columnInfo());
  } catch (error) {
    throw databaseError(error, db) ?? error;
  }
  if (columns.length === 0) throw catalogError('invalid-option', `the database has no table ${q(table)}`, 'check the table name (and its schema, as schema.table)');
  for (const [kind, column] of wanted) {
    if (!columns.includes(column)) {
      const suggestion = didYouMean(column, columns, q);
      throw catalogError('invalid-option', `the table ${q(table)} has no column ${q(column)} (for the ${kind === 'id' ? 'profile id' : kind})`, suggestion ?? `its columns are ${listing(columns.map(q))}`);
    }
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await db(table).select(wanted.map(([kind, column]) => ({ [kind]: column })));
  } catch (error) {
    throw databaseError(error, db) ?? error;
  }
  return rows.map((row) => {
    const out: ContactRow = {};
    for (const [kind] of wanted) {
      const value = row[kind];
      const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
      if (text !== undefined && text.trim() !== '') out[kind] = text;
    }
    return out;
  });
}
