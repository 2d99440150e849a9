/**
 * The CLI's edge: every byte it prints goes through here.
 *
 * - Text for people (`printText`, `printError`) is made safe for a terminal first (`terminalSafe`):
 *   user text (a description, a field name, a file name echoed in an error) can carry escape sequences
 *   that would clear the screen, recolour it, retitle the window or reorder what follows. JSON
 *   (`printJson`) is printed exactly: `JSON.stringify` escapes the C0 controls itself, and a script
 *   reading it must get the stored text back.
 * - Write failures are watched: a full disk or a closed file is a failure of its own
 *   (`write-failed`, exit code 3), never a silent success. A reader that goes away (`EPIPE`, `… | head`)
 *   is not a failure.
 * - `settle` waits until stdout and stderr have handed everything to the OS before the process
 *   exits, so nothing is cut off when they are pipes (their writes are asynchronous).
 */

export const EXIT_WRITE_FAILED = 3;

export const WRITE_HINT = 'free some space or write somewhere else, and run the command again';

// C0 controls but tab and line feed, DEL, C1 controls (0x9b is a one-byte CSI on some terminals),
// the bidirectional controls (an RLO reorders what follows on the line), line and paragraph
// separators, and lone surrogates (no terminal can show them).
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` with every character a terminal would act on (rather than show) written as a visible
 * escape: ESC as `\x1b`, U+202E as `\u202e`. Tabs and line breaks stay. Text without such characters
 * is returned as it is.
 */
export function terminalSafe(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Text for people on stdout (a line feed is added). */
export function printText(text: string): void {
  process.stdout.write(`${terminalSafe(text)}\n`);
}

/** A value as JSON on stdout, exactly (a line feed is added). */
export function printJson(value: unknown, indent?: number): void {
  process.stdout.write(`${JSON.stringify(value, null, indent)}\n`);
}

/** Text for people on stderr (a line feed is added). */
export function printError(text: string): void {
  process.stderr.write(`${terminalSafe(text)}\n`);
}

/** The first failure of each stream, recorded by `watchWrites`. */
const failures = new Map<NodeJS.WriteStream, NodeJS.ErrnoException>();

/**
 * Records write failures of stdout and stderr instead of letting them crash the process (an
 * `error` event without a listener) or go unnoticed (a file on a full disk).
 */
export function watchWrites(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (!failures.has(stream)) failures.set(stream, e);
    });
  }
}

/** True once stdout cannot take more: its reader went away or writing failed. */
export function stdoutClosed(): boolean {
  return failures.has(process.stdout) || process.stdout.destroyed;
}

/** Resolves once everything written to `stream` before the call has been handed to the OS (or failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.write('', () => resolve());
  });
}

/** Why a write failed, in words: `no space left on the device (ENOSPC)`. */
export function writeFailure(e: NodeJS.ErrnoException): string {
  const why: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is exceeded', EFBIG: 'the file is too large', EIO: 'an input/output error', EBADF: 'it is closed', EACCES: 'permission denied', EPERM: 'permission denied' };
  return `${(e.code && why[e.code]) ?? e.message}${e.code ? ` (${e.code})` : ''}`;
}

/**
 * Waits for stdout and stderr to drain, then gives the exit code: `code`, or 3 when a write to
 * either failed (other than the reader going away) and nothing else failed first. The failure is
 * said on stderr when stderr can still take it.
 */
export async function settle(code: number): Promise<number> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  const out = failures.get(process.stdout);
  const err = failures.get(process.stderr);
  const failed = [out, err].find((e) => e !== undefined && e.code !== 'EPIPE');
  if (failed === undefined || code !== 0) return code;
  if (out !== undefined && out.code !== 'EPIPE' && err === undefined) {
    process.stderr.write(`error[write-failed]: cannot write the output: ${writeFailure(out)}\n  hint: ${WRITE_HINT}\n`);
    await flushed(process.stderr);
  }
  return EXIT_WRITE_FAILED;
}
