// `npm run demo`: counts every example segment of the product documents (sample/segments.json) on the
// generated sample of 100,000 profiles, with the built `segment` CLI, and prints a table.
//
// The counting is one run of the CLI, one pass over the file for all the segments:
//   segment count --every-segment --json --data build/sample/profiles.jsonl \
//     --schema sample/schema.json --segments sample/segments.json --now 2026-11-24T12:00:00Z
// (the same as running `segment count … 'in_segment("<name>")'` once per segment).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSample, SAMPLE, SAMPLE_NOW } from './sample.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'segment.cjs');
const schema = join(root, 'sample', 'schema.json');
const segmentsFile = join(root, 'sample', 'segments.json');
const { format } = createRequire(import.meta.url)(join(root, 'dist', 'core', 'index.cjs'));

/** Runs `segment count --every-segment --json …` and resolves with its parsed output. */
function countEverySegment() {
  const args = [cli, 'count', '--every-segment', '--json', '--data', SAMPLE, '--schema', schema, '--segments', segmentsFile, '--now', SAMPLE_NOW];
  return new Promise((resolve, reject) => {
    // stderr passes through: the progress line shows while the file is read.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()));
      else reject(new Error(`segment count exited with code ${code}\n${out}`));
    });
  });
}

function table(rows, header) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const right = [false, true, true, false];
  const line = (cells) => cells.map((cell, c) => (c === cells.length - 1 ? cell : right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  return [line(header), widths.map((w, c) => (c === widths.length - 1 ? '─'.repeat(Math.min(w, 40)) : '─'.repeat(w))).join('  '), ...rows.map(line)].join('\n');
}

const segments = JSON.parse(readFileSync(segmentsFile, 'utf8'));
await ensureSample();
const started = performance.now();
const { segments: counts, scanned } = await countEverySegment();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const rows = segments.map((s, i) => {
  const n = counts[i].count;
  const expression = typeof s.expression === 'string' ? format(s.expression, { width: 1e6 }) : `manual: ${s.members.length} member ids`;
  return [s.name, n.toLocaleString('en-US'), `${((100 * n) / scanned).toFixed(1)}%`, expression];
});
console.log(table(rows, ['Segment', 'Count', '% of profiles', 'Expression']));
console.log(`\n${segments.length} segments counted on ${scanned.toLocaleString('en-US')} profiles (${relative(root, SAMPLE)}, now = ${SAMPLE_NOW}) in ${seconds} s`);
