/**
 * The CLI's inputs other than profiles: the expression (argument or stdin), `--schema`,
 * `--segments`, `--now` and `--tz`. Every problem becomes a `SegmentError` naming the option.
 */
import { readFile } from 'node:fs/promises';
import { checkSchema, createClock, SegmentError, type Schema, type SegmentDefinition } from '../core/index';
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

/** Reads a small text file named by an option, with a clear message when it cannot. */
export async function readOptionFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fileError(e, path, option);
  }
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
export async function loadSegments(path: string): Promise<SegmentDefinition[]> {
  const json = parseJson(await readOptionFile(path, '--segments'), path, '--segments', 'invalid-option');
  const shape = 'a JSON list of {"name": "…", "expression": "…"} or {"name": "…", "members": ["id", …]}';
  const bad = (summary: string) => userError('invalid-option', `--segments file "${path}": ${summary}`, `the file holds ${shape}`);
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
