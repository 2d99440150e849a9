/**
 * The `no-codegen` test project (vitest.config.ts) runs the conformance table and the CLI tests in
 * workers started with `--disallow-code-generation-from-strings`, and the CLI they spawn with the
 * same flag (NODE_OPTIONS), as under a Content-Security-Policy without `unsafe-eval`. This file
 * proves the refusal is real in both places, and that the default evaluator falls back on its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { codeGenerationAllowed, compilePredicate } from '../../core/evaluate/compile';
import { createClock } from '../../core/time';
import { ast } from '../support/arbitraries';
import { fixture, NODE, NOW, segment } from '../cli/cli';

const FLAG = '--disallow-code-generation-from-strings';

describe('with code generation from strings refused', () => {
  it('refuses new Function and eval in this worker', () => {
    expect(() => new Function('return 1')).toThrow(EvalError);
    // eslint-disable-next-line no-eval
    expect(() => (0, eval)('1')).toThrow(EvalError);
    expect(codeGenerationAllowed()).toBe(false);
  });

  it('refuses it in the CLI processes the tests spawn too (NODE_OPTIONS)', () => {
    expect(process.env.NODE_OPTIONS).toContain(FLAG);
    const r = spawnSync(NODE, ['-e', "try { new Function('return 1'); console.log('allowed') } catch (e) { console.log(e.name) }"], { encoding: 'utf8', env: process.env });
    expect(r.stdout.trim()).toBe('EvalError');
  });

  it('counts with the default evaluator (auto), falling back on the closures silently', () => {
    const segment = compileSegment('tags contains "VIP" and event("purchase").count() >= 1', { now: '2026-11-24T12:00:00Z' });
    expect(segment.count([{ tags: ['vip'], events: [{ event: 'Purchase', timestamp: '2026-11-01T00:00:00Z' }] }, { tags: ['VIP'] }, {}])).toBe(1);
  });

  it('the CLI counts by itself, and explains a refused --evaluator generated without a stack trace', () => {
    const data = fixture('profiles.jsonl');
    const ok = segment(['count', '--data', data, '--now', NOW, 'tags contains "VIP" and event("purchase").count() >= 0']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const refused = segment(['count', '--data', data, '--evaluator', 'generated', '--now', NOW, 'country = "OM"']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('refuses code generation from strings');
    expect(refused.stderr).toContain('closures');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('the CLI names the SQLite driver as what needs code generation, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segment-no-codegen-'));
    try {
      const r = segment(['import', '--db', `sqlite:${join(dir, 'p.db')}`, fixture('profiles.jsonl')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('error[code-generation-refused]: this Node refuses code generation from strings (--disallow-code-generation-from-strings), which the SQLite driver needs');
      expect(r.stderr).toContain('use a PostgreSQL or MariaDB database here');
      expect(r.stderr).not.toContain('internal error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so clearly when the generated evaluator is asked for by name', () => {
    const context = { schema: { fields: {} }, idField: 'id', segments: new Map(), clock: createClock({ now: '2026-11-24T12:00:00Z' }), evaluator: 'generated' as const };
    expect(() => compilePredicate(ast.pred('a', 'eq', ast.num(1)), context)).toThrow(/refuses code generation from strings/);
    expect(() => compileSegment('a = 1', { evaluator: 'generated' })).toThrow(expect.objectContaining({ code: 'code-generation-refused' }));
  });
});
