/**
 * The three databases every SQL test runs on: SQLite in memory, and MariaDB and PostgreSQL from
 * `TEST_MARIADB_URL` / `TEST_POSTGRES_URL` (printed by `scripts/db.sh start`; `npm test` sets them).
 * A missing URL is a failure, not a skip: run `eval "$(bash scripts/db.sh start)"` first by hand.
 *
 * Each test file gets its own database on the servers (`seg_<name>`), so files can run in parallel.
 */
import type { Knex } from 'knex';
import { dialectOf, openDatabase, type Dialect } from '../../core/sql/connect';

export interface TestDatabase {
  dialect: Dialect;
  db: Knex;
}

const SERVERS: { dialect: Exclude<Dialect, 'sqlite'>; env: string }[] = [
  { dialect: 'mysql', env: 'TEST_MARIADB_URL' },
  { dialect: 'postgres', env: 'TEST_POSTGRES_URL' },
];

/** The names of the dialects the SQL tests run on (for `describe.each`). */
export const DIALECT_NAMES: Dialect[] = ['sqlite', 'mysql', 'postgres'];

/** Opens (and empties) the database `seg_<name>` of a dialect. Throws when its server URL is not set. */
export async function openTestDatabase(dialect: Dialect, name: string): Promise<Knex> {
  if (dialect === 'sqlite') return openDatabase('sqlite::memory:');
  const server = SERVERS.find((s) => s.dialect === dialect)!;
  const url = process.env[server.env];
  if (!url) {
    throw new Error(`${server.env} is not set: start the test databases with eval "$(bash scripts/db.sh start)" (npm test does it)`);
  }
  const database = `seg_${name}`.replace(/[^a-z0-9_]/g, '_');
  const admin = openDatabase(url, { pool: { min: 0, max: 1 } });
  try {
    if (dialect === 'mysql') {
      await admin.raw('DROP DATABASE IF EXISTS ??', [database]);
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [database]);
    } else {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
      await admin.raw("CREATE DATABASE ?? ENCODING 'UTF8' TEMPLATE template0", [database]);
    }
  } finally {
    await admin.destroy();
  }
  const target = new URL(url);
  target.pathname = `/${database}`;
  const db = openDatabase(target.toString());
  if (dialectOf(db) !== dialect) throw new Error(`${server.env} is not a ${dialect} URL`);
  return db;
}
