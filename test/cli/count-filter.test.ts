import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSegment, type Profile } from '../../core/index';
import { checkSchema } from '../../core/infer-schema';
import { codeGenerationAllowed } from '../../core/evaluate/compile';
import { fixture, ids, lastLine, NOW, segment } from './cli';

const jsonl = fixture('profiles.jsonl');
const csv = fixture('profiles.csv');
const schemaFile = fixture('schema.json');
const at = ['--now', NOW];

function readProfiles(): Profile[] {
  return readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Profile);
}

describe('segment count', () => {
  it('prints the count as the last line of stdout', () => {
    const r = segment(['count', '--data', jsonl, '--schema', schemaFile, ...at, 'tags contains "VIP" and country = "OM"']);
    expect(r.status).toBe(0);
    expect(lastLine(r.stdout)).toBe('3'); // p1, p3 (case-insensitive "om"/"vip"), p5
  });

  it('prints {count, scanned, ms} with --json', () => {
    const r = segment(['count', '--json', '--data', jsonl, ...at, 'clicks_count > 0']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ count: 4, scanned: 6 });
    expect(Object.keys(out).sort()).toEqual(['count', 'ms', 'scanned']);
    expect(out.ms).toBeGreaterThanOrEqual(0);
  });

  it.each([
    'country = "OM"',
    'tags contains "VIP"',
    'not tags contains "VIP"',
    'clicks_count > 0 or opt_out = true',
    'last_interaction within last 30 days',
    'last_interaction older than 30 days',
    'event("purchase").within(7 days).sum("amount") >= 100',
    'event("purchase").count() = 0',
    'attributes.scores contains any [7, 10]',
    'language is unknown',
    'in_segment("Gold Omani VIPs") or in_segment("hand picked")',
  ])('counts `%s` exactly as compileSegment().count does on the same data', (expression) => {
    const schema = checkSchema(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const segments = JSON.parse(readFileSync(fixture('segments.json'), 'utf8'));
    const expected = compileSegment(expression, { schema, segments, now: NOW }).count(readProfiles());
    const r = segment(['count', '--data', jsonl, '--schema', schemaFile, '--segments', fixture('segments.json'), ...at, expression]);
    expect(r.stderr).toBe('');
    expect(Number(lastLine(r.stdout))).toBe(expected);
  });

  it('counts the same with every --evaluator it may use here (generated only where code generation is allowed)', () => {
    const expression = 'tags contains "vip" and event("purchase").within(7 days).sum("amount") >= 100 or attributes.tier in ["gold", "silver"]';
    const expected = compileSegment(expression, { schema: checkSchema(JSON.parse(readFileSync(schemaFile, 'utf8'))), now: NOW }).count(readProfiles());
    const evaluators = codeGenerationAllowed() ? ['auto', 'generated', 'closures'] : ['auto', 'closures'];
    for (const evaluator of evaluators) {
      const r = segment(['count', '--data', jsonl, '--schema', schemaFile, '--evaluator', evaluator, ...at, expression]);
      expect(r.stderr, evaluator).toBe('');
      expect(Number(lastLine(r.stdout)), evaluator).toBe(expected);
    }
  });

  it('refuses an unknown --evaluator, naming the choices', () => {
    const r = segment(['count', '--data', jsonl, '--evaluator', 'fast', ...at, 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("argument 'fast' is invalid. Allowed choices are auto, generated, closures.");
  });

  it('reads the expression from stdin', () => {
    const r = segment(['count', '--data', jsonl, ...at], { input: 'attributes.tier = "gold"' });
    expect(lastLine(r.stdout)).toBe('3');
  });

  it('counts CSV profiles like the same profiles in JSON Lines', () => {
    for (const expression of ['country = "OM"', 'tags contains "VIP"', 'opt_out = false', 'attributes.scores contains 7', 'clicks_count is unknown', 'last_interaction before "2026-01-01"']) {
      const fromJsonl = segment(['count', '--data', jsonl, '--schema', schemaFile, ...at, expression]);
      const fromCsv = segment(['count', '--data', csv, '--schema', schemaFile, ...at, expression]);
      expect(fromCsv.stderr, expression).toBe('');
      expect(lastLine(fromCsv.stdout), expression).toBe(lastLine(fromJsonl.stdout));
    }
  });

  it('evaluates `today` against --now in the --tz time zone', () => {
    // now = 2026-11-20T20:00Z. In UTC today starts at 2026-11-20T00:00Z: p1 (10:00Z) and p5 are after it.
    // In Pacific/Kiritimati (UTC+14) it is already the 21st, which started at 2026-11-20T10:00Z: p1 is not after.
    const after = (tz: string) => lastLine(segment(['count', '--data', jsonl, '--now', '2026-11-20T20:00:00Z', '--tz', tz, 'last_interaction after today']).stdout);
    expect(after('UTC')).toBe('2');
    expect(after('Pacific/Kiritimati')).toBe('1');
  });

  it('counts every saved segment in one pass with --every-segment', () => {
    const r = segment(['count', '--every-segment', '--json', '--data', jsonl, '--schema', schemaFile, '--segments', fixture('segments.json'), ...at]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.segments).toEqual([
      { name: 'Omani VIPs', count: 3 },
      { name: 'Gold', count: 3 },
      { name: 'Gold Omani VIPs', count: 2 },
      { name: 'Hand Picked', count: 2 },
    ]);
    expect(out.scanned).toBe(6);
  });

  it('counts 0 on an empty file, with or without a schema', () => {
    expect(lastLine(segment(['count', '--data', fixture('empty.jsonl'), 'clicks_count > 0']).stdout)).toBe('0');
    expect(lastLine(segment(['count', '--data', fixture('empty.jsonl'), '--schema', schemaFile, 'clicks_count > 0']).stdout)).toBe('0');
  });

  it('reads Windows line endings and skips blank lines', () => {
    const r = segment(['count', '--json', '--data', fixture('windows.jsonl'), 'country = "OM"']);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 2, scanned: 3 });
  });

  it('stops at a bad JSON line with file:line and the reason (exit 2)', () => {
    const r = segment(['count', '--data', fixture('bad.jsonl'), 'country = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[invalid-data\]: .*bad\.jsonl:3: not valid JSON/);
    expect(r.stderr).toContain('--skip-bad-lines');
  });

  it('recognises a JSON array file and says how to turn it into JSON Lines', () => {
    const r = segment(['count', '--data', fixture('array.json'), 'id = "a"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/array\.json:1: /);
    expect(r.stderr).toContain("not a JSON array: convert it with jq -c '.[]'");
  });

  it('skips bad lines with --skip-bad-lines and says how many on stderr', () => {
    const r = segment(['count', '--skip-bad-lines', '--data', fixture('bad.jsonl'), 'country = "OM"']);
    expect(r.status).toBe(0);
    expect(lastLine(r.stdout)).toBe('2'); // q1, q4 (q3 is not JSON, line 5 is not an object)
    expect(r.stderr).toMatch(/skipped 2 bad lines \(first: .*bad\.jsonl:3: /);
  });

  it('reports a CSV cell that does not convert to its field type with file:line', () => {
    const r = segment(['count', '--data', fixture('bad-cells.csv'), '--schema', schemaFile, 'clicks_count > 0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-cells\.csv:3: column "clicks_count": "three" is not a number/);
    const skipped = segment(['count', '--skip-bad-lines', '--data', fixture('bad-cells.csv'), '--schema', schemaFile, 'clicks_count > 0']);
    expect(lastLine(skipped.stdout)).toBe('2');
    expect(skipped.stderr).toMatch(/skipped 2 bad lines/);
  });
});

describe('segment filter', () => {
  it('writes the matching profiles as JSON Lines, in input order, unchanged', () => {
    const r = segment(['filter', '--data', jsonl, ...at, 'attributes.tier = "gold"']);
    expect(r.status).toBe(0);
    expect(ids(r.stdout)).toEqual(['p1', 'p4', 'p5']);
    const byId = new Map(readProfiles().map((p) => [p.id, p]));
    for (const line of r.stdout.trim().split('\n')) {
      const p = JSON.parse(line) as Profile;
      expect(p).toEqual(byId.get(p.id));
    }
  });

  it('turns CSV rows into nested, typed profiles (dotted headers, lists, booleans, absent empty cells)', () => {
    const r = segment(['filter', '--data', csv, '--schema', schemaFile, 'name = "Huda" or name = "Ahmed"']);
    const [huda, ahmed] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(huda).toEqual({
      id: 'p1',
      name: 'Huda',
      country: 'OM',
      language: 'ar',
      tags: ['VIP', 'lead'],
      opt_out: false,
      clicks_count: 3,
      last_interaction: '2026-11-20T10:00:00Z',
      attributes: { tier: 'gold', scores: [9, 10] },
    });
    expect(ahmed).toEqual({ id: 'p6', name: 'Ahmed', country: 'AE', language: 'ar', opt_out: true, last_interaction: '2025-12-31', attributes: { tier: 'silver', scores: [7, 8] } });
  });

  it('types CSV cells by appearance without a schema', () => {
    const r = segment(['filter', '--data', csv, 'name = "Marc"']);
    expect(JSON.parse(r.stdout)).toEqual({ id: 'p4', name: 'Marc', country: 'FR', language: 'fr', opt_out: false, clicks_count: 7, attributes: { tier: 'gold' } });
  });

  it('writes nothing and exits 0 when no profile matches', () => {
    const r = segment(['filter', '--data', jsonl, 'country = "ZZ"']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('CSV files as a spreadsheet saves them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segment-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a ;-separated file (a European locale) like a comma-separated one', () => {
    const semi = write('semi.csv', 'id;clicks_count;country\n1;5;OM\n2;0;AE\n3;7;OM\n');
    const r = segment(['count', '--data', semi, 'clicks_count > 0 and country = "OM"']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2\n');
  });

  it('reads __proto__ columns as data and counts them like any other', () => {
    const proto = write('proto.csv', 'id,__proto__.polluted,constructor\n1,yes,c\n2,no,\n');
    expect(segment(['count', '--data', proto, '`__proto__.polluted` = "yes"']).stdout).toBe('1\n');
    expect(segment(['count', '--data', proto, 'constructor is known']).stdout).toBe('1\n');
    expect(segment(['filter', '--data', proto, 'id = "1"']).stdout).toBe('{"id":"1","__proto__":{"polluted":"yes"},"constructor":"c"}\n');
  });

  it('refuses a record longer than the line cap with file:line (a quote never closed)', () => {
    const open = write('open.csv', `id,name\n1,"${'x'.repeat(3000)}\n2,b\n`);
    const r = segment(['count', '--max-line-length', '1000', '--data', open, 'id is known']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${open}:2: a record is longer than 1,000 characters`);
  });
});
