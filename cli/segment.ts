#!/usr/bin/env node
/**
 * `segment`: the power user's command line for segment expressions.
 *
 *   segment check|format|explain|count|filter [options] [expression]
 *
 * Exit codes: 0 success, 2 a user error (bad expression, file, option), 1 an internal error.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { registerCoreCommands } from './commands';
import { EXIT_INTERNAL, EXIT_USAGE, reportFailure } from './errors';
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

Exit codes: 0 ok, 2 bad input (the message says what and where), 1 internal error.`;

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('segment')
    .description('Customer segments as readable expressions: check, format, explain, count and filter profiles.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run "segment <command> --help" for its options)')
    .addHelpText('after', EXAMPLES);
  registerCoreCommands(program);
  // Database and catalogue commands load knex: only when the command line asks for one of them.
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  if (first === undefined || !CORE_COMMANDS.has(first)) await registerOptionalCommands(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    return reportFailure(e, false);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

function crash(e: unknown): void {
  process.exitCode = reportFailure(e, false) || EXIT_INTERNAL;
  process.exit();
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
main(process.argv).then((code) => {
  process.exitCode = code;
  // Database drivers may keep sockets open: leave once stdout has been handed everything.
  const exit = () => process.exit(code);
  if (process.stdout.writableLength === 0) return exit();
  for (const event of ['drain', 'close', 'error']) process.stdout.once(event, exit);
}, crash);
