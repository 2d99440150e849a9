/**
 * The commands on expressions and profiles: `check`, `format`, `explain`, `count`, `filter`. Each
 * reads its inputs, hands them to the core driver (check, compileSegment, format, explain) and prints
 * the result; `--db` runs delegate to cli/db-commands.ts, loaded only then.
 */
import { Option, type Command } from 'commander';
import { describe, format, print } from '../core/index';
import { checked, context, dbOptions, INFER_FROM, inferFrom, prepare, reportSkipped, source } from './context';
import { runCount } from './count';
import { EXIT_OK, reportFailure } from './errors';
import { checkClockOptions, readExpression, type CommonOptions } from './inputs';
import { loadDb } from './optional';
import { printJson, printText } from './io';
import { DEFAULT_MAX_LINE_LENGTH } from './jsonl';
import { JsonlWriter, progress } from './output';
import { openProfiles, peekProfiles } from './profiles';

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
    .option('--every-segment', 'count each saved segment of --segments in one pass (no expression): lines of "name<TAB>count"')
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
  if (extras.data) {
    command.option('--data <file>', extras.data);
    command.option('--max-line-length <n>', `the longest line (or CSV record) of --data read, in characters (default: $SEGMENT_MAX_LINE_LENGTH or ${DEFAULT_MAX_LINE_LENGTH.toLocaleString('en-US')})`);
    command.addOption(
      new Option('--evaluator <name>', 'how --data is evaluated: generated code, closures (no code generation), or auto: generated where allowed (default: auto)').choices(['auto', 'generated', 'closures']),
    );
  }
  command
    .option('--schema <file>', 'the field schema (JSON)')
    .option('--segments <file>', 'saved segments for in_segment(): a JSON list of {"name","expression"} or {"name","members"}')
    .option('--now <iso>', 'the evaluation instant (default: the current time)')
    .option('--tz <zone>', 'IANA time zone for months, years and "today" (default: UTC)')
    .option('--json', 'machine-readable output');
  if (extras.db) command.option('--db <url>', `${extras.db} (sqlite:<file>, mysql://…, postgres://…)`);
  if (extras.skipBadLines) command.option('--skip-bad-lines', 'skip unreadable profile lines (counted on stderr) instead of stopping');
  return command;
}

/**
 * A command body: gets the expression argument (undefined: read it from stdin) and the options;
 * returns nothing, or the exit code of a failure it has already reported.
 */
type Run = (expression: string | undefined, options: CommonOptions) => Promise<void | number>;

function action(run: Run) {
  return async (expression: string | undefined, options: CommonOptions): Promise<void> => {
    try {
      checkClockOptions(options);
      process.exitCode = (await run(expression, options)) ?? EXIT_OK;
    } catch (e) {
      process.exitCode = reportFailure(e, options.json === true);
    }
  };
}

async function runCheck(expression: string | undefined, options: CommonOptions): Promise<void> {
  const source = await readExpression(expression);
  const ctx = await context(options);
  if (ctx.schema === undefined && options.data !== undefined) {
    const { head, close } = await peekProfiles(await openProfiles(options.data, { skipBadLines: options.skipBadLines, maxLineLength: options.maxLineLength }), INFER_FROM);
    await close();
    ctx.schema = inferFrom(head);
  }
  const expr = checked(source, ctx).expr!;
  if (options.json) printJson({ ok: true, canonical: print(expr), errors: [] });
  else printText('ok');
}

async function runFormat(expression: string | undefined, options: CommonOptions): Promise<void> {
  const source = await readExpression(expression);
  const canonical = format(source);
  if (options.json) printJson({ canonical });
  else printText(canonical);
}

async function runExplain(expression: string | undefined, options: CommonOptions): Promise<void> {
  const source = await readExpression(expression);
  const ctx = await context(options);
  // With --db and no --schema, the database's saved schema is needed to check the expression: the database side does it.
  const explained = options.db === undefined ? { expr: checked(source, ctx).expr!, sql: undefined } : await (await loadDb()).dbExplain(dbOptions(source, options, ctx));
  const { expr, sql } = explained;
  const description = describe(expr, { schema: ctx.schema });
  const canonical = print(expr);
  if (options.json) {
    printJson({ description, canonical, ...(sql === undefined ? {} : { sql }) });
    return;
  }
  printText(description);
  printText(canonical);
  if (sql !== undefined) printText(sql);
}

async function runFilter(expression: string | undefined, options: CommonOptions): Promise<void> {
  const from = source(options);
  const ctx = await context(options);
  const text = await readExpression(expression);
  const out = new JsonlWriter();
  if (from === 'db') {
    // A reader that goes away (`… | head`) stops the query: exit 0, like the in-memory path.
    await (await loadDb()).dbFilter(dbOptions(text, options, ctx), (profile) => out.write(profile), () => out.isClosed);
    await out.finish();
    return;
  }
  const { segments, stream } = await prepare([text], options, ctx);
  const test = segments[0].test;
  // Profiles printed to the terminal and a progress line redrawn on it would garble each other.
  const bar = progress(stream.stats, process.stdout.isTTY ? null : process.stderr);
  for await (const batch of stream.batches()) {
    for (const profile of batch) if (test(profile)) await out.write(profile);
    if (out.isClosed) break;
    bar.update();
  }
  bar.done();
  await out.finish();
  reportSkipped(stream);
}
