/**
 * What differs between the SQL dialects, as data in one place. The compiler, the layout and the
 * loader read these tables; nothing else asks which database it talks to.
 *
 * - MySQL/MariaDB (also TiDB, Vitess, PlanetScale): text in a binary, no-pad collation so that
 *   `"a"` and `"a "` differ and `"Zoë"` and `"Zoe"` differ; long text is indexed by prefix.
 * - PostgreSQL (also Citus, CockroachDB): text in the "C" collation (byte order, prefix LIKE can
 *   use a btree); text cannot hold NUL.
 * - SQLite: the embedded default; `LOWER()` folds ASCII only, which is why lower-cased shadow
 *   columns are written by the loader (JavaScript's Unicode lower-casing), never computed in SQL.
 */
/** The SQL dialects the compiler writes (`connect.ts` tells which one a database speaks). */
export type Dialect = 'sqlite' | 'mysql' | 'postgres';

export interface DialectSpec {
  /** How an index over a lower-cased text column is made (long values must not break it). */
  textIndex: 'plain' | 'prefix' | 'hash';
  /** Collation for text columns compared by the compiler, or null for the default. */
  collation: ((version: string) => string) | null;
  /** The SQL of a boolean `true`/`false` (a predicate, usable in WHERE and HAVING). */
  true: string;
  false: string;
  /** A value bound for a boolean column. */
  bool(value: boolean): boolean | number;
  /** How many bindings one statement may carry (inserts are batched below this). */
  maxBindings: number;
  /**
   * The most values one query may bind: SQLite's SQLITE_MAX_VARIABLE_NUMBER, PostgreSQL's 16-bit
   * parameter count; mysql2 sends values inline in the query text, but knex spreads a query's
   * bindings into one function call, which overflows the stack past about 100,000.
   */
  queryBindings: number;
  /**
   * How a set of values (an `in` list, a manual segment's members) is bound: one placeholder per
   * value up to `inline` values, above that ONE bound JSON array read back as a one-column sub-select
   * (for text and for numbers), so no set makes the query longer, deeper or richer in placeholders
   * than the database takes. MySQL/MariaDB inline many (MariaDB turns a long IN list into a hashed
   * sub-select itself, 14× faster than its JSON_TABLE on a prefix-indexed text column), up to the
   * size where knex's own handling of bindings overflows the stack.
   */
  valueSet: { inline: number; text: string; number: string };
  /** How many rows one INSERT may carry (knex writes SQLite's as a compound SELECT, at most 500 terms). */
  maxInsertRows: number;
  /** Lower-cases a text expression in SQL (only for user mappings without a shadow column). */
  lower: string;
  /**
   * How "has no such events" is written: `NOT IN (SELECT …)` (SQLite builds a temporary index
   * for it), or a correlated `NOT EXISTS` (PostgreSQL plans an anti-join, its NOT IN is a subplan;
   * on MariaDB with 1M profiles it was 20% faster than NOT IN in bench:sql).
   */
  antiJoin: 'not-in' | 'not-exists';
  /**
   * Whether HAVING may compare an aggregate with a sub-select (`HAVING MIN(x) IN (SELECT …)`, a
   * bound value set). MariaDB 10.11 answers it wrongly when it materialises the sub-select and groups
   * through a temporary table: `SELECT g FROM t GROUP BY g HAVING MIN(x) IN (SELECT v FROM s)` over
   * rows (a, 1), (b, 3) of a DOUBLE x, with s = {1}, returns no row (and `NOT IN` keeps a). Where false,
   * the compiler computes the aggregate in a derived table and tests its column in a WHERE.
   */
  subSelectInHaving: boolean;
  /**
   * How the whole value of a long text is compared (see `FieldMapping.lowerLong`): in its column, or
   * in a sub-select of the same row by its key. The test is `key = ? AND (? OR long = ?)` with the
   * second value TRUE for a short text, so that the SQL is the same for every value; PostgreSQL and
   * SQLite fold `TRUE OR …` and answer from the key's index alone, but MariaDB 10.11 does not: any
   * reference to the long column makes it read every matching row (a count of "tier = gold and
   * country = OM" on an index of both took 84 ms against 3.3 ms index-only). A sub-select is
   * evaluated only when the OR reaches it.
   */
  longText: 'column' | 'row-lookup';
  /**
   * Statements run on each new connection `openDatabase` makes (a failing one is skipped: a server
   * of the dialect that lacks the setting still works). MySQL/MariaDB: no index-merge intersection;
   * MariaDB 10.11 intersected the single-field indexes of `platform` and `opt_out` for
   * `platform = "WhatsApp" and opt_out = false` (170 ms at 100,000 profiles) instead of reading the
   * advised index of both (40–60 ms), and the composite indexes the advice builds are what
   * intersection would stand in for.
   */
  session: readonly string[];
  /** `COUNT(*)` as a value compared with any number (PostgreSQL would read `2.5` as a bigint). */
  count: string;
  /** Longest LIKE pattern the dialect accepts (characters), or null; longer ones use `instr`. */
  likeLimit: number | null;
  /** A query naming a table's indexes (column `name`; the table bound as its one value). */
  indexNames: string;
  /**
   * The scratch table a membership run fills with the new member set: one column `profile_id`, its
   * primary key, private to the connection and gone when the run ends (`create`, with the name as
   * `??` and the profile store's collation; `drop` also clears one a failed run left on a pooled
   * connection, as MySQL/MariaDB do not roll a temporary table back). `analyze` gives the planner its
   * size where it never looks by itself (PostgreSQL; MariaDB's ANALYZE TABLE would commit the run).
   */
  scratch: { create: (collation: string | null) => string; analyze: string | null; drop: string };
  /**
   * The isolation level of a membership run, or null for the default: MariaDB's REPEATABLE READ makes
   * an `INSERT … SELECT` lock every row it reads (a million profiles), READ COMMITTED reads a
   * consistent snapshot without locks; the run's own lock row keeps two runs of one segment apart.
   */
  runIsolation: 'read committed' | null;
  /**
   * How rows of one table are deleted by matching rows of another, driven by the second (the few
   * changes of a run, not the many members): MySQL's multi-table `DELETE m FROM m JOIN c`,
   * PostgreSQL's `DELETE FROM m USING c`, SQLite's row-value `IN (SELECT …)` on the primary key.
   * (MariaDB runs a single-table `DELETE … IN (SELECT …)` as a dependent sub-query per member row.)
   */
  deleteJoined: 'join' | 'using' | 'row-in';
}

export const DIALECTS: Readonly<Record<Dialect, DialectSpec>> = {
  sqlite: {
    textIndex: 'plain',
    collation: null,
    true: '1 = 1',
    false: '1 = 0',
    bool: (v) => (v ? 1 : 0),
    maxBindings: 32_000,
    queryBindings: 32_766, // SQLITE_MAX_VARIABLE_NUMBER
    valueSet: { inline: 100, text: 'SELECT value FROM json_each(?)', number: 'SELECT value FROM json_each(?)' },
    maxInsertRows: 500,
    lower: 'LOWER',
    antiJoin: 'not-in',
    longText: 'column',
    subSelectInHaving: true,
    session: [],
    count: 'COUNT(*)',
    likeLimit: 20_000, // SQLITE_MAX_LIKE_PATTERN_LENGTH is 50,000 bytes
    indexNames: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
    scratch: { create: () => 'CREATE TEMP TABLE ?? (profile_id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID', analyze: null, drop: 'DROP TABLE IF EXISTS temp.??' },
    runIsolation: null, // one writer at a time, serializable
    deleteJoined: 'row-in',
  },
  mysql: {
    textIndex: 'prefix',
    // MariaDB's utf8mb4_bin pads with spaces ("a" = "a "); its nopad variant does not. MySQL 8's
    // utf8mb4_0900_bin is a no-pad binary collation too.
    collation: (version) => (/mariadb/i.test(version) ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin'),
    true: '1 = 1',
    false: '1 = 0',
    bool: (v) => v,
    maxBindings: 60_000,
    queryBindings: 50_000, // knex's limit, not the server's
    valueSet: {
      inline: 10_000,
      // The column takes the database's default collation; a _bin column compared with it wins.
      text: "SELECT v FROM JSON_TABLE(?, '$[*]' COLUMNS (v LONGTEXT PATH '$')) AS t",
      number: "SELECT v FROM JSON_TABLE(?, '$[*]' COLUMNS (v DOUBLE PATH '$')) AS t",
    },
    maxInsertRows: 10_000,
    lower: 'LOWER',
    antiJoin: 'not-exists',
    longText: 'row-lookup',
    subSelectInHaving: false,
    session: ["SET SESSION optimizer_switch = 'index_merge_intersection=off'"],
    count: 'COUNT(*)',
    likeLimit: null,
    indexNames: 'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    scratch: {
      create: (collation) => `CREATE TEMPORARY TABLE ?? (profile_id VARCHAR(255) CHARACTER SET utf8mb4${collation ? ` COLLATE ${collation}` : ''} NOT NULL PRIMARY KEY) ENGINE = InnoDB`,
      analyze: null,
      drop: 'DROP TEMPORARY TABLE IF EXISTS ??',
    },
    runIsolation: 'read committed',
    deleteJoined: 'join',
  },
  postgres: {
    textIndex: 'hash',
    collation: () => 'C',
    true: 'TRUE',
    false: 'FALSE',
    bool: (v) => v,
    maxBindings: 60_000,
    queryBindings: 65_535, // the wire protocol's 16-bit parameter count
    valueSet: {
      inline: 100,
      text: 'SELECT jsonb_array_elements_text(CAST(? AS jsonb))',
      number: 'SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS DOUBLE PRECISION)',
    },
    maxInsertRows: 10_000,
    lower: 'LOWER',
    antiJoin: 'not-exists',
    longText: 'column',
    subSelectInHaving: true,
    session: [],
    count: 'CAST(COUNT(*) AS DOUBLE PRECISION)',
    likeLimit: null,
    indexNames: 'SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?',
    scratch: { create: () => 'CREATE TEMPORARY TABLE ?? (profile_id VARCHAR(255) NOT NULL PRIMARY KEY) ON COMMIT DROP', analyze: 'ANALYZE ??', drop: 'DROP TABLE IF EXISTS pg_temp.??' },
    runIsolation: null, // READ COMMITTED already
    deleteJoined: 'using',
  },
};

/** The exact complement of a two-valued predicate: true where it is false or NULL. */
export function complement(sql: string): string {
  return `(${sql}) IS NOT TRUE`;
}

/** The escape character of every LIKE pattern the compiler writes (the same in every dialect). */
export const LIKE_ESCAPE = '!';

/** A LIKE pattern matching `text` literally. */
export function likeLiteral(text: string): string {
  return text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
}

/**
 * Whether a text can be stored and compared as-is in every dialect: no U+0000 (PostgreSQL refuses
 * it, SQLite's LIKE stops at it) and well-formed UTF-16 (a lone surrogate would be stored as U+FFFD).
 */
export function storableText(text: string): boolean {
  return !text.includes('\u0000') && isWellFormed(text);
}

/** Whether a text is well-formed UTF-16 (no lone surrogate). */
export function isWellFormed(text: string): boolean {
  const s = text as string & { isWellFormed?: () => boolean };
  if (typeof s.isWellFormed === 'function') return s.isWellFormed();
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
