/**
 * The core's messages speak of the language and its API; the CLI adds its own commands and flags.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withAdvice } from '../../cli/errors';
import { SegmentError } from '../../core/index';
import { parseDatabaseUrl } from '../../core/sql/connect';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('CLI advice', () => {
  it('core message texts name no CLI command or flag', () => {
    for (const file of sources('core')) {
      // String literals only: comments may explain what the CLI does.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const strings = code.match(/(['`])(?:\\.|(?!\1)[^\\\n])*\1/g) ?? [];
      for (const s of strings) expect(s, file).not.toMatch(/--db\b|--schema\b|\bsegment (import|segments|count|filter)\b/);
    }
  });

  it('adds the import command to a database without profiles or layout', () => {
    const e = withAdvice(new SegmentError({ code: 'no-layout', summary: 'the database has no segment layout and no schema was given', hint: 'load profiles into the database first, or give the schema' }));
    expect(e.hint).toBe('run `segment import --db <url> profiles.jsonl` first, or pass --schema');
    expect(withAdvice(new SegmentError({ code: 'no-profiles', summary: 'x', hint: 'y' })).hint).toBe('load profiles first: segment import --db <url> profiles.jsonl');
  });

  it('names the restore command for an archived segment, and the list command for an unknown one', () => {
    expect(withAdvice(new SegmentError({ code: 'invalid-option', summary: '"Old" is archived: it cannot be exported', hint: 'restore it first' })).hint).toBe('restore it first (segment segments restore "Old")');
    expect(withAdvice(new SegmentError({ code: 'unknown-segment', summary: 'unknown segment "old"', hint: '"Old" is archived: restore it first' })).hint).toBe('"Old" is archived: restore it first (segment segments restore "Old")');
    expect(withAdvice(new SegmentError({ code: 'segment-not-found', summary: 'no segment "X"', hint: 'see the saved segments for its name' })).hint).toBe('list the saved segments with: segment segments list');
  });

  it('shows a bad database URL as the --db option', () => {
    let caught: unknown;
    try {
      parseDatabaseUrl('oracle://x');
    } catch (e) {
      caught = e;
    }
    expect((caught as SegmentError).origin).toBe('database URL');
    const shown = withAdvice(caught as SegmentError);
    expect(shown.origin).toBe('--db');
    expect(shown.message).toMatch(/^error\[invalid-option\] at --db 1:1: unsupported database URL scheme "oracle:"/);
  });
});
