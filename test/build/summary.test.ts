/**
 * `npm test`'s last line (scripts/summary.mjs): a test that could not run — its database missing —
 * is counted as failed, never as passed or silently skipped. Checked on hand-made vitest JSON reports
 * and on a real vitest run of a database test file with the database URLs removed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const dir = mkdtempSync(join(tmpdir(), 'segment-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the summariser on a report file: its last stdout line, its stderr and its exit code. */
function summarise(report: unknown): { line: string; stderr: string; status: number | null } {
  const path = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof report === 'string' ? report : JSON.stringify(report));
  const r = spawnSync(NODE, [join(ROOT, 'scripts', 'summary.mjs'), path], { cwd: ROOT, encoding: 'utf8' });
  return { line: r.stdout.trimEnd().split('\n').at(-1) ?? '', stderr: r.stderr, status: r.status };
}

const test = (fullName: string, status: string) => ({ fullName, title: fullName, status, ancestorTitles: [], failureMessages: [] });

describe('the summary line on hand-made reports', () => {
  it('reads all passed as passed, exit 0', () => {
    const r = summarise({ numPassedTests: 2, testResults: [{ status: 'passed', assertionResults: [test('a', 'passed'), test('b', 'passed')] }] });
    expect(r).toMatchObject({ line: '2 passed, 0 failed', status: 0 });
  });

  it('counts tests skipped because their beforeAll failed (a missing database) as failed', () => {
    // What vitest 5 writes when `openTestDatabase` throws in beforeAll: the file failed, its tests "skipped",
    // numFailedTests 0 — the numbers the old summary trusted.
    const report = {
      numPassedTests: 1,
      numFailedTests: 0,
      numPendingTests: 2,
      testResults: [{ status: 'failed', message: '', assertionResults: [test('ok', 'passed'), test('on mysql: a', 'skipped'), test('on mysql: b', 'skipped')] }],
    };
    const r = summarise(report);
    expect(r.line).toBe('1 passed, 2 failed');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('2 test(s) did not run');
    expect(r.stderr).toContain('on mysql: a');
  });

  it('counts pending and todo tests, failed tests and files that did not load', () => {
    const report = {
      testResults: [
        { status: 'failed', assertionResults: [test('a', 'failed'), test('b', 'pending'), test('c', 'todo'), test('d', 'passed')] },
        { status: 'failed', message: 'SyntaxError', assertionResults: [] },
        { status: 'passed', assertionResults: [test('e', 'passed')] },
      ],
    };
    expect(summarise(report)).toMatchObject({ line: '2 passed, 4 failed', status: 1 });
  });

  it('says 0 passed and fails when the report is missing or not JSON', () => {
    expect(summarise('{"testResults": [')).toMatchObject({ line: '0 passed, 0 failed', status: 1 });
  });
});

describe('the summary line after a real run without the databases', () => {
  it('counts the database tests that could not run as failed', () => {
    const report = join(dir, 'real.json');
    const env = { ...process.env };
    delete env.TEST_MARIADB_URL;
    delete env.TEST_POSTGRES_URL;
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const config = join(ROOT, 'test', 'build', 'fixtures', 'summary', 'vitest.config.mts');
    // vitest exits 1 here (the suite's beforeAll failed); the report is what matters.
    spawnSync(NODE, [vitest, 'run', '--config', config, '--reporter=json', `--outputFile.json=${report}`], { cwd: ROOT, env, encoding: 'utf8' });
    const r = spawnSync(NODE, [join(ROOT, 'scripts', 'summary.mjs'), report], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 2 failed');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('on MariaDB selects one');
  });
});
