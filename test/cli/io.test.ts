/**
 * The CLI's output edge (cli/io.ts), run as a user runs it: nothing cut off when stdout and stderr
 * are pipes, write failures are failures of their own (exit 3, `write-failed`) for every command,
 * and `--json` gives JSON on stdout for every failure.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../../cli/io';
import { CLI, fixture, NODE, NOW, ROOT, segment } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'segment-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A field name of `n` letters: its unknown-field error echoes it, so the error is longer than a pipe holds. */
const longName = (n: number) => `f${'x'.repeat(n)}`;

/**
 * Runs the CLI with stdout or stderr on a real pipe (a FIFO made by the shell: Node's own child pipes
 * are socket pairs) that nobody reads for a second, so it fills up before the process is done.
 */
function throughPipe(stream: 'stdout' | 'stderr', args: string[], input: string): { status: number; text: string } {
  const quoted = [NODE, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const redirect = stream === 'stdout' ? '2>/dev/null' : '2>&1 >/dev/null';
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${quoted} ${redirect} | { sleep 1; cat; }; echo "<exit $?>"`], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  const match = /<exit (\d+)>\n$/.exec(r.stdout);
  return { status: Number(match?.[1]), text: r.stdout.slice(0, match?.index) };
}

describe('output through pipes', () => {
  it('writes all of a 300 kB error to a stderr pipe before exiting (it was cut at 64 KiB)', { timeout: 30_000 }, () => {
    const name = longName(300_000);
    const r = throughPipe('stderr', ['check', '--schema', fixture('schema.json')], `${name} = 1`);
    expect(r.status).toBe(2);
    expect(r.text).toContain(`unknown field \`${name}\``);
    // The end of the message: the caret line under the name.
    expect(r.text).toMatch(/\n +\| \^+\n$/);
  });

  it('writes all of a 300 kB result to a stdout pipe before exiting', () => {
    const expression = Array.from({ length: 20_000 }, (_, i) => `f${i} = ${i}`).join(' and ');
    const r = throughPipe('stdout', ['format'], expression);
    expect(r.status).toBe(0);
    expect(r.text.length).toBeGreaterThan(300_000);
    expect(r.text.trimEnd().split('\n').at(-1)).toBe('and f19999 = 19999');
  });
});

/** Every command that prints something on success, run with stdout on a full disk. */
function commands(): [string, string[]][] {
  const profiles = fixture('profiles.jsonl');
  const schema = fixture('schema.json');
  const db = `sqlite:${join(dir, 'full.db')}`;
  return [
    ['check', ['check', 'clicks_count > 0']],
    ['check --json', ['check', '--json', 'clicks_count > 0']],
    ['format', ['format', 'clicks_count>0']],
    ['explain', ['explain', '--schema', schema, 'clicks_count > 0']],
    ['count', ['count', '--data', profiles, '--now', NOW, 'clicks_count >= 0']],
    ['count --json', ['count', '--json', '--data', profiles, '--now', NOW, 'clicks_count >= 0']],
    ['count --every-segment', ['count', '--every-segment', '--data', profiles, '--segments', fixture('segments.json'), '--now', NOW]],
    ['filter', ['filter', '--data', profiles, '--now', NOW, 'clicks_count >= 0']],
    ['sql', ['sql', '--dialect', 'sqlite', '--schema', schema, 'clicks_count > 0']],
    ['import', ['import', '--db', db, profiles]],
    ['count --db', ['count', '--db', db, '--now', NOW, 'clicks_count >= 0']],
    ['segments create', ['segments', 'create', '--db', db, 'Clickers', 'clicks_count > 0']],
    ['segments list', ['segments', 'list', '--db', db]],
    ['segments dump', ['segments', 'dump', '--db', db]],
    ['--help', ['--help']],
  ];
}

describe('write failures', () => {
  it.each(commands())('%s: output lost on a full disk is a failure (exit 3, write-failed on stderr), never a success', (_what, args) => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(NODE, [CLI, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toContain('error[write-failed]: cannot write the output: no space left on the device (ENOSPC)');
      expect(r.stderr).not.toContain('invalid-option');
      expect(r.stderr).not.toContain('internal error');
      expect(r.status).toBe(3);
    } finally {
      closeSync(full);
    }
  });

  it('keeps the exit code of a failure that came first (a bad expression, its message on a full disk)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(NODE, [CLI, 'check', 'a ='], { stdio: ['ignore', 'pipe', full], encoding: 'utf8' });
      expect(r.status).toBe(2);
    } finally {
      closeSync(full);
    }
  });

  it('stops quietly with exit 0 when the reader goes away (… | head)', () => {
    const r = spawnSync('sh', ['-c', `seq -s ' and a=' 1 50000 | sed 's/^/a=/' | "${NODE}" "${CLI}" format | head -c 10 >/dev/null; echo "status $?"`], { encoding: 'utf8' });
    expect(r.stdout).toBe('status 0\n');
    expect(r.stderr).toBe('');
  });
});

describe('--json on failure', () => {
  const internal = { NODE_OPTIONS: `--require ${fixture('internal-error.cjs')}` };
  it.each([
    ['an unknown option', ['check', '--json', '--bogus', 'a = 1'], {}, 2, 'invalid-option', "unknown option '--bogus'"],
    ['an unknown option of the program', ['--json'], {}, 2, 'invalid-option', "unknown option '--json'"],
    ['an unknown command', ['cuont', '--json', 'a = 1'], {}, 2, 'invalid-option', "unknown command 'cuont'"],
    ['a missing argument', ['segments', 'attach', '--json'], {}, 2, 'invalid-option', "missing required argument 'name'"],
    ['an invalid choice', ['segments', 'attach', 'X', '--campaign', 'c', '--status', 'bogus', '--json'], {}, 2, 'invalid-option', "argument 'bogus' is invalid"],
    ['a bad expression', ['check', '--json', 'a ='], {}, 2, 'unexpected-end', 'expected a value'],
    ['an internal error', ['check', '--json', 'a = 1'], internal, 1, 'internal-error', 'internal error: simulated bug'],
  ] as const)('gives {"ok":false,"errors":[…]} on stdout for %s', (_what, args, env, status, code, summary) => {
    const r = segment(args, { env });
    expect(r.status).toBe(status);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: { code: string; summary: string; message: string }[] };
    expect(out.ok).toBe(false);
    expect(out.errors[0].code).toBe(code);
    expect(out.errors[0].summary).toContain(summary);
    expect(out.errors[0].summary).not.toContain('\n');
    // Nothing else for a script to trip on: no usage text after the JSON.
    expect(r.stderr).not.toContain('--help" for its options)');
  });
});

/** What a terminal acts on instead of showing: C0 but tab and line feed, DEL, C1, bidi controls, separators, lone surrogates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('terminal output', () => {
  it('shows escape sequences, bells, C1 controls and bidi overrides as visible escapes', () => {
    expect(terminalSafe('\x1b[2J\x1b[31mred\x07')).toBe('\\x1b[2J\\x1b[31mred\\x07');
    expect(terminalSafe('a\x9b31mb\u202ecba\u2066x\r')).toBe('a\\x9b31mb\\u202ecba\\u2066x\\x0d');
    expect(terminalSafe('\ud800 lone')).toBe('\\ud800 lone');
  });

  it('leaves text people write alone: tabs, line breaks, accents, Arabic, CJK, emoji and joiners', () => {
    const text = 'name\tcount\nZoë 👩‍👩‍👧 عربي 中文 ‍';
    expect(terminalSafe(text)).toBe(text);
  });

  it('never lets a character a terminal acts on through, whatever the text (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const safe = terminalSafe(text);
        expect(safe).not.toMatch(UNSAFE);
        // Safe text is kept as it is; only unsafe characters are rewritten.
        if (!UNSAFE.test(text)) expect(safe).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('prints through one edge: no command writes to stdout or stderr but through cli/io.ts', () => {
    // cli/output.ts draws the progress line (its own escape codes) and streams JSON Lines; nothing else may.
    const allowed = new Set(['io.ts', 'output.ts']);
    const offenders = readdirSync(join(ROOT, 'cli'))
      .filter((f) => f.endsWith('.ts') && !allowed.has(f))
      .filter((f) => /process\.(stdout|stderr)\.write\(/.test(readFileSync(join(ROOT, 'cli', f), 'utf8').replace(/configureOutput\(\{[\s\S]*?\}\)/, '')));
    expect(offenders).toEqual([]);
  });

  const hostile = '\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\r';
  const db = () => `sqlite:${join(dir, 'terminal.db')}`;
  it.each([
    ['a saved segment\'s description and name in `segments show` and `list`', () => {
      expect(segment(['segments', 'create', '--db', db(), 'Hostile', 'clicks_count > 0', '--description', hostile]).status).toBe(0);
      return [segment(['segments', 'show', '--db', db(), 'Hostile']), segment(['segments', 'list', '--db', db()])];
    }],
    ['back-quoted field names in `explain` and `format`', () => [segment(['explain', `\`${hostile}\` = 1`]), segment(['format', `\`${hostile}\` = 1`])]],
    ['user text echoed in errors (an unknown field, a file name, an option, a segment name)', () => [
      segment(['check', '--schema', fixture('schema.json'), `\`${hostile}\` = 1`]),
      segment(['count', '--data', `${hostile}.jsonl`, 'a = 1']),
      segment(['check', `--${hostile}`, 'a = 1']),
      segment(['segments', 'show', '--db', db(), hostile]),
    ]],
  ])('neutralises control characters in %s', (_what, run) => {
    const runs = run();
    for (const r of runs) expect(r.stdout + r.stderr).not.toMatch(UNSAFE);
    // The text is shown, escaped, not dropped.
    expect(runs[0].stdout + runs[0].stderr).toMatch(/\\(x1b|u001b)\[2J/);
  });

  it('keeps JSON output exact: the description comes back as stored', () => {
    const r = segment(['segments', 'show', '--json', '--db', db(), 'Hostile']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { description: string }).description).toBe(hostile);
  });
});
