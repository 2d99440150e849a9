/**
 * The CLI's inputs other than profiles: the expression (argument or stdin), `--schema`,
 * `--segments`, `--now` and `--tz`. Every problem becomes a `SegmentError` naming the option.
 */
import { open } from 'node:fs/promises';
import { createClock, SegmentError, type Schema, type SegmentDefinition } from '../core/index';
import { checkSchema } from '../core/infer-schema';
import { userError } from './errors';

/** The options every command accepts (commander's camel-cased names). */
export interface CommonOptions {
  data?: string;
  schema?: string;
  segments?: string;
  now?: string;
  tz?: string;
  json?: boolean;
  db?: string;
  skipBadLines?: boolean;
  maxLineLength?: string;
  evaluator?: 'auto' | 'generated' | 'closures';
}

/** The expression: the argument, else all of stdin when stdin is not a terminal. */
export async function readExpression(argument: string | undefined): Promise<string> {
  if (argument !== undefined) return argument;
  if (process.stdin.isTTY) {
    throw userError('empty-expression', 'no expression given', "pass it as the last argument (quoted: 'country = \"OM\"') or pipe it on stdin");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The default cap on files read whole (`--schema`, `--segments`, `segments load`, `members import`): 100 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;

let fileSizeOption: string | undefined;

/** `--max-file-size` as given on the command line (checked at once). */
export function setMaxFileSize(option: string | undefined): void {
  fileSizeOption = option;
  maxFileSize();
}

/**
 * The cap on files read whole, in bytes: `--max-file-size` when given, else `$SEGMENT_MAX_FILE_SIZE`,
 * else 100 MiB. A whole number of bytes, or with a K, M or G suffix (KiB, MiB, GiB).
 */
export function maxFileSize(): number {
  const given = fileSizeOption ?? process.env.SEGMENT_MAX_FILE_SIZE;
  if (given === undefined || given === '') return DEFAULT_MAX_FILE_SIZE;
  const m = /^\s*(\d+)\s*([kmg])?i?b?\s*$/i.exec(given);
  const bytes = m === null ? NaN : Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] ?? ' ').toLowerCase());
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    const from = fileSizeOption !== undefined ? '--max-file-size' : 'SEGMENT_MAX_FILE_SIZE';
    throw userError('invalid-option', `${from} must be a positive whole number of bytes (or with K, M or G), not "${given}"`, `the default is ${DEFAULT_MAX_FILE_SIZE.toLocaleString('en-US')} bytes (100M)`);
  }
  return bytes;
}

/**
 * Reads a whole file named by an option, up to the cap (`maxFileSize`): a larger file is refused
 * before it is read (or, for a pipe or a device, as soon as it passes the cap), naming the file and
 * the cap. Never reads without bound (`--schema /dev/zero`).
 */
export async function readCappedFile(path: string, option: string): Promise<Buffer> {
  const cap = maxFileSize();
  const tooLarge = (size: string) =>
    userError('invalid-option', `${option} file "${path}" is ${size} bytes, over the cap of ${cap.toLocaleString('en-US')} bytes on files read whole`, 'raise the cap with --max-file-size <bytes> (e.g. 500M) or SEGMENT_MAX_FILE_SIZE if the file is meant to be this large');
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw fileError(e, path, option);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stat.isFile() && stat.size > cap) throw tooLarge(stat.size.toLocaleString('en-US'));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, cap + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > cap) throw tooLarge(`more than ${cap.toLocaleString('en-US')}`);
    }
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof SegmentError) throw e;
    throw fileError(e, path, option);
  } finally {
    await handle.close();
  }
}

/**
 * A file read as it is consumed (no cap on its size: nothing holds it whole), opened first so that a
 * missing file or a directory is a clear error before anything starts; a read failure later is one too.
 */
export async function openStream(path: string, option: string): Promise<AsyncIterable<Buffer>> {
  let handle;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    await handle?.close();
    throw fileError(e, path, option);
  }
  // 64 KiB at a time: the CSV parser turns a whole chunk into records at once (1 MiB held ~100k).
  const stream = handle.createReadStream({ highWaterMark: 1 << 16 });
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (e) {
      throw fileError(e, path, option);
    } finally {
      stream.destroy();
    }
  })();
}

/** Reads a text file named by an option (at most `maxFileSize` bytes), with a clear message when it cannot. */
export async function readOptionFile(path: string, option: string): Promise<string> {
  return (await readCappedFile(path, option)).toString('utf8');
}

export function fileError(e: unknown, path: string, option: string): SegmentError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return userError('invalid-option', `cannot read ${option} file "${path}": ${why}`);
}

function parseJson(text: string, path: string, option: string, code: 'invalid-schema' | 'invalid-option'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw userError(code, `${option} file "${path}" is not valid JSON: ${(e as Error).message}`);
  }
}

/** `--schema <file>`: JSON checked by the core's schema reader. */
export async function loadSchema(path: string): Promise<Schema> {
  const json = parseJson(await readOptionFile(path, '--schema'), path, '--schema', 'invalid-schema');
  return checkSchema(json, path);
}

/** `--segments <file>`: a JSON list of `{"name", "expression"}` or `{"name", "members": [ids]}`. */
export async function loadSegments(path: string, option = '--segments'): Promise<SegmentDefinition[]> {
  const json = parseJson(await readOptionFile(path, option), path, option, 'invalid-option');
  const shape = 'a JSON list of {"name": "…", "expression": "…"} or {"name": "…", "members": ["id", …]}';
  const bad = (summary: string) => userError('invalid-option', `${option} file "${path}": ${summary}`, `the file holds ${shape}`);
  if (!Array.isArray(json)) throw bad('not a JSON list');
  const seen = new Map<string, number>();
  return json.map((item: unknown, i): SegmentDefinition => {
    const at = `item ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(`${at} is not an object`);
    const { name, expression, members } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '') throw bad(`${at} has no "name" text`);
    const key = name.toLowerCase();
    if (seen.has(key)) throw bad(`${at} repeats the name "${name}" of item ${seen.get(key)} (names are case-insensitive)`);
    seen.set(key, i + 1);
    if (expression !== undefined && members !== undefined) throw bad(`${at} ("${name}") has both "expression" and "members"`);
    if (typeof expression === 'string') return { name, expression };
    if (Array.isArray(members) && members.every((m) => typeof m === 'string' || typeof m === 'number')) {
      return { name, members: members as (string | number)[] };
    }
    if (members !== undefined) throw bad(`${at} ("${name}"): "members" must be a list of ids (text or numbers)`);
    throw bad(`${at} ("${name}") has neither an "expression" text nor a "members" list`);
  });
}

/** Checks `--now` and `--tz` up front (the core's clock says what is wrong). */
export function checkClockOptions(options: CommonOptions): void {
  createClock({ now: options.now, timeZone: options.tz });
}
