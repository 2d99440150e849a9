/**
 * The in-memory commands: `check`, `format`, `explain`, `count`, `filter`. Each reads its inputs,
 * hands them to the core driver (check, compileSegment, format, explain) and prints the result;
 * `--db` runs delegate to cli/db-commands.ts, loaded only then.
 */
import { Option, type Command } from 'commander';
import {
  check,
  compileSegment,
  explain,
  format,
  inferSchema,
  print,
  SegmentErrors,
  type CompiledSegment,
  type Schema,
  type SegmentDefinition,
} from '../core/index';
import { EXIT_OK, reportFailure, userError } from './errors';
import { checkClockOptions, loadSchema, loadSegments, readExpression, type CommonOptions } from './inputs';
import { loadDb, type DbRunOptions } from './optional';
import { JsonlWriter, progress } from './output';
import { openProfiles, peekProfiles, type ProfileStream } from './profiles';

/** How many profiles a schema is inferred from when no `--schema` is given. */
export const INFER_FROM = 10_000;

export function registerCoreCommands(program: Command): void {
  common(program.command('check'), { data: 'infer the schema from the first 10,000 profiles of this file' })
    .description('parse and validate an expression; prints "ok", or every problem with a caret under it (exit code 2)')
    .action(action(runCheck));
  common(program.command('format'))
    .description('print the canonical form of an expression')
    .action(action(runFormat));
  common(program.command('explain'), { db: 'also print the SQL the database would run' })
    .description('describe an expression in plain English and print its canonical form')
    .action(action(runExplain));
  common(program.command('count'), { data: 'profiles to count (JSON Lines, or .csv)', db: 'count in this database instead', skipBadLines: true })
    .description('count the profiles in a segment; the count is the last line of the output')
    .action(action(runCount));
  common(program.command('filter'), { data: 'profiles to filter (JSON Lines, or .csv)', db: 'filter in this database instead', skipBadLines: true })
    .description('write the profiles in a segment as JSON Lines')
    .action(action(runFilter));
}

interface Extras {
  data?: string;
  db?: string;
  skipBadLines?: boolean;
}

function common(command: Command, extras: Extras = {}): Command {
  command.argument('[expression]', 'the segment expression (read from stdin when absent)');
  if (extras.data) command.option('--data <file>', extras.data);
  command
    .option('--schema <file>', 'the field schema (JSON)')
    .option('--segments <file>', 'saved segments for in_segment(): a JSON list of {"name","expression"} or {"name","members"}')
    .option('--now <iso>', 'the evaluation instant (default: the current time)')
    .option('--tz <zone>', 'IANA time zone for months, years and "today" (default: UTC)')
    .option('--json', 'machine-readable output');
  if (extras.db) command.option('--db <url>', `${extras.db} (sqlite:<file>, mysql://…, postgres://…)`);
  if (extras.skipBadLines) command.addOption(new Option('--skip-bad-lines', 'skip unreadable profile lines (counted on stderr) instead of stopping'));
  return command;
}

type Run = (source: string, options: CommonOptions) => Promise<void>;

function action(run: Run) {
  return async (expression: string | undefined, options: CommonOptions): Promise<void> => {
    try {
      const source = await readExpression(expression);
      checkClockOptions(options);
      await run(source, options);
      process.exitCode = EXIT_OK;
    } catch (e) {
      process.exitCode = reportFailure(e, options.json === true);
    }
  };
}

function println(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Context {
  schema: Schema | undefined;
  segments: SegmentDefinition[] | undefined;
}

async function context(options: CommonOptions): Promise<Context> {
  const [schema, segments] = await Promise.all([
    options.schema === undefined ? undefined : loadSchema(options.schema),
    options.segments === undefined ? undefined : loadSegments(options.segments),
  ]);
  return { schema, segments };
}

/** Throws every problem at once (syntax, validation, segment references). */
function checked(source: string, ctx: Context) {
  const result = check(source, { schema: ctx.schema, segments: ctx.segments });
  if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
  return result.expr;
}

async function runCheck(source: string, options: CommonOptions): Promise<void> {
  const ctx = await context(options);
  if (ctx.schema === undefined && options.data !== undefined) {
    checked(source, ctx);
    const { head, close } = await peekProfiles(await openProfiles(options.data, { skipBadLines: options.skipBadLines }), INFER_FROM);
    await close();
    ctx.schema = inferSchema(head);
  }
  const expr = checked(source, ctx);
  if (options.json) println(JSON.stringify({ ok: true, canonical: print(expr), errors: [] }));
  else println('ok');
}

async function runFormat(source: string, options: CommonOptions): Promise<void> {
  const canonical = format(source);
  println(options.json ? JSON.stringify({ canonical }) : canonical);
}

async function runExplain(source: string, options: CommonOptions): Promise<void> {
  const ctx = await context(options);
  const expr = checked(source, ctx);
  const description = explain(source, { schema: ctx.schema });
  const canonical = print(expr);
  const sql = options.db === undefined ? undefined : await (await loadDb()).dbExplain(dbOptions(source, options, ctx));
  if (options.json) {
    println(JSON.stringify({ description, canonical, ...(sql === undefined ? {} : { sql }) }));
    return;
  }
  println(description);
  println(canonical);
  if (sql !== undefined) println(sql);
}

function dbOptions(expression: string, options: CommonOptions, ctx: Context): DbRunOptions {
  return { url: options.db!, expression, schema: ctx.schema, segments: ctx.segments, now: options.now, timeZone: options.tz };
}

/** The compiled segment and the profile stream, inferring the schema from the stream's head if needed. */
async function prepare(source: string, options: CommonOptions, ctx: Context): Promise<{ segment: CompiledSegment; stream: ProfileStream }> {
  if (options.data === undefined) {
    throw userError('invalid-option', 'no profiles given', 'pass --data <profiles.jsonl|profiles.csv> (or --db <url> for a database)');
  }
  checked(source, ctx); // report expression problems before reading any data
  let stream = await openProfiles(options.data, { schema: ctx.schema, skipBadLines: options.skipBadLines });
  let schema = ctx.schema;
  if (schema === undefined) {
    const peeked = await peekProfiles(stream, INFER_FROM);
    schema = inferSchema(peeked.head);
    stream = peeked.rest;
  }
  const segment = compileSegment(source, { schema, segments: ctx.segments, now: options.now, timeZone: options.tz });
  return { segment, stream };
}

function reportSkipped(stream: ProfileStream): void {
  const { skipped, firstSkipped } = stream.stats;
  if (skipped > 0) process.stderr.write(`skipped ${skipped} bad line${skipped === 1 ? '' : 's'} (first: ${firstSkipped})\n`);
}

function bothSources(options: CommonOptions): void {
  if (options.db !== undefined && options.data !== undefined) {
    throw userError('invalid-option', 'both --data and --db given', 'read profiles from a file (--data) or from a database (--db), not both');
  }
}

async function runCount(source: string, options: CommonOptions): Promise<void> {
  bothSources(options);
  const started = performance.now();
  const ctx = await context(options);
  if (options.db !== undefined) {
    checked(source, ctx);
    const count = await (await loadDb()).dbCount(dbOptions(source, options, ctx));
    const ms = Math.round(performance.now() - started);
    println(options.json ? JSON.stringify({ count, ms }) : String(count));
    return;
  }
  const { segment, stream } = await prepare(source, options, ctx);
  const bar = progress(stream.stats);
  const test = segment.test;
  let count = 0;
  let scanned = 0;
  for await (const batch of stream.batches()) {
    for (let i = 0; i < batch.length; i++) if (test(batch[i])) count++;
    scanned += batch.length;
    bar.update();
  }
  bar.done();
  reportSkipped(stream);
  const ms = Math.round(performance.now() - started);
  if (options.json) {
    println(JSON.stringify({ count, scanned, ms, ...(options.skipBadLines ? { skipped: stream.stats.skipped } : {}) }));
    return;
  }
  if (process.stderr.isTTY) process.stderr.write(`${count.toLocaleString('en-US')} of ${scanned.toLocaleString('en-US')} profiles in ${ms} ms\n`);
  println(String(count));
}

async function runFilter(source: string, options: CommonOptions): Promise<void> {
  bothSources(options);
  const ctx = await context(options);
  const out = new JsonlWriter();
  if (options.db !== undefined) {
    checked(source, ctx);
    await (await loadDb()).dbFilter(dbOptions(source, options, ctx), (profile) => out.write(profile));
    await out.finish();
    return;
  }
  const { segment, stream } = await prepare(source, options, ctx);
  const bar = progress(stream.stats);
  const test = segment.test;
  for await (const batch of stream.batches()) {
    for (const profile of batch) if (test(profile)) await out.write(profile);
    if (out.isClosed) break;
    bar.update();
  }
  bar.done();
  await out.finish();
  reportSkipped(stream);
}
