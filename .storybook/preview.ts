/**
 * Every story: the docs pages read the builder's attributes, properties, events, parts and CSS
 * custom properties from the custom-elements manifest (custom-elements.json, `npm run manifest`).
 */
import { setCustomElementsManifest } from '@storybook/web-components';
import type { Preview } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';

setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    controls: { expanded: true },
    docs: { toc: true },
  },
};

export default preview;
