/**
 * Streams profiles from `--data` (JSON Lines, or CSV by the `.csv` extension) in batches, never holding
 * the file in memory. Bad lines stop the run with `file:line` and the reason, or are counted and
 * skipped with `--skip-bad-lines`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import type { Profile, Schema } from '../core/index';
import { CsvCellError, csvRowConverter } from './csv';
import { userError } from './errors';
import { fileError } from './inputs';

export interface ReadStats {
  /** Bytes of the file read so far, and its size (for progress). */
  bytes: number;
  totalBytes: number;
  /** Profiles produced so far. */
  profiles: number;
  /** Bad lines skipped (with `--skip-bad-lines`), and the first one's description. */
  skipped: number;
  firstSkipped: string | undefined;
}

export interface ReadOptions {
  /** CSV cells convert to the schema's field types; without one, by appearance. */
  schema?: Schema;
  skipBadLines?: boolean;
}

export interface ProfileStream {
  readonly stats: ReadStats;
  batches(): AsyncGenerator<Profile[]>;
}

const BATCH = 1024;

export async function openProfiles(path: string, options: ReadOptions = {}): Promise<ProfileStream> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (e) {
    throw fileError(e, path, '--data');
  }
  const stats: ReadStats = { bytes: 0, totalBytes: size, profiles: 0, skipped: 0, firstSkipped: undefined };
  const bad = (line: number, reason: string, hint?: string) => {
    const where = `${path}:${line}`;
    if (!options.skipBadLines) {
      throw userError('invalid-data', `${where}: ${reason}`, hint ?? 'fix the line, or pass --skip-bad-lines to skip bad lines');
    }
    stats.skipped++;
    stats.firstSkipped ??= `${where}: ${reason}`;
  };
  const batches = /\.csv$/i.test(path) ? () => csvBatches(path, stats, options.schema, bad) : () => jsonlBatches(path, stats, bad);
  return { stats, batches };
}

type BadLine = (line: number, reason: string, hint?: string) => void;

async function* jsonlBatches(path: string, stats: ReadStats, bad: BadLine): AsyncGenerator<Profile[]> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  const parseLines = (text: string, final: boolean): Profile[] => {
    const out: Profile[] = [];
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl === -1 && !final) break;
      const line = text.slice(from, nl === -1 ? text.length : nl);
      from = nl === -1 ? text.length : nl + 1;
      lineNo++;
      const profile = parseLine(line, lineNo, bad);
      if (profile !== undefined) out.push(profile);
      if (nl === -1) break;
    }
    rest = text.slice(from);
    return out;
  };
  try {
    for await (const chunk of stream) {
      stats.bytes += (chunk as Buffer).length;
      const profiles = parseLines(rest + decoder.write(chunk as Buffer), false);
      stats.profiles += profiles.length;
      for (let i = 0; i < profiles.length; i += BATCH) yield profiles.slice(i, i + BATCH);
    }
    const last = parseLines(rest + decoder.end(), true);
    stats.profiles += last.length;
    if (last.length > 0) yield last;
  } catch (e) {
    throw isSystemError(e) ? fileError(e, path, '--data') : e;
  } finally {
    stream.destroy();
  }
}

/** A failed system call (EACCES, EIO…) while reading the file, as opposed to our own errors. */
function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

const JSON_LINES_HINT = '--data expects JSON Lines: one profile object per line (or a .csv file)';
const JSON_ARRAY_HINT = "--data expects JSON Lines (one profile object per line), not a JSON array: convert it with jq -c '.[]' profiles.json > profiles.jsonl";

function parseLine(line: string, lineNo: number, bad: BadLine): Profile | undefined {
  const text = lineNo === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (text.trim() === '') return undefined;
  // A whole JSON document (`[{…}, {…}]`) instead of JSON Lines: say how to convert it.
  const hint = lineNo === 1 && text.trimStart().startsWith('[') ? JSON_ARRAY_HINT : undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    bad(lineNo, `not valid JSON (${(e as Error).message})`, hint);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad(lineNo, `a profile must be a JSON object, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`, hint ?? JSON_LINES_HINT);
    return undefined;
  }
  return value as Profile;
}

async function* csvBatches(path: string, stats: ReadStats, schema: Schema | undefined, bad: BadLine): AsyncGenerator<Profile[]> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  stream.on('data', (chunk) => {
    stats.bytes += chunk.length;
  });
  const parser = stream.pipe(parseCsv({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true }));
  stream.on('error', (e) => parser.destroy(e));
  let convert: ((row: string[]) => Profile) | undefined;
  let batch: Profile[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (convert === undefined) {
        convert = csvRowConverter(record, schema, path);
        continue;
      }
      try {
        batch.push(convert(record));
      } catch (e) {
        if (!(e instanceof CsvCellError)) throw e;
        bad(info.lines, e.message);
        continue;
      }
      if (batch.length === BATCH) {
        stats.profiles += batch.length;
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw userError('invalid-data', `${path}: not valid CSV (${(e as Error).message})`, 'the first row names the columns; quote cells that hold commas or quotes with "…"');
    }
    throw isSystemError(e) ? fileError(e, path, '--data') : e;
  } finally {
    stream.destroy();
  }
  stats.profiles += batch.length;
  if (batch.length > 0) yield batch;
}

/**
 * Reads the first `limit` profiles (for schema inference) and returns them with a stream that replays
 * them and then continues where the read stopped: the file is read once.
 */
export async function peekProfiles(stream: ProfileStream, limit: number): Promise<{ head: Profile[]; rest: ProfileStream; close(): Promise<void> }> {
  const iterator = stream.batches();
  const buffered: Profile[][] = [];
  let n = 0;
  let done = false;
  while (n < limit) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    n += next.value.length;
  }
  const head = buffered.flat().slice(0, limit);
  async function* replay(): AsyncGenerator<Profile[]> {
    yield* buffered;
    buffered.length = 0;
    if (!done) yield* iterator;
  }
  return {
    head,
    rest: { stats: stream.stats, batches: replay },
    async close() {
      await iterator.return(undefined);
    },
  };
}
