/**
 * The database side of the CLI (loaded only when a command needs it):
 *
 *   segment import --db <url> [--schema s.json] [--replace] profiles.jsonl
 *   segment sql --dialect mysql|postgres|sqlite [--schema s.json | --db <url>] '<expr>'
 *
 * and the `--db` runs of count, filter and explain (`dbCount`, `dbFilter`, `dbExplain`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { format as formatSql } from 'sql-formatter';
import { inferSchema, type Schema } from '../core/index';
import { openDatabase, parseDatabaseUrl, type Dialect } from '../core/sql/connect';
import { createLayout, dropLayout, readLayout } from '../core/sql/layout';
import { loadProfiles, type LoadInput } from '../core/sql/load';
import { compileSegmentSql, countProfiles, countQuery, idsQuery, prepareSegment, rowsQuery, streamProfiles, type SqlSegment } from '../core/sql/query';
import { INFER_FROM } from './context';
import { userError } from './errors';
import { fileError, loadSchema, loadSegments, readExpression } from './inputs';
import type { DbRunOptions } from './optional';
import { progress } from './output';
import type { ReadStats } from './profiles';

const CLIENTS: Record<Dialect, { knex: string; formatter: 'mysql' | 'postgresql' | 'sqlite' }> = {
  mysql: { knex: 'mysql2', formatter: 'mysql' },
  postgres: { knex: 'pg', formatter: 'postgresql' },
  sqlite: { knex: 'better-sqlite3', formatter: 'sqlite' },
};

const SHOWN_REJECTIONS = 20;

export function registerDbCommands(program: Command): void {
  program
    .command('import')
    .description('load profiles (JSON Lines) into a database, creating the storage layout')
    .requiredOption('--db <url>', 'the database (sqlite:<file>, mysql://…, postgres://…)')
    .option('--schema <file>', 'the field schema (default: the one already in the database, else inferred from the first 10,000 profiles)')
    .option('--replace', 'drop the stored profiles first')
    .argument('<profiles.jsonl>', 'the profiles, one JSON object per line')
    .action(async (file: string, options: { db: string; schema?: string; replace?: boolean }) => {
      const summary = await importProfiles(file, options);
      process.stdout.write(`${summary}\n`);
    });

  program
    .command('sql')
    .description('print the SQL a segment compiles to, formatted, with its bindings (never run)')
    .requiredOption('--dialect <dialect>', 'mysql, postgres or sqlite')
    .option('--schema <file>', 'the field schema (or --db to read the stored one)')
    .option('--db <url>', 'read the schema and mapping stored in this database')
    .option('--segments <file>', 'saved segments for in_segment(…) (JSON)')
    .option('--now <iso>', 'the evaluation instant (default: now)')
    .option('--tz <zone>', 'IANA time zone for calendar steps and today (default UTC)')
    .option('--select <what>', 'count, ids or rows', 'ids')
    .argument('[expression]', 'the segment (default: stdin)')
    .action(async (expression: string | undefined, options: { dialect: string; schema?: string; db?: string; segments?: string; now?: string; tz?: string; select: string }) => {
      const dialect = dialectName(options.dialect);
      const select = selectKind(options.select);
      const source = await readExpression(expression);
      const segments = options.segments === undefined ? undefined : await loadSegments(options.segments);
      let schema = options.schema === undefined ? undefined : await loadSchema(options.schema);
      let mapping;
      if (options.db !== undefined) {
        const db = openDatabase(options.db);
        try {
          const saved = await readLayout(db);
          schema ??= saved?.schema;
          mapping = saved?.mapping;
        } finally {
          await db.destroy();
        }
      }
      if (schema === undefined) throw userError('invalid-option', 'SQL needs the field schema', 'pass --schema <file>, or --db <url> of a database filled by `segment import`');
      const segment = compileSegmentSql(source, { schema, mapping, segments, dialect, now: options.now, timeZone: options.tz, origin: 'expression' });
      const db = knexFactory({ client: CLIENTS[dialect].knex, useNullAsDefault: true });
      try {
        process.stdout.write(`${printQuery(db, segment, select)}\n`);
      } finally {
        await db.destroy();
      }
    });
}

/** `--db` count: the same number `count --data` prints for the imported file. */
export async function dbCount(o: DbRunOptions): Promise<number> {
  return withDatabase(o.url, async (db) => countProfiles(db, await prepare(db, o)));
}

/** `--db` filter: writes each matching profile (as imported), returns how many. */
export async function dbFilter(o: DbRunOptions, write: (profile: Record<string, unknown>) => void | Promise<void>): Promise<number> {
  return withDatabase(o.url, async (db) => {
    let n = 0;
    for await (const profile of streamProfiles(db, await prepare(db, o))) {
      await write(profile);
      n++;
    }
    return n;
  });
}

/** `--db` explain: the SQL the database runs for the count, formatted, with its bindings. */
export async function dbExplain(o: DbRunOptions): Promise<string> {
  return withDatabase(o.url, async (db) => printQuery(db, await prepare(db, o), 'count'));
}

function prepare(db: Knex, o: DbRunOptions): Promise<SqlSegment> {
  return prepareSegment(db, o.expression, { schema: o.schema, segments: o.segments, now: o.now, timeZone: o.timeZone, origin: 'expression' });
}

async function withDatabase<T>(url: string, run: (db: Knex) => Promise<T>): Promise<T> {
  const db = openDatabase(url);
  try {
    return await run(db);
  } finally {
    await db.destroy();
  }
}

function printQuery(db: Knex, segment: SqlSegment, select: 'count' | 'ids' | 'rows'): string {
  const query = select === 'count' ? countQuery(db, segment) : select === 'ids' ? idsQuery(db, segment) : rowsQuery(db, segment);
  const native = query.toSQL().toNative();
  const sql = formatSql(native.sql, { language: CLIENTS[segment.dialect].formatter, paramTypes: segment.dialect === 'postgres' ? { numbered: ['$'] } : { positional: true } });
  const bindings = native.bindings.map((b, i) => `  ${segment.dialect === 'postgres' ? `$${i + 1}` : `${i + 1}.`} ${JSON.stringify(b)}`);
  return `${sql}\n\n-- bindings:\n${bindings.length > 0 ? bindings.join('\n') : '  (none)'}`;
}

function dialectName(name: string): Dialect {
  const map: Record<string, Dialect> = { mysql: 'mysql', mariadb: 'mysql', postgres: 'postgres', postgresql: 'postgres', sqlite: 'sqlite' };
  const dialect = map[name.toLowerCase()];
  if (dialect === undefined) throw userError('invalid-option', `unknown --dialect "${name}"`, 'use mysql, postgres or sqlite');
  return dialect;
}

function selectKind(name: string): 'count' | 'ids' | 'rows' {
  if (name === 'count' || name === 'ids' || name === 'rows') return name;
  throw userError('invalid-option', `unknown --select "${name}"`, 'use count, ids or rows');
}

/** Reads JSON Lines with their line numbers; a line that does not parse becomes a rejection. */
async function* jsonLines(file: string, stats: ReadStats): AsyncGenerator<LoadInput> {
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw fileError(e, file, 'profiles');
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    stats.bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    stats.profiles++;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (e) {
      yield { line, error: `not valid JSON: ${(e as Error).message}` };
    }
  }
}

async function importProfiles(file: string, options: { db: string; schema?: string; replace?: boolean }): Promise<string> {
  const target = parseDatabaseUrl(options.db);
  let size = 0;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw fileError(e, file, 'profiles');
  }
  const stats: ReadStats = { bytes: 0, totalBytes: size, profiles: 0, skipped: 0, firstSkipped: undefined };
  const db = openDatabase(options.db);
  try {
    if (options.replace) await dropLayout(db);
    const input = jsonLines(file, stats);
    let schema: Schema | undefined = options.schema === undefined ? undefined : await loadSchema(options.schema);
    let head: LoadInput[] = [];
    if (schema === undefined) {
      schema = (await readLayout(db))?.schema;
      if (schema === undefined) {
        // Not `for await … break`: that would close the generator the load goes on reading.
        while (head.length < INFER_FROM) {
          const next = await input.next();
          if (next.done) break;
          head.push(next.value);
        }
        schema = inferSchema(head.filter((h) => h.error === undefined).map((h) => h.value as Record<string, unknown>));
      }
    }
    const mapping = await createLayout(db, schema);
    const bar = progress(stats);
    const all = (async function* () {
      yield* head;
      head = [];
      yield* input;
    })();
    const result = await loadProfiles(db, all, { schema, mapping, onProgress: () => bar.update() });
    bar.done();
    for (const r of result.rejected.slice(0, SHOWN_REJECTIONS)) process.stderr.write(`${file}:${r.line}: rejected: ${r.reason}\n`);
    if (result.rejectedCount > SHOWN_REJECTIONS) process.stderr.write(`… and ${result.rejectedCount - SHOWN_REJECTIONS} more rejected lines\n`);
    return `imported ${result.loaded.toLocaleString('en-US')} profiles into ${target.display}${result.rejectedCount > 0 ? ` (${result.rejectedCount.toLocaleString('en-US')} rejected)` : ''}`;
  } finally {
    await db.destroy();
  }
}
