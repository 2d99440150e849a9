/**
 * The catalogue's own tables, created with knex's schema builder (all prefixed `seg_`).
 *
 * - `seg_meta`      one row: the lock row every write transaction updates first (see `lock.ts`)
 * - `seg_segments`  saved segments; `name_key` (lower-cased name) carries the case-insensitive unique index
 * - `seg_refs`      `in_segment(…)` references of a dynamic segment, by id, with their span in the text
 * - `seg_members`   members of manual segments (profile ids as text)
 * - `seg_usage`     campaigns and automations a segment is attached to, with their status
 *
 * Text compared for identity (names, profile ids) uses a binary collation on MySQL/MariaDB so that
 * `"Zoë"` and `"Zoe"` stay different keys, as the language says; case folding is done by us.
 */
import type { Knex } from 'knex';
import { dialectOf } from '../sql/connect';
import { serverCollation } from '../sql/layout';

export const TABLES = {
  meta: 'seg_meta',
  segments: 'seg_segments',
  refs: 'seg_refs',
  members: 'seg_members',
  usage: 'seg_usage',
  membershipState: 'seg_membership_state',
  membership: 'seg_membership',
  runs: 'seg_runs',
  changes: 'seg_changes',
} as const;

export const MAX_NAME_LENGTH = 200;
export const MAX_ID_LENGTH = 255;
const SCHEMA_VERSION = 2;

type ColumnMaker = (t: Knex.CreateTableBuilder, name: string, length: number) => Knex.ColumnBuilder;

function keyColumn(db: Knex): ColumnMaker {
  return dialectOf(db) === 'mysql'
    ? (t, name, length) => t.string(name, length).collate('utf8mb4_bin')
    : (t, name, length) => t.string(name, length);
}

/**
 * Creates the tables that are missing. Safe to call from several processes at once, and writes
 * nothing when the catalogue is complete (so reading a read-only catalogue works).
 */
export async function migrate(db: Knex): Promise<void> {
  if (await complete(db)) return;
  const key = keyColumn(db);
  const mysql = dialectOf(db) === 'mysql';
  if (await wantsWal(db)) await db.raw('PRAGMA journal_mode = WAL');
  const text = (t: Knex.CreateTableBuilder, name: string) => (mysql ? t.text(name, 'mediumtext') : t.text(name));

  await createIfMissing(db, TABLES.meta, (t) => {
    t.integer('id').primary();
    t.bigInteger('generation').notNullable();
    t.integer('schema_version').notNullable();
  });
  await db(TABLES.meta)
    .insert({ id: 1, generation: 0, schema_version: SCHEMA_VERSION })
    .onConflict('id')
    .ignore();

  await createIfMissing(db, TABLES.segments, (t) => {
    t.increments('id').primary();
    t.string('name', MAX_NAME_LENGTH).notNullable();
    key(t, 'name_key', MAX_NAME_LENGTH).notNullable().unique({ indexName: 'seg_segments_name_key_unique' });
    text(t, 'description').nullable();
    t.string('kind', 16).notNullable();
    text(t, 'expression').nullable();
    t.string('state', 16).notNullable().index('seg_segments_state_index');
    t.integer('version').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('reach').nullable();
    t.bigInteger('reach_at').nullable();
  });

  await createIfMissing(db, TABLES.refs, (t) => {
    t.integer('segment_id').unsigned().notNullable().references('id').inTable(TABLES.segments).onDelete('CASCADE');
    t.integer('ordinal').notNullable();
    // RESTRICT: the database itself refuses to delete a segment another one references.
    t.integer('ref_id').unsigned().notNullable().references('id').inTable(TABLES.segments).onDelete('RESTRICT');
    t.integer('span_start').notNullable();
    t.integer('span_end').notNullable();
    t.primary(['segment_id', 'ordinal']);
    t.index(['ref_id'], 'seg_refs_ref_index');
  });

  const memberCollation = await serverCollation(db);
  await createIfMissing(db, TABLES.members, (t) => {
    t.integer('segment_id').unsigned().notNullable().references('id').inTable(TABLES.segments).onDelete('CASCADE');
    const profile = t.string('profile_id', MAX_ID_LENGTH).notNullable();
    if (mysql && memberCollation !== null) profile.collate(memberCollation);
    t.primary(['segment_id', 'profile_id']);
  });
  if (mysql && !(await membersCollated(db))) {
    await db.raw(`ALTER TABLE ?? MODIFY ?? VARCHAR(${MAX_ID_LENGTH}) CHARACTER SET utf8mb4 COLLATE ${memberCollation} NOT NULL`, [TABLES.members, 'profile_id']);
  }

  await createIfMissing(db, TABLES.usage, (t) => {
    t.integer('segment_id').unsigned().notNullable().references('id').inTable(TABLES.segments).onDelete('CASCADE');
    t.string('kind', 16).notNullable();
    key(t, 'orchestration_id', MAX_ID_LENGTH).notNullable();
    t.string('status', 16).notNullable();
    t.bigInteger('attached_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['segment_id', 'kind', 'orchestration_id']);
  });

  // Schema version 2: membership over time (membership.ts). Profile ids in the profile store's
  // collation, like the members, so the anti-joins with `seg_profiles.pid` compare like for like.
  const profileId = (t: Knex.CreateTableBuilder) => {
    const c = t.string('profile_id', MAX_ID_LENGTH).notNullable();
    if (mysql && memberCollation !== null) c.collate(memberCollation);
  };
  await createIfMissing(db, TABLES.membershipState, (t) => {
    t.integer('segment_id').unsigned().notNullable().primary();
    t.bigInteger('seq').notNullable();
    t.bigInteger('pruned_seq').notNullable();
    t.bigInteger('members').notNullable();
    t.integer('version').nullable();
    t.bigInteger('at').nullable();
  });
  await createIfMissing(db, TABLES.membership, (t) => {
    t.integer('segment_id').unsigned().notNullable();
    profileId(t);
    t.primary(['segment_id', 'profile_id']);
  });
  await createIfMissing(db, TABLES.runs, (t) => {
    t.integer('segment_id').unsigned().notNullable();
    t.bigInteger('seq').notNullable();
    t.integer('version').notNullable();
    t.bigInteger('at').notNullable();
    t.bigInteger('entered').notNullable();
    t.bigInteger('left_count').notNullable();
    t.bigInteger('members').notNullable();
    t.primary(['segment_id', 'seq']);
  });
  await createIfMissing(db, TABLES.changes, (t) => {
    t.integer('segment_id').unsigned().notNullable();
    t.bigInteger('seq').notNullable();
    profileId(t);
    t.string('change', 8).notNullable();
    t.bigInteger('at').notNullable();
    t.integer('version').notNullable();
    t.primary(['segment_id', 'seq', 'profile_id']);
    t.index(['segment_id', 'at'], 'seg_changes_at_index');
  });
  await db(TABLES.meta).where({ id: 1 }).andWhere('schema_version', '<', SCHEMA_VERSION).update({ schema_version: SCHEMA_VERSION });
}

/** Whether every table and the lock row exist, and a SQLite file is in WAL mode: reads only. */
async function complete(db: Knex): Promise<boolean> {
  for (const table of Object.values(TABLES)) if (!(await db.schema.hasTable(table))) return false;
  if ((await db(TABLES.meta).where({ id: 1 }).first('id')) === undefined) return false;
  return !(await wantsWal(db)) && (await membersCollated(db));
}

/**
 * MySQL/MariaDB: member ids compare in the profile store's collation (no-pad binary), so that the
 * sub-select of a manual segment's members joins `seg_profiles.pid` (a different collation is an
 * "illegal mix of collations"). Catalogues made before were `utf8mb4_bin`.
 */
async function membersCollated(db: Knex): Promise<boolean> {
  if (dialectOf(db) !== 'mysql') return true;
  const [rows] = (await db.raw('SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [TABLES.members, 'profile_id'])) as [{ c: string }[]];
  return rows.length === 0 || rows[0].c === (await serverCollation(db));
}

/**
 * SQLite files use write-ahead logging: readers in other processes never wait for a writer
 * (persistent per file). Reading the mode writes nothing.
 */
async function wantsWal(db: Knex): Promise<boolean> {
  if (dialectOf(db) !== 'sqlite') return false;
  const file = String((db.client.config.connection as { filename?: string })?.filename ?? '');
  if (file === '' || file === ':memory:') return false;
  const rows = (await db.raw('PRAGMA journal_mode')) as { journal_mode: string }[];
  return String(rows[0]?.journal_mode).toLowerCase() !== 'wal';
}

async function createIfMissing(db: Knex, table: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  if (await db.schema.hasTable(table)) return;
  try {
    await db.schema.createTable(table, (t) => {
      if (dialectOf(db) === 'mysql') {
        t.engine('InnoDB');
        t.charset('utf8mb4');
      }
      build(t);
    });
  } catch (e) {
    // Another process created it between our check and our CREATE.
    if (!(await db.schema.hasTable(table))) throw e;
  }
}

/** Drops the catalogue's tables (tests and `segments reset`). */
export async function dropCatalogTables(db: Knex): Promise<void> {
  for (const table of [TABLES.changes, TABLES.runs, TABLES.membership, TABLES.membershipState, TABLES.usage, TABLES.members, TABLES.refs, TABLES.segments, TABLES.meta]) {
    await db.schema.dropTableIfExists(table);
  }
}
