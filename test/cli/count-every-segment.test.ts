/**
 * `segment count --every-segment`: every saved segment counted as it was saved (a segment of
 * exactly 10 references reaches those 10, not itself as an eleventh), and one segment that cannot
 * be counted does not stop the others' counts: they are printed, it is reported, and the exit code
 * is 2. In a file and in a database alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, NOW, segment } from './cli';

let dir: string;
let segments: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segment-every-'));
  segments = join(dir, 'segments.json');
  const members = Array.from({ length: 10 }, (_, i) => ({ name: `S${i + 1}`, members: [`p${(i % 3) + 1}`] }));
  writeFileSync(
    segments,
    JSON.stringify([
      ...members,
      { name: 'Ten', expression: members.map((m) => `in_segment("${m.name}")`).join(' or ') },
      { name: 'Stale', expression: 'loyalty_points > 3' },
      { name: 'Omanis', expression: 'country = "OM"' },
    ]),
  );
  db = `sqlite:${join(dir, 'profiles.db')}`;
  const r = segment(['import', '--db', db, '--schema', fixture('schema.json'), fixture('profiles.jsonl')]);
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['data', 'db'] as const)('count --every-segment from --%s', (from) => {
  const source = () => (from === 'data' ? ['--data', fixture('profiles.jsonl')] : ['--db', db]);

  it('counts the others, and the segment of exactly 10 references, when one cannot be counted', () => {
    const r = segment(['count', '--every-segment', ...source(), '--schema', fixture('schema.json'), '--segments', segments, '--now', NOW]);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('Ten\t3');
    const omanis = segment(['count', '--data', fixture('profiles.jsonl'), '--schema', fixture('schema.json'), '--now', NOW, 'country = "OM"']).stdout.trim();
    expect(lines).toContain(`Omanis\t${omanis}`);
    expect(lines.filter((l) => l.startsWith('S'))).toHaveLength(10);
    expect(lines.some((l) => l.startsWith('Stale'))).toBe(false);
    expect(r.stderr).toContain('unknown field `loyalty_points`');
  });

  it('gives each segment its count or its errors in --json', () => {
    const r = segment(['count', '--every-segment', ...source(), '--schema', fixture('schema.json'), '--segments', segments, '--now', NOW, '--json']);
    expect(r.status).toBe(2);
    const body = JSON.parse(r.stdout) as { ok: boolean; segments: { name: string; count?: number; errors?: { code: string }[] }[] };
    expect(body.ok).toBe(false);
    expect(body.segments.find((s) => s.name === 'Ten')).toEqual({ name: 'Ten', count: 3 });
    expect(body.segments.find((s) => s.name === 'Stale')).toMatchObject({ errors: [{ code: 'unknown-field' }] });
  });
});
