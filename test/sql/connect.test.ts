/**
 * Opening databases: a database that cannot be opened, reached or written is a clear user error
 * (exit 2 from the CLI), never a stack trace, a crash or a new empty file; and a driver's error never
 * carries the query's values (profile data) into a message.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseError, openDatabase, SQLITE_MIN_NODE, sqliteRunsOn, type Dialect } from '../../core/sql/connect';
import { SegmentError } from '../../core/errors';
import { CLI, NODE, ROOT, segment } from '../cli/cli';
import { DIALECT_NAMES, openTestDatabase } from './support';

const dir = mkdtempSync(join(tmpdir(), 'segment-connect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openError(url: string, options: { mustExist?: boolean } = {}): SegmentError {
  try {
    openDatabase(url, options);
  } catch (e) {
    expect(e).toBeInstanceOf(SegmentError);
    return e as SegmentError;
  }
  throw new Error(`openDatabase(${url}) did not fail`);
}

/** A profiles file and a database made from it by the CLI (the layout and one profile). */
function importedDatabase(name: string): string {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, '{"id":"p1","clicks_count":3}\n');
  const db = join(dir, `${name}.db`);
  const r = segment(['import', '--db', `sqlite:${db}`, file]);
  expect(r.stderr).toBe('');
  return db;
}

describe('opening a SQLite file', () => {
  it('refuses a directory that does not exist, naming it, before any driver runs', () => {
    const e = openError(`sqlite:${join(dir, 'missing', 'x.db')}`);
    expect(e.code).toBe('database-unavailable');
    expect(e.summary).toContain(`the directory ${join(dir, 'missing')} does not exist`);
  });

  it('never creates a file when asked to read one that does not exist', () => {
    const file = join(dir, 'absent.db');
    const e = openError(`sqlite:${file}`, { mustExist: true });
    expect(e.code).toBe('database-unavailable');
    expect(e.summary).toBe(`there is no database at sqlite:${file}`);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a directory given as the database file', () => {
    expect(openError(`sqlite:${dir}`).summary).toContain('is a directory, not a database file');
  });

  it('refuses a Node older than the driver supports, and the limit is the driver\'s own', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${SQLITE_MIN_NODE}`);
    expect(sqliteRunsOn('20.20.2')).toBe(false);
    expect(sqliteRunsOn('21.9.0')).toBe(false);
    expect(sqliteRunsOn('22.0.0')).toBe(true);
    expect(sqliteRunsOn(process.versions.node)).toBe(true);
  });

  it('calls a file that is not a database by its name', async () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are notes, not a database\n'.repeat(100));
    const db = openDatabase(`sqlite:${file}`);
    try {
      const error = await db.raw('SELECT 1').then(() => undefined, (e: unknown) => e);
      expect(databaseError(error, db)).toMatchObject({ code: 'database-unavailable', summary: expect.stringContaining(`sqlite:${file} is not a SQLite database`) });
    } finally {
      await db.destroy();
    }
  });
});

describe.each(DIALECT_NAMES)('driver errors on %s', (dialect: Dialect) => {
  it('keep the query and its values (profile data) out of the message', async () => {
    const db = await openTestDatabase(dialect, 'connect');
    try {
      const error = (await db.raw('SELECT * FROM no_such_table WHERE email = ?', ['amal.secret@example.com']).then(() => undefined, (e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).not.toContain('amal.secret');
      expect(error.message).not.toMatch(/select \*/i);
      expect(error.message).toMatch(/no_such_table/);
      expect(JSON.stringify(error)).not.toContain('amal.secret');
      expect(String(error.stack)).not.toContain('amal.secret');
    } finally {
      await db.destroy();
    }
  });
});

describe.each(['mysql', 'postgres'] as const)('a %s server that cannot be used', (dialect) => {
  const variable = dialect === 'mysql' ? 'TEST_MARIADB_URL' : 'TEST_POSTGRES_URL';
  const server = () => {
    const url = process.env[variable];
    if (!url) throw new Error(`${variable} is not set: run the tests through npm test`);
    return new URL(url);
  };

  async function failure(url: URL): Promise<SegmentError | undefined> {
    const db = openDatabase(url.toString());
    try {
      const error = await db.raw('SELECT 1').then(() => undefined, (e: unknown) => e);
      return databaseError(error, db);
    } finally {
      await db.destroy();
    }
  }

  it('is unreachable: a clear error naming the server, the password masked', async () => {
    const url = server();
    url.port = '1';
    const e = await failure(url);
    expect(e).toMatchObject({ code: 'database-unavailable', summary: expect.stringMatching(/^cannot reach .*:\*\*\*@127\.0\.0\.1:1\/.*ECONNREFUSED/) });
  });

  it('refuses the user', async () => {
    const url = server();
    url.username = 'no_such_user';
    expect(await failure(url)).toMatchObject({ code: 'database-unavailable', summary: expect.stringContaining('refused the connection') });
  });

  it('has no such database', async () => {
    const url = server();
    url.pathname = '/seg_no_such_database';
    expect(await failure(url)).toMatchObject({ code: 'database-unavailable' });
  });
});

describe('the CLI on a database it cannot use', { timeout: 240_000 }, () => {
  const expectUserError = (r: { status: number | null; stderr: string }, code: string, text: string | RegExp) => {
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error\\[${code}\\]: `));
    expect(r.stderr).toMatch(text);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };

  it('says a directory is missing (import) and never creates a file for a reading command', () => {
    expectUserError(segment(['import', '--db', `sqlite:${join(dir, 'nowhere', 'x.db')}`, join(ROOT, 'test', 'cli', 'fixtures', 'profiles.jsonl')]), 'database-unavailable', /the directory .*nowhere does not exist/);
    const absent = join(dir, 'never.db');
    for (const args of [['count', 'clicks_count > 0'], ['filter', 'clicks_count > 0'], ['explain', 'clicks_count > 0'], ['sql', '--dialect', 'sqlite', 'clicks_count > 0']]) {
      expectUserError(segment([...args, '--db', `sqlite:${absent}`]), 'database-unavailable', `there is no database at sqlite:${absent}`);
    }
    for (const args of [['segments', 'list'], ['segments', 'show', 'x'], ['segments', 'dump'], ['segments', 'reach'], ['segments', 'members', 'list', 'x'], ['segments', 'export', 'x', '--role', 'admin']]) {
      expectUserError(segment([...args, '--db', `sqlite:${absent}`]), 'database-unavailable', 'there is no database');
    }
    expect(existsSync(absent)).toBe(false);
  });

  it('says a file is not a database', () => {
    const file = join(dir, 'text.db');
    writeFileSync(file, 'hello\n');
    expectUserError(segment(['count', '--db', `sqlite:${file}`, 'clicks_count > 0']), 'database-unavailable', 'is not a SQLite database');
    expectUserError(segment(['segments', 'list', '--db', `sqlite:${file}`]), 'database-unavailable', 'is not a SQLite database');
  });

  it('says an unreachable server cannot be reached, once, with no driver log', () => {
    const r = segment(['count', '--db', 'mysql://user:secret@127.0.0.1:1/crm', 'clicks_count > 0']);
    expectUserError(r, 'database-unavailable', /^error\[database-unavailable\]: cannot reach mysql:\/\/user:\*\*\*@127\.0\.0\.1:1\/crm: .*ECONNREFUSED/);
    expect(r.stderr).not.toContain('secret');
    expect(r.stderr).not.toContain('Acquire connection error');
    expectUserError(segment(['segments', 'list', '--db', 'postgres://user:secret@127.0.0.1:1/crm']), 'database-unavailable', /cannot reach postgres:/);
  });

  describe('run by a user who may read but not write (uid 65534)', () => {
    let readable: string;
    beforeAll(() => {
      // World-readable, owned by root: the unprivileged user can read the database but not write it.
      readable = mkdtempSync(join(tmpdir(), 'segment-readonly-'));
      chmodSync(readable, 0o755);
    });
    afterAll(() => rmSync(readable, { recursive: true, force: true }));

    const asNobody = (args: string[], cwd: string) => {
      const r = spawnSync(NODE, [CLI, ...args], { cwd, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 120_000 });
      if (r.error) throw r.error;
      return r;
    };

    it('reads a read-only catalogue in a writable directory, and refuses to write it with a clear error', () => {
      const shared = join(readable, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      expect(segment(['segments', 'create', 'Clickers', 'clicks_count > 0', '--db', `sqlite:${join(shared, 'cat.db')}`]).status).toBe(0);
      chmodSync(join(shared, 'cat.db'), 0o444);
      const list = asNobody(['segments', 'list', '--db', 'sqlite:cat.db'], shared);
      expect(list.stderr).toBe('');
      expect(list.stdout).toMatch(/\nClickers\s+dynamic/);
      expectUserError(asNobody(['segments', 'create', 'Openers', 'clicks_count > 1', '--db', 'sqlite:cat.db'], shared), 'database-read-only', 'sqlite:cat.db is read-only: nothing was changed');
    });

    it('counts in a database it may not write, refuses to import into it, and says why a catalogue in a read-only directory cannot be read', () => {
      writeFileSync(join(readable, 'profiles.db'), readFileSync(importedDatabase('profiles')));
      const count = asNobody(['count', '--db', 'sqlite:profiles.db', 'clicks_count > 0'], readable);
      expect(count.stderr).toBe('');
      expect(count.stdout).toBe('1\n');
      writeFileSync(join(readable, 'more.jsonl'), '{"id":"p2"}\n');
      expectUserError(asNobody(['import', '--db', 'sqlite:profiles.db', 'more.jsonl'], readable), 'database-read-only', 'sqlite:profiles.db is read-only: nothing was changed');
      // The catalogue keeps its file in write-ahead-log mode: reading it needs the log files beside it.
      expect(segment(['segments', 'create', 'Clickers', 'clicks_count > 0', '--db', `sqlite:${join(dir, 'wal.db')}`]).status).toBe(0);
      writeFileSync(join(readable, 'wal.db'), readFileSync(join(dir, 'wal.db')));
      expectUserError(asNobody(['segments', 'list', '--db', 'sqlite:wal.db'], readable), 'database-read-only', 'cannot use sqlite:wal.db: its directory is read-only');
    });
  });

  it(`refuses SQLite clearly on a Node older than ${SQLITE_MIN_NODE} (the system Node here), before loading the driver`, () => {
    const old = '/usr/bin/node';
    const version = spawnSync(old, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(version.replace(/^v/, '').split('.')[0]), `${old} should be a Node older than ${SQLITE_MIN_NODE} (it is ${version})`).toBeLessThan(SQLITE_MIN_NODE);
    const db = importedDatabase('old-node');
    for (const args of [['count', 'clicks_count > 0'], ['segments', 'list']]) {
      const r = spawnSync(old, [CLI, ...args, '--db', `sqlite:${db}`], { encoding: 'utf8', timeout: 120_000 });
      expect(r.signal).toBeNull(); // no segmentation fault
      expectUserError({ status: r.status, stderr: r.stderr }, 'database-unavailable', `the SQLite driver needs Node ${SQLITE_MIN_NODE} or later; this is Node ${version.replace(/^v/, '')}`);
    }
  });

  it('declares in package.json the Node its dependencies need', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const needs = ['commander', 'better-sqlite3'].map((name) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node);
    expect(needs).toEqual(['>=22.12.0', `>=${SQLITE_MIN_NODE}`]);
    expect(pkg.engines.node).toBe('>=22.12.0');
  });
});
