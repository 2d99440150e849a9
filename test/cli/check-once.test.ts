/**
 * Each expression is checked (parsed, validated, its segments resolved) once per CLI run, when its
 * schema is known, and that result is what is compiled, in memory or to SQL. The command bodies run
 * here in-process against real files and a real SQLite database; the engine's own `check` is
 * wrapped only to count its calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture, NOW, segment } from './cli';

const calls: string[] = [];
vi.mock('../../core/engine', async (importOriginal) => {
  const engine = await importOriginal<typeof import('../../core/engine')>();
  return {
    ...engine,
    check: (source: string, options?: Parameters<typeof engine.check>[1]) => {
      calls.push(source);
      return engine.check(source, options);
    },
  };
});

const { runCount } = await import('../../cli/count');

const dir = mkdtempSync(join(tmpdir(), 'segment-check-once-'));
const db = `sqlite:${join(dir, 'profiles.db')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  const r = segment(['import', '--db', db, '--schema', fixture('schema.json'), fixture('profiles.jsonl')]);
  expect(r.stderr).toBe('');
});

/** Runs `segment count` in-process; returns what it printed. */
async function count(expression: string | undefined, options: Record<string, unknown>): Promise<string> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await runCount(expression, { now: NOW, ...options });
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

afterEach(() => {
  calls.length = 0;
});

describe('each expression is checked once per run', () => {
  const expression = 'country = "OM" and clicks_count > 0';

  it('count --data --schema', async () => {
    expect(await count(expression, { data: fixture('profiles.jsonl'), schema: fixture('schema.json') })).toMatch(/^\d+\n$/);
    expect(calls).toEqual([expression]);
  });

  it('count --data with the schema inferred from the file', async () => {
    expect(await count(expression, { data: fixture('profiles.jsonl') })).toMatch(/^\d+\n$/);
    expect(calls).toEqual([expression]);
  });

  it('count --every-segment: each saved segment once', async () => {
    const printed = await count(undefined, { data: fixture('profiles.jsonl'), schema: fixture('schema.json'), segments: fixture('segments.json'), everySegment: true });
    expect(printed.trim().split('\n')).toHaveLength(4);
    expect(calls).toHaveLength(4);
    expect(new Set(calls).size).toBe(4);
  });

  it('count --db, with --schema and with the schema saved in the database', async () => {
    const withSchema = await count(expression, { db, schema: fixture('schema.json') });
    expect(calls).toEqual([expression]);
    calls.length = 0;
    const saved = await count(expression, { db });
    expect(calls).toEqual([expression]);
    // The same number either way, and the same as the in-memory count.
    expect(saved).toBe(withSchema);
    expect(await count(expression, { data: fixture('profiles.jsonl'), schema: fixture('schema.json') })).toBe(withSchema);
  });

  it('a bad expression is still refused with every problem, before any data is read when the schema is given', async () => {
    await expect(count('country = 1 and nope = 2', { data: fixture('nope.jsonl'), schema: fixture('schema.json') })).rejects.toMatchObject({ errors: [{ code: 'value-type-mismatch' }, { code: 'unknown-field' }] });
    expect(calls).toHaveLength(1);
  });
});
