/**
 * Runs the BUILT `segment` CLI (dist/cli/segment.cjs) with the project's Node (node_modules/.bin/node),
 * as a user would. `npm test` builds first; run `npm run build` before running these files alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = process.env.SEGMENT_CLI ?? join(ROOT, 'dist', 'cli', 'segment.cjs');
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
export const FIXTURES = join(ROOT, 'test', 'cli', 'fixtures');
export const NOW = '2026-11-24T12:00:00Z';

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function ensureBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

/** Runs `segment <args>`; stdin gets `input` (or is closed at once: an empty stdin). */
export function segment(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  ensureBuilt();
  const r = spawnSync(NODE, [CLI, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `segment`, without blocking the test worker (for long runs). */
export function segmentAsync(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  ensureBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The last line of an output (the count of `segment count`). */
export function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1];
}

/** The ids of JSON Lines profiles, in order. */
export function ids(jsonl: string): string[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}
