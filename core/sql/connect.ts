/**
 * Database URLs → knex instances. The only place that knows which driver serves which URL.
 *
 * - `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`): the embedded default (better-sqlite3)
 * - `mysql://user:pass@host:port/db`, `mariadb://…`: MySQL, MariaDB, TiDB, Vitess, PlanetScale (mysql2)
 * - `postgres://…`, `postgresql://…`: PostgreSQL, Citus, CockroachDB (pg)
 */
import knexFactory, { type Knex } from 'knex';
import { SegmentError } from '../errors';

export type Dialect = 'sqlite' | 'mysql' | 'postgres';

export interface DatabaseTarget {
  dialect: Dialect;
  /** The knex client name. */
  client: 'better-sqlite3' | 'mysql2' | 'pg';
  connection: Knex.Config['connection'];
  /** The URL with any password masked, for messages and logs. */
  display: string;
}

const SCHEMES: Record<string, Dialect> = {
  'sqlite:': 'sqlite',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
};

/** Reads a database URL; throws a SegmentError 'invalid-option' saying what is wrong. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  const dialect = scheme === undefined ? undefined : SCHEMES[scheme];
  if (dialect === undefined) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: scheme?.length ?? 0 },
      source: url,
      origin: '--db',
      summary: `unsupported database URL${scheme ? ` scheme "${scheme}"` : ''}`,
      hint: 'use sqlite:<file>, mysql://user:pass@host:3306/db or postgres://user:pass@host:5432/db',
    });
  }
  if (dialect === 'sqlite') {
    const filename = url.slice(scheme!.length).replace(/^\/\//, '');
    if (filename === '') {
      throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: url.length }, source: url, origin: '--db', summary: 'the SQLite URL names no file', hint: 'write sqlite:segments.db (or sqlite::memory:)' });
    }
    return { dialect, client: 'better-sqlite3', connection: { filename }, display: url };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: url.length }, source: url, origin: '--db', summary: 'the database URL is not a valid URL', hint: 'write it like mysql://user:pass@127.0.0.1:3306/segments' });
  }
  const masked = new URL(url);
  if (masked.password) masked.password = '***';
  return {
    dialect,
    client: dialect === 'mysql' ? 'mysql2' : 'pg',
    connection: {
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : undefined,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
      ...(dialect === 'mysql' ? { charset: 'utf8mb4', supportBigNumbers: true, dateStrings: false } : {}),
    },
    display: masked.toString(),
  };
}

/** A knex instance for a database URL. The caller destroys it (`await db.destroy()`). */
export function openDatabase(url: string, options: { pool?: Knex.PoolConfig } = {}): Knex {
  const target = parseDatabaseUrl(url);
  return knexFactory({
    client: target.client,
    connection: target.connection,
    useNullAsDefault: target.dialect === 'sqlite',
    pool: options.pool ?? (target.dialect === 'sqlite' ? { min: 1, max: 1 } : { min: 0, max: 4 }),
  });
}

/** The dialect of a knex instance. */
export function dialectOf(db: Knex): Dialect {
  const client = String(db.client.config.client);
  if (client === 'better-sqlite3' || client === 'sqlite3') return 'sqlite';
  if (client === 'mysql2' || client === 'mysql') return 'mysql';
  return 'postgres';
}
