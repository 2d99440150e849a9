// The custom-elements manifest (custom-elements.json): `<segment-builder>`'s API as IDEs, Storybook
// and documentation tools read it, generated from the class's doc comment by `npm run manifest`.
export default {
  globs: ['editor-component/segment-builder.ts', 'editor-component/events.ts', 'editor-component/context.ts', 'editor-component/index.ts'],
  outdir: '.',
  litelement: true,
  dev: false,
  // package.json names the manifest already; the analyzer must not rewrite it.
  packagejson: false,
};
