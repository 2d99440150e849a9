import { defineConfig } from 'vitest/config';

export default defineConfig({
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
          exclude: ['**/node_modules/**', 'test/editor-component/**/!(*.node).test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      './vitest.browser.config.mts',
    ],
  },
});
