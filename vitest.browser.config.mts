/**
 * The browser project: the `<segment-builder>` tests run in real headless Chromium (Debian's
 * `chromium`, driven by playwright; no browser is ever downloaded). `vitest.config.ts` lists this
 * project next to the Node one, so `npm test` runs both.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM, CHROMIUM_ARGS } from './scripts/chromium.mjs';

export default defineConfig({
  test: {
    name: 'browser',
    include: ['test/editor-component/**/*.test.ts'],
    exclude: ['test/editor-component/**/*.node.test.ts'],
    testTimeout: 60_000,
    // After the Node project (group 0), one file at a time: the browser never competes with the
    // database and CLI tests for the two cores.
    sequence: { groupOrder: 1 },
    fileParallelism: false,
    hookTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium', viewport: { width: 900, height: 700 } }],
    },
  },
});
