/**
 * The build: every consumer gets files that need nothing but what `dist/` holds. The package
 * declares no runtime `dependencies` (n8n's community-node rule `no-runtime-dependencies`), so the
 * libraries the code uses are bundled in; the one native piece, the SQLite driver (better-sqlite3),
 * is an optional dependency that knex loads only when a `sqlite:` database is opened.
 *
 * - `dist/core/index.{mjs,cjs,d.ts}`: the browser-safe entry (the web component imports the ESM,
 *   n8n `require`s the CJS). package.json's `sideEffects` lets a page's bundler drop what it does
 *   not import (test/build/bundle.test.ts measures both).
 * - `dist/reach/index.{mjs,cjs,d.ts}`: the reach index (columnar profiles for live counts), kept out of
 *   the core entry's size budget; browser-safe like it, and sharing its chunks.
 * - `dist/vendor/jsep.{mjs,cjs}`: the private jsep copy the parser uses, an entry of its own only so
 *   that it is its own chunk: jsep runs statements at load, which would keep it in any consumer of
 *   the shared chunk; alone, a bundler drops it for consumers that never parse. Not exported.
 * - `dist/schema/index.{mjs,cjs,d.ts}`: `inferSchema` and `checkSchema` (browser-safe, outside the
 *   core entry's size budget; the server entry re-exports them).
 * - `dist/locales/ar.{mjs,cjs,d.ts}`: the Arabic words and describe() grammar, imported and
 *   registered by the hosts that want them (it imports nothing at run time).
 * - `dist/server/index.{mjs,cjs,d.ts}`: the SQL entry (knex and the two server drivers bundled).
 *   Built together with the core entry with code splitting, so both entries share one copy of the
 *   core (one `SegmentError` class, one operator table) through chunks in `dist/`.
 * - `dist/cli/segment.cjs`: the `segment` bin, CommonJS with a shebang; the database and catalogue
 *   command groups (knex, the drivers) are chunks beside it that only their commands load.
 * - `dist/nodes/**` and `dist/credentials/**`: the n8n nodes and credential, CommonJS as n8n loads
 *   them, with the core bundled in (one shared chunk under `dist/nodes/chunks/`) and `n8n-workflow`
 *   left to the n8n that loads them; icons and codex files copied beside each one.
 * - `dist/editor/index.mjs`: `<segment-builder>` for browsers, one ES module with Lit and the core
 *   it uses bundled in (Lit's production build), so a plain HTML page can import it as it is.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/**
 * Never bundled: the optional SQLite driver (native), and the drivers knex and pg can load that this
 * package does not use (knex requires each dialect's driver only when a database of it is opened).
 */
export const external = ['better-sqlite3', 'sqlite3', 'mysql', 'mariadb', 'oracledb', 'tedious', 'pg-native', 'pg-query-stream', 'pg-cloudflare', 'cloudflare:sockets'];

/** Everything else is bundled (tsup's `noExternal` wins over `external`, so it must leave those out). */
export const bundled = new RegExp(`^(?!(${external.join('|')})(/|$))`);

/** n8n gives its nodes their `n8n-workflow`: one copy, n8n's. */
const nodeExternal = [...external, 'n8n-workflow'];
const nodeBundled = new RegExp(`^(?!(${nodeExternal.join('|')})(/|$))`);

/** The n8n package: every `*.node.ts` and `*.credentials.ts`, as n8n's package.json field lists them. */
const n8nEntries: Record<string, string> = {};
const n8nField = (JSON.parse(readFileSync('package.json', 'utf8')) as { n8n?: { nodes?: string[]; credentials?: string[] } }).n8n;
for (const built of [...(n8nField?.nodes ?? []), ...(n8nField?.credentials ?? [])]) {
  const name = built.replace(/^dist\//, '').replace(/\.js$/, '');
  n8nEntries[name] = `${name}.ts`;
}

/** Each node's and the credential's icons and codex file go beside the built file. */
async function copyNodeAssets(): Promise<void> {
  for (const name of Object.keys(n8nEntries)) {
    const dir = name.slice(0, name.lastIndexOf('/'));
    for (const icon of ['segments.svg', 'segments.dark.svg']) cpSync(`${dir}/${icon}`, `dist/${dir}/${icon}`);
    if (existsSync(`${name}.json`)) cpSync(`${name}.json`, `dist/${name}.json`);
  }
}

const jsExtension: Options['outExtension'] = ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' });

// Arabic is its own entry (`./locales/ar`): English-only consumers never load it.
const libraryEntries: Record<string, string> = { 'core/index': 'core/index.ts', 'reach/index': 'core/reach/index.ts', 'reach/worker': 'core/reach/worker-entry.ts', 'locales/ar': 'core/locales/ar.ts', 'schema/index': 'core/infer-schema.ts', 'vendor/jsep': 'node_modules/jsep/dist/jsep.js' };
if (existsSync('core/server.ts')) libraryEntries['server/index'] = 'core/server.ts';

/**
 * The bundled CommonJS libraries in the server ESM entry call `require` (Node built-ins, the SQLite
 * driver) through esbuild's `__require`, which an ES module cannot serve. That entry gets its own
 * `__require` made by `createRequire`; the core entry and the shared chunk stay free of Node
 * built-ins (browsers load them). test/build/bundle.test.ts opens a database through this file.
 */
async function giveServerEsmARequire(): Promise<void> {
  const file = 'dist/server/index.mjs';
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const imported = /^ {2}__require,\n/m;
  if (!imported.test(text)) throw new Error(`${file}: expected the chunk import of __require to replace`);
  const banner = "import { createRequire as __segmentsCreateRequire } from 'node:module';\nconst __require = __segmentsCreateRequire(import.meta.url);\n";
  writeFileSync(file, banner + text.replace(imported, ''));
}

export default defineConfig([
  {
    entry: libraryEntries,
    outDir: 'dist',
    format: ['esm', 'cjs'],
    outExtension: jsExtension,
    dts: true,
    splitting: true,
    platform: 'node',
    target: 'es2022',
    external,
    noExternal: [bundled],
    clean: false,
    sourcemap: false,
    onSuccess: giveServerEsmARequire,
  },
  {
    entry: n8nEntries,
    outDir: 'dist',
    format: ['cjs'],
    outExtension: () => ({ js: '.js' }),
    dts: false,
    splitting: true,
    platform: 'node',
    target: 'node20',
    external: nodeExternal,
    noExternal: [nodeBundled],
    esbuildOptions(options) {
      options.chunkNames = 'nodes/chunks/[name]-[hash]';
    },
    clean: false,
    sourcemap: false,
    onSuccess: copyNodeAssets,
  },
  {
    entry: { 'editor/index': 'editor-component/index.ts' },
    outDir: 'dist',
    format: ['esm'],
    outExtension: jsExtension,
    dts: true,
    splitting: false,
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    minify: true,
    esbuildOptions(options) {
      options.conditions = ['production'];
    },
    clean: false,
    sourcemap: false,
  },
  {
    entry: { segment: 'cli/segment.ts' },
    outDir: 'dist/cli',
    format: ['cjs'],
    outExtension: jsExtension,
    dts: false,
    splitting: true,
    platform: 'node',
    target: 'node20',
    external,
    noExternal: [bundled],
    clean: false,
    sourcemap: false,
  },
]);
