/**
 * The build: three consumers, three shapes.
 *
 * - `dist/core/index.{mjs,cjs,d.ts}`: the browser-safe entry (the web component imports the ESM,
 *   n8n `require`s the CJS). jsep is bundled as a private copy: its operator table is process-global,
 *   and another jsep user in the same process must not see our operators.
 * - `dist/reach/index.{mjs,cjs,d.ts}`: the reach index (columnar profiles for live counts), kept out of
 *   the core entry's size budget; browser-safe like it, and sharing its chunks.
 * - `dist/server/index.{mjs,cjs,d.ts}`: the SQL entry (knex and the drivers stay external).
 *   Built together with the core entry with code splitting, so both entries share one copy of the
 *   core (one `SegmentError` class, one operator table) through chunks in `dist/`.
 * - `dist/cli/segment.cjs`: the `segment` bin, one self-contained CommonJS file with a shebang.
 * - `dist/editor/index.mjs`: `<segment-builder>` for browsers, one ES module with Lit and the core
 *   it uses bundled in (Lit's production build), so a plain HTML page can import it as it is.
 */
import { existsSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** Runtime dependencies the package declares: installed next to us, so never bundled. */
const external = ['luxon', 'fastest-levenshtein', 'knex', 'sql-formatter', 'better-sqlite3', 'mysql2', 'pg', 'commander', 'csv-parse', 'csv-stringify', 'cli-progress', 'libphonenumber-js', 'unhomoglyph'];

const jsExtension: Options['outExtension'] = ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' });

// Arabic is its own entry (`./locales/ar`): English-only consumers never load it.
const libraryEntries: Record<string, string> = { 'core/index': 'core/index.ts', 'reach/index': 'core/reach/index.ts', 'locales/ar': 'core/locales/ar.ts' };
// The SQL entry is written in parallel with this build; include it as soon as it exists.
if (existsSync('core/server.ts')) libraryEntries['server/index'] = 'core/server.ts';

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
    noExternal: ['jsep'],
    clean: false,
    sourcemap: false,
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
    entry: { 'cli/segment': 'cli/segment.ts' },
    outDir: 'dist',
    format: ['cjs'],
    outExtension: jsExtension,
    dts: false,
    splitting: false,
    platform: 'node',
    target: 'node20',
    external,
    noExternal: ['jsep'],
    clean: false,
    sourcemap: false,
  },
]);
