/**
 * `count` and `filter` stream their input: they never hold the file. The proof: they finish on a
 * 300,000-line (~75 MB) file with V8's heap capped at 24 MB, where reading the file whole (as one
 * string, or as parsed profiles) dies with "heap out of memory". (A heap cap is a sharper test than
 * peak RSS, which V8's lazy collection and Node's own ~150 MB footprint make noisy at this size.)
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, segmentAsync } from './cli';

const LINES = 300_000;
const HEAP_MB = 24;
let dir: string;
let data: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segment-stream-'));
  data = join(dir, 'profiles.jsonl');
  const out = createWriteStream(data);
  const pad = 'x'.repeat(200);
  for (let i = 0; i < LINES; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j++) chunk += `{"id":"g${j}","n":${j % 100},"tags":["a","b"],"pad":"${pad}"}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  env = { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('streaming input', () => {
  it(`counts a ${LINES.toLocaleString('en-US')}-line file with a ${HEAP_MB} MB heap`, async () => {
    const size = statSync(data).size;
    expect(size).toBeGreaterThan(70 * 1024 * 1024);
    const r = await segmentAsync(['count', '--data', data, 'n < 10'], { env });
    expect(r.stderr).not.toContain('heap out of memory');
    expect(r.status).toBe(0);
    expect(lastLine(r.stdout)).toBe(String(LINES / 10));
  });

  it('filters the same file with the same heap, writing every match in order', async () => {
    const r = await segmentAsync(['filter', '--data', data, 'n = 42'], { env });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(LINES / 100);
    expect(JSON.parse(lines[0]).id).toBe('g42');
    expect(JSON.parse(lines[lines.length - 1]).id).toBe(`g${LINES - 58}`);
  });
});
