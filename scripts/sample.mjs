// `npm run sample`: writes the generated sample data set build/sample/profiles.jsonl (100,000
// profiles of sample/generate.ts for sample/schema.json, seed 1, now 2026-11-24T12:00:00Z) unless it
// is already there. Same seed and now → byte-identical file on any machine.
//
//   node scripts/sample.mjs [--force] [--count N] [--out file]
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
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

/** Writes the sample unless it exists (or `force`); returns its path. */
export async function ensureSample({ out = SAMPLE, count = SAMPLE_COUNT, force = false } = {}) {
  if (existsSync(out) && !force) return out;
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
  if (existsSync(out) && !values.force) console.error(`sample: ${out} is already there (--force writes it again)`);
  else await ensureSample({ out, count, force: values.force });
}
