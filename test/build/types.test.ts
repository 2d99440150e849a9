/**
 * The published type declarations work for both kinds of consumer: a CommonJS TypeScript module
 * (n8n nodes) and an ES module (the web component), through the package's own export map.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the package folder, so `n8n-nodes-segments` resolves to this package (self-reference).
const DIR = join(ROOT, 'build', `types-consumer-${process.pid}`);

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('type declarations', () => {
  it('type-check a CommonJS and an ES module consumer of the core and server entries', () => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(
      join(DIR, 'consumer.cts'),
      `import { compileSegment, SegmentError, type Schema } from 'n8n-nodes-segments';
import { parseDatabaseUrl, parse } from 'n8n-nodes-segments/server';
const schema: Schema = { fields: { country: { type: 'text' } } };
export const n: number = compileSegment('country = "OM"', { schema }).count([{ country: 'OM' }]);
export const isError = (e: unknown): e is SegmentError => e instanceof SegmentError;
export const dialect: string = parseDatabaseUrl('sqlite::memory:').dialect;
export const kind: 'and' | 'or' | 'not' | 'group' | 'predicate' | 'segment' | 'draft' | 'raw' = parse('a = 1').type;
`,
    );
    writeFileSync(
      join(DIR, 'consumer.mts'),
      `import { check, type Diagnostic } from 'n8n-nodes-segments/core';
export const diagnostics: Diagnostic[] = check('contry = "OM"').errors.map((e) => e.toJSON());
// @ts-expect-error: the core entry has no SQL (that is the server entry)
import { compileSegmentSql } from 'n8n-nodes-segments/core';
export { compileSegmentSql };
`,
    );
    writeFileSync(
      join(DIR, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
        files: ['consumer.cts', 'consumer.mts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', DIR], { encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });

  it('type the builder for a browser module: its tag, its events and their detail', () => {
    const dir = join(DIR, 'editor');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'consumer.mts'),
      `import { SegmentBuilder, SegmentInputEvent, type SegmentEditDetail } from 'n8n-nodes-segments/editor';
const el = document.createElement('segment-builder');
export const isBuilder: SegmentBuilder = el;
export const tagged: SegmentBuilder | null = document.querySelector('segment-builder');
el.addEventListener('input', (e) => {
  const event: SegmentInputEvent = e;
  const text: string = e.detail.expression;
  const valid: boolean = e.detail.valid;
  const codes: string[] = e.detail.diagnostics.map((d) => d.code);
  // @ts-expect-error: the detail has no such member
  e.detail.nothing;
  void [event, text, valid, codes];
});
el.addEventListener('change', (e) => {
  const detail: SegmentEditDetail = e.detail;
  void detail.ast?.type;
});
el.value = 'country = "OM"';
el.countProvider = async (expression, { signal }) => (signal.aborted ? 0 : expression.length);
// @ts-expect-error: a count is a number
el.countProvider = async () => 'many';
// @ts-expect-error: the value is text
el.value = 3;
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022', 'dom', 'dom.iterable'], strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['consumer.mts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
});
