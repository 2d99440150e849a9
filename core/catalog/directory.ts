/**
 * Who exists: a manual segment only takes people who already have a profile. The importer asks a
 * `ProfileDirectory` which profile ids carry given identifiers (normalised as in `contacts.ts`), in
 * batches. Two implementations: over in-memory profiles, and over a SQL profiles table.
 */
import type { Knex } from 'knex';
import { asText, DEFAULT_CONTACT_FIELDS, fieldFor, normalise, readPath, type ContactFields, type MatchKey, type NormaliseOptions } from './contacts';

export interface ProfileDirectory {
  /** Whether profiles can be looked up by this identifier at all. */
  supports(key: MatchKey): boolean;
  /** Normalised value → the ids of the profiles that have it (absent when none). */
  lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>>;
}

/** A directory over profiles held in memory (the in-memory engine's data). */
export class MemoryDirectory implements ProfileDirectory {
  private readonly indexes = new Map<MatchKey, Map<string, string[]>>();
  private readonly fields: ContactFields;

  constructor(profiles: Iterable<Record<string, unknown>>, fields: ContactFields = DEFAULT_CONTACT_FIELDS, options: NormaliseOptions = {}) {
    this.fields = fields;
    const keys = (['profile_id', 'custom_id', 'email', 'phone'] as const).filter((k) => fieldFor(k, fields) !== undefined);
    for (const key of keys) this.indexes.set(key, new Map());
    for (const profile of profiles) {
      const id = asText(readPath(profile, fields.id));
      if (id === undefined) continue;
      for (const key of keys) {
        const raw = asText(readPath(profile, fieldFor(key, fields)!));
        if (raw === undefined) continue;
        const normal = normalise(key, raw, options);
        if (!('value' in normal)) continue;
        const index = this.indexes.get(key)!;
        const ids = index.get(normal.value) ?? [];
        if (!ids.includes(id)) ids.push(id);
        index.set(normal.value, ids);
      }
    }
  }

  supports(key: MatchKey): boolean {
    return fieldFor(key, this.fields) !== undefined;
  }

  async lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>> {
    const index = this.indexes.get(key);
    const out = new Map<string, string[]>();
    if (!index) return out;
    for (const v of values) {
      const ids = index.get(v);
      if (ids) out.set(v, ids);
    }
    return out;
  }
}

/**
 * A directory over a SQL profiles table; `columns` maps the identifiers to its column names.
 * Emails are compared lower-cased; phone numbers are expected in E.164 in the table.
 */
export class SqlDirectory implements ProfileDirectory {
  constructor(
    private readonly db: Knex,
    private readonly table: string,
    private readonly columns: ContactFields = DEFAULT_CONTACT_FIELDS,
  ) {}

  supports(key: MatchKey): boolean {
    return fieldFor(key, this.columns) !== undefined;
  }

  async lookup(key: MatchKey, values: readonly string[]): Promise<Map<string, string[]>> {
    const column = fieldFor(key, this.columns);
    const out = new Map<string, string[]>();
    if (column === undefined || values.length === 0) return out;
    const target = key === 'email' ? this.db.raw('lower(??)', [column]) : this.db.ref(column);
    const rows = await this.db(this.table)
      .whereIn(target as never, values as string[])
      .select({ id: this.columns.id, value: column });
    for (const row of rows) {
      const value = key === 'email' ? String(row.value).trim().toLowerCase() : String(row.value).trim();
      const ids = out.get(value) ?? [];
      const id = String(row.id);
      if (!ids.includes(id)) ids.push(id);
      out.set(value, ids);
    }
    return out;
  }
}
