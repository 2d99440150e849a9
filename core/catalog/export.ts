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
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { SegmentError } from '../errors';
import { asText, DEFAULT_CONTACT_FIELDS, E164_SHAPE, readPath, toE164, type ContactFields } from './contacts';
import { catalogError, q } from './fail';
import { unconfused } from './names';

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

/**
 * `vip-arabic-speakers_2026-11-24.csv`: letters and digits of any script, except look-alikes among
 * Latin letters (`Сlickers` with a Cyrillic С gives `clickers_…`, never a name that only looks Latin).
 */
export function exportFileName(segment: string, date: Date, timeZone = 'UTC'): string {
  const slug =
    unconfused(segment)
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
// Cells with line breaks, and cells that begin or end with white space (which spreadsheets and some
// CSV readers would trim), are quoted.
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]|^\s|\s$/ } as const;

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
  const temp = join(directory, `.${fileName}.${HOST}-${process.pid}-${randomUUID()}.partial`);
  try {
    await mkdir(directory, { recursive: true });
    await sweepPartials(directory);
    track(temp);
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
  } finally {
    untrack(temp);
  }
}

// ── temporary files ─────────────────────────────────────────────────────────────────────────────
// A temporary export holds profile data (emails, phone numbers): it must not outlive its export.
// Its name says which machine and process write it, `.<file>.<host>-<pid>-<uuid>.partial`: the
// process removes it when it fails, when it is interrupted (SIGINT, SIGTERM, SIGHUP) and when it
// exits; what a killed process (SIGKILL, a power cut) leaves is swept by the next export into the
// same directory.

/** This machine, as a short hash (directories may be shared between machines). */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const PARTIAL = /^\..+\.csv\.(?:([0-9a-f]{8})-(\d+)-)?[0-9a-f-]{36}\.partial$/;
/** A partial of another machine, or of a process that is gone, that nobody wrote to for this long is abandoned. */
const ABANDONED_MS = 24 * 3600_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The temporary files this process is writing, removed if it is interrupted. */
const partials = new Set<string>();

/** Starts tracking a temporary file (the signal handlers are installed while any is tracked). */
function track(path: string): void {
  if (partials.size === 0) {
    for (const signal of SIGNALS) process.on(signal, removeAndRaise);
    process.on('exit', removePartials);
  }
  partials.add(path);
}

function untrack(path: string): void {
  if (!partials.delete(path) || partials.size > 0) return;
  for (const signal of SIGNALS) process.removeListener(signal, removeAndRaise);
  process.removeListener('exit', removePartials);
}

function removePartials(): void {
  for (const path of partials) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

/** On a signal: remove the temporary files, then let the signal do what it would have done. */
function removeAndRaise(signal: NodeJS.Signals): void {
  removePartials();
  for (const path of [...partials]) untrack(path);
  // Nobody else listens: the default action (ending the process, by this signal) is still owed.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Removes the temporary exports in a directory that no live process of this machine is writing. */
export async function sweepPartials(directory: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    const m = PARTIAL.exec(name);
    if (m === null) continue;
    const path = join(directory, name);
    const [, host, pid] = m;
    const ours = host === HOST;
    if (ours && Number(pid) === process.pid) continue;
    const idle = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
    // Ours: kept while its process lives (and writes); another machine's: while it is written to.
    // Older versions named no process: theirs are from one that never removed them.
    const kept = host === undefined ? false : ours ? processAlive(Number(pid)) && idle < ABANDONED_MS : idle < ABANDONED_MS;
    if (kept) continue;
    if (await unlink(path).then(() => true, () => false)) removed.push(path);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the finished temporary file to its name without replacing an existing export: a hard link
 * fails if the name is taken (then `_2`, `_3`… are tried). Where links are not supported, the name is
 * first claimed by creating it exclusively (`wx`: fails if taken), then the finished file is renamed
 * over that empty claim — a plain rename would silently replace an earlier export.
 */
async function publish(temp: string, directory: string, fileName: string): Promise<string> {
  const stem = fileName.replace(/\.csv$/, '');
  const nameFor = (n: number) => join(directory, n === 1 ? fileName : `${stem}_${n}.csv`);
  let linked = true;
  for (let n = 1; n <= 1000; n++) {
    const path = nameFor(n);
    try {
      if (linked) {
        await link(temp, path);
        await unlink(temp);
      } else {
        await (await open(path, 'wx')).close();
        await rename(temp, path).catch(async (e: unknown) => {
          await unlink(path).catch(() => undefined);
          throw e;
        });
      }
      return path;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (linked && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS')) {
        linked = false;
        n--;
        continue;
      }
      throw e;
    }
  }
  throw new Error(`${fileName} and its numbered names up to _1000 are all taken in ${directory}`);
}
