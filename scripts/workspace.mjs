// `npm start`: the segments workspace in the browser.
//
// 1. Builds the package (`npm run build`) when dist/ is missing or older than its sources, so a
//    second start does not wait for a build.
// 2. Bundles the server (workspace/server, the core through the package entries) and the page
//    (workspace/page, Lit and `<segment-builder>` from the `./editor` entry) with esbuild into
//    build/workspace/.
// 3. Makes the sample workspace once (100,000 profiles with events in SQLite, the seed segments in
//    the catalogue; cached in build/workspace/data), then serves it on 127.0.0.1 and prints the URL.
//
//   node scripts/workspace.mjs [--port N] [--profiles N] [--dir DIR] [--fresh]
//   (or PORT, WORKSPACE_PROFILES, WORKSPACE_DIR)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time under the given paths (files and folders, recursively). */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) t = Math.max(t, newest(readdirSync(p).map((n) => join(p, n))));
    else t = Math.max(t, s.mtimeMs);
  }
  return t;
}

const BUILT = ['dist/server/index.mjs', 'dist/locales/ar.mjs', 'dist/editor/index.mjs', 'dist/core/index.mjs'].map((f) => join(root, f));
const SOURCES = ['core', 'editor-component', 'tsup.config.ts', 'package.json'].map((f) => join(root, f));

/** Runs `npm run build` unless dist/ is newer than the sources it is built from. */
export function ensureBuilt(log = (line) => console.error(line)) {
  const missing = BUILT.some((f) => !existsSync(f));
  if (!missing && Math.min(...BUILT.map((f) => statSync(f).mtimeMs)) >= newest(SOURCES)) return false;
  log(missing ? 'workspace: building the package (first run)' : 'workspace: sources changed since the last build, building the package');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
  return true;
}

/** Bundles the page (Lit and `<segment-builder>` from dist/editor) into `publicDir`: index.html, app.js, app.css. */
export async function bundlePage(publicDir) {
  mkdirSync(publicDir, { recursive: true });
  await build({
    entryPoints: { app: join(root, 'workspace', 'page', 'main.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    conditions: ['production'],
    // Not workspace/tsconfig.json's paths: `n8n-nodes-segments/editor` is the built entry, as for any host.
    tsconfigRaw: {},
    outdir: publicDir,
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'workspace', 'page', 'index.html'), join(publicDir, 'index.html'));
  copyFileSync(join(root, 'workspace', 'page', 'app.css'), join(publicDir, 'app.css'));
}

/** Bundles the server and the page into `out`; returns the server module's path and the page folder. */
export async function bundleWorkspace(out = join(root, 'build', 'workspace')) {
  const publicDir = join(out, 'public');
  const server = join(out, 'server.mjs');
  await build({
    entryPoints: [join(root, 'workspace', 'server', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Libraries come from node_modules; `n8n-nodes-segments/…` is this package itself (dist/), by its exports.
    packages: 'external',
    // Not workspace/tsconfig.json's paths (those point the type checker at the sources): at run time
    // the package entries resolve to dist/, as for any other consumer.
    tsconfigRaw: {},
    outfile: server,
    logLevel: 'warning',
  });
  await bundlePage(publicDir);
  return { server, publicDir };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, profiles: { type: 'string' }, dir: { type: 'string' }, fresh: { type: 'boolean' } } });
  const started = performance.now();
  const portText = values.port ?? process.env.PORT;
  const port = portText === undefined || portText === '' ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`workspace: the port must be a whole number from 0 to 65535, not "${portText}"`);
    process.exit(2);
  }
  const countText = values.profiles ?? process.env.WORKSPACE_PROFILES;
  const count = countText === undefined || countText === '' ? 100_000 : Number(countText);
  if (!Number.isInteger(count) || count < 1) {
    console.error(`workspace: the number of profiles must be a positive whole number, not "${countText}"`);
    process.exit(2);
  }
  ensureBuilt();
  const { server, publicDir } = await bundleWorkspace();
  const { startWorkspace } = await import(pathToFileURL(server).href);
  const dir = values.dir ?? process.env.WORKSPACE_DIR ?? join(root, 'build', 'workspace');
  let running;
  try {
    running = await startWorkspace({ root, dir, publicDir, count, port, fresh: values.fresh === true });
  } catch (e) {
    if (e?.code === 'EADDRINUSE') console.error(`workspace: port ${port} is in use; set PORT to another port, or leave it unset for a free one`);
    else if (e?.name === 'SegmentError' || e?.name === 'SegmentErrors') console.error(`workspace: ${e.message}`);
    else console.error(e);
    process.exit(e?.code === 'EADDRINUSE' || e?.name?.startsWith('SegmentError') ? 2 : 1);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Segments workspace (${count.toLocaleString('en-US')} sample profiles) ready in ${seconds} s: ${running.url}`);
  console.log('Press Ctrl+C to stop.');
  const stop = () => {
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
