/**
 * The databases every catalogue rule is tested on: a SQLite file, a real MariaDB server and a real
 * PostgreSQL server (TEST_MARIADB_URL, TEST_POSTGRES_URL, set by `scripts/db.sh start` through the
 * test runner). A missing server is a failure, not a skip. Each test file gets its own server
 * database so files can run in parallel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../core/sql/connect';

export interface TestDatabase {
  /** A URL for this test's private database (for child processes and the CLI). */
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

export interface Target {
  name: 'sqlite' | 'mariadb' | 'postgres';
  create(): Promise<TestDatabase>;
}

export const TARGETS: Target[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'segcat-'));
      const url = `sqlite:${join(dir, 'segments.db')}`;
      const db = openDatabase(url);
      return {
        url,
        db,
        async drop() {
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  serverTarget('mariadb', 'TEST_MARIADB_URL', 'CHARACTER SET utf8mb4'),
  serverTarget('postgres', 'TEST_POSTGRES_URL', "ENCODING 'UTF8'"),
];

function serverTarget(name: 'mariadb' | 'postgres', variable: string, options: string): Target {
  return {
    name,
    async create() {
      const server = process.env[variable];
      if (!server) throw new Error(`${variable} is not set: run \`npm run db:start\` (scripts/db.sh) and the tests through \`npm test\``);
      const admin = openDatabase(server);
      const database = `segcat_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.raw(`CREATE DATABASE ${database} ${options}`);
      const url = new URL(server);
      url.pathname = `/${database}`;
      const db = openDatabase(url.toString());
      return {
        url: url.toString(),
        db,
        async drop() {
          await db.destroy();
          await admin.raw(`DROP DATABASE IF EXISTS ${database}`);
          await admin.destroy();
        },
      };
    },
  };
}
