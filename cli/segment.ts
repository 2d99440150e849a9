#!/usr/bin/env node
/**
 * `segment`: the power user's command line for segment expressions.
 *
 *   segment check|format|explain|count|filter [options] [expression]
 *
 * Exit codes: 0 success, 2 a user error (bad expression, file, option), 1 an internal error, 3 the
 * output could not be written.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { registerCoreCommands } from './commands';
import { EXIT_INTERNAL, EXIT_USAGE, reportFailure, userError } from './errors';
import { DEFAULT_MAX_FILE_SIZE, setMaxFileSize } from './inputs';
import { settle, terminalSafe, watchWrites } from './io';
import { registerOptionalCommands } from './optional';

const CORE_COMMANDS = new Set(['check', 'format', 'explain', 'count', 'filter']);

const EXAMPLES = `
Examples:
  $ segment check 'tags contains "VIP" and language = "ar"'
  $ segment format 'country="OM" && !(opt_out == true)'
  $ segment explain --schema schema.json 'last_interaction older than 30 days'
  $ segment count --data profiles.jsonl --now 2026-11-24T12:00:00Z 'clicks_count > 0'
  $ segment filter --data profiles.csv --schema schema.json 'attributes.tier = "gold"' > gold.jsonl
  $ echo 'in_segment("VIP")' | segment count --data profiles.jsonl --segments segments.json

Exit codes: 0 ok, 2 bad input (the message says what and where), 1 internal error,
3 the output could not be written (a full disk).`;

/** True when the command line asks for JSON (before a `--` that ends the options). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

async function main(argv: readonly string[]): Promise<number> {
  const json = wantsJson(argv.slice(2));
  const program = new Command('segment')
    .description('Customer segments as readable expressions: check, format, explain, count and filter profiles.')
    .version(version)
    .exitOverride()
    // Set before the commands are added: they inherit it. Help goes through the terminal-safe edge;
    // with --json a usage error is printed as JSON below instead.
    .configureOutput({
      writeOut: (text) => process.stdout.write(terminalSafe(text)),
      writeErr: (text) => process.stderr.write(terminalSafe(text)),
      outputError: (text, write) => {
        if (!json) write(text);
      },
    })
    .showHelpAfterError(json ? false : '(run "segment <command> --help" for its options)')
    .addHelpText('after', EXAMPLES)
    // Read anywhere on the command line (before or after the command): the cap on files read whole.
    .option('--max-file-size <bytes>', `the largest --schema, --segments or segments load file read, in bytes or with K, M, G (default: $SEGMENT_MAX_FILE_SIZE or ${DEFAULT_MAX_FILE_SIZE.toLocaleString('en-US')})`)
    .hook('preAction', (root) => setMaxFileSize(root.opts<{ maxFileSize?: string }>().maxFileSize));
  registerCoreCommands(program);
  // Database and catalogue commands load knex: only when the command line asks for one of them.
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  if (first === undefined || !CORE_COMMANDS.has(first)) await registerOptionalCommands(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (!(e instanceof CommanderError)) return reportFailure(e, json);
    if (e.exitCode === 0) return 0;
    if (json) {
      // `error: unknown command 'cuont'\n(Did you mean count?)`: the first line is the summary.
      const [summary, ...rest] = e.message.replace(/^error: /, '').split('\n');
      const advice = rest.map((l) => l.replace(/^\((.*)\)$/, '$1')).filter((l) => l !== '');
      reportFailure(userError('invalid-option', summary, [...advice, 'run "segment <command> --help" for its options'].join('; ')), true);
    }
    return EXIT_USAGE;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

let exiting = false;

/** Exits once stdout and stderr have drained (pipes are written asynchronously), with a write failure's code if one happened. */
function finish(code: number): void {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  // Database drivers may keep sockets open: leave once the output has been handed over.
  settle(code).then(
    (final) => process.exit(final),
    () => process.exit(code || EXIT_INTERNAL),
  );
}

function crash(e: unknown): void {
  if (exiting) return;
  finish(reportFailure(e, wantsJson(process.argv.slice(2))) || EXIT_INTERNAL);
}

watchWrites();
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
main(process.argv).then(finish, crash);
