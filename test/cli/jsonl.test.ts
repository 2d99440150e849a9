/**
 * The JSON Lines reader every command shares (cli/jsonl.ts): the line-length cap, deep nesting and
 * numbers too large to be finite, each refused with its line number, in-process and through the CLI
 * (`count`, `filter`, `import`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH, maxLineLength, readJsonLines, type JsonLine } from '../../cli/jsonl';
import { segment } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'segment-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function file(text: string): string {
  const path = join(dir, `f${files++}.jsonl`);
  writeFileSync(path, text);
  return path;
}

async function read(text: string, cap: number): Promise<JsonLine[]> {
  const out: JsonLine[] = [];
  for await (const lines of readJsonLines(file(text), { bytes: 0 }, cap)) out.push(...lines);
  return out;
}

describe('the line-length cap', () => {
  it('refuses a line longer than the cap with its number, and reads the lines after it', async () => {
    const lines = await read(`{"id":"1"}\n${'['.repeat(5_000_000)}\n{"id":"3"}\n`, 1_000_000);
    expect(lines).toEqual([
      { line: 1, value: { id: '1' } },
      { line: 2, error: 'the line is longer than 1,000,000 characters (raise the cap with --max-line-length or SEGMENT_MAX_LINE_LENGTH)' },
      { line: 3, value: { id: '3' } },
    ]);
  });

  it('refuses the long line however the file is cut into chunks (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.nat({ max: 40 }), fc.integer({ min: 900_000, max: 2_500_000 })), { minLength: 1, maxLength: 6 }), fc.integer({ min: 20, max: 1_200_000 }), async (sizes, cap) => {
        // Line i is a JSON string of sizes[i] characters (the quotes included when it is long enough).
        const texts = sizes.map((n, i) => (n < 2 ? '' : JSON.stringify(String(i % 10).repeat(n - 2))));
        const lines = await read(texts.join('\n'), cap);
        const expected = texts.flatMap((t, i): JsonLine[] => (t === '' ? [] : t.length > cap ? [{ line: i + 1, error: expect.stringContaining('the line is longer than') as unknown as string }] : [{ line: i + 1, value: JSON.parse(t) }]));
        expect(lines).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('takes the cap from --max-line-length, then SEGMENT_MAX_LINE_LENGTH, else 10,000,000 characters', () => {
    const before = process.env.SEGMENT_MAX_LINE_LENGTH;
    try {
      delete process.env.SEGMENT_MAX_LINE_LENGTH;
      expect(maxLineLength()).toBe(10_000_000);
      process.env.SEGMENT_MAX_LINE_LENGTH = '2_000';
      expect(maxLineLength()).toBe(2000);
      expect(maxLineLength('300')).toBe(300);
      expect(() => maxLineLength('0')).toThrow('--max-line-length must be a positive whole number of characters, not "0"');
      process.env.SEGMENT_MAX_LINE_LENGTH = 'lots';
      expect(() => maxLineLength()).toThrow('SEGMENT_MAX_LINE_LENGTH must be a positive whole number');
    } finally {
      if (before === undefined) delete process.env.SEGMENT_MAX_LINE_LENGTH;
      else process.env.SEGMENT_MAX_LINE_LENGTH = before;
    }
  });
});

describe('values the engines would read differently', () => {
  it(`refuses a value nested more than ${MAX_DEPTH} levels deep, and reads one nested ${MAX_DEPTH}`, async () => {
    const deep = (n: number) => `{"id":"x","a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    const lines = await read(`${deep(MAX_DEPTH)}\n${deep(MAX_DEPTH + 1)}\n{"s":"${'['.repeat(3000)}"}\n`, 1_000_000);
    expect(lines[0].error).toBeUndefined();
    expect(lines[1]).toEqual({ line: 2, error: 'the value is nested more than 1,000 levels deep' });
    // Brackets inside a string are text.
    expect(lines[2]).toEqual({ line: 3, value: { s: '['.repeat(3000) } });
  });

  it('refuses numbers JSON.parse turns into Infinity, saying where, and keeps big finite ones', async () => {
    const lines = await read(['{"clicks_count":1e999}', '{"events":[{"properties":{"amount":-2E+400}}]}', `{"n":${'9'.repeat(400)}}`, '{"n":1e308,"s":"1e999","t":1e-999}'].join('\n'), 1_000_000);
    expect(lines.map((l) => l.error)).toEqual([
      'the number at "clicks_count" is too large to be a finite number (1e999)',
      'the number at "events"[0]."properties"."amount" is too large to be a finite number (-2E+400)',
      `the number at "n" is too large to be a finite number (999999999999…(400 characters))`,
      undefined,
    ]);
    expect(lines[3].value).toEqual({ n: 1e308, s: '1e999', t: 0 });
  });
});

describe('through the CLI', () => {
  const profiles = file('{"id":"1","clicks_count":1e999}\n{"id":"2","clicks_count":2}\n');

  it('stops count and filter at a non-finite number with file:line; filter never writes it back as null', () => {
    for (const command of ['count', 'filter']) {
      const r = segment([command, '--data', profiles, 'clicks_count >= 0']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${profiles}:1: the number at "clicks_count" is too large to be a finite number (1e999)`);
      expect(r.stdout).not.toContain('null');
    }
    const skipped = segment(['filter', '--skip-bad-lines', '--data', profiles, 'clicks_count >= 0']);
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toBe('{"id":"2","clicks_count":2}\n');
  });

  it('caps the lines of count (option and environment) and of import', () => {
    const long = file(`{"id":"1"}\n{"id":"${'x'.repeat(5000)}"}\n{"id":"3"}\n`);
    const count = segment(['count', '--max-line-length', '1000', '--data', long, 'id is known']);
    expect(count.status).toBe(2);
    expect(count.stderr).toContain(`${long}:2: the line is longer than 1,000 characters`);
    const env = segment(['count', '--skip-bad-lines', '--data', long, 'id is known'], { env: { SEGMENT_MAX_LINE_LENGTH: '1000' } });
    expect(env.stdout).toBe('2\n');
    const db = `sqlite:${join(dir, 'import.db')}`;
    const imported = segment(['import', '--db', db, '--max-line-length', '1000', long]);
    expect(imported.status).toBe(2);
    expect(imported.stderr).toContain(`${long}:2: rejected: the line is longer than 1,000 characters`);
    const infinite = segment(['import', '--db', db, profiles]);
    expect(infinite.status).toBe(2);
    expect(infinite.stderr).toContain(`${profiles}:1: rejected: the number at "clicks_count" is too large to be a finite number`);
  });
});
