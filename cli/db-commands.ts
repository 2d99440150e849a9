/**
 * The database side of the CLI (loaded only when a command needs it):
 *
 *   segment import --db <url> [--schema s.json] [--replace] profiles.jsonl
 *   segment sql --dialect mysql|postgres|sqlite [--schema s.json | --db <url>] '<expr>'
 *
 * and the `--db` runs of count, filter and explain (`dbCount`, `dbFilter`, `dbExplain`).
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { format as formatSql } from 'sql-formatter';
import {
  advisedDdl,
  advisedMigration,
  adviseIndexes,
  CATALOG_TABLES,
  checkProfiles,
  compileSegmentSql,
  countProfiles,
  countQuery,
  createAdvisedIndexes,
  createLayout,
  databaseError,
  dropLayout,
  idsQuery,
  inferSchema,
  layoutMapping,
  loadCatalogSnapshot,
  loadProfiles,
  openDatabase,
  parseDatabaseUrl,
  prepareSegment,
  readLayout,
  rowsQuery,
  streamProfiles,
  type Dialect,
  type Expr,
  type LoadInput,
  type LoadResult,
  type Schema,
  type SegmentError,
  type SqlSegment,
} from '../core/server';
import { INFER_FROM } from './context';
import { userError } from './errors';
import { fileError, loadSchema, loadSegments, readExpression } from './inputs';
import type { DbRunOptions } from './contracts';
import { printError, printText } from './io';
import { DEFAULT_MAX_LINE_LENGTH, maxLineLength, readJsonLines } from './jsonl';
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
    .option('--replace', 'drop the stored profiles first (once the whole file is known to be good)')
    .option('--skip-bad-lines', 'load the other lines when some are rejected (each one is listed) instead of importing nothing')
    .option('--max-line-length <n>', `the longest line read, in characters (default: $SEGMENT_MAX_LINE_LENGTH or ${DEFAULT_MAX_LINE_LENGTH.toLocaleString('en-US')})`)
    .argument('<profiles.jsonl>', 'the profiles, one JSON object per line')
    .action(async (file: string, options: ImportOptions) => {
      const summary = await importProfiles(file, options);
      printText(summary);
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
    .option('--advise', 'instead: the composite indexes that make these segments fast (the expression, --segments, and the active segments of the catalogue in --db), as DDL and as a knex migration')
    .option('--create', 'with --advise: create the advised indexes in --db (recorded with the layout)')
    .argument('[expression]', 'the segment (default: stdin)')
    .action(async (expression: string | undefined, options: SqlOptions) => {
      if (options.advise) {
        printText((await advise(expression, options)).replace(/\n$/, ''));
        return;
      }
      if (options.create) throw userError('invalid-option', '--create goes with --advise', 'write `segment sql --advise --create --db <url>`');
      const dialect = dialectName(options.dialect);
      const select = selectKind(options.select);
      const source = await readExpression(expression);
      const segments = options.segments === undefined ? undefined : await loadSegments(options.segments);
      let schema = options.schema === undefined ? undefined : await loadSchema(options.schema);
      let mapping;
      if (options.db !== undefined) {
        const saved = await withDatabase(options.db, 'read', (db) => readLayout(db));
        schema ??= saved?.schema;
        mapping = saved?.mapping;
      }
      if (schema === undefined) throw userError('invalid-option', 'SQL needs the field schema', 'pass --schema <file>, or --db <url> of a database filled by `segment import`');
      const segment = compileSegmentSql(source, { schema, mapping, segments, dialect, now: options.now, timeZone: options.tz, origin: 'expression' });
      const db = knexFactory({ client: CLIENTS[dialect].knex, useNullAsDefault: true });
      try {
        printText(printQuery(db, segment, select));
      } finally {
        await db.destroy();
      }
    });
}

interface SqlOptions {
  dialect: string;
  schema?: string;
  db?: string;
  segments?: string;
  now?: string;
  tz?: string;
  select: string;
  advise?: boolean;
  create?: boolean;
}

/** `segment sql --advise`: index advice for the segments in use, printed (and created with --create). */
async function advise(expression: string | undefined, options: SqlOptions): Promise<string> {
  const dialect = dialectName(options.dialect);
  if (options.create && options.db === undefined) throw userError('invalid-option', '--create needs --db', 'name the database to create the indexes in: --db <url>');
  const fileSegments = options.segments === undefined ? [] : await loadSegments(options.segments);
  let schema = options.schema === undefined ? undefined : await loadSchema(options.schema);
  const run = async (db: Knex | undefined) => {
    const saved = db === undefined ? undefined : await readLayout(db);
    schema ??= saved?.schema;
    if (schema === undefined) throw userError('invalid-option', 'index advice needs the field schema', 'pass --db <url> of a database filled by `segment import`, or --schema <file>');
    const mapping = saved?.mapping ?? layoutMapping(schema);
    // The catalogue's active segments (their expressions only: manual members are not read).
    const stored = db !== undefined && (await db.schema.hasTable(CATALOG_TABLES.segments)) ? (await loadCatalogSnapshot(db)).definitions(() => []) : [];
    const all = [...stored.filter((s) => !fileSegments.some((f) => f.name.toLowerCase() === s.name.toLowerCase())), ...fileSegments];
    const sources = [...(expression === undefined ? [] : [{ name: 'expression', expression }]), ...all.flatMap((d) => ('expression' in d ? [{ name: d.name, expression: d.expression }] : []))];
    if (sources.length === 0) throw userError('invalid-option', 'no segments to advise on', 'give an expression, --segments <file>, or --db <url> with saved segments');
    const advice = adviseIndexes(sources, { schema, mapping, segments: all });
    const ddlDb = db ?? knexFactory({ client: CLIENTS[dialect].knex, useNullAsDefault: true });
    try {
      const lines = [`-- ${advice.length} composite ${advice.length === 1 ? 'index' : 'indexes'} for ${sources.length} ${sources.length === 1 ? 'segment' : 'segments'}`];
      for (const [i, statement] of advisedDdl(ddlDb, advice).entries()) lines.push(`-- ${advice[i].segments.join(', ')}`, statement);
      lines.push('', '// or as a knex migration:', advisedMigration(advice));
      if (options.create && db !== undefined) {
        const created = await createAdvisedIndexes(db, advice);
        lines.push(`created ${created.length} ${created.length === 1 ? 'index' : 'indexes'}${created.length > 0 ? `: ${created.join(', ')}` : ' (all were there)'}`);
      }
      return `${lines.join('\n')}\n`;
    } finally {
      if (db === undefined) await ddlDb.destroy();
    }
  };
  return options.db === undefined ? run(undefined) : withDatabase(options.db, options.create ? 'write' : 'read', run);
}

/** `--db` count: the same number `count --data` prints for the imported file. */
export async function dbCount(o: DbRunOptions): Promise<number> {
  return withDatabase(o.url, 'read', async (db) => countProfiles(db, await prepare(db, o)));
}

/**
 * `--db` filter: writes each matching profile (as imported), returns how many. Stops reading (the
 * query's stream is closed) as soon as `stopped()` says the reader has gone away (`… | head`).
 */
export async function dbFilter(o: DbRunOptions, write: (profile: Record<string, unknown>) => void | Promise<void>, stopped: () => boolean = () => false): Promise<number> {
  return withDatabase(o.url, 'read', async (db) => {
    let n = 0;
    for await (const profile of streamProfiles(db, await prepare(db, o))) {
      await write(profile);
      n++;
      if (stopped()) break;
    }
    return n;
  });
}

/** `--db` explain: the SQL the database runs for the count, formatted, with its bindings. */
export async function dbExplain(o: DbRunOptions): Promise<{ expr: Expr; sql: string }> {
  return withDatabase(o.url, 'read', async (db) => {
    const segment = await prepare(db, o);
    return { expr: segment.expr, sql: printQuery(db, segment, 'count') };
  });
}

function prepare(db: Knex, o: DbRunOptions): Promise<SqlSegment> {
  return prepareSegment(db, o.checked ?? o.expression, { schema: o.schema, segments: o.segments, now: o.now, timeZone: o.timeZone, origin: 'expression' });
}

/**
 * Runs `run` on the database of a URL and closes it; a failure of the database itself (missing
 * file, unreachable server, read-only, not a database) becomes a clear user error. Reading never
 * creates a database file.
 */
async function withDatabase<T>(url: string, mode: 'read' | 'write', run: (db: Knex) => Promise<T>): Promise<T> {
  const db = openDatabase(url, { mustExist: mode === 'read' });
  try {
    return await run(db);
  } catch (e) {
    throw databaseError(e, db) ?? e;
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

/** Reads JSON Lines with their line numbers (cli/jsonl.ts: capped, depth- and number-checked); a bad line becomes a rejection. */
async function jsonLines(file: string, maxLength: number): Promise<{ input: AsyncGenerator<LoadInput>; stats: ReadStats }> {
  let size = 0;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (e) {
    throw fileError(e, file, 'profiles');
  }
  const stats: ReadStats = { bytes: 0, totalBytes: size, profiles: 0, skipped: 0, firstSkipped: undefined };
  async function* lines(): AsyncGenerator<LoadInput> {
    try {
      for await (const chunk of readJsonLines(file, stats, maxLength)) {
        stats.profiles += chunk.length;
        for (const l of chunk) yield l.error === undefined ? { line: l.line, value: l.value } : { line: l.line, error: l.error };
      }
    } catch (e) {
      throw typeof (e as NodeJS.ErrnoException).syscall === 'string' ? fileError(e, file, 'profiles') : e;
    }
  }
  return { input: lines(), stats };
}

interface ImportOptions {
  db: string;
  maxLineLength?: string;
  schema?: string;
  replace?: boolean;
  skipBadLines?: boolean;
}

/**
 * `segment import`: all or nothing by default (one transaction; a rejected line keeps the whole file
 * out, exit 2 with every rejected line listed); `--skip-bad-lines` loads the others. With `--replace`
 * the file is checked whole before the stored profiles are dropped.
 */
async function importProfiles(file: string, options: ImportOptions): Promise<string> {
  const target = parseDatabaseUrl(options.db);
  // Every line of a CSV file would be rejected as "not valid JSON": say what the command reads instead.
  if (/\.csv$/i.test(file)) {
    throw userError('invalid-option', `import reads JSON Lines (one JSON object per line), and "${file}" is a CSV file`, 'convert it to JSON Lines first (one {"id": …} object per line); count, filter and the segments commands read a .csv file as --data');
  }
  const maxLength = maxLineLength(options.maxLineLength);
  const given = options.schema === undefined ? undefined : await loadSchema(options.schema);
  const onRejected = options.skipBadLines ? 'skip' : 'rollback';
  return withDatabase(options.db, 'write', async (db) => {
    // The schema: --schema, else the one stored (unless replacing it), else inferred from the file's head.
    const schemaOf = async (input: AsyncGenerator<LoadInput>) => {
      const known = given ?? (options.replace ? undefined : (await readLayout(db))?.schema);
      return known === undefined ? inferFrom(input) : { schema: known, input };
    };
    if (options.replace) {
      if (onRejected === 'rollback') {
        const { schema, input } = await schemaOf((await jsonLines(file, maxLength)).input);
        const checked = await checkProfiles(input, { schema, mapping: layoutMapping(schema), dialect: target.dialect });
        if (checked.rejectedCount > 0) throw rejectedLines(file, checked, 'the stored profiles were kept');
      }
      await dropLayout(db);
    }
    const reader = await jsonLines(file, maxLength);
    const { schema, input } = await schemaOf(reader.input);
    const mapping = await createLayout(db, schema);
    const bar = progress(reader.stats);
    const result = await loadProfiles(db, input, { schema, mapping, onRejected, onProgress: () => bar.update() });
    bar.done();
    if (!result.committed) throw rejectedLines(file, result, 'nothing was imported');
    reportRejected(file, result);
    return `imported ${result.loaded.toLocaleString('en-US')} profiles into ${target.display}${result.rejectedCount > 0 ? ` (${result.rejectedCount.toLocaleString('en-US')} rejected)` : ''}`;
  });
}

/** The schema from the first 10,000 lines, and the input with those lines put back in front. */
async function inferFrom(input: AsyncGenerator<LoadInput>): Promise<{ schema: Schema; input: AsyncGenerator<LoadInput> }> {
  const head: LoadInput[] = [];
  // Not `for await … break`: that would close the generator the load goes on reading.
  while (head.length < INFER_FROM) {
    const next = await input.next();
    if (next.done) break;
    head.push(next.value);
  }
  const schema = inferSchema(head.filter((h) => h.error === undefined).map((h) => h.value as Record<string, unknown>));
  return {
    schema,
    input: (async function* () {
      yield* head.splice(0);
      yield* input;
    })(),
  };
}

function reportRejected(file: string, result: LoadResult): void {
  for (const r of result.rejected.slice(0, SHOWN_REJECTIONS)) printError(`${file}:${r.line}: rejected: ${r.reason}`);
  if (result.rejectedCount > SHOWN_REJECTIONS) printError(`… and ${(result.rejectedCount - SHOWN_REJECTIONS).toLocaleString('en-US')} more rejected lines`);
}

/** The error of an import that a rejected line stopped (each rejected line is listed on stderr first). */
function rejectedLines(file: string, result: LoadResult, kept: string): SegmentError {
  reportRejected(file, result);
  const n = result.rejectedCount;
  return userError('invalid-data', `${n.toLocaleString('en-US')} line${n === 1 ? ' was' : 's were'} rejected, so ${kept}`, 'fix the lines listed above, or pass --skip-bad-lines to import the other lines', file);
}
