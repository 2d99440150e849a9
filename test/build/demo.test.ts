/**
 * `npm run demo` (the terminal table README command (1) printed before the workspace): builds, writes the 100k-profile sample once, and prints the table of
 * the seed-example segments counted by the CLI. Here: the sample generator is deterministic, and the
 * demo prints one row per seed segment with its count and share.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const dir = mkdtempSync(join(tmpdir(), 'segment-sample-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script with the project's Node; returns its stdout (throws with its stderr on failure). */
function run(script: string, args: string[] = []): string {
  return execFileSync(NODE, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('npm run sample', () => {
  it('writes the same profiles byte for byte on every run (fixed seed and now)', () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    run('sample.mjs', ['--count', '500', '--out', a]);
    run('sample.mjs', ['--count', '500', '--out', b, '--force']);
    const text = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(text);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    expect(JSON.parse(lines[0]).id).toBe('p000001');
    expect(JSON.parse(lines[499]).id).toBe('p000500');
  });
});

describe('npm run demo (scripts/demo.mjs)', () => {
  it('prints a row per seed segment with its count and share of the 100,000 profiles, then the total time', () => {
    const stdout = run('demo.mjs');
    const seeds = JSON.parse(readFileSync(join(ROOT, 'sample', 'segments.json'), 'utf8')) as { name: string; expression?: string }[];
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Segment\s+Count\s+% of profiles\s+Expression$/);
    for (const seed of seeds) {
      const row = lines.find((l) => l.startsWith(`${seed.name}  `));
      expect(row, seed.name).toBeDefined();
      const m = /\s([\d,]+)\s+(\d+\.\d)%\s+(.*)$/.exec(row!);
      expect(m, row).not.toBeNull();
      const count = Number(m![1].replace(/,/g, ''));
      expect(Number(m![2])).toBeCloseTo((100 * count) / 100_000, 1);
      if (seed.expression === undefined) expect(m![3]).toMatch(/^manual: \d+ member ids$/);
      // The sample is generated so that every example segment has members, and none has everyone.
      else expect(count > 0 && count < 100_000, `${seed.name}: ${count}`).toBe(true);
    }
    // The manual segment's members all exist in the sample.
    expect(lines.find((l) => l.startsWith('Event Attendees (manual)'))).toMatch(/\s4\s+0\.0%/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${seeds.length} segments counted`));
    expect(lines[lines.length - 1]).toMatch(/ segments counted on 100,000 profiles \(build\/sample\/profiles\.jsonl, now = 2026-11-24T12:00:00Z\) in \d+\.\d s$/);
  });
});
