// The custom-elements manifest (custom-elements.json): `<segment-builder>`'s API as IDEs, Storybook
// and documentation tools read it, generated from the class's doc comment by `npm run manifest`.

/** Only the public API goes in: private and protected members (and `_`-named ones) are the class's own. */
const publicMembersOnly = {
  name: 'public-members-only',
  packageLinkPhase({ customElementsManifest }) {
    for (const mod of customElementsManifest.modules ?? []) {
      for (const declaration of mod.declarations ?? []) {
        if (!declaration.members) continue;
        declaration.members = declaration.members.filter((m) => (m.privacy ?? 'public') === 'public' && !m.name.startsWith('_') && !m.name.startsWith('#'));
      }
    }
  },
};

export default {
  globs: ['editor-component/segment-builder.ts', 'editor-component/events.ts', 'editor-component/context.ts', 'editor-component/index.ts'],
  outdir: '.',
  litelement: true,
  dev: false,
  // package.json names the manifest already; the analyzer must not rewrite it.
  packagejson: false,
  plugins: [publicMembersOnly],
};
