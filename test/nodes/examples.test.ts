/**
 * The example workflows of examples/ (what `npm run test:n8n` imports into a real n8n) run here in
 * n8n's engine too, with n8n's Set/Split Out replaced by the items they produce: the Suppression
 * example's sample data suppresses what its checks expect (a listed phone must be a valid number).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connect, node, runWorkflow } from './harness';

const example = JSON.parse(readFileSync('examples/suppression.json', 'utf8')) as { nodes: { name: string; parameters: Record<string, unknown> }[] };
const param = (name: string) => example.nodes.find((n) => n.name === name)!.parameters;
const profiles = (JSON.parse(param('Sample profiles').jsonOutput as string) as { profiles: unknown[] }).profiles;
const optOuts = (JSON.parse(param('Opt-outs').jsonOutput as string) as { list: unknown[] }).list;

describe('examples/suppression.json', () => {
  it('suppresses the tired contacts by the rule and the opted-out ones by the list', async () => {
    const r = await runWorkflow({
      nodes: [
        node('Profiles', 'test.items', { items: JSON.stringify(profiles) }),
        node('Opt-outs', 'test.items', { items: JSON.stringify(optOuts) }),
        node('Suppression', 'n8n-nodes-segments.segmentSuppression', param('Suppression') as never),
      ],
      connections: connect(['Profiles', 'Suppression'], ['Opt-outs', 'Suppression', 0, 1]),
    });
    expect(r.error).toBeUndefined();
    expect(r.json('Suppression', 0).map((j) => j.name)).toEqual(['Dana Rossi', 'Farid Khan']);
    expect(r.json('Suppression', 1).map((j) => `${j.name}:${(j.suppressed as { rule: string }).rule}`)).toEqual(['Amal Al-Harthy:global', 'Ben Carter:list', 'Chadi Haddad:list', 'Eman Saleh:global']);
  });
});
