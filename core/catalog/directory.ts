/**
 * Who exists: a manual segment only takes people who already have a profile. The importer asks a
 * `ProfileDirectory` which profile ids carry given identifiers (normalised as in `contacts.ts`), in
 * batches. Two implementations: over in-memory profiles, and over a SQL profiles table.
 */
import type { Knex } from 'knex';
import { asText, DEFAULT_CONTACT_FIELDS, E164_SHAPE, fieldFor, MATCH_KEYS, normalise, readPath, type ContactFields, type MatchKey, type NormaliseOptions } from './contacts';

export interface ProfileDirectory {
  /** Whether profiles can be looked up by this identifier at all. */
  supports(key: MatchKey): boolean;
  /** Normalised value → the ids of the profiles that have it (absent when none). */
  lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>>;
  /** The same directory read through a transaction (a database directory inside a catalogue write). */
  within?(trx: Knex.Transaction): ProfileDirectory;
}

/**
 * A directory over profiles held in memory (the in-memory engine's data). Only the identifiers are
 * kept; the index of one kind is built the first time it is asked for.
 */
export class MemoryDirectory implements ProfileDirectory {
  private readonly indexes = new Map<MatchKey, Map<string, string[]>>();
  private readonly ids: string[] = [];
  private readonly raw = new Map<MatchKey, (string | undefined)[]>();

  constructor(
    profiles: Iterable<Record<string, unknown>>,
    private readonly fields: ContactFields = DEFAULT_CONTACT_FIELDS,
    private readonly options: NormaliseOptions = {},
  ) {
    const keys = MATCH_KEYS.filter((k) => fieldFor(k, fields) !== undefined);
    for (const key of keys) this.raw.set(key, []);
    for (const profile of profiles) {
      const id = asText(readPath(profile, fields.id));
      if (id === undefined) continue;
      this.ids.push(id);
      for (const key of keys) this.raw.get(key)!.push(asText(readPath(profile, fieldFor(key, fields)!)));
    }
  }

  supports(key: MatchKey): boolean {
    return fieldFor(key, this.fields) !== undefined;
  }

  async lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>> {
    const index = this.index(key);
    const out = new Map<string, string[]>();
    for (const v of values) {
      const ids = index.get(v);
      if (ids) out.set(v, ids);
    }
    return out;
  }

  private index(key: MatchKey): Map<string, string[]> {
    let index = this.indexes.get(key);
    if (index) return index;
    index = new Map();
    const raw = this.raw.get(key) ?? [];
    for (let i = 0; i < raw.length; i++) {
      const text = raw[i];
      if (text === undefined) continue;
      // Stored phone numbers already in E.164 need no parsing (the common case, and the slow one).
      const normal = key === 'phone' && E164_SHAPE.test(text) ? { value: text } : normalise(key, text, this.options);
      if (!('value' in normal)) continue;
      const ids = index.get(normal.value) ?? [];
      if (!ids.includes(this.ids[i])) ids.push(this.ids[i]);
      index.set(normal.value, ids);
    }
    this.indexes.set(key, index);
    return index;
  }
}

/**
 * A directory over a SQL profiles table; `columns` maps the identifiers to its column names.
 * Emails are compared lower-cased; phone numbers are expected in E.164 in the table. `lowered`
 * names indexed lower-cased copies of those columns (the SQL layout's `__lc` shadows): the look-up
 * then runs on the index, and the exact comparison is made here.
 */
export class SqlDirectory implements ProfileDirectory {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly table: string,
    private readonly columns: ContactFields = DEFAULT_CONTACT_FIELDS,
    private readonly lowered: Partial<Record<MatchKey, string>> = {},
  ) {}

  supports(key: MatchKey): boolean {
    return fieldFor(key, this.columns) !== undefined;
  }

  within(trx: Knex.Transaction): SqlDirectory {
    return new SqlDirectory(trx, this.table, this.columns, this.lowered);
  }

  async lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>> {
    const column = fieldFor(key, this.columns);
    const out = new Map<string, string[]>();
    if (column === undefined || values.length === 0) return out;
    const shadow = this.lowered[key];
    const query = this.db(this.table).select({ id: this.columns.id, value: column });
    if (shadow !== undefined) query.whereIn(shadow, [...new Set(values.map((v) => v.toLowerCase()))]);
    else if (key === 'email') query.whereIn(this.db.raw('lower(??)', [column]) as never, values as string[]);
    else query.whereIn(column, values as string[]);
    const wanted = new Set(values);
    for (const row of await query) {
      const value = key === 'email' ? String(row.value).trim().toLowerCase() : String(row.value).trim();
      if (!wanted.has(value)) continue; // the lower-cased index also finds other spellings of an id
      const ids = out.get(value) ?? [];
      const id = String(row.id);
      if (!ids.includes(id)) ids.push(id);
      out.set(value, ids);
    }
    return out;
  }
}
