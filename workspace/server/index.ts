/**
 * The workspace server: the cached sample workspace (sample.ts), the API (app.ts) and the page
 * (workspace/page, bundled into `publicDir` by scripts/workspace.mjs), served on 127.0.0.1.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { layoutDirectory, openDatabase, readLayout, SegmentCatalog } from 'n8n-nodes-segments/server';
import { createApi } from './app';
import { ensureSample, sampleReachIndex, type Sample } from './sample';

export { createApi, JSON_LIMIT, CSV_LIMIT, ROLE_COOKIE, ROLE_HEADER } from './app';
export { ensureSample, sampleReachIndex, SAMPLE_USAGE } from './sample';

export interface WorkspaceOptions {
  /** The repository root (sample/ is read from there). */
  root: string;
  /** Where the cached workspace lives (default `<root>/build/workspace`). */
  dir?: string;
  /** The bundled page: index.html, app.js, app.css. */
  publicDir: string;
  /** How many sample profiles (default 100,000). */
  count?: number;
  /** The port (default: a free one). */
  port?: number;
  /** Make the sample workspace again even if the cached one is up to date. */
  fresh?: boolean;
  log?: (line: string) => void;
}

export interface RunningWorkspace {
  url: string;
  sample: Sample;
  close(): Promise<void>;
}

/** The page's files; a strict CSP (the builder needs no `unsafe-eval` and no inline code). */
const FILES: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function startWorkspace(options: WorkspaceOptions): Promise<RunningWorkspace> {
  const log = options.log ?? ((line: string) => console.error(line));
  const dir = options.dir ?? join(options.root, 'build', 'workspace');
  const sample = await ensureSample({ root: options.root, dir: join(dir, 'data'), count: options.count, force: options.fresh, log });
  const exportDir = join(dir, 'exports');
  mkdirSync(exportDir, { recursive: true });

  const db = openDatabase(`sqlite:${sample.file}`, { mustExist: true });
  const layout = await readLayout(db);
  if (layout === undefined) throw new Error(`${sample.file} has no profiles: delete ${dir} and start again`);
  const catalog = await SegmentCatalog.open(db, { schema: layout.schema });
  const [{ n }] = (await db(layout.mapping.profiles.table).count({ n: '*' })) as { n: number }[];
  const indexed = performance.now();
  const reach = sampleReachIndex(sample, layout.schema);
  log(`workspace: ${reach.size.toLocaleString('en-US')} profiles in the reach index for live counts (${((performance.now() - indexed) / 1000).toFixed(1)} s)`);
  const api = createApi({ db, catalog, schema: layout.schema, profiles: Number(n), directory: await layoutDirectory(db), exportDir, reach });

  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });
  app.get('/favicon.ico', (c) => c.body(null, 204));
  for (const [path, file] of Object.entries(FILES)) {
    app.get(path, (c) => {
      const type = TYPES[file.slice(file.lastIndexOf('.') + 1)];
      c.header('content-type', `${type}; charset=utf-8`);
      c.header('content-security-policy', CSP);
      c.header('cache-control', 'no-cache');
      return c.body(readFileSync(join(options.publicDir, file)));
    });
  }
  app.route('/', api);

  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sample,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}
