/**
 * The package's promises to tooling: the custom-elements manifest is the one the class docs make,
 * and package.json points at it and at the `./editor` entry with its types.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('custom-elements manifest', () => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'custom-elements.json'), 'utf8'));

  it('is what the class docs generate today (run `npm run manifest` after changing them)', () => {
    // The analyzer takes its output folder relative to the working directory.
    const out = join('build', `cem-${process.pid}`);
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', out], { cwd: ROOT, stdio: 'pipe' });
      expect(JSON.parse(readFileSync(join(ROOT, out, 'custom-elements.json'), 'utf8'))).toEqual(committed);
    } finally {
      rmSync(join(ROOT, out), { recursive: true, force: true });
    }
  });

  it('describes <segment-builder>: its attributes, events, parts and custom properties', () => {
    const element = committed.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []).find((d: { tagName?: string }) => d.tagName === 'segment-builder');
    expect(element.attributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['value', 'readonly', 'required', 'name', 'max-depth', 'locale', 'view']));
    expect(element.events.map((e: { name?: string }) => e.name)).toEqual(expect.arrayContaining(['input', 'change']));
    expect(element.cssParts.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['tree', 'condition', 'field-picker', 'text-input', 'count']));
    expect(element.cssProperties.every((p: { name: string }) => p.name.startsWith('--segment-builder-'))).toBe(true);
  });

  it('lists only the public API: no private, protected or underscored members (the docs pages read it)', () => {
    const classes = committed.modules.flatMap((m: { declarations?: { kind: string; members?: { name: string; privacy?: string }[] }[] }) => m.declarations ?? []).filter((d: { kind: string }) => d.kind === 'class');
    const members: { name: string; privacy?: string }[] = classes.flatMap((d: { members?: { name: string; privacy?: string }[] }) => d.members ?? []);
    expect(members.filter((m) => (m.privacy ?? 'public') !== 'public' || m.name.startsWith('_')).map((m) => m.name)).toEqual([]);
    const element = classes.find((d: { tagName?: string }) => d.tagName === 'segment-builder');
    expect(element.members.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['value', 'schema', 'countProvider', 'checkValidity']));
    expect(element.members.map((m: { name: string }) => m.name)).not.toContain('shadowRootOptions');
  });

  it('is referenced from package.json and shipped', () => {
    expect(pkg.customElements).toBe('custom-elements.json');
    expect(pkg.files).toContain('custom-elements.json');
  });
});

describe('the ./editor entry', () => {
  it('points at the browser bundle and its types', () => {
    expect(pkg.exports['./editor']).toEqual({ types: './dist/editor/index.d.mts', default: './dist/editor/index.mjs' });
  });
});
