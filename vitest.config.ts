import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      // The n8n nodes import the core through its package entries; tests run them on the source.
      { find: /^n8n-nodes-segments\/server$/, replacement: here('./core/server.ts') },
      { find: /^n8n-nodes-segments\/schema$/, replacement: here('./core/infer-schema.ts') },
      { find: /^n8n-nodes-segments\/locales\/ar$/, replacement: here('./core/locales/ar.ts') },
      { find: /^n8n-nodes-segments\/reach$/, replacement: here('./core/reach/index.ts') },
      { find: /^n8n-nodes-segments$/, replacement: here('./core/index.ts') },
      // One n8n-workflow for the tests, the nodes and n8n-core (which `require`s the CommonJS build):
      // otherwise `instanceof NodeOperationError` and the engine's own checks see two copies.
      { find: /^n8n-workflow$/, replacement: here('./node_modules/n8n-workflow/dist/cjs/index.js') },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here: keep parallelism modest so database tests are not starved.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          // The web component's tests run in Chromium (vitest.browser.config.mts), except the ones
          // that drive a browser themselves from Node (`*.node.test.ts`: a page under a CSP header).
          exclude: ['**/node_modules/**', 'test/editor-component/**/!(*.node).test.ts', 'test/no-codegen/**'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        // As under a Content-Security-Policy without `unsafe-eval`: the workers and the CLI they
        // spawn refuse `new Function` and `eval`, so the default evaluator falls back on the closures.
        extends: true,
        test: {
          name: 'no-codegen',
          include: ['test/no-codegen/**/*.test.ts', 'test/conformance/memory.test.ts', 'test/cli/**/*.test.ts'],
          // These open SQLite databases, and the SQLite driver (better-sqlite3) builds its rows with
          // `Function`: it cannot run here (test/no-codegen/refused.test.ts checks the CLI says so).
          exclude: ['**/node_modules/**', 'test/cli/{db,io,jsonl,check-once,count-every-segment}.test.ts'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--disallow-code-generation-from-strings'],
          env: { NODE_OPTIONS: '--disallow-code-generation-from-strings' },
          sequence: { groupOrder: 0 },
        },
      },
      './vitest.browser.config.mts',
      // The Storybook stories, each play function one test (in Chromium too).
      './vitest.storybook.config.mts',
    ],
  },
});
