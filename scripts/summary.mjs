// The last line of `npm test`: `N passed, N failed`, counted from vitest's JSON report.
//
// A test counts as passed only when it ran and passed. Everything else is a failure: a failed test,
// a test that never ran (vitest reports the tests of a suite whose `beforeAll` threw, such as a
// database test without its database, as skipped), a pending or todo test (the suite has none on
// purpose), and a test file that failed to load (one failure, it has no tests to count).
//
//   node scripts/summary.mjs build/vitest-report.json     prints the line, notes on stderr, exit 1 if any failed
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Counts of a parsed vitest JSON report: `{ passed, failed, notRun: [full names] }`. */
export function summarise(report) {
  let passed = 0;
  let failed = 0;
  const notRun = [];
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    if (tests.length === 0 && file.status !== 'passed') failed += 1;
    for (const test of tests) {
      if (test.status === 'passed') passed += 1;
      else {
        failed += 1;
        if (test.status !== 'failed') notRun.push(test.fullName ?? test.title ?? '(unnamed test)');
      }
    }
  }
  return { passed, failed, notRun };
}

/** The report file's summary, or undefined when it is missing or not JSON. */
export function summariseFile(path) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  return summarise(report);
}

/** Prints the notes (stderr) and the last line (stdout). */
export function printSummary(result) {
  if (result.notRun.length > 0) {
    const shown = result.notRun.slice(0, 5).map((name) => `  ${name}`).join('\n');
    const more = result.notRun.length > 5 ? `\n  … and ${result.notRun.length - 5} more` : '';
    console.error(`test: ${result.notRun.length} test(s) did not run (counted as failed; a missing test database?):\n${shown}${more}`);
  }
  console.log(`${result.passed} passed, ${result.failed} failed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = summariseFile(process.argv[2] ?? 'build/vitest-report.json');
  if (result === undefined) {
    console.log('0 passed, 0 failed');
    console.error(`test: no vitest report at ${process.argv[2]}`);
    process.exitCode = 1;
  } else {
    printSummary(result);
    process.exitCode = result.failed === 0 ? 0 : 1;
  }
}
