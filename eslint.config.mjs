// `n8n-node lint` (run by .ci/run) on the n8n package: nodes/, credentials/ and package.json, with
// n8n's community-node configuration for self-hosted n8n (no rule turned off). The rest of the
// repository (core, CLI, web component, workspace, stories, tests, benchmarks) is not node code and is not linted here.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
  { ignores: ['core/', 'cli/', 'test/', 'bench/', 'editor-component/', 'scripts/', 'sample/', 'docs/', 'dist/', 'build/', 'custom-elements*', '*.config.*', 'examples/', 'workspace/', 'stories/', '.storybook/'] },
  ...configWithoutCloudSupport,
];
