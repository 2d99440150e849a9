/**
 * `npm run bench:parse`: parse speed and scaling, the timing that unit tests no longer do.
 *
 * - Scaling: parse time of an 8× longer segment against the 1× one, measured in the same run (median
 *   of several rounds). Linear parsing gives a ratio near 8; a quadratic step gives ~64. The run fails
 *   (exit 1) above 16.
 * - Hostile input: 10,000 nested parentheses, 100,000 characters of junk, a 10,000-term chain, each
 *   against the time to parse a typical 100-character segment 1,000 times (the baseline).
 */
import { parse, SegmentError } from '../core/index';

const group = (k: number) => `(a${k} = "v" or b in [1, 2]) and c${k} within last 3 days`;
const segmentOf = (groups: number) => Array.from({ length: groups }, (_, k) => group(k)).join(' and ');

function parseOrError(source: string): void {
  try {
    parse(source);
  } catch (e) {
    if (!(e instanceof SegmentError)) throw e;
  }
}

function median(run: () => void, rounds: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const small = segmentOf(500);
const large = segmentOf(4000);
median(() => parseOrError(large), 3); // warm-up
const t1 = median(() => parseOrError(small), 9);
const t8 = median(() => parseOrError(large), 9);
const ratio = t8 / t1;
console.log(`scaling: ${small.length} chars ${t1.toFixed(1)} ms, ${large.length} chars ${t8.toFixed(1)} ms: ratio ${ratio.toFixed(1)} (linear 8, quadratic 64)`);

const typical = 'tags contains "VIP" and language = "ar" and event("purchase").within(30 days).count() >= 2';
const baseline = median(() => {
  for (let i = 0; i < 1000; i++) parse(typical);
}, 5);
let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const hostile: [string, string][] = [
  ['10,000 nested parentheses', `${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`],
  ['100,000 characters of junk', Array.from({ length: 100_000 }, () => String.fromCharCode(Math.floor(random() * 65536))).join('')],
  ['a 10,000-term or-chain', Array.from({ length: 10_000 }, (_, k) => `a${k} = ${k}`).join(' or ')],
];
console.log(`baseline: 1,000 parses of a ${typical.length}-character segment: ${baseline.toFixed(1)} ms`);
for (const [name, source] of hostile) {
  const t = median(() => parseOrError(source), 5);
  console.log(`${name}: ${t.toFixed(1)} ms = ${(t / baseline).toFixed(2)}× the baseline`);
}
if (ratio > 16) {
  console.error(`bench:parse: parse time grows faster than linearly (ratio ${ratio.toFixed(1)} > 16)`);
  process.exitCode = 1;
}
