/**
 * Reading a member list from a CSV upload: finds the column that identifies people (from its header
 * or as told), normalises each value, looks people up in a `ProfileDirectory` in batches, and reports
 * every row that matches no one, with its line number and why. Nothing is written here: the caller
 * applies the result all-or-nothing (see `SegmentCatalog.importMembers`).
 */
import { CsvError, parse } from 'csv-parse';
import { SegmentError } from '../errors';
import { KEY_LABELS, MATCH_KEYS, normalise, type MatchKey } from './contacts';
import type { ProfileDirectory } from './directory';
import { catalogError, listing, q } from './fail';

export type CsvSource = string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

export interface ReadMembersOptions {
  directory: ProfileDirectory;
  /** What the column holds; detected from the header when omitted. */
  key?: MatchKey;
  /** The column's header name (case and punctuation ignored); detected when omitted. */
  column?: string;
  /** Whether the first row is a header (default true). Without one, the first column is read and `key` is required. */
  header?: boolean;
  /** Country for phone numbers written without `+` and a country code (ISO 3166, e.g. "OM"). */
  defaultCountry?: string;
  /** Field separator; detected from the first line (`,` `;` or tab) when omitted. */
  delimiter?: string;
  /**
   * Streaming: receives the profile id of every matched row, in file order and batches, repeats
   * included, instead of `members` collecting them (which then stays empty and `duplicates` 0: the
   * receiver tells repeats apart). Nothing but the rows of one batch and the problems is held.
   */
  onMatched?: (profileIds: readonly string[]) => Promise<void>;
  /** The longest record accepted, in characters (default 1,000,000): a longer one is refused with its line. */
  maxRecordSize?: number;
}

export interface ImportProblem {
  /** 1-based line in the file. */
  line: number;
  value: string;
  reason: string;
}

export interface MemberList {
  key: MatchKey;
  /** The header of the column read (or `column 1` without a header). */
  column: string;
  /** Data rows read (the header and blank lines excluded). */
  rows: number;
  /** Distinct people matched, in file order. */
  members: string[];
  /** Rows that repeated someone already matched (counted once). */
  duplicates: number;
  /** Rows that matched exactly one profile, repeats included. */
  matchedRows: number;
  problems: ImportProblem[];
}

/** Header spellings for each identifier, compared lower-cased with punctuation and spaces removed. */
const HEADER_NAMES: Record<MatchKey, readonly string[]> = {
  profile_id: ['profileid', 'id', 'installid', 'userid', 'personid'],
  custom_id: ['customid', 'customerid', 'externalid', 'customuserid'],
  email: ['email', 'emailaddress', 'mail'],
  phone: ['phone', 'phonenumber', 'msisdn', 'mobile', 'mobilenumber', 'telephone', 'tel', 'cellphone'],
};

const BATCH = 1000;
const MAX_RECORD_SIZE = 1_000_000;

export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The identifier a header names, if any. */
export function keyOfHeader(name: string): MatchKey | undefined {
  const k = headerKey(name);
  return MATCH_KEYS.find((key) => HEADER_NAMES[key].includes(k));
}

export async function readMemberCsv(source: CsvSource, options: ReadMembersOptions): Promise<MemberList> {
  const hasHeader = options.header ?? true;
  if (!hasHeader && !options.key) throw catalogError('invalid-option', 'a file without a header needs to be told what its first column holds', 'give the key: profile_id, custom_id, email or phone (--by)');
  if (options.key && !options.directory.supports(options.key)) throw unsupported(options.key);

  const chunks = await withDelimiter(source, options.delimiter);
  const maxRecordSize = options.maxRecordSize ?? MAX_RECORD_SIZE;
  const parser = parse({ bom: true, delimiter: chunks.delimiter, relax_column_count: true, skip_empty_lines: true, info: true, trim: false, max_record_size: maxRecordSize });
  const feeding = feed(chunks.iterable, parser);

  const list: MemberList = { key: options.key ?? 'profile_id', column: 'column 1', rows: 0, members: [], duplicates: 0, matchedRows: 0, problems: [] };
  let index = hasHeader ? -1 : 0;
  // Collecting: repeats are told apart here. Streaming (`onMatched`): the receiver does it.
  const streaming = options.onMatched !== undefined;
  const seenValues = new Set<string>();
  const seenMembers = new Set<string>();
  let pending: { line: number; raw: string; value: string }[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    // An id is also looked up as written: a stored id may begin or end with white space (an export
    // quotes such cells, so the file carries them), which the trimmed value would never find in SQL.
    const exact = list.key === 'profile_id' || list.key === 'custom_id';
    const found = await options.directory.lookup(list.key, [...new Set(pending.flatMap((p) => (exact && p.raw !== p.value ? [p.value, p.raw] : [p.value])))]);
    const matched: string[] = [];
    for (const p of pending) {
      const ids = found.get(p.value) ?? [];
      if (ids.length === 0) list.problems.push({ line: p.line, value: p.raw, reason: `no profile has the ${KEY_LABELS[list.key]} ${q(p.value)}` });
      else if (ids.length > 1) list.problems.push({ line: p.line, value: p.raw, reason: `${ids.length} profiles have the ${KEY_LABELS[list.key]} ${q(p.value)}: ${listing(ids.slice(0, 3).map((id) => q(id)))}${ids.length > 3 ? '…' : ''}` });
      else {
        list.matchedRows++;
        if (streaming) matched.push(ids[0]);
        else if (seenMembers.has(ids[0])) list.duplicates++;
        else {
          seenMembers.add(ids[0]);
          list.members.push(ids[0]);
        }
      }
    }
    pending = [];
    if (matched.length > 0) await options.onMatched!(matched);
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (index === -1) {
        ({ index, key: list.key, column: list.column } = chooseColumn(record, options));
        continue;
      }
      if (record.every((cell) => cell.trim() === '')) continue;
      list.rows++;
      const raw = record[index] ?? '';
      const normal = normalise(list.key, raw, options);
      if ('reason' in normal) {
        list.problems.push({ line: info.lines, value: raw, reason: normal.reason });
      } else if (!streaming && seenValues.has(normal.value)) {
        list.duplicates++;
      } else {
        if (!streaming) seenValues.add(normal.value);
        pending.push({ line: info.lines, raw, value: normal.value });
        if (pending.length >= BATCH) await flush();
      }
    }
    await feeding;
  } catch (e) {
    if (e instanceof SegmentError) throw e;
    if (e instanceof CsvError && e.code === 'CSV_MAX_RECORD_SIZE') {
      throw catalogError('invalid-csv', `line ${(e as CsvError & { lines?: number }).lines ?? '?'} of the file is longer than ${maxRecordSize.toLocaleString('en-US')} characters`, 'a member list has one identifier per line: check that this is the right file');
    }
    if (e instanceof CsvError) {
      throw catalogError('invalid-csv', `the file is not valid CSV: ${e.message}`, 'quote fields that contain the separator, quotes or line breaks ("a ""quoted"" value")');
    }
    throw e;
  }
  if (index === -1) throw catalogError('invalid-csv', 'the file is empty', 'the first line names the columns, e.g. email');
  await flush();
  list.problems.sort((a, b) => a.line - b.line);
  return list;
}

/** An upload refused because some rows match no one; `problems` lists every one of them. */
export class CsvImportError extends SegmentError {
  readonly problems: readonly ImportProblem[];
  constructor(problems: readonly ImportProblem[], rows: number) {
    const shown = problems.slice(0, 3).map((p) => `line ${p.line}: ${p.reason}`);
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
    super({
      code: 'invalid-csv',
      span: { start: 0, end: 0 },
      summary: `${problems.length} of ${rows} rows cannot be added, so nothing was imported`,
      hint: `${shown.join('; ')}${more}. Fix those rows, or skip them (skipInvalid, --skip-invalid) to import the rest`,
    });
    this.problems = problems;
  }
}

function chooseColumn(header: string[], options: ReadMembersOptions): { index: number; key: MatchKey; column: string } {
  const names = header.map((h) => h.trim());
  const shown = listing(names.map((n) => q(n)));
  if (options.column !== undefined) {
    const index = names.findIndex((n) => headerKey(n) === headerKey(options.column!));
    if (index === -1) throw catalogError('invalid-csv', `the file has no column ${q(options.column)}`, `its columns are ${shown}`);
    const key = options.key ?? keyOfHeader(names[index]);
    if (!key) throw catalogError('invalid-option', `cannot tell what the column ${q(names[index])} holds`, 'give the key: profile_id, custom_id, email or phone (--by)');
    if (!options.directory.supports(key)) throw unsupported(key);
    return { index, key, column: names[index] };
  }
  const candidates = options.key ? [options.key] : MATCH_KEYS.filter((k) => options.directory.supports(k));
  for (const key of candidates) {
    const index = names.findIndex((n) => keyOfHeader(n) === key);
    if (index !== -1) return { index, key, column: names[index] };
  }
  const unusable = names.map((n) => keyOfHeader(n)).find((k) => k !== undefined && !options.directory.supports(k));
  if (unusable && !options.key) throw unsupported(unusable);
  const what = options.key ? `${KEY_LABELS[options.key]} column` : 'column that identifies people';
  throw catalogError('invalid-csv', `the file has no ${what}: its columns are ${shown}`, 'name the column "Profile ID", "Custom ID", "Email" or "Phone", or choose it with --column');
}

function unsupported(key: MatchKey): SegmentError {
  return catalogError('invalid-option', `profiles cannot be looked up by ${KEY_LABELS[key]} here`, 'the profile store has no such field: map it, or use another column');
}

/** The source as chunks, with the delimiter detected from the first line when not given. */
async function withDelimiter(source: CsvSource, given: string | undefined): Promise<{ delimiter: string; iterable: AsyncIterable<string | Uint8Array> }> {
  const input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> = typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  const iterator = (Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : (input as Iterable<string | Uint8Array>)[Symbol.iterator]()) as
    | AsyncIterator<string | Uint8Array>
    | Iterator<string | Uint8Array>;
  const first = await iterator.next();
  const head = first.done ? '' : typeof first.value === 'string' ? first.value : new TextDecoder().decode(first.value.subarray(0, 4096));
  const line = head.split(/\r?\n|\r/, 1)[0] ?? '';
  const delimiter = given ?? [',', ';', '\t'].map((d) => ({ d, n: line.split(d).length })).sort((a, b) => b.n - a.n)[0].d;
  async function* rest(): AsyncIterable<string | Uint8Array> {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { delimiter, iterable: rest() };
}

/** Writes chunks into the parser with backpressure; rejections surface through the parser too. */
async function feed(chunks: AsyncIterable<string | Uint8Array>, parser: ReturnType<typeof parse>): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (parser.destroyed) return;
      if (!parser.write(chunk)) await new Promise<void>((resolve) => {
          parser.once('drain', resolve);
          parser.once('close', resolve);
        });
    }
    parser.end();
  } catch (e) {
    parser.destroy(e as Error);
  }
}
