/**
 * bench:members' baseline phases (see members.ts): an expert's hand-written SQL on the x_* layout,
 * through the driver alone (better-sqlite3, mysql2, pg), one phase per process:
 *   node members-baseline.mjs reach|export|list|import <url> <directory>
 * Prints {"rows": n}.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import mysql from 'mysql2/promise';
import pg from 'pg';

const SEGMENT = 'Million';

type Baseline = 'reach' | 'export' | 'list' | 'import';

/** A baseline phase on SQLite: better-sqlite3 and the hand-written SQL. */
async function baselineSqlite(phase: Baseline, file: string, directory: string): Promise<number> {
  const db = new Database(file, { readonly: phase !== 'import' });
  try {
    const segment = (db.prepare('SELECT id FROM x_segments WHERE name = ?').get(SEGMENT) as { id: number }).id;
    if (phase === 'reach') return (db.prepare('SELECT COUNT(*) AS n FROM x_segment_members WHERE segment_id = ?').get(segment) as { n: number }).n;
    if (phase === 'export') {
      let rows = 0;
      const select = db.prepare('SELECT p.custom_id, p.ext_id, NULL AS phone, p.email FROM x_segment_members m JOIN x_profiles p ON p.id = m.profile_id WHERE m.segment_id = ?').raw();
      const records = (function* () {
        yield ['Custom ID', 'Profile ID', 'Phone', 'Email'];
        for (const r of select.iterate(segment)) {
          rows++;
          yield r as unknown[];
        }
      })();
      await pipeline(records, stringify({ record_delimiter: 'windows' }), createWriteStream(join(directory, 'baseline-export.csv')));
      return rows;
    }
    if (phase === 'list') {
      let rows = 0;
      const out = createWriteStream('/dev/null');
      const select = db.prepare('SELECT p.ext_id FROM x_segment_members m JOIN x_profiles p ON p.id = m.profile_id WHERE m.segment_id = ? ORDER BY p.ext_id').pluck();
      const lines = (function* () {
        for (const ext of select.iterate(segment)) {
          rows++;
          yield `${ext as string}\n`;
        }
      })();
      await pipeline(lines, out);
      return rows;
    }
    // import: a new segment from the CSV, every row looked up by its text id, all in one transaction.
    db.prepare('INSERT INTO x_segments (id, name) VALUES (2, ?)').run('Imported');
    const add = db.prepare('INSERT OR IGNORE INTO x_segment_members (segment_id, profile_id) SELECT 2, id FROM x_profiles WHERE ext_id = ?');
    let rows = 0;
    db.exec('BEGIN');
    for await (const [ext] of createReadStream(join(directory, 'members.csv')).pipe(parse({ from_line: 2 })) as AsyncIterable<string[]>) {
      if (add.run(ext).changes !== 1) throw new Error(`no profile ${ext}`);
      rows++;
    }
    db.exec('COMMIT');
    return rows;
  } finally {
    db.close();
  }
}

const REACH = 'SELECT COUNT(*) AS n FROM x_segment_members WHERE segment_id = (SELECT id FROM x_segments WHERE name = ?)';

/** A baseline reach on a server, through its driver. */
async function baselineServer(url: string): Promise<number> {
  if (url.startsWith('mysql:')) {
    const connection = await mysql.createConnection(url);
    try {
      const [rows] = await connection.query(REACH, [SEGMENT]);
      return Number((rows as { n: unknown }[])[0].n);
    } finally {
      await connection.end();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(REACH.replace('?', '$1'), [SEGMENT])).rows[0].n);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const [phase, url, directory] = process.argv.slice(2) as [Baseline, string, string];
  const rows = url.startsWith('sqlite:') ? await baselineSqlite(phase, url.slice('sqlite:'.length), directory) : await baselineServer(url);
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
}

main().catch((e) => {
  process.stderr.write(`baseline failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
