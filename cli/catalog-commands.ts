/**
 * `segment segments …`: the saved-segment catalogue from the command line.
 *
 *   list | show | create | update | rename | delete | archive | restore | attach | detach |
 *   members import | members list | export | reach | refresh | changes | load | dump
 *
 * The catalogue lives in `--db <url>` (default: $SEGMENT_DB, else the embedded sqlite:segments.db).
 * Profiles (for member uploads, exports and reach) come from `--data <profiles.jsonl|.csv>`, else
 * from the profiles stored in the same database (`segment import --db …`). Tables for people,
 * `--json` for scripts; user errors exit with code 2 and say what to do.
 */
import { Option, type Command } from 'commander';
import {
  createClock,
  CsvImportError,
  databaseError,
  isManual,
  layoutDirectory,
  MATCH_KEYS,
  MemoryDirectory,
  openDatabase,
  ORCHESTRATION_STATUSES,
  SegmentCatalog,
  SegmentErrors,
  segmentSource,
  sqlReachCounter,
  sqlSegmentProfiles,
  type MatchKey,
  type OrchestrationKind,
  type OrchestrationStatus,
  type Profile,
  type ProfileDirectory,
  type ReachCounter,
  type SegmentDefinition,
  type SegmentError,
  type SegmentSummary,
} from '../core/server';
import { context, prepare, reportSkipped } from './context';
import { countWithIndex } from './reach';
import { errorsJson, EXIT_OK, EXIT_USAGE, reportFailure, userError } from './errors';
import { checkClockOptions, loadSegments, openStream, readExpression, type CommonOptions } from './inputs';
import { printError, printJson, printText, terminalSafe } from './io';
import { openProfiles } from './profiles';
import { DEFAULT_MAX_LINE_LENGTH, maxLineLength } from './jsonl';
import { jsonArrayChunks, writeChunks } from './output';

export const DEFAULT_CATALOG_DB = 'sqlite:segments.db';

const EXAMPLES = `
Examples:
  $ segment segments create "VIP Arabic" 'tags contains "VIP" and language = "ar"'
  $ segment segments attach "VIP Arabic" --campaign ramadan-sms --status running
  $ segment segments members import "Fair guests" guests.csv --data profiles.jsonl --create
  $ segment segments reach --data profiles.jsonl
  $ segment segments list
  $ segment segments export "VIP Arabic" --role admin --data profiles.jsonl --out exports/
  $ segment segments load sample/segments.json && segment segments dump > segments.json
  $ segment segments list --db mysql://user:pass@127.0.0.1:3306/crm --json
  $ segment segments refresh --db mysql://user:pass@127.0.0.1:3306/crm        # from cron: record who entered and left
  $ segment segments changes "VIP Arabic" --since seg12.40 --json            # resume from the last cursor

The catalogue is sqlite:segments.db unless --db or $SEGMENT_DB says otherwise.`;

interface CatalogOptions extends CommonOptions {
  description?: string;
  members?: string;
  expression?: string;
  all?: boolean;
  archived?: boolean;
  campaign?: string;
  automation?: string;
  status?: string;
  by?: string;
  column?: string;
  header?: boolean;
  country?: string;
  skipInvalid?: boolean;
  replace?: boolean;
  create?: boolean;
  role?: string;
  out?: string;
  since?: string;
  only?: 'entered' | 'left';
  limit?: string;
}

export function registerCatalogCommands(program: Command): void {
  const segments = program
    .command('segments')
    .description('saved segments: list, create, edit, protect, import members, export profiles')
    .addHelpText('after', EXAMPLES);

  base(segments.command('list'))
    .description('the saved segments with their estimated reach and the campaigns and automations using them')
    .option('--archived', 'list archived segments instead')
    .option('--all', 'list active and archived segments')
    .action(run(async (catalog, options) => {
      const rows = await catalog.list({ state: options.all ? 'all' : options.archived ? 'archived' : 'active' });
      out(options, rows, () => listTable(rows));
    }));

  base(segments.command('show').argument('<name>'))
    .description('one segment: its expression or member count, references, users and usage')
    .action(run(async (catalog, options, name) => {
      const s = await catalog.get(name);
      out(options, s, () => {
        const lines = [
          `${s.name} (${s.kind}, ${s.state}, version ${s.version})`,
          ...(s.description ? [`  ${s.description}`] : []),
          s.kind === 'dynamic' ? `  expression: ${s.expression}` : `  members: ${s.memberCount.toLocaleString('en-US')}`,
          `  reach: ${reach(s)}`,
          `  references: ${s.references.join(', ') || '-'}`,
          `  used by segments: ${s.usedBySegments.join(', ') || '-'}`,
          `  created ${when(s.createdAt)}, updated ${when(s.updatedAt)}`,
          ...s.usage.map((u) => `  ${u.kind} ${u.id}: ${u.status}`),
        ];
        return lines.join('\n');
      });
    }));

  base(segments.command('create').argument('<name>').argument('[expression]', 'a dynamic segment\'s expression (read from stdin unless --members or --manual)'))
    .description('save a new segment: dynamic (an expression) or manual (--members, --manual)')
    .option('--description <text>', 'what the segment is for')
    .option('--members <ids>', 'a manual segment with these profile ids (comma-separated)')
    .option('--manual', 'an empty manual segment (fill it with "segments members import")')
    .option('--schema <file>', 'check the expression against this field schema')
    .action(run(async (catalog, options, name, expression) => {
      const manual = options.members !== undefined || (options as { manual?: boolean }).manual;
      const saved = manual
        ? await catalog.create({ name, description: options.description, members: ids(options.members) })
        : await catalog.create({ name, description: options.description, expression: await readExpression(expression) });
      done(options, saved, `created ${saved.kind} segment "${saved.name}" (id ${saved.id})`);
    }, { creates: true, schema: true }));

  base(segments.command('update').argument('<name>'))
    .description('edit a segment; it takes effect at the next evaluation (the version goes up)')
    .option('--expression <text>', 'the new expression (dynamic segments)')
    .option('--members <ids>', 'the new member list (manual segments, comma-separated)')
    .option('--description <text>', 'the new description')
    .option('--schema <file>', 'check the expression against this field schema')
    .action(run(async (catalog, options, name) => {
      const saved = await catalog.update(name, {
        description: options.description,
        expression: options.expression,
        members: options.members === undefined ? undefined : ids(options.members),
      });
      done(options, saved, `updated "${saved.name}" (version ${saved.version})`);
    }, { schema: true }));

  base(segments.command('rename').argument('<name>').argument('<new-name>'))
    .description('rename a segment; the segments that use it follow (references are kept by id)')
    .action(run(async (catalog, options, name, newName) => {
      const saved = await catalog.rename(name, newName);
      done(options, saved, `renamed "${name}" to "${saved.name}"`);
    }));

  for (const [verb, text] of [
    ['delete', 'delete a segment (refused while a running campaign or automation, or another segment, uses it)'],
    ['archive', 'take a segment out of the active set (it stops counting toward the 500)'],
    ['restore', 'bring an archived segment back'],
  ] as const) {
    base(segments.command(verb).argument('<name>'))
      .description(text)
      .action(run(async (catalog, options, name) => {
        if (verb === 'delete') {
          await catalog.delete(name);
          return done(options, { deleted: name }, `deleted "${name}"`);
        }
        const saved = verb === 'archive' ? await catalog.archive(name) : await catalog.restore(name);
        done(options, saved, `${verb === 'archive' ? 'archived' : 'restored'} "${saved.name}"`);
      }));
  }

  orchestration(base(segments.command('attach').argument('<name>')))
    .description('record that a campaign or automation uses a segment (again: update its status)')
    .addOption(new Option('--status <status>', 'its status').choices(ORCHESTRATION_STATUSES as string[]).default('draft'))
    .action(run(async (catalog, options, name) => {
      const [id, kind] = target(options);
      const usage = await catalog.attach(name, { id, kind, status: options.status as OrchestrationStatus });
      done(options, usage, `attached ${kind} "${id}" (${usage.status}) to "${name}"`);
    }));

  orchestration(base(segments.command('detach').argument('<name>')))
    .description('forget that a campaign or automation uses a segment')
    .action(run(async (catalog, options, name) => {
      const [id, kind] = target(options);
      const was = await catalog.detach(name, { id, kind });
      done(options, { detached: was }, was ? `detached ${kind} "${id}" from "${name}"` : `${kind} "${id}" was not attached to "${name}"`);
    }));

  base(segments.command('load').argument('<file>', 'a JSON list of {"name","expression"} or {"name","members"} (the --segments format)'))
    .description('save every segment of a --segments file (new names are created, known ones updated)')
    .option('--description <text>', 'description of the segments it creates')
    .option('--schema <file>', 'check the expressions against this field schema')
    .action(run(async (catalog, options, file) => {
      const result = await catalog.saveAll(await loadSegments(file, 'segments load'), { description: options.description });
      done(options, result, `created ${result.created.length}, updated ${result.updated.length} segments`);
    }, { creates: true, schema: true }));

  base(segments.command('dump'))
    .description('print the active segments as a --segments file (JSON), for count/filter --segments')
    .action(run(async (catalog) => {
      await writeChunks(dumpChunks(catalog));
    }));

  const members = segments.command('members').description('the people in manual segments');
  base(members.command('import').argument('<name>').argument('<file>', 'a CSV file with a profile id, custom id, email or phone column'))
    .description('add the people of a CSV file to a manual segment; every row must match an existing profile')
    .option('--data <file>', 'the existing profiles (JSON Lines or .csv); default: those stored in --db')
    .option('--max-line-length <n>', `${LINE_CAP_HELP}, and of the member file`)
    .addOption(new Option('--by <key>', 'what the column holds (default: from its header)').choices(MATCH_KEYS as string[]))
    .option('--column <header>', 'the column to read (default: the first that identifies people)')
    .option('--no-header', 'the file has no header row (then --by is needed)')
    .option('--country <code>', 'country of phone numbers written without +, e.g. OM')
    .option('--skip-invalid', 'import the rows that match and list the others, instead of importing nothing')
    .option('--replace', 'replace the member list instead of adding to it')
    .option('--create', 'create the manual segment if it does not exist')
    .option('--description <text>', 'description of a segment created by --create')
    .action(run(async (catalog, options, name, file) => {
      const directory = options.data === undefined ? await layoutDirectory(catalog.db) : await fileDirectory(options.data, options.maxLineLength);
      // Streamed: the file is read as it is imported, whatever its size.
      const csv = await openStream(file, 'members import');
      let report;
      try {
        report = await catalog.importMembers(name, csv, {
          directory,
          maxRecordSize: maxLineLength(options.maxLineLength),
          key: options.by as MatchKey | undefined,
          column: options.column,
          header: options.header,
          defaultCountry: options.country,
          skipInvalid: options.skipInvalid,
          mode: options.replace ? 'replace' : 'add',
          create: options.create ? { description: options.description } : false,
        });
      } catch (e) {
        if (!(e instanceof CsvImportError)) throw e;
        // Every bad row, not the first few: fixing the file needs them all.
        if (options.json) out(options, { ok: false, errors: [e.toJSON()], problems: e.problems }, () => '');
        else printError([e.message, ...e.problems.map((p) => `  line ${p.line}: ${p.reason}`)].join('\n'));
        return EXIT_USAGE;
      }
      out(options, report, () =>
        [
          `${report.created ? 'created' : 'updated'} "${report.segment}": ${report.added} added, ${report.alreadyMembers} already members, ${report.duplicates} duplicate rows (matched by ${report.key} in column "${report.column}")`,
          ...report.problems.map((p) => `  skipped line ${p.line}: ${p.reason}`),
        ].join('\n'),
      );
    }, { creates: true }));
  base(members.command('list').argument('<name>'))
    .description('the profile ids of a manual segment, one per line')
    .action(run(async (catalog, options, name) => {
      const ids = catalog.memberIds(name);
      await writeChunks(options.json ? withNewline(jsonArrayChunks(ids)) : memberLines(ids));
    }));

  base(segments.command('export').argument('<name>'))
    .description('write the profiles of a segment to <segment-name>_<date>.csv (admins only)')
    .option('--role <role>', 'your role (only admin may export; default: $SEGMENT_ROLE)')
    .option('--out <dir>', 'the directory to write into', '.')
    .option('--data <file>', 'the profiles (JSON Lines or .csv); default: those stored in --db')
    .option('--max-line-length <n>', LINE_CAP_HELP)
    .option('--schema <file>', 'the field schema of --data (default: inferred)')
    .option('--now <iso>', 'the evaluation instant (default: now)')
    .option('--tz <zone>', 'time zone for the evaluation and the file date (default: UTC)')
    .action(run(async (catalog, options, name) => {
      const role = options.role ?? process.env.SEGMENT_ROLE;
      if (!role) throw userError('forbidden', 'exporting profiles needs the admin role', 'if you are an admin, pass --role admin');
      checkClockOptions(options);
      const result = await catalog.export(name, {
        role,
        directory: options.out,
        now: options.now ? new Date(options.now) : undefined,
        timeZone: options.tz,
        // From --db: manual segments' members are joined in the database, never loaded.
        members: options.data === undefined ? 'stored' : 'ids',
        profiles: (def, all) => (options.data === undefined ? sqlSegmentProfiles(catalog.db, def, all) : fileSegmentProfiles(def, all, options)),
      });
      done(options, result, `wrote ${result.rows.toLocaleString('en-US')} profiles to ${result.path}${result.skipped ? ` (${result.skipped} without a profile id or custom id left out)` : ''}`);
    }));

  base(segments.command('reach').argument('[names...]'))
    .description('recompute the estimated reach of the active segments (all, or those named); one that cannot be counted does not stop the others')
    .option('--data <file>', 'the profiles (JSON Lines or .csv); default: those stored in --db')
    .option('--max-line-length <n>', LINE_CAP_HELP)
    .option('--schema <file>', 'the field schema of --data (default: inferred)')
    .option('--now <iso>', 'the evaluation instant (default: now)')
    .option('--tz <zone>', 'time zone (default: UTC)')
    .action(run(async (catalog, options, names: string[] = []) => {
      checkClockOptions(options);
      const refs = names.length > 0 ? names : undefined;
      const counts = options.data === undefined ? undefined : await countFile(await catalog.definitions(), options);
      const counter: ReachCounter = counts
        ? (def) => {
            const count = counts.get(def.name.toLowerCase()) ?? 0;
            if (count instanceof SegmentErrors) throw count;
            return count;
          }
        : sqlReachCounter(catalog.db);
      const failed: SegmentError[] = [];
      const failedNames = new Set<string>();
      const rows = await catalog.refreshReach(counter, refs, {
        onError: (name, e) => {
          failedNames.add(name);
          failed.push(...(e instanceof SegmentErrors ? e.errors : [e]));
        },
      });
      const counted = rows.filter((r) => !failedNames.has(r.name));
      if (failed.length === 0) return out(options, rows, () => listTable(rows));
      // The others' reach is saved and shown; the ones that could not be counted make it a failure (exit 2).
      if (options.json) {
        out(options, { ok: false, segments: counted, ...errorsJson(failed) }, () => '');
        return EXIT_USAGE;
      }
      if (counted.length > 0) out(options, counted, () => listTable(counted));
      throw new SegmentErrors(failed);
    }));

  registerMembershipCommands(segments);
}

function registerMembershipCommands(segments: Command): void {
  base(segments.command('refresh').argument('[names...]'))
    .description('re-evaluate the active segments (all, or those named) against the profiles in --db and record who entered and who left since the last time (what a cron job or the Segment Trigger node runs)')
    .option('--now <iso>', 'the evaluation instant (default: now)')
    .option('--tz <zone>', 'time zone (default: UTC)')
    .action(run(async (catalog, options, names: string[] = []) => {
      checkClockOptions(options);
      const failed: SegmentError[] = [];
      const rows = await catalog.refresh(names.length > 0 ? names : undefined, {
        now: options.now ? new Date(createClock({ now: options.now }).now) : undefined,
        timeZone: options.tz,
        onError: (_name, e) => failed.push(...(e instanceof SegmentErrors ? e.errors : [e])),
      });
      const table = () =>
        rows.length === 0
          ? 'no segment refreshed'
          : textTable(
              ['Name', 'Run', 'Version', 'Entered', 'Left', 'Members'],
              rows.map((r) => [r.segment, String(r.run), String(r.version), r.entered.toLocaleString('en-US'), r.left.toLocaleString('en-US'), r.members.toLocaleString('en-US')]),
              new Set([1, 2, 3, 4, 5]),
            );
      if (failed.length === 0) return out(options, rows, table);
      // The others are recorded and shown; the ones that could not be evaluated make it a failure (exit 2).
      if (options.json) {
        out(options, { ok: false, segments: rows, ...errorsJson(failed) }, () => '');
        return EXIT_USAGE;
      }
      if (rows.length > 0) out(options, rows, table);
      throw new SegmentErrors(failed);
    }));

  base(segments.command('changes').argument('<name>'))
    .description('who entered and who left a segment, oldest first, each with the time of the refresh that saw it; --json prints JSON Lines ending with {"cursor": …} to resume from')
    .option('--since <instant|cursor>', 'changes after a cursor printed before (seg12.40), or from an ISO-8601 instant')
    .addOption(new Option('--only <change>', 'only entries or only exits').choices(['entered', 'left']))
    .option('--limit <n>', 'at most n changes (the cursor then resumes after the last one)')
    .action(run(async (catalog, options, name) => {
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
        throw userError('invalid-option', `--limit must be a whole number of 1 or more, not ${JSON.stringify(options.limit)}`);
      }
      let since: string | undefined = options.since;
      let left = limit ?? Infinity;
      let cursor = '';
      for (;;) {
        const page = await catalog.changes(name, { since, change: options.only, limit: Math.min(PAGE, left) });
        for (const c of page.changes) {
          if (options.json) printJson({ segment: page.segment, profile_id: c.profileId, change: c.change, at: c.at.toISOString(), version: c.version, run: c.run, cursor: c.cursor });
          else printText(`${c.at.toISOString()}  ${c.change === 'entered' ? 'entered' : 'left   '}  ${c.profileId}`);
        }
        left -= page.changes.length;
        since = cursor = page.cursor;
        if (!page.more || left <= 0) break;
      }
      if (options.json) printJson({ cursor });
      else printError(`resume with --since ${cursor}`);
    }));
}

const PAGE = 5000;

function textTable(header: string[], body: string[][], numeric: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const LINE_CAP_HELP = `the longest line (or CSV record) of --data read, in characters (default: $SEGMENT_MAX_LINE_LENGTH or ${DEFAULT_MAX_LINE_LENGTH.toLocaleString('en-US')})`;

// ── plumbing ──────────────────────────────────────────────────────────────────────────────────

function base(command: Command): Command {
  return command
    .option('--db <url>', `the catalogue database (default: $SEGMENT_DB or ${DEFAULT_CATALOG_DB})`)
    .option('--json', 'machine-readable output');
}

function orchestration(command: Command): Command {
  return command.option('--campaign <id>', 'a campaign id').option('--automation <id>', 'an automation id');
}

// Positional arguments are strings, or a string list for a variadic one.
// A body returns nothing (success), or the exit code of a failure it has already reported.
type Body = (catalog: SegmentCatalog, options: CatalogOptions, ...args: any[]) => Promise<void | number>;

/**
 * Opens the catalogue, runs the body, reports failures (exit 2 for user errors, the database's own
 * failures included), closes the database. Commands that only read never create a database file.
 */
function run(body: Body, mode: { creates?: boolean; schema?: boolean } = {}) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const options = command.opts<CatalogOptions>();
    const positional = args.slice(0, -2);
    const url = options.db ?? process.env.SEGMENT_DB ?? DEFAULT_CATALOG_DB;
    let db: ReturnType<typeof openDatabase> | undefined;
    try {
      db = openDatabase(url, { mustExist: mode.creates !== true });
      const schema = mode.schema && options.schema ? (await context(options)).schema : undefined;
      const catalog = await SegmentCatalog.open(db, { schema });
      process.exitCode = (await body(catalog, options, ...positional)) ?? EXIT_OK;
    } catch (e) {
      process.exitCode = reportFailure((db && databaseError(e, db)) ?? e, options.json === true);
    } finally {
      await db?.destroy();
    }
  };
}

function out(options: CatalogOptions, value: unknown, text: () => string): void {
  if (options.json) printJson(value, 2);
  else printText(text());
}

function done(options: CatalogOptions, value: unknown, message: string): void {
  out(options, options.json ? { ok: true, ...(value as object) } : value, () => message);
}

function ids(list: string | undefined): string[] {
  return (list ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function target(options: CatalogOptions): [string, OrchestrationKind] {
  if ((options.campaign === undefined) === (options.automation === undefined)) {
    throw userError('invalid-option', 'name one campaign or one automation', 'pass --campaign <id> or --automation <id>');
  }
  return options.campaign !== undefined ? [options.campaign, 'campaign'] : [options.automation!, 'automation'];
}

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

function reach(s: SegmentSummary): string {
  return s.reach === null ? 'not computed' : `${s.reach.toLocaleString('en-US')} (${when(s.reachComputedAt!)})`;
}

function listTable(rows: readonly SegmentSummary[]): string {
  if (rows.length === 0) return 'no segments yet: create one with segment segments create <name> <expression>';
  const header = ['Name', 'Kind', 'Reach', 'Computed', 'Campaigns', 'Automations', 'Updated'];
  const body = rows.map((s) => [
    s.state === 'archived' ? `${s.name} (archived)` : s.name,
    s.kind,
    s.reach === null ? '-' : s.reach.toLocaleString('en-US'),
    s.reachComputedAt ? when(s.reachComputedAt) : '-',
    String(s.campaigns),
    String(s.automations),
    when(s.updatedAt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const numeric = new Set([2, 4, 5]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** One id per line, terminal-safe; a lone line feed for none (as `printText` of the joined list). */
async function* memberLines(ids: AsyncIterable<string>): AsyncGenerator<string> {
  let any = false;
  for await (const id of ids) {
    any = true;
    yield `${terminalSafe(id)}\n`;
  }
  if (!any) yield '\n';
}

async function* withNewline(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  yield* chunks;
  yield '\n';
}

/**
 * The active segments as `JSON.stringify(definitions, null, 2)` prints them, with each manual
 * segment's members streamed from the database (never all held at once).
 */
async function* dumpChunks(catalog: SegmentCatalog): AsyncGenerator<string> {
  const definitions = await catalog.definitions({ members: 'stored' });
  if (definitions.length === 0) return yield '[]\n';
  const marker = '\u0000members\u0000';
  yield '[\n';
  for (const [i, d] of definitions.entries()) {
    const text = JSON.stringify(isManual(d) ? { name: d.name, members: marker } : { name: d.name, expression: d.expression }, null, 2).replace(/\n/g, '\n  ');
    if (isManual(d)) {
      const at = text.lastIndexOf(JSON.stringify(marker));
      yield `  ${text.slice(0, at)}`;
      yield* jsonArrayChunks(catalog.memberIds(d.name), '    ');
      yield text.slice(at + JSON.stringify(marker).length);
    } else {
      yield `  ${text}`;
    }
    yield i < definitions.length - 1 ? ',\n' : '\n';
  }
  yield ']\n';
}

/** A directory over the identifiers of the profiles in a file (only those four fields are kept). */
async function fileDirectory(path: string, maxLineLength: string | undefined): Promise<ProfileDirectory> {
  const stream = await openProfiles(path, { maxLineLength });
  const contacts: Record<string, unknown>[] = [];
  for await (const batch of stream.batches()) {
    for (const p of batch) contacts.push({ id: p.id, custom_id: p.custom_id, email: p.email, phone: p.phone });
  }
  reportSkipped(stream);
  return new MemoryDirectory(contacts);
}

/** The profiles of a segment in a file, evaluated by the in-memory engine as they stream by. */
async function* fileSegmentProfiles(def: SegmentDefinition, all: readonly SegmentDefinition[], options: CatalogOptions): AsyncGenerator<Profile> {
  const ctx = { ...(await context({ ...options, segments: undefined })), segments: [...all] };
  const { segments, stream } = await prepare([segmentSource(def)], options, ctx);
  for await (const batch of stream.batches()) for (const p of batch) if (segments[0].test(p)) yield p;
  reportSkipped(stream);
}

/** Lower-cased name → count (or why it cannot be counted), for every active segment, in one pass over the file. */
async function countFile(all: readonly SegmentDefinition[], options: CatalogOptions): Promise<Map<string, number | SegmentErrors>> {
  const ctx = { ...(await context({ ...options, segments: undefined })), segments: [...all] };
  // Read once into the reach index; every segment counted over it.
  const { counts, stream } = await countWithIndex(all.map(segmentSource), options, ctx);
  reportSkipped(stream);
  return new Map(all.map((d, i) => [d.name.toLowerCase(), counts[i]]));
}
