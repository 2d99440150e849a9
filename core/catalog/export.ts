/**
 * Segment export: the profiles of a segment as CSV (Custom ID, Profile ID, Phone, Email), streamed
 * from any async source with constant memory, written to a temporary file beside the target and
 * moved into place only once complete, so a failed export never leaves a finished-looking file.
 *
 * Cells are RFC 4180 (CRLF, quotes doubled, UTF-8) and neutralised against spreadsheet formula
 * injection: a cell that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, except a phone
 * number in the Phone column that is `+` and digits only (E.164, `+96891234567`), which cannot carry a
 * formula and stays usable; other valid phone numbers there are rewritten to E.164.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { SegmentError } from '../errors';
import { asText, DEFAULT_CONTACT_FIELDS, E164_SHAPE, readPath, toE164, type ContactFields } from './contacts';
import { catalogError, q } from './fail';

export const EXPORT_COLUMNS = ['Custom ID', 'Profile ID', 'Phone', 'Email'] as const;

export type ProfileSource = AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>;

export interface ExportOptions {
  /** The acting user's role: only `admin` may export profile data. */
  role: string;
  /** The profiles in the segment, e.g. a SQL stream or the in-memory engine's filter. */
  profiles: ProfileSource;
  /** Where to write (created if missing; default: the working directory). */
  directory?: string;
  /** Where the identifiers live on a profile (default `id`, `custom_id`, `phone`, `email`). */
  fields?: ContactFields;
  /** The export date (default: now) and the time zone that dates the file name (default UTC). */
  now?: Date;
  timeZone?: string;
  /** Start the file with a UTF-8 byte-order mark (helps old Excel versions). */
  bom?: boolean;
}

export interface ExportResult {
  path: string;
  fileName: string;
  /** Profiles written. */
  rows: number;
  /** Profiles left out for having neither a profile id nor a custom id. */
  skipped: number;
}

/** Only admins may export: profile data is sensitive. */
export function assertCanExport(role: string, segment: string): void {
  if (String(role ?? '').trim().toLowerCase() === 'admin') return;
  throw catalogError('forbidden', `only admins can export segments: your role is ${q(String(role ?? ''))}, so ${q(segment)} was not exported`, 'ask an admin to export it, or to give you the admin role');
}

/** `vip-arabic-speakers_2026-11-24.csv` */
export function exportFileName(segment: string, date: Date, timeZone = 'UTC'): string {
  const slug =
    segment
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/['’]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'segment';
  let day: string;
  try {
    day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  } catch {
    throw catalogError('invalid-option', `unknown time zone ${q(timeZone)}, or an invalid export date`, 'use an IANA zone such as "Asia/Muscat" or "UTC"');
  }
  return `${slug}_${day}.csv`;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written: formula-like text neutralised; phone numbers in E.164 when valid. */
export function safeCell(value: string, column: (typeof EXPORT_COLUMNS)[number]): string {
  if (column === 'Phone') {
    // `+` and digits only cannot be a formula: kept as is (the common case, no parsing).
    if (E164_SHAPE.test(value)) return value;
    const e164 = toE164(value);
    if (e164) return e164;
  }
  return FORMULA_START.test(value) ? `'${value}` : value;
}

const BATCH = 1000;
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** Counts of an export in progress: rows written, profiles left out. */
export interface ExportCounts {
  rows: number;
  skipped: number;
}

/**
 * The CSV text for profiles, header first, in chunks of `BATCH` rows: the streaming core of
 * `exportProfiles` (csv-stringify formats each batch; a batch is all that is held). For callers that
 * send the CSV elsewhere than a file (an HTTP response, an n8n binary): check `assertCanExport` first.
 */
export async function* csvChunks(profiles: ProfileSource, fields: ContactFields = DEFAULT_CONTACT_FIELDS, counts: ExportCounts = { rows: 0, skipped: 0 }, bom = false): AsyncGenerator<string> {
  yield (bom ? '\uFEFF' : '') + stringifyRows([[...EXPORT_COLUMNS]]);
  let batch: string[][] = [];
  for await (const profile of profiles as AsyncIterable<Record<string, unknown>>) {
    const id = asText(readPath(profile, fields.id));
    const customId = fields.customId ? asText(readPath(profile, fields.customId)) : undefined;
    if (id === undefined && customId === undefined) {
      counts.skipped++;
      continue;
    }
    const phone = fields.phone ? asText(readPath(profile, fields.phone)) : undefined;
    const email = fields.email ? asText(readPath(profile, fields.email)) : undefined;
    counts.rows++;
    batch.push([
      customId === undefined ? '' : safeCell(customId, 'Custom ID'),
      id === undefined ? '' : safeCell(id, 'Profile ID'),
      phone === undefined ? '' : safeCell(phone, 'Phone'),
      email === undefined ? '' : safeCell(email, 'Email'),
    ]);
    if (batch.length === BATCH) {
      yield stringifyRows(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield stringifyRows(batch);
}

function stringifyRows(rows: string[][]): string {
  return stringify(rows, CSV_OPTIONS);
}

/** Writes the export file for a segment's profiles; refuses non-admins before reading anything. */
export async function exportProfiles(segment: string, options: ExportOptions): Promise<ExportResult> {
  assertCanExport(options.role, segment);
  const directory = options.directory ?? '.';
  const fileName = exportFileName(segment, options.now ?? new Date(), options.timeZone);
  const counts = { rows: 0, skipped: 0 };
  const temp = join(directory, `.${fileName}.${randomUUID()}.partial`);
  try {
    await mkdir(directory, { recursive: true });
    await pipeline(
      Readable.from(csvChunks(options.profiles, { ...DEFAULT_CONTACT_FIELDS, ...options.fields }, counts, options.bom ?? false), { objectMode: false }),
      createWriteStream(temp, { flags: 'wx', flush: true } as Parameters<typeof createWriteStream>[1]),
    );
    const path = await publish(temp, directory, fileName);
    return { path, fileName: basename(path), ...counts };
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    if (e instanceof SegmentError) throw e;
    throw catalogError('export-failed', `the export of ${q(segment)} failed, no file was written: ${(e as Error)?.message ?? String(e)}`, 'check the profile source and that the directory is writable, then export again');
  }
}

/**
 * Moves the finished temporary file to its name without replacing an existing export: a hard link
 * fails if the name is taken (then `_2`, `_3`… are tried); where links are not supported, a rename.
 */
async function publish(temp: string, directory: string, fileName: string): Promise<string> {
  const stem = fileName.replace(/\.csv$/, '');
  for (let n = 1; ; n++) {
    const path = join(directory, n === 1 ? fileName : `${stem}_${n}.csv`);
    try {
      await link(temp, path);
      await unlink(temp);
      return path;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && n < 1000) continue;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
        await rename(temp, path);
        return path;
      }
      throw e;
    }
  }
}
