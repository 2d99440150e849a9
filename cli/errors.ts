/**
 * How the CLI reports problems.
 *
 * User errors (a bad expression, an unreadable file, bad JSON, a bad `--now`) are `SegmentError`s,
 * printed as their message (with the caret excerpt) and exit code 2. Anything else is a bug: a short
 * line and exit code 1, with the stack only when `SEGMENT_DEBUG=1`.
 */
import { SegmentError, SegmentErrors, type Diagnostic, type ErrorCode } from '../core/index';
import { EXIT_WRITE_FAILED, printError, printJson, WRITE_HINT, writeFailure } from './io';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

/** A user error that points at no source text (files, options). */
export function userError(code: ErrorCode, summary: string, hint?: string, origin?: string): SegmentError {
  return new SegmentError({ code, span: { start: 0, end: 0 }, summary, hint, origin });
}

/** The user errors inside a thrown value (with the CLI's advice), or undefined when it is not one. */
export function userErrorsOf(e: unknown): readonly SegmentError[] | undefined {
  if (e instanceof SegmentError) return [withAdvice(e)];
  if (e instanceof SegmentErrors) return e.errors.map(withAdvice);
  const system = systemError(e);
  return system ? [system] : undefined;
}

/**
 * The core speaks of the language and its API only; the CLI adds what to type: its commands and
 * flags. By code, and for the database URL (which the CLI takes as `--db`).
 */
export function withAdvice(e: SegmentError): SegmentError {
  const d = e.diagnostic;
  let hint = d.hint;
  if (d.code === 'no-layout') hint = 'run `segment import --db <url> profiles.jsonl` first, or pass --schema';
  else if (d.code === 'no-profiles') hint = 'load profiles first: segment import --db <url> profiles.jsonl';
  else if (d.code === 'segment-not-found' && hint === 'see the saved segments for its name') hint = 'list the saved segments with: segment segments list';
  else if (hint !== undefined && /\brestore it first$/.test(hint)) {
    const name = /^(".*") is archived/.exec(hint)?.[1] ?? /^(".*") is archived/.exec(d.summary)?.[1];
    if (name) hint = `${hint} (segment segments restore ${name})`;
  }
  const origin = e.origin === 'database URL' ? '--db' : e.origin;
  if (hint === d.hint && origin === e.origin) return e;
  return new SegmentError({ ...d, hint, source: e.source, origin });
}

/**
 * Failures of the user's environment, not our bugs: a system call (a refused connection, a missing
 * file) or a database server's refusal (mysql2: `sqlState`; pg: `severity` and a SQLSTATE `code`).
 */
function systemError(e: unknown): SegmentError | undefined {
  if (!(e instanceof Error)) return undefined;
  const x = e as Error & { code?: unknown; syscall?: unknown; sqlState?: unknown; severity?: unknown };
  // A file the command writes (an export, a report) on a full disk: not a bad option.
  if (x.syscall === 'write' || x.code === 'ENOSPC' || x.code === 'EDQUOT' || x.code === 'EFBIG') return userError('write-failed', `cannot write the output: ${writeFailure(x as NodeJS.ErrnoException)}`, WRITE_HINT);
  if (typeof x.syscall === 'string' || (typeof x.code === 'string' && /^E[A-Z]+$/.test(x.code))) return userError('invalid-option', e.message);
  const database = typeof x.sqlState === 'string' || (typeof x.severity === 'string' && typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code));
  return database ? userError('invalid-option', `the database refused: ${e.message}`, 'check the --db URL (user, password, database name) and that the server is running') : undefined;
}

export function diagnosticsOf(errors: readonly SegmentError[]): Diagnostic[] {
  return errors.map((e) => e.toJSON());
}

/**
 * How many problems a failure lists, in text and in JSON; the rest are counted ("… and 99,900 more
 * problems"). Formatting stays cheap and the output readable when an expression has 100,000 problems.
 */
export const SHOWN_ERRORS = 100;

/** The first `SHOWN_ERRORS` of a failure's errors, and how many more there are. */
export function shownErrors(errors: readonly SegmentError[]): { shown: readonly SegmentError[]; more: number } {
  return { shown: errors.slice(0, SHOWN_ERRORS), more: Math.max(0, errors.length - SHOWN_ERRORS) };
}

/** `{"errors":[…]}`, plus `"more": N` when N errors were left out. */
export function errorsJson(errors: readonly SegmentError[]): { errors: Diagnostic[]; more?: number } {
  const { shown, more } = shownErrors(errors);
  return { errors: diagnosticsOf(shown), ...(more > 0 ? { more } : {}) };
}

/** `{"ok":false,"errors":[…]}`, plus `"more": N` when N errors were left out. */
export function failureJson(errors: readonly SegmentError[]): { ok: false; errors: Diagnostic[]; more?: number } {
  return { ok: false, ...errorsJson(errors) };
}

/** The text of a failure's errors, blank-line separated, capped. */
export function failureText(errors: readonly SegmentError[]): string {
  const { shown, more } = shownErrors(errors);
  const text = shown.map((x) => x.message).join('\n\n');
  return more > 0 ? `${text}\n\n… and ${more.toLocaleString('en-US')} more problem${more === 1 ? '' : 's'} (the first ${SHOWN_ERRORS} are shown)` : text;
}

/**
 * An `EvalError` reaching the CLI: the core's own evaluator never needs code generation (`auto`
 * falls back on closures), but the SQLite driver (better-sqlite3) builds its row objects with
 * `Function`, which `node --disallow-code-generation-from-strings` refuses.
 */
function codeGenerationRefused(): SegmentError {
  return userError(
    'code-generation-refused',
    'this Node refuses code generation from strings (--disallow-code-generation-from-strings), which the SQLite driver needs',
    'use a PostgreSQL or MariaDB database here, or run Node without that flag',
  );
}

/**
 * Prints a failure and returns the exit code. `json`: `{"ok":false,"errors":[…]}` on stdout instead
 * (for internal errors too, with the code `internal-error`; the short line also goes to stderr).
 */
export function reportFailure(e: unknown, json: boolean): number {
  const errors = userErrorsOf(e);
  if (errors !== undefined) {
    if (json) printJson(failureJson(errors));
    else printError(failureText(errors));
    return errors.some((x) => x.code === 'write-failed') ? EXIT_WRITE_FAILED : EXIT_USAGE;
  }
  if (e instanceof EvalError) return reportFailure(codeGenerationRefused(), json);
  const message = e instanceof Error ? e.message : String(e);
  if (json) printJson(failureJson([userError('internal-error', `internal error: ${message}`, 'this is a bug; run with SEGMENT_DEBUG=1 for the stack trace')]));
  if (process.env.SEGMENT_DEBUG === '1' && e instanceof Error && e.stack) {
    printError(`segment: internal error: ${e.stack}`);
  } else {
    printError(`segment: internal error: ${message}\n  (this is a bug; run with SEGMENT_DEBUG=1 for the stack trace)`);
  }
  return EXIT_INTERNAL;
}
