/**
 * Streams profiles from `--data` (JSON Lines, or CSV by the `.csv` extension) in batches, never holding
 * the file in memory. Bad lines stop the run with `file:line` and the reason, or are counted and
 * skipped with `--skip-bad-lines`.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';
import type { Profile, Schema } from '../core/index';
import { CsvCellError, csvRowConverter } from './csv';
import { userError } from './errors';
import { fileError } from './inputs';
import { JSON_ARRAY_HINT, maxLineLength, readJsonLines } from './jsonl';

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
  /** `--max-line-length`: the longest line (or CSV record) read, in characters (see cli/jsonl.ts). */
  maxLineLength?: string;
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
  const maxLength = maxLineLength(options.maxLineLength);
  const batches = /\.csv$/i.test(path) ? () => csvBatches(path, stats, options.schema, bad, maxLength) : () => jsonlBatches(path, stats, bad, maxLength);
  return { stats, batches };
}

type BadLine = (line: number, reason: string, hint?: string) => void;

async function* jsonlBatches(path: string, stats: ReadStats, bad: BadLine, maxLength: number): AsyncGenerator<Profile[]> {
  try {
    for await (const lines of readJsonLines(path, stats, maxLength)) {
      const profiles: Profile[] = [];
      for (const l of lines) {
        if (l.error !== undefined) bad(l.line, l.error, l.hint);
        else if (typeof l.value !== 'object' || l.value === null || Array.isArray(l.value)) {
          const what = Array.isArray(l.value) ? 'a list' : l.value === null ? 'null' : typeof l.value;
          bad(l.line, `a profile must be a JSON object, not ${what}`, l.line === 1 && Array.isArray(l.value) ? JSON_ARRAY_HINT : JSON_LINES_HINT);
        } else profiles.push(l.value as Profile);
      }
      stats.profiles += profiles.length;
      for (let i = 0; i < profiles.length; i += BATCH) yield profiles.slice(i, i + BATCH);
    }
  } catch (e) {
    throw isSystemError(e) ? fileError(e, path, '--data') : e;
  }
}

/** A failed system call (EACCES, EIO…) while reading the file, as opposed to our own errors. */
function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

const JSON_LINES_HINT = '--data expects JSON Lines: one profile object per line (or a .csv file)';

/**
 * The separator of a CSV file: comma, semicolon or tab, whichever splits its first line into the
 * most cells (a spreadsheet set to a European locale saves `;`-separated files).
 */
async function csvDelimiter(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(1 << 16), position: 0 });
    const head = buffer.subarray(0, bytesRead).toString('utf8');
    const line = head.split(/\r?\n/, 1)[0];
    return [',', ';', '\t'].map((d) => ({ d, n: line.split(d).length })).sort((a, b) => b.n - a.n)[0].d;
  } finally {
    await file.close();
  }
}

async function* csvBatches(path: string, stats: ReadStats, schema: Schema | undefined, bad: BadLine, maxLength: number): AsyncGenerator<Profile[]> {
  let delimiter: string;
  try {
    delimiter = await csvDelimiter(path);
  } catch (e) {
    throw fileError(e, path, '--data');
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  stream.on('data', (chunk) => {
    stats.bytes += chunk.length;
  });
  const parser = stream.pipe(parseCsv({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, delimiter, max_record_size: maxLength }));
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
    if (code === 'CSV_MAX_RECORD_SIZE') {
      const line = (e as { lines?: number }).lines;
      throw userError('invalid-data', `${path}${line ? `:${line}` : ''}: a record is longer than ${maxLength.toLocaleString('en-US')} characters`, 'is a quote never closed? Raise the cap with --max-line-length or SEGMENT_MAX_LINE_LENGTH if the record is meant to be this long');
    }
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
