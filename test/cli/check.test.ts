import { describe, expect, it } from 'vitest';
import { fixture, segment } from './cli';

const schema = ['--schema', fixture('schema.json')];

describe('segment check', () => {
  it('prints ok and exits 0 for a valid expression', () => {
    const r = segment(['check', ...schema, 'tags contains "VIP" and language = "ar"']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok\n');
    expect(r.status).toBe(0);
  });

  it('prints the canonical form with --json when valid', () => {
    const r = segment(['check', '--json', ...schema, 'country=="OM" && !(opt_out == true)']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, canonical: 'country = "OM" and not (opt_out = true)', errors: [] });
  });

  it('shows a syntax error with the source line and a caret under it, and exits 2', () => {
    const r = segment(['check', 'country = "OM" and and language = "ar"']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    const source = lines.findIndex((l) => l.includes('| country = "OM" and and language = "ar"'));
    expect(source).toBeGreaterThan(-1);
    const caret = lines[source + 1];
    // The caret sits under the second `and` (column 20 of the expression).
    const prefix = lines[source].indexOf('country');
    expect(caret.indexOf('^') - prefix).toBe('country = "OM" and '.length);
    expect(r.stderr).toMatch(/^error\[[a-z-]+\] at 1:20: /);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  });

  it('reports every validation problem at once, each with its hint', () => {
    const r = segment(['check', ...schema, 'contry = "OM" and clicks_count > "x"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[unknown-field] at 1:1');
    expect(r.stderr).toContain('did you mean `country`?');
    expect(r.stderr).toContain('error[value-type-mismatch] at 1:34');
  });

  it('prints the diagnostics as JSON with --json', () => {
    const r = segment(['check', '--json', ...schema, 'contry = "OM"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ code: 'unknown-field', span: { start: 0, end: 6 }, start: { line: 1, column: 1 } });
    expect(out.errors[0].message).toContain('^^^^^^');
  });

  it('infers the schema from --data when no --schema is given', () => {
    const ok = segment(['check', '--data', fixture('profiles.jsonl'), 'attributes.tier = "gold"']);
    expect(ok.stdout).toBe('ok\n');
    const bad = segment(['check', '--data', fixture('profiles.jsonl'), 'clicks_count = "3"']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error[value-type-mismatch]');
  });

  it('checks nothing but syntax without a schema or data', () => {
    expect(segment(['check', 'anything = "goes"']).status).toBe(0);
  });

  it('reads the expression from stdin when no argument is given', () => {
    const r = segment(['check', ...schema], { input: 'country = "OM"\n  and tags contains "VIP" // VIPs\n' });
    expect(r.stdout).toBe('ok\n');
    expect(r.status).toBe(0);
  });

  it('reports an empty stdin as an empty expression', () => {
    const r = segment(['check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[empty-expression]');
  });

  it('resolves in_segment() against --segments and reports unknown segment names', () => {
    const segments = ['--segments', fixture('segments.json')];
    expect(segment(['check', ...schema, ...segments, 'in_segment("gold omani vips")']).status).toBe(0);
    const r = segment(['check', ...schema, ...segments, 'in_segment("Gold Omani VIP")']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[unknown-segment]');
  });
});

describe('segment user errors', () => {
  it.each([
    ['a missing --schema file', ['check', '--schema', fixture('nope.json'), 'a = 1'], /cannot read --schema file ".*nope\.json": no such file/],
    ['a --schema file that is not JSON', ['check', '--schema', fixture('bad-schema.json'), 'a = 1'], /--schema file ".*bad-schema\.json" is not valid JSON/],
    ['a --schema file with an unknown type', ['check', '--schema', fixture('invalid-schema.json'), 'a = 1'], /error\[invalid-schema\]/],
    ['a --segments entry with neither expression nor members', ['check', '--segments', fixture('bad-segments.json'), 'a = 1'], /item 2 \("B"\) has neither/],
    ['a --segments file that is not a list', ['check', '--segments', fixture('schema.json'), 'a = 1'], /--segments file .* not a JSON list/],
    ['a --now that is not ISO-8601', ['count', '--data', fixture('profiles.jsonl'), '--now', 'yesterday', 'clicks_count > 0'], /"now" is not an ISO-8601 date/],
    ['an unknown --tz', ['count', '--data', fixture('profiles.jsonl'), '--tz', 'Mars/Olympus', 'clicks_count > 0'], /unknown time zone "Mars\/Olympus"/],
    ['a missing --data file', ['count', '--data', fixture('nope.jsonl'), 'clicks_count > 0'], /cannot read --data file ".*nope\.jsonl": no such file/],
    ['a directory as --data', ['count', '--data', fixture(''), 'clicks_count > 0'], /cannot read --data file .*: it is a directory/],
    ['count without --data or --db', ['count', 'clicks_count > 0'], /no profiles given/],
    ['an unknown option', ['count', '--dta', 'x.jsonl', 'clicks_count > 0'], /unknown option '--dta'/],
    ['an unknown command', ['cuont', 'a = 1'], /unknown command 'cuont'/],
  ])('explains %s on stderr in one message and exits 2, without a stack trace', (_what, args, message) => {
    const r = segment(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('internal error');
  });

  it('turns hostile input into a typed error, not a crash', () => {
    const r = segment(['check'], { input: `${'('.repeat(20_000)}a = 1${')'.repeat(20_000)}\u0000\u0007` });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\[[a-z-]+\]/);
    expect(r.stderr).not.toContain('internal error');
  });

  it('reports an internal error in one short line with exit code 1, and the stack only with SEGMENT_DEBUG=1', () => {
    const env = { NODE_OPTIONS: `--require ${fixture('internal-error.cjs')}` };
    const r = segment(['check', 'country = "OM"'], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('segment: internal error: simulated bug');
    expect(r.stderr).toContain('SEGMENT_DEBUG=1');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = segment(['check', 'country = "OM"'], { env: { ...env, SEGMENT_DEBUG: '1' } });
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/TypeError: simulated bug[\s\S]*\n\s+at /);
  });
});

describe('segment check of an expression with 100,000 problems', () => {
  // 1 MB: `b = 1 and b = 1 and …`, and the schema has no field `b`. This took 404 s and printed 26 MB.
  const input = Array(100_000).fill('b = 1').join(' and ');

  it('lists the first 100 problems in text and counts the others', () => {
    expect(input.length).toBeLessThanOrEqual(1_000_000);
    const r = segment(['check', ...schema], { input });
    expect(r.status).toBe(2);
    expect(r.stderr.match(/^error\[unknown-field\] at 1:\d+: unknown field `b`$/gm)).toHaveLength(100);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('… and 99,900 more problems (the first 100 are shown)');
    // The 100th problem is the 100th condition, at its own column.
    expect(r.stderr).toContain(`error[unknown-field] at 1:${99 * 'b = 1 and '.length + 1}: unknown field \`b\``);
    expect(r.stderr.length).toBeLessThan(64 * 1024);
  });

  it('gives the first 100 problems in JSON with "more": 99900', () => {
    const r = segment(['check', '--json', ...schema], { input });
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: { code: string; start: { line: number; column: number } }[]; more: number };
    expect(out.ok).toBe(false);
    expect(out.errors).toHaveLength(100);
    expect(out.errors.every((e) => e.code === 'unknown-field')).toBe(true);
    expect(out.errors[99].start).toEqual({ line: 1, column: 99 * 'b = 1 and '.length + 1 });
    expect(out.more).toBe(99_900);
    expect(r.stdout.length).toBeLessThan(128 * 1024);
  });
});
