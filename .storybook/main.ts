/**
 * Storybook for `<segment-builder>`: `npm run storybook` (dev server on 127.0.0.1:6006) and
 * `npm run build-storybook` (static site in build/storybook). The stories in stories/ also run as
 * tests in Chromium (vitest.storybook.config.mts, part of `npm test`).
 */
import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-vitest'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // The renderer imports `lit/directive-helpers.js`, which Vite would otherwise serve unbundled next
  // to the pre-bundled `lit`: two copies of lit-html in one page ("Multiple versions of Lit loaded").
  viteFinal: (config) => ({
    ...config,
    optimizeDeps: { ...config.optimizeDeps, include: [...(config.optimizeDeps?.include ?? []), 'lit', 'lit/directive-helpers.js', '@lit/context'] },
  }),
};

export default config;
