/**
 * The built package (`npm run build`; `npm test` builds first): what each consumer loads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS } from '../catalog/databases';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const requireFromRoot = createRequire(join(ROOT, 'package.json'));

beforeAll(() => {
  if (!existsSync(join(DIST, 'core', 'index.cjs'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

/** Runs a script in a fresh Node process (real module resolution) and returns its stdout. */
function node(args: string[]): string {
  return execFileSync(NODE, args, { cwd: ROOT, encoding: 'utf8' });
}

/**
 * What a browser page downloads: an entry bundled with esbuild (dependencies included, minified, as
 * a page's bundler would) and gzipped. The figures are printed for the record.
 */
async function browserBundle(contents: string): Promise<{ min: number; gzip: number; code: string }> {
  const out = await build({ stdin: { contents, resolveDir: ROOT, loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, metafile: true, logLevel: 'error' });
  const code = out.outputFiles[0].text;
  return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, code };
}
const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

describe('the browser core\'s size (minified + gzip, dependencies included)', () => {
  const entry = JSON.stringify('./' + relative(ROOT, join(DIST, 'core', 'index.mjs')));

  it('bundles the whole core entry within its budget, with no date or expression library in it', async () => {
    const whole = await browserBundle(`export * from ${entry};`);
    console.log(`core entry (export *): ${kB(whole.min)} minified, ${kB(whole.gzip)} gzip`);
    // Issue 7 asks for 20 kB; the entry holds jsep (3.5 kB), the compiler and both evaluators and the
    // diagnostics' texts too (docs/ARCHITECTURE.md, "Sizes"). This budget keeps it from growing back.
    expect(whole.gzip).toBeLessThanOrEqual(36 * 1024);
    // luxon (71 kB minified) is a test oracle only now: none of its texts. jsep (10.7 kB minified,
    // 3.5 kB gzip) reads and/or for the parser (core/parse/jsep.ts), as the house style asks.
    for (const text of ['Invalid DateTime', 'Luxon']) expect(whole.code, text).not.toContain(text);
  });

  it('gives a consumer of parse, print, validate, describe and the editor metadata much less (tree-shaking)', async () => {
    const whole = await browserBundle(`export * from ${entry};`);
    const some = await browserBundle(`export { parse, print, validate, describe, nodes, operandSpec, fieldListing, eventListing, OPERATORS, operatorWords, AGGREGATES, localeStrings, formatDiagnostic } from ${entry};`);
    console.log(`parse + print + validate + describe + editor metadata: ${kB(some.min)} minified, ${kB(some.gzip)} gzip`);
    expect(some.gzip).toBeLessThanOrEqual(27 * 1024);
    expect(whole.gzip - some.gzip).toBeGreaterThanOrEqual(8 * 1024);
    // None of the compiler, the evaluators or inferSchema: dist/ is built to be shaken (no lazy
    // `__esm` initialisers chaining every module, see core/reach/worker-entry.ts).
    const text = (await build({ stdin: { contents: `export { parse, print, validate, describe } from ${entry};`, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'esm', write: false, logLevel: 'error' })).outputFiles[0].text;
    for (const absent of ['function compileSegment', 'function compilePredicate', 'function inferSchema', 'new Function', '__esm(']) expect(text, absent).not.toContain(absent);
  });

  it('leaves jsep out for a consumer that never parses (print, describe, the operator table)', async () => {
    // jsep is its own chunk (dist/vendor/jsep) and the adapter registers its plugin on first parse,
    // so nothing at load reaches it; jsep's own load-time statements would otherwise pin it.
    const some = await browserBundle(`export { print, describe, OPERATORS, operatorWords, operandSpec } from ${entry};`);
    console.log(`print + describe + operator metadata: ${kB(some.min)} minified, ${kB(some.gzip)} gzip`);
    expect(some.code).not.toContain('gobbleBinaryOp');
    expect(some.gzip).toBeLessThanOrEqual(8 * 1024);
    const parsing = await browserBundle(`export { parse } from ${entry};`);
    expect(parsing.code).toContain('gobbleBinaryOp');
  });

  it('declares every file but the element definition free of side effects', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.sideEffects).toEqual(['./dist/editor/index.mjs', './editor-component/index.ts']);
  });
});

/** Every file a built entry loads through relative imports, and the bare modules it imports. */
function closure(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
    for (const s of specifiers) {
      if (s.startsWith('.')) todo.push(resolve(dirname(file), s));
      else bare.add(s);
    }
  }
  return { files, bare };
}

describe('the browser-safe core entry', () => {
  for (const entry of ['index.mjs', 'index.cjs']) {
    it(`dist/core/${entry} and its chunks import no package and no Node built-in (all bundled)`, () => {
      const { files, bare } = closure(join(DIST, 'core', entry));
      expect(files.length).toBeGreaterThan(1); // the entry and the shared chunk
      expect([...bare]).toEqual([]);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        expect(text, file).not.toMatch(/["']node:[a-z_/]+["']/);
        expect(text, file).not.toMatch(/require\(["'](fs|path|os|child_process|stream|url|crypto|module)["']\)/);
        expect(text, file).not.toMatch(/\bknex\b/);
      }
    });
  }

  it('exports the same names from the CJS and ESM builds', async () => {
    const cjs = Object.keys(requireFromRoot(join(DIST, 'core', 'index.cjs'))).sort();
    const esm = Object.keys(await import(pathToFileURL(join(DIST, 'core', 'index.mjs')).href)).sort();
    expect(esm).toEqual(cjs);
    expect(cjs).toContain('compileSegment');
  });

  it('shares one SegmentError class between the core and server entries', () => {
    const out = node([
      '-e',
      `const core = require('n8n-nodes-segments/core'); const server = require('n8n-nodes-segments/server');
       let caught; try { server.parse('a = '); } catch (e) { caught = e; }
       console.log(JSON.stringify({ same: core.SegmentError === server.SegmentError, instance: caught instanceof core.SegmentError }));`,
    ]);
    expect(JSON.parse(out)).toEqual({ same: true, instance: true });
  });

  it('shares one SegmentError class between the core and server ES modules too', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `const core = await import('n8n-nodes-segments/core'); const server = await import('n8n-nodes-segments/server');
       let caught; try { server.parse('a = '); } catch (e) { caught = e; }
       console.log(JSON.stringify({ same: core.SegmentError === server.SegmentError, instance: caught instanceof core.SegmentError }));`,
    ]);
    expect(JSON.parse(out)).toEqual({ same: true, instance: true });
  });
});

describe('no runtime dependencies (n8n community-node rule no-runtime-dependencies)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it('declares no dependencies, n8n-workflow as its only peer and the SQLite driver as optional', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    expect(Object.keys(pkg.optionalDependencies)).toEqual(['better-sqlite3']);
  });

  it.each(['index.mjs', 'index.cjs'])('dist/server/%s imports only Node built-ins and the drivers it does not bundle', (entry) => {
    const { files } = closure(join(DIST, 'server', entry));
    const loaded = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(?:__)?require(?:\.call\(void 0,|\()\s*"([^"]+)"\s*\)|^import\b[^;]*?\bfrom\s*"([^"]+)"/gm)) loaded.add(m[1] ?? m[2]!);
    }
    // (supports-color: the `debug` package, knex's, tries it and carries on without it; bundled when
    // another dev dependency happens to install it)
    const packages = [...loaded].filter((s) => !s.startsWith('.') && !s.startsWith('node:') && s !== 'supports-color' && !builtinModules.includes(s.split('/')[0]!));
    expect(packages.sort()).toEqual(['better-sqlite3', 'mariadb/callback', 'mysql', 'oracledb', 'pg-cloudflare', 'pg-native', 'pg-query-stream', 'sqlite3', 'tedious'].sort());
  });

  it.each([
    ['ES module', '--input-type=module', `const s = await import('n8n-nodes-segments/server');`],
    ['CommonJS', '--input-type=commonjs', `const s = require('n8n-nodes-segments/server'); (async () => {`],
  ])('opens a SQLite database and counts a segment through the built server entry (%s)', (_, type, load) => {
    const close = type === '--input-type=commonjs' ? '})();' : '';
    const out = node([
      type,
      '-e',
      `${load}
       const db = s.openDatabase('sqlite::memory:');
       await db.schema.createTable('p', (t) => { t.string('id'); t.string('country'); });
       await db('p').insert([{ id: 'a', country: 'OM' }, { id: 'b', country: 'AE' }]);
       const rows = await db('p').select('id').where('country', 'OM');
       await db.destroy();
       console.log(JSON.stringify(rows));${close}`,
    ]);
    expect(JSON.parse(out)).toEqual([{ id: 'a' }]);
  });
});

describe('package.json exports and bin', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it.each([
    ['n8n-nodes-segments', 'dist/core/index'],
    ['n8n-nodes-segments/core', 'dist/core/index'],
    ['n8n-nodes-segments/server', 'dist/server/index'],
  ])('resolves %s to %s.cjs for require and .mjs for import', (specifier, target) => {
    expect(requireFromRoot.resolve(specifier)).toBe(join(ROOT, `${target}.cjs`));
    const esm = node(['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`]).trim();
    expect(esm).toBe(pathToFileURL(join(ROOT, `${target}.mjs`)).href);
  });

  it('points every exported path and type declaration at a built file', () => {
    const targets = JSON.stringify(pkg.exports).match(/\.\/dist\/[^"]+/g) ?? [];
    expect(targets.length).toBeGreaterThanOrEqual(8);
    for (const t of targets) expect(existsSync(join(ROOT, t)), t).toBe(true);
  });

  it('ships the segment bin as an executable CommonJS file with a node shebang', () => {
    const bin = join(ROOT, pkg.bin.segment);
    expect(pkg.bin.segment).toBe('dist/cli/segment.cjs');
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${dirname(NODE)}:${process.env.PATH}` } });
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs the in-memory commands without loading knex or a database driver', () => {
    const probe = join(ROOT, 'test', 'build', 'fixtures', 'loaded-db-modules.cjs');
    const run = (args: string[]) =>
      spawnSync(NODE, [join(ROOT, pkg.bin.segment), ...args], { encoding: 'utf8', input: '', env: { ...process.env, NODE_OPTIONS: `--require ${probe}` } });
    const check = run(['check', 'country = "OM"']);
    expect(check.stdout).toBe('ok\n');
    expect(check.stderr).toContain('db-modules-loaded=0');
    // The probe does see them when a database command group is loaded (`segment --help` lists them all).
    expect(run(['--help']).stderr).toMatch(/db-modules-loaded=[1-9]/);
  });
});

describe('the package installed alone (dist/ and package.json, no node_modules)', () => {
  // Outside the checkout, so that module resolution cannot climb into the project's node_modules.
  const home = mkdtempSync(join(tmpdir(), 'segments-alone-'));
  const alone = join(home, 'node_modules', 'n8n-nodes-segments');
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  beforeAll(() => {
    mkdirSync(alone, { recursive: true });
    cpSync(DIST, join(alone, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(alone, 'package.json'));
  });
  const run = (script: string) => spawnSync(NODE, ['-e', script], { cwd: home, encoding: 'utf8' });
  /** A server's URL from `scripts/db.sh start` (a missing one is a failure, as in test/sql). */
  const url = (env: string) => {
    const value = process.env[env];
    if (!value) throw new Error(`${env} is not set: run \`eval "$(bash scripts/db.sh start)"\` first (npm test does)`);
    return JSON.stringify(value);
  };

  it('runs the segment bin from its own files', () => {
    const r = spawnSync(NODE, [join(alone, 'dist', 'cli', 'segment.cjs'), 'check', 'tags contains "VIP" and country = "OM"'], { encoding: 'utf8', input: '' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok\n');
  });

  it('says that the optional SQLite driver is not installed when a sqlite: database is opened', () => {
    const r = run(`const s = require('n8n-nodes-segments/server');
      try { s.openDatabase('sqlite::memory:'); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ segment: e instanceof s.SegmentError, code: e.code, summary: e.summary, hint: e.hint })); }`);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ segment: true, code: 'database-unavailable' });
    expect(out.summary).toContain('better-sqlite3 driver is not installed');
    expect(out.hint).toContain('npm install better-sqlite3');
    expect(r.stderr).toBe('');
  });

  it('counts on PostgreSQL with the bundled driver', () => {
    const r = run(`const s = require('n8n-nodes-segments/server');
      (async () => { const db = s.openDatabase(${url('TEST_POSTGRES_URL')});
        try { console.log(JSON.stringify((await db.raw("select 'OM' as country")).rows)); } finally { await db.destroy(); } })();`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ country: 'OM' }]);
  });

  it.each(['postgres', 'mariadb'] as const)('imports profiles into %s with the bin, through the bulk path, and counts them', async (name) => {
    const target = await TARGETS.find((t) => t.name === name)!.create();
    try {
      const file = join(home, `${name}.jsonl`);
      writeFileSync(file, Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `p${i}`, clicks_count: i % 3, note: 'tab\there, back\\slash' })).join('\n'));
      const bin = join(alone, 'dist', 'cli', 'segment.cjs');
      const imported = spawnSync(NODE, [bin, 'import', '--db', target.url, file], { encoding: 'utf8' });
      expect(imported.stderr).toBe('');
      expect(imported.status).toBe(0);
      const counted = spawnSync(NODE, [bin, 'count', '--db', target.url, 'clicks_count = 1'], { encoding: 'utf8', input: '' });
      expect(counted.stderr).toBe('');
      expect(counted.stdout.trim().split('\n').pop()).toBe('100');
      // The bulk text format carried the tab and the backslash faithfully.
      const filtered = spawnSync(NODE, [bin, 'filter', '--db', target.url, 'clicks_count = 2'], { encoding: 'utf8', input: '' });
      const rows = filtered.stdout.trim().split('\n').map((l) => JSON.parse(l) as { note: string });
      expect(rows).toHaveLength(100);
      expect(new Set(rows.map((r) => r.note))).toEqual(new Set(['tab\there, back\\slash']));
    } finally {
      await target.drop();
    }
  });

  it('counts on MariaDB with the bundled driver', () => {
    const r = run(`const s = require('n8n-nodes-segments/server');
      (async () => { const db = s.openDatabase(${url('TEST_MARIADB_URL')});
        try { console.log(JSON.stringify((await db.raw("select 'OM' as country"))[0])); } finally { await db.destroy(); } })();`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ country: 'OM' }]);
  });
});
