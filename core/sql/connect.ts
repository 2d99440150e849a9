/**
 * Database URLs → knex instances. The only place that knows which driver serves which URL, and the
 * one place that turns a driver's failure to open, connect or write into a clear `SegmentError`.
 *
 * - `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`): the embedded default (better-sqlite3)
 * - `mysql://user:pass@host:port/db`, `mariadb://…`: MySQL, MariaDB, TiDB, Vitess, PlanetScale (mysql2)
 * - `postgres://…`, `postgresql://…`: PostgreSQL, Citus, CockroachDB (pg)
 *
 * Driver errors never carry the query text or its bindings (knex would prefix both to the message,
 * and the bindings hold profile data: ids, emails, phone numbers).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { SegmentError, type ErrorCode } from '../errors';
import { DIALECTS, type Dialect } from './dialects';

export type { Dialect };

export interface DatabaseTarget {
  dialect: Dialect;
  /** The knex client name. */
  client: 'better-sqlite3' | 'mysql2' | 'pg';
  connection: Knex.Config['connection'];
  /** The URL with any password masked, for messages and logs. */
  display: string;
}

export interface OpenOptions {
  pool?: Knex.PoolConfig;
  /**
   * Refuse a SQLite file that does not exist instead of creating an empty one (commands that only
   * read). Servers are never created by opening them.
   */
  mustExist?: boolean;
  /** TLS for the server drivers (ignored for SQLite): `rejectUnauthorized: false` accepts any certificate. */
  ssl?: { rejectUnauthorized: boolean };
}

const SCHEMES: Record<string, Dialect> = {
  'sqlite:': 'sqlite',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
};

/**
 * The oldest Node whose ABI the SQLite driver's prebuilt binary supports (better-sqlite3 declares
 * `engines.node >= 22`; on Node 20 it segfaults on the first statement, exit 139, no message).
 */
export const SQLITE_MIN_NODE = 22;

/** How long to wait for a server to answer before saying it is unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Reads a database URL; throws a SegmentError 'invalid-option' saying what is wrong. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  const dialect = scheme === undefined ? undefined : SCHEMES[scheme];
  if (dialect === undefined) {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: scheme?.length ?? 0 },
      source: url,
      origin: 'database URL',
      summary: `unsupported database URL${scheme ? ` scheme "${scheme}"` : ''}`,
      hint: 'use sqlite:<file>, mysql://user:pass@host:3306/db or postgres://user:pass@host:5432/db',
    });
  }
  if (dialect === 'sqlite') {
    const filename = url.slice(scheme!.length).replace(/^\/\//, '');
    if (filename === '') {
      throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: url.length }, source: url, origin: 'database URL', summary: 'the SQLite URL names no file', hint: 'write sqlite:segments.db (or sqlite::memory:)' });
    }
    return { dialect, client: 'better-sqlite3', connection: { filename }, display: url };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SegmentError({ code: 'invalid-option', span: { start: 0, end: url.length }, source: url, origin: 'database URL', summary: 'the database URL is not a valid URL', hint: 'write it like mysql://user:pass@127.0.0.1:3306/segments' });
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
      ...(dialect === 'mysql'
        ? { charset: 'utf8mb4', supportBigNumbers: true, dateStrings: false, connectTimeout: CONNECT_TIMEOUT_MS }
        : { connectionTimeoutMillis: CONNECT_TIMEOUT_MS }),
    },
    display: masked.toString(),
  };
}

const TARGETS = new WeakMap<Knex, DatabaseTarget>();

/**
 * A knex instance for a database URL. The caller destroys it (`await db.destroy()`). Throws a
 * `database-unavailable` error, before any driver is loaded, for a SQLite file in a directory that
 * does not exist, a missing file when `mustExist`, or a Node the SQLite driver cannot run on.
 */
export function openDatabase(url: string, options: OpenOptions = {}): Knex {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite') checkSqliteFile(target, options.mustExist === true);
  let db: Knex;
  try {
    db = knexFactory(knexConfig(target, options));
  } catch (error) {
    throw missingDriver(error, target) ?? error;
  }
  // ...and not even the query text: the driver's own message is what the user reads.
  db.on('query-error', (error: unknown, query: { sql?: string }) => cleanDriverError(error, query.sql));
  TARGETS.set(db, target);
  return db;
}

function knexConfig(target: DatabaseTarget, options: OpenOptions): Knex.Config {
  return {
    client: target.client,
    connection: options.ssl && target.dialect !== 'sqlite' ? { ...(target.connection as object), ssl: options.ssl } : target.connection,
    useNullAsDefault: target.dialect === 'sqlite',
    pool: withSession(options.pool ?? (target.dialect === 'sqlite' ? { min: 1, max: 1 } : { min: 0, max: 4 }), DIALECTS[target.dialect].session),
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS * 2,
    // The query text only, never the bindings, if an error message is ever built from it...
    compileSqlOnError: false,
    // ...and connection failures are reported once, by the caller, not logged with a stack trace.
    // (a missing driver is reported by `missingDriver`, not logged by knex with a stack trace)
    log: {
      warn: (message: string) => void (/^Acquire connection error/.test(message) ? undefined : process.emitWarning(message)),
      error: (message: string) => void (/^Knex: run\n/.test(message) ? undefined : process.emitWarning(message)),
    },
  };
}

/** A pool that runs the dialect's session statements on each new connection (after any `afterCreate` of the caller's). */
function withSession(pool: Knex.PoolConfig, statements: readonly string[]): Knex.PoolConfig {
  if (statements.length === 0) return pool;
  type Done = (error: Error | null, connection: unknown) => void;
  const before = (pool as { afterCreate?: (connection: unknown, done: Done) => void }).afterCreate;
  const run = (connection: { query: (sql: string, callback: (error: unknown) => void) => void }, done: Done, i = 0): void => {
    if (i === statements.length) return done(null, connection);
    // A server without the setting still works: the statement is skipped.
    connection.query(statements[i], () => run(connection, done, i + 1));
  };
  return {
    ...pool,
    afterCreate: (connection: never, done: Done) => (before ? before(connection, (error, c) => (error ? done(error, c) : run(connection, done))) : run(connection, done)),
  } as Knex.PoolConfig;
}

/**
 * The SQLite driver is an optional dependency (native code, installed where the platform allows);
 * the server drivers are bundled. A driver that cannot be loaded is a clear error, not knex's advice.
 */
function missingDriver(error: unknown, target: DatabaseTarget): SegmentError | undefined {
  if (!(error instanceof Error) || !/^Knex: run\n/.test(error.message)) return undefined;
  return new SegmentError({
    code: 'database-unavailable',
    span: { start: 0, end: 0 },
    summary: `cannot open ${target.display}: the ${target.client} driver is not installed (${error.message.split('\n').pop()})`,
    hint: target.dialect === 'sqlite' ? 'install the optional SQLite driver next to this package (npm install better-sqlite3), or use a MySQL/MariaDB or PostgreSQL database' : 'reinstall this package',
  });
}

/** The knex clients the segment SQL is written and tested for, by dialect. */
const KNEX_CLIENTS: Readonly<Record<string, Dialect>> = {
  'better-sqlite3': 'sqlite',
  sqlite3: 'sqlite',
  mysql2: 'mysql',
  mysql: 'mysql',
  pg: 'postgres',
  postgres: 'postgres',
  postgresql: 'postgres',
};

/**
 * The dialect of a knex instance. Throws an `invalid-option` error naming the client for any other
 * knex client (MSSQL, Oracle, CockroachDB, Redshift, a custom client class…): its SQL would differ.
 */
export function dialectOf(db: Knex): Dialect {
  const client: unknown = db.client.config.client;
  const name = typeof client === 'string' ? client : typeof client === 'function' ? `${client.name || 'anonymous'} (a client class)` : String(client);
  const dialect = typeof client === 'string' && Object.hasOwn(KNEX_CLIENTS, client) ? KNEX_CLIENTS[client] : undefined;
  if (dialect === undefined) {
    throw new SegmentError({
      code: 'invalid-option',
      summary: `the knex client ${JSON.stringify(name)} is not supported: segments run on SQLite, MySQL/MariaDB and PostgreSQL`,
      hint: `create the knex instance with one of the clients ${Object.keys(KNEX_CLIENTS).map((c) => JSON.stringify(c)).join(', ')}`,
    });
  }
  return dialect;
}

/** Whether a Node version (`process.versions.node` form) can run the SQLite driver. */
export function sqliteRunsOn(nodeVersion: string): boolean {
  return Number(nodeVersion.split('.')[0]) >= SQLITE_MIN_NODE;
}

function checkSqliteFile(target: DatabaseTarget, mustExist: boolean): void {
  const fail = (summary: string, hint: string) => {
    throw new SegmentError({ code: 'database-unavailable', span: { start: 0, end: 0 }, summary, hint });
  };
  if (!sqliteRunsOn(process.versions.node)) {
    fail(`the SQLite driver needs Node ${SQLITE_MIN_NODE} or later; this is Node ${process.versions.node}`, `run with Node ${SQLITE_MIN_NODE} or later, or use a MySQL/MariaDB or PostgreSQL database (a mysql://… or postgres://… URL)`);
  }
  const filename = String((target.connection as { filename: string }).filename);
  if (filename === ':memory:' || filename.startsWith('file:')) return;
  const path = resolve(filename);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) fail(`${target.display} is a directory, not a database file`, 'name a file, e.g. sqlite:segments.db');
    return;
  }
  if (mustExist) fail(`there is no database at ${target.display}`, 'check the file name (reading never creates a database)');
  if (!existsSync(dirname(path))) fail(`cannot create ${target.display}: the directory ${dirname(path)} does not exist`, 'create the directory first, or name a file in an existing one');
}

/** Strips what knex prefixed to a driver's message (the query) and mysql2's copy of the query with its values. */
function cleanDriverError(error: unknown, sql: string | undefined): void {
  if (!(error instanceof Error)) return;
  const prefix = sql === undefined ? undefined : `${sql} - `;
  if (prefix !== undefined && error.message.startsWith(prefix)) error.message = error.message.slice(prefix.length);
  delete (error as { sql?: unknown }).sql;
  if (typeof error.stack === 'string' && prefix !== undefined) error.stack = error.stack.split(prefix).join('');
}

/**
 * The user's view of a driver failure: a `SegmentError` saying which database and what to do, or
 * undefined when the failure is not one of the database's environment (a bug of ours stays one).
 */
export function databaseError(error: unknown, db: Knex): SegmentError | undefined {
  if (error instanceof SegmentError || !(error instanceof Error)) return undefined;
  const target = TARGETS.get(db);
  const where = target?.display ?? 'the database';
  const code = String((error as { code?: unknown }).code ?? '');
  const make = (errorCode: ErrorCode, summary: string, hint: string) => new SegmentError({ code: errorCode, span: { start: 0, end: 0 }, summary, hint });
  const message = error.message;
  // SQLite (better-sqlite3): extended result codes
  if (code === 'SQLITE_READONLY_DIRECTORY') return make('database-read-only', `cannot use ${where}: its directory is read-only, and SQLite needs to write its log files beside the database`, 'make the directory writable, or copy the database to a writable one');
  if (/^SQLITE_READONLY/.test(code) || code === 'SQLITE_PERM') return make('database-read-only', `${where} is read-only: nothing was changed`, 'check the permissions of the file and of its directory (SQLite writes a journal beside it)');
  if (code === 'SQLITE_NOTADB' || /^SQLITE_CORRUPT/.test(code)) return make('database-unavailable', `${where} is not a SQLite database (${message})`, 'check the file name: a sqlite:<file> URL must name a database file');
  if (/^SQLITE_CANTOPEN/.test(code)) return make('database-unavailable', `cannot open ${where} (${message})`, 'check that the file exists and is readable');
  if (code === 'SQLITE_FULL' || /^SQLITE_IOERR/.test(code)) return make('database-unavailable', `${where} cannot be written: ${message}`, 'check the free disk space');
  if (/^SQLITE_BUSY/.test(code) || code === 'SQLITE_LOCKED') return make('database-unavailable', `${where} is locked by another process`, 'try again when the other process is done');
  if (code === 'SQLITE_TOOBIG') return make('sql-limit', `the query is larger than SQLite accepts (${message})`, 'make the segment smaller: fewer conditions, or shorter lists');
  // Network (both servers)
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST'].includes(code) || error.name === 'KnexTimeoutError' || /timeout expired|Connection terminated/i.test(message)) {
    return make('database-unavailable', `cannot reach ${where}: ${code && !message.includes(code) ? `${code} ` : ''}${message}`, 'check the host and port in the database URL, and that the server is running');
  }
  // MySQL/MariaDB (mysql2: `code` names the server's error)
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR') return make('database-unavailable', `${where} refused the connection: ${message}`, 'check the user, password and database name in the database URL');
  if (code === 'ER_OPTION_PREVENTS_STATEMENT' || code === 'ER_READ_ONLY_MODE' || code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_CANT_LOCK') return make('database-read-only', `${where} refused to write: ${message}`, 'use a database user that may write, or a server that is not read-only');
  if (code === 'ER_NET_PACKET_TOO_LARGE') return make('sql-limit', `the query is larger than ${where} accepts (max_allowed_packet)`, 'make the segment smaller, keep large member lists in the catalogue, or raise max_allowed_packet');
  // PostgreSQL (pg: `code` is the SQLSTATE)
  if (/^(28|3D|08|53|57P0)/.test(code) && /^[0-9A-Z]{5}$/.test(code)) return make('database-unavailable', `${where} refused the connection: ${message}`, 'check the user, password and database name in the database URL, and that the server accepts connections');
  if (code === '25006' || code === '42501') return make('database-read-only', `${where} refused to write: ${message}`, 'use a database user that may write, or a server that is not read-only');
  if (code === '54000' || code === '54001') return make('sql-limit', `the query is too large or too deep for ${where} (${message})`, 'make the segment smaller: fewer conditions, or shorter lists');
  return undefined;
}
