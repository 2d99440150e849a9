/**
 * Our own storage layout, created by knex migrations (fixed tables) plus one typed column per schema
 * field (added when a schema brings new fields). See docs/SQL.md for the why of each choice.
 *
 * - `seg_profiles`        pid (profile id as text, primary key), body (the profile as JSON), and per
 *                         field `f_<name>` typed value, `f_<name>__lc` lower-cased text shadow,
 *                         `f_<name>__o` set when the value is known but of another type
 * - `seg_lists`           one row per list element: pid, field, text_lc, num
 * - `seg_events`          eid, pid, event (as sent), event_lc, ts (epoch ms), properties (JSON), and
 *                         per event property `p_<name>` typed columns (with the same shadows)
 * - `seg_layout`          name → value: the schema JSON and the mapping JSON
 */
import type { Knex } from 'knex';
import { SegmentError } from '../errors';
import { kindOf, type FieldSchema, type Schema } from '../schema';
import { dialectOf, type Dialect } from './connect';
import { DIALECTS } from './dialects';
import { LAYOUT_TABLES as T, layoutMapping, LOWER_MAX, sqlName, type FieldMapping, type SavedLayout, type SqlMapping } from './mapping';

export const MAX_ID_LENGTH = 255;
const PREFIX_LENGTH = 191;

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** The fixed tables, version by version (knex's migrator keeps track in `seg_layout_migrations`). */
const MIGRATIONS: Record<string, Migration> = {
  '001_layout': {
    async up(db) {
      const collation = await serverCollation(db);
      const text = textType(db, collation);
      const mysqlTable = (t: Knex.CreateTableBuilder) => tableOptions(db, t, collation);
      await db.schema.createTable(T.meta, (t) => {
        mysqlTable(t);
        t.string('name', 64).primary();
        text(t, 'value');
      });
      await db.schema.createTable(T.profiles, (t) => {
        mysqlTable(t);
        t.string('pid', MAX_ID_LENGTH).primary();
        text(t, 'body');
      });
      await db.schema.createTable(T.lists, (t) => {
        mysqlTable(t);
        t.string('pid', MAX_ID_LENGTH).notNullable();
        t.string('field', 200).notNullable();
        text(t, 'text_lc').nullable();
        t.double('num').nullable();
        t.index(['pid'], 'seg_lists_pid');
        t.index(['field', 'num', 'pid'], 'seg_lists_num');
      });
      await db.schema.createTable(T.events, (t) => {
        mysqlTable(t);
        t.bigIncrements('eid').primary();
        t.string('pid', MAX_ID_LENGTH).notNullable();
        text(t, 'event').nullable();
        t.string('event_lc', 200).nullable();
        t.bigInteger('ts').nullable();
        t.json('properties').nullable();
        t.index(['event_lc', 'ts', 'pid'], 'seg_events_event_ts_pid');
        t.index(['pid', 'event_lc', 'ts'], 'seg_events_pid_event_ts');
      });
      await textIndex(db, T.lists, 'text_lc', 'seg_lists_text', ['field']);
    },
    async down(db) {
      for (const table of [T.events, T.lists, T.profiles, T.meta]) await db.schema.dropTableIfExists(table);
    },
  },
  // Large manual segments were copied into this table before each query; their members are now read
  // where the catalogue stores them, or bound as one set. It held profile ids: dropped, not kept.
  '002_drop_manual_members': {
    async up(db) {
      await db.schema.dropTableIfExists(RETIRED_MEMBERS_TABLE);
    },
    async down() {},
  },
  // The profile's JSON moves to a table of its own: segments scan `seg_profiles`, and a scan read
  // every profile's JSON with it (3–4 s a scan at 1M profiles on MariaDB). Stored bodies move too,
  // and a saved mapping learns where they are.
  '003_bodies_apart': {
    async up(db) {
      const collation = await serverCollation(db);
      const text = textType(db, collation);
      await db.schema.createTable(T.bodies, (t) => {
        tableOptions(db, t, collation);
        t.string('pid', MAX_ID_LENGTH).primary();
        text(t, 'body');
      });
      if (await db.schema.hasColumn(T.profiles, 'body')) {
        await db.raw('INSERT INTO ?? (??, ??) SELECT ??, ?? FROM ??', [T.bodies, 'pid', 'body', 'pid', 'body', T.profiles]);
        await db.raw('ALTER TABLE ?? DROP COLUMN ??', [T.profiles, 'body']);
      }
      const saved = (await db(T.meta).where({ name: 'mapping' }).first('value')) as { value: string } | undefined;
      if (saved !== undefined) {
        const mapping = JSON.parse(saved.value) as SqlMapping;
        mapping.profiles.bodyTable = T.bodies;
        await db(T.meta).where({ name: 'mapping' }).update({ value: JSON.stringify(mapping) });
      }
    },
    async down() {},
  },
  // List elements get a bounded key (`text_key`, the whole lower-cased element when shorter than
  // LOWER_MAX units, with `text_long` holding longer ones), indexed whole with the owner both ways,
  // as profile fields got theirs: `tags contains "vip"` is then an index range of (field, key, pid).
  // Lists stored before keep `text_lc` (their saved mapping says so); new list fields use the keys.
  '004_list_keys': {
    async up(db) {
      const collation = await serverCollation(db);
      const text = textType(db, collation);
      const bounded = boundedType(collation);
      await db.schema.alterTable(T.lists, (t) => {
        bounded(t, 'text_key', LOWER_MAX).nullable();
        text(t, 'text_long').nullable();
      });
      // A layout with no list on `text_lc` does not need its indexes (`indexSpecs` says which it needs).
      const saved = (await db(T.meta).where({ name: 'mapping' }).first('value')) as { value: string } | undefined;
      const fields = saved === undefined ? [] : Object.values((JSON.parse(saved.value) as SqlMapping).fields);
      if (!fields.some((m) => m.list?.text === 'text_lc')) {
        const existing = await indexesOf(db, T.lists);
        for (const [name, columns] of [['seg_lists_text', ['field', 'text_lc']], ['seg_lists_pid', ['pid']]] as const) {
          if (existing.has(name)) await db.schema.alterTable(T.lists, (t) => void t.dropIndex([...columns], name));
        }
      }
    },
    async down() {},
  },
};

const RETIRED_MEMBERS_TABLE = 'seg_manual_members';

/**
 * Creates or extends the layout for a schema and returns its mapping. Fields already stored keep
 * their columns; new fields get new ones. The schema and mapping are saved for `--db` commands.
 */
export async function createLayout(db: Knex, schema: Schema): Promise<SqlMapping> {
  await migrateLayout(db);
  const saved = await readLayout(db);
  const merged: Schema = saved ? mergeSchemas(saved.schema, schema) : schema;
  const mapping = layoutMapping(merged, saved);
  if (saved) assertCompatible(saved.mapping, mapping);
  await addColumns(db, T.profiles, mapping.fields, merged.fields);
  const props: Record<string, FieldMapping> = {};
  const propSchemas: Record<string, FieldSchema> = {};
  for (const [event, def] of Object.entries(merged.events ?? {})) {
    for (const [key, field] of Object.entries(def.properties)) {
      const m = mapping.events!.properties[event.toLowerCase()][key];
      props[m.column] = m;
      propSchemas[m.column] = field;
    }
  }
  await addColumns(db, T.events, props, propSchemas);
  // Every index the layout needs, whatever an earlier run (a failed import, an interrupted bulk
  // load that had dropped them) left: a layout is saved only once it is whole.
  await buildIndexes(db, mapping);
  await writeMeta(db, 'schema', JSON.stringify(merged));
  await writeMeta(db, 'mapping', JSON.stringify(mapping));
  return mapping;
}

/** Runs the fixed-table migrations that have not run yet (reads only when there are none). */
export async function migrateLayout(db: Knex): Promise<void> {
  const config = { migrationSource: migrationSource(), tableName: T.migrations };
  if (await db.schema.hasTable(T.migrations)) {
    const [, pending] = (await db.migrate.list(config)) as [unknown[], unknown[]];
    if (pending.length === 0) return;
  }
  await db.migrate.latest(config);
}

/** The saved schema and mapping, or undefined when the database has no layout. */
export async function readLayout(db: Knex): Promise<SavedLayout | undefined> {
  if (!(await db.schema.hasTable(T.meta))) return undefined;
  const rows: { name: string; value: string }[] = await db(T.meta).select('name', 'value').whereIn('name', ['schema', 'mapping']);
  const get = (name: string) => rows.find((r) => r.name === name)?.value;
  const schema = get('schema');
  const mapping = get('mapping');
  if (schema === undefined || mapping === undefined) return undefined;
  return { schema: JSON.parse(schema) as Schema, mapping: JSON.parse(mapping) as SqlMapping };
}

/** Drops every table of the layout (tests, `import --replace`). */
export async function dropLayout(db: Knex): Promise<void> {
  for (const table of [RETIRED_MEMBERS_TABLE, T.bodies, T.events, T.lists, T.profiles, T.meta, T.migrations, `${T.migrations}_lock`]) {
    await db.schema.dropTableIfExists(table);
  }
}

function migrationSource(): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => Object.keys(MIGRATIONS).sort(),
    getMigrationName: (name) => name,
    getMigration: async (name) => ({ up: (db: Knex) => MIGRATIONS[name].up(db), down: (db: Knex) => MIGRATIONS[name].down(db) }),
  };
}

async function writeMeta(db: Knex, name: string, value: string): Promise<void> {
  await db(T.meta).insert({ name, value }).onConflict('name').merge();
}

function mergeSchemas(old: Schema, next: Schema): Schema {
  const events: NonNullable<Schema['events']> = { ...(old.events ?? {}) };
  for (const [name, def] of Object.entries(next.events ?? {})) {
    const known = Object.keys(events).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    events[known] = { ...def, properties: { ...(events[known]?.properties ?? {}), ...def.properties } };
  }
  return { ...old, ...next, fields: { ...old.fields, ...next.fields }, events };
}

/** A stored field whose type changed cannot keep its column. */
function assertCompatible(old: SqlMapping, next: SqlMapping): void {
  for (const [key, f] of Object.entries(old.fields)) {
    const n = next.fields[key];
    if (n !== undefined && (n.column !== f.column || Boolean(n.lower) !== Boolean(f.lower) || Boolean(n.list) !== Boolean(f.list) || n.dates !== f.dates)) {
      throw new SegmentError({
        code: 'invalid-schema',
        span: { start: 0, end: 0 },
        summary: `field "${key}" is stored with another type in this database`,
        hint: 'import into a new database, or keep the field\'s type',
      });
    }
  }
}

/** Adds the columns (and shadows) that are missing; indexes are `buildIndexes`'. */
async function addColumns(db: Knex, table: string, fields: Record<string, FieldMapping>, schemas: Record<string, FieldSchema>): Promise<void> {
  const existing = new Set(Object.keys(await db(table).columnInfo()));
  const collation = await serverCollation(db);
  const text = textType(db, collation);
  const bounded = boundedType(collation);
  for (const [key, m] of Object.entries(fields)) {
    if (existing.has(m.column)) continue;
    const kind = kindOf(schemas[key]);
    await db.schema.alterTable(table, (t) => {
      if (kind === 'text') text(t, m.column).nullable();
      else if (kind === 'number') t.double(m.column).nullable();
      else if (kind === 'boolean') t.boolean(m.column).nullable();
      else if (kind === 'date') t.bigInteger(m.column).nullable();
      else t.integer(m.column).nullable(); // list: element count
      if (m.lower && m.lowerLong) {
        bounded(t, m.lower, m.lowerMax!).nullable();
        text(t, m.lowerLong).nullable();
      } else if (m.lower) text(t, m.lower).nullable();
      if (m.other) t.smallint(m.other).nullable();
    });
  }
}

interface IndexSpec {
  table: string;
  name: string;
  columns: string[];
  /** The last column is unbounded text (indexed the dialect's way for long text). */
  text: boolean;
}

/**
 * Every secondary index of the layout: the fixed tables' and one per profile field. Events are
 * reached through (event_lc, ts, pid) and (pid, event_lc, ts); property columns are filters on
 * those rows, so they carry no index of their own (it would only slow loading).
 */
function indexSpecs(mapping: SqlMapping): IndexSpec[] {
  const lists = Object.values(mapping.fields).flatMap((m) => (m.list?.table === T.lists ? [m.list] : []));
  // Lists stored before `004_list_keys` keep their unbounded column and its indexes.
  const unbounded = lists.some((l) => l.text === 'text_lc');
  const keyed = lists.some((l) => l.text === 'text_key');
  const specs: IndexSpec[] = [
    ...(unbounded || !keyed ? [{ table: T.lists, name: 'seg_lists_pid', columns: ['pid'], text: false }] : []),
    { table: T.lists, name: 'seg_lists_num', columns: ['field', 'num', 'pid'], text: false },
    ...(unbounded ? [{ table: T.lists, name: 'seg_lists_text', columns: ['field', 'text_lc'], text: true }] : []),
    ...(keyed
      ? [
          { table: T.lists, name: 'seg_lists_key_pid', columns: ['field', 'text_key', 'pid'], text: false },
          { table: T.lists, name: 'seg_lists_pid_key', columns: ['pid', 'field', 'text_key'], text: false },
        ]
      : []),
    { table: T.events, name: 'seg_events_event_ts_pid', columns: ['event_lc', 'ts', 'pid'], text: false },
    { table: T.events, name: 'seg_events_pid_event_ts', columns: ['pid', 'event_lc', 'ts'], text: false },
  ];
  for (const m of Object.values(mapping.fields)) {
    if (m.lower) specs.push({ table: T.profiles, name: indexName(T.profiles, m.lower), columns: [m.lower], text: m.lowerLong === undefined });
    else if (!m.list) specs.push({ table: T.profiles, name: indexName(T.profiles, m.column), columns: [m.column], text: false });
  }
  return specs;
}

/** The layout's indexes and the advised ones recorded by `createAdvisedIndexes`. */
async function allSpecs(db: Knex, mapping: SqlMapping): Promise<IndexSpec[]> {
  return [...indexSpecs(mapping), ...(await advisedSpecs(db))];
}

async function advisedSpecs(db: Knex): Promise<IndexSpec[]> {
  const row = (await db(T.meta).where({ name: 'advised' }).first('value')) as { value: string } | undefined;
  if (row === undefined) return [];
  return (JSON.parse(row.value) as { table: string; name: string; columns: string[] }[]).map((a) => ({ ...a, text: false }));
}

/**
 * Creates advised indexes (`adviseIndexes`) the database lacks and records them with the layout,
 * so a bulk load drops and rebuilds them with the others. Returns the names it created.
 */
export async function createAdvisedIndexes(db: Knex, advice: readonly { table: string; name: string; columns: string[] }[]): Promise<string[]> {
  const known = await advisedSpecs(db);
  const added = advice.filter((a) => !known.some((k) => k.name === a.name));
  const created: string[] = [];
  for (const a of advice) {
    if ((await indexesOf(db, a.table)).has(a.name)) continue;
    await db.schema.alterTable(a.table, (t) => void t.index(a.columns, a.name));
    created.push(a.name);
  }
  await writeMeta(db, 'advised', JSON.stringify([...known, ...added].map(({ table, name, columns }) => ({ table, name, columns }))));
  await analyzeLayout(db);
  return created;
}

/** Fresh statistics for the planner after a load or new indexes (PostgreSQL also marks pages all-visible for index-only scans). */
export async function analyzeLayout(db: Knex): Promise<void> {
  const tables = [T.profiles, T.lists, T.events];
  const dialect = dialectOf(db);
  if (dialect === 'mysql') await db.raw(`ANALYZE TABLE ${tables.map(() => '??').join(', ')}`, tables);
  else if (dialect === 'postgres') for (const t of tables) await db.raw(db.isTransaction ? 'ANALYZE ??' : 'VACUUM ANALYZE ??', [t]);
  else await db.raw('ANALYZE');
}

/** The names of a table's indexes, as the database lists them. */
async function indexesOf(db: Knex, table: string): Promise<Set<string>> {
  const result = (await db.raw(DIALECTS[dialectOf(db)].indexNames, [table])) as unknown;
  // better-sqlite3: rows; mysql2: [rows, fields]; pg: { rows }
  const rows = (Array.isArray(result) ? (Array.isArray(result[0]) ? result[0] : result) : (result as { rows: unknown[] }).rows) as { name: string }[];
  return new Set(rows.map((r) => String(r.name)));
}

/**
 * Drops the layout's secondary indexes (before a bulk load into empty tables: building an index
 * once, sorted, is much faster than maintaining forty of them row by row). `buildIndexes` puts
 * them back; the state is saved, so an interrupted load is repaired by the next `createLayout`.
 */
export async function dropIndexes(db: Knex, mapping: SqlMapping): Promise<void> {
  await writeMeta(db, 'indexes', 'dropped');
  const specs = await allSpecs(db, mapping);
  for (const table of new Set(specs.map((s) => s.table))) {
    const existing = await indexesOf(db, table);
    for (const spec of specs) if (spec.table === table && existing.has(spec.name)) await db.schema.alterTable(table, (t) => void t.dropIndex(spec.columns, spec.name));
  }
}

/**
 * Creates every index of the layout that the database does not have. MySQL and MariaDB get all of
 * a table's missing indexes in one ALTER TABLE, so the table is read once (one statement per index
 * reads a million wide rows forty times).
 */
export async function buildIndexes(db: Knex, mapping: SqlMapping): Promise<void> {
  const specs = await allSpecs(db, mapping);
  for (const table of new Set(specs.map((s) => s.table))) {
    const existing = await indexesOf(db, table);
    const missing = specs.filter((s) => s.table === table && !existing.has(s.name));
    if (missing.length === 0) continue;
    if (DIALECTS[dialectOf(db)].textIndex === 'prefix') {
      const parts = missing.map((s) => `ADD INDEX ?? (${s.columns.map((_, i) => (s.text && i === s.columns.length - 1 ? `??(${PREFIX_LENGTH})` : '??')).join(', ')})`);
      await db.raw(`ALTER TABLE ?? ${parts.join(', ')}`, [table, ...missing.flatMap((s) => [s.name, ...s.columns])]);
      continue;
    }
    for (const spec of missing) {
      if (spec.text) await textIndex(db, spec.table, spec.columns[spec.columns.length - 1], spec.name, spec.columns.slice(0, -1));
      else await db.schema.alterTable(spec.table, (t) => void t.index(spec.columns, spec.name));
    }
  }
  await writeMeta(db, 'indexes', 'built');
}

/** An index's name (at most 60 characters, as the layout has always named them: shorter names are unchanged). */
function indexName(table: string, column: string): string {
  return sqlName(`ix_${table}_${column}`, 60);
}

/** An index over a lower-cased text column that long values cannot break. */
async function textIndex(db: Knex, table: string, column: string, name: string, leading: string[]): Promise<void> {
  const spec = DIALECTS[dialectOf(db)];
  if (spec.textIndex === 'plain') {
    await db.schema.alterTable(table, (t) => void t.index([...leading, column], name));
  } else if (spec.textIndex === 'prefix') {
    const cols = [...leading.map(() => '??'), `??(${PREFIX_LENGTH})`].join(', ');
    await db.raw(`CREATE INDEX ?? ON ?? (${cols})`, [name, table, ...leading, column]);
  } else {
    await db.raw('CREATE INDEX ?? ON ?? USING hash (??)', [name, table, column]);
  }
}

type TextColumn = (t: Knex.CreateTableBuilder | Knex.AlterTableBuilder, name: string) => Knex.ColumnBuilder;

/** Unbounded text in the dialect's comparison collation. */
function textType(db: Knex, collation: string | null): TextColumn {
  const dialect: Dialect = dialectOf(db);
  if (dialect === 'mysql') return (t, name) => (collation ? t.text(name, 'mediumtext').collate(collation) : t.text(name, 'mediumtext'));
  if (collation !== null) return (t, name) => t.text(name).collate(collation);
  return (t, name) => t.text(name);
}

/** Text of at most `length` characters in the comparison collation: indexed whole, never by prefix or hash. */
function boundedType(collation: string | null): (t: Knex.CreateTableBuilder | Knex.AlterTableBuilder, name: string, length: number) => Knex.ColumnBuilder {
  return (t, name, length) => (collation ? t.string(name, length).collate(collation) : t.string(name, length));
}

/** The collation text columns are compared in (MySQL and MariaDB differ: ask the server). */
export async function serverCollation(db: Knex): Promise<string | null> {
  const spec = DIALECTS[dialectOf(db)];
  if (spec.collation === null) return null;
  if (dialectOf(db) !== 'mysql') return spec.collation('');
  const [rows] = (await db.raw('SELECT VERSION() AS v')) as [{ v: string }[]];
  return spec.collation(rows[0].v);
}

function tableOptions(db: Knex, t: Knex.CreateTableBuilder, collation: string | null): void {
  if (dialectOf(db) !== 'mysql') return;
  t.engine('InnoDB');
  t.charset('utf8mb4');
  if (collation) t.collate(collation);
}
