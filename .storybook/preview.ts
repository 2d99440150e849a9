/**
 * Every story: the docs pages read the builder's attributes, properties, events, parts and CSS
 * custom properties from the custom-elements manifest (custom-elements.json, `npm run manifest`).
 */
import { setCustomElementsManifest } from '@storybook/web-components';
import type { Preview } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';

/** A class member as the manifest lists it. */
interface Member {
  name: string;
  privacy?: string;
  static?: boolean;
}

/**
 * The manifest with only what a host uses: the analyzer also lists private and protected members
 * and Lit's static fields, which the docs tables would show as controls.
 */
function publicApi<T extends { modules: { declarations?: { members?: Member[] }[] }[] }>(full: T): T {
  const copy = structuredClone(full);
  for (const module of copy.modules) {
    for (const declaration of module.declarations ?? []) {
      if (!declaration.members) continue;
      declaration.members = declaration.members.filter((m) => (m.privacy ?? 'public') === 'public' && !m.static && !m.name.startsWith('_'));
    }
  }
  return copy;
}

setCustomElementsManifest(publicApi(manifest as Parameters<typeof publicApi>[0]));

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    controls: { expanded: true },
    docs: { toc: true },
  },
};

export default preview;
