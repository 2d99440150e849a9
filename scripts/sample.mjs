// `npm run sample`: writes the generated sample data set build/sample/profiles.jsonl (100,000
// profiles of sample/generate.ts for sample/schema.json, seed 1, now 2026-11-24T12:00:00Z) unless it
// is already there, made by the same generator (a stamp next to it records the generator's hash).
// Same seed and now → byte-identical file on any machine.
//
//   node scripts/sample.mjs [--force] [--count N] [--out file]
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE = join(root, 'build', 'sample', 'profiles.jsonl');
export const SAMPLE_NOW = '2026-11-24T12:00:00Z';
export const SAMPLE_SEED = 1;
export const SAMPLE_COUNT = 100_000;

/** Bundles sample/generate.ts (TypeScript) into build/sample/ and imports it. */
async function loadGenerator() {
  const outfile = join(root, 'build', 'sample', 'generate.mjs');
  await build({
    entryPoints: [join(root, 'sample', 'generate.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** What the file was made from: the generator's source, the seed, now and the count. */
function stamp(count) {
  const source = readFileSync(join(root, 'sample', 'generate.ts'));
  const generator = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return JSON.stringify({ generator, seed: SAMPLE_SEED, now: SAMPLE_NOW, count });
}

function upToDate(out, count) {
  const stampFile = `${out}.stamp`;
  return existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp(count);
}

/** Writes the sample unless an up-to-date one exists (or `force`); returns its path. */
export async function ensureSample({ out = SAMPLE, count = SAMPLE_COUNT, force = false } = {}) {
  if (!force && upToDate(out, count)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const { generateProfiles } = await loadGenerator();
  const started = performance.now();
  const partial = `${out}.partial`;
  const file = createWriteStream(partial);
  let chunk = '';
  for (const profile of generateProfiles(count, { seed: SAMPLE_SEED, now: SAMPLE_NOW })) {
    chunk += `${JSON.stringify(profile)}\n`;
    if (chunk.length > 1 << 20) {
      if (!file.write(chunk)) await once(file, 'drain');
      chunk = '';
    }
  }
  file.end(chunk);
  await once(file, 'finish');
  renameSync(partial, out);
  writeFileSync(`${out}.stamp`, stamp(count));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`sample: wrote ${count.toLocaleString('en-US')} profiles to ${out} in ${seconds} s`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { force: { type: 'boolean' }, count: { type: 'string' }, out: { type: 'string' } } });
  const count = values.count === undefined ? SAMPLE_COUNT : Number(values.count);
  if (!Number.isInteger(count) || count < 1) {
    console.error(`sample: --count must be a positive whole number, not ${values.count}`);
    process.exit(2);
  }
  const out = values.out ?? SAMPLE;
  if (!values.force && upToDate(out, count)) console.error(`sample: ${out} is up to date (--force writes it again)`);
  else await ensureSample({ out, count, force: values.force });
}
