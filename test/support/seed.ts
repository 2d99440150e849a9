/**
 * Seeds for the property tests that run on fresh random inputs: one new seed per run (so every CI run
 * tries new cases), printed on failure with the command that replays it. `SEGMENT_SEED=<n>` replays.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';

/** `SEGMENT_SEED` when set, else a new random seed. */
export function freshSeed(): number {
  const given = process.env.SEGMENT_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isSafeInteger(n)) throw new Error(`SEGMENT_SEED must be an integer, not ${JSON.stringify(given)}`);
    return n;
  }
  return randomInt(0, 2 ** 31 - 1);
}

/** A fast-check reporter that throws fast-check's own report (counterexample, shrunk) with the replay command. */
export function seedReporter<T>(seed: number): (details: fc.RunDetails<T>) => void {
  return (details) => {
    if (!details.failed) return;
    throw new Error(`${fc.defaultReportMessage(details)}\n\nreplay with: SEGMENT_SEED=${seed} npx vitest run <this file>`);
  };
}
