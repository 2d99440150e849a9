import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../core/ast';
import { checkSchema } from '../../core/infer-schema';
import { parse } from '../../core/parse/parse';
import { resolveSegments } from '../../core/resolve-segments';
import type { Schema } from '../../core/schema';
import type { SegmentDefinition } from '../../core/segments';

const schema = checkSchema(JSON.parse(readFileSync(new URL('../../sample/schema.json', import.meta.url), 'utf8')));
const seeds = JSON.parse(readFileSync(new URL('../../sample/segments.json', import.meta.url), 'utf8')) as SegmentDefinition[];

function resolve(source: string, definitions: readonly SegmentDefinition[], options: { schema?: Schema; parse?: (s: string) => Expr } = {}) {
  return resolveSegments(parse(source), { source, origin: 'expression', definitions, schema: options.schema, parse: options.parse ?? parse });
}

function at(e: { start: { line: number; column: number } }): string {
  return `${e.start.line}:${e.start.column}`;
}

/** `S1 → S2 → … → Sn`: each segment references the next; the last one is a plain predicate. */
function chain(n: number): SegmentDefinition[] {
  return Array.from({ length: n }, (_, i) => ({ name: `S${i + 1}`, expression: i + 1 < n ? `in_segment("S${i + 2}") and clicks_count > ${i}` : 'clicks_count > 0' }));
}

describe('resolveSegments', () => {
  it('resolves a seed segment and the segments it references, keyed by lower-case name', () => {
    const { segments, errors } = resolve('in_segment("VIP Arabic Speakers Still Active")', seeds, { schema });
    expect(errors).toEqual([]);
    expect([...segments.keys()]).toEqual(['vip arabic speakers still active', 'vip arabic speakers', 'inactive 30+ days']);
    const vip = segments.get('vip arabic speakers');
    expect(vip?.kind === 'dynamic' && vip.source).toBe('tags contains "VIP" and language = "ar"');
  });

  it('matches segment names case-insensitively', () => {
    const { segments, errors } = resolve('in_segment("vip ARABIC speakers")', seeds);
    expect(errors).toEqual([]);
    expect(segments.get('vip arabic speakers')?.name).toBe('VIP Arabic Speakers');
  });

  it('turns a manual segment into a set of member ids as strings', () => {
    const { segments } = resolve('in_segment("Attendees")', [{ name: 'Attendees', members: ['p1', 42] }]);
    const attendees = segments.get('attendees');
    expect(attendees?.kind).toBe('manual');
    expect(attendees?.kind === 'manual' && [...attendees.members]).toEqual(['p1', '42']);
  });

  it('reports an unknown segment at the reference with a did-you-mean', () => {
    const { errors } = resolve('country = "OM" and in_segment("VIP Arabic Speaker")', seeds);
    expect(errors.map((e) => [e.code, at(e), e.summary, e.hint, e.origin])).toEqual([
      ['unknown-segment', '1:20', 'unknown segment "VIP Arabic Speaker"', 'did you mean "VIP Arabic Speakers"?', 'expression'],
    ]);
  });

  it('reports an unknown segment referenced by another segment in that segment, and at the reference', () => {
    const { errors } = resolve('in_segment("A")', [{ name: 'A', expression: 'in_segment("Ghost")' }]);
    expect(errors.map((e) => [e.code, e.origin, at(e), e.summary])).toEqual([
      ['unknown-segment', 'segment "A"', '1:1', 'unknown segment "Ghost"'],
      ['unknown-segment', 'expression', '1:1', 'segment "A" references an unknown segment "Ghost"'],
    ]);
  });

  it('reports a cycle with its path, in the segment that closes it and at the reference', () => {
    const { errors } = resolve('in_segment("A")', [
      { name: 'A', expression: 'in_segment("B")' },
      { name: 'B', expression: 'country = "OM" or in_segment("a")' },
    ]);
    expect(errors.map((e) => [e.code, e.origin, at(e), e.summary])).toEqual([
      ['segment-cycle', 'segment "B"', '1:19', 'segments reference each other in a cycle: A → B → A'],
      ['segment-cycle', 'expression', '1:1', 'segment "A" cannot be used: segments reference each other in a cycle: A → B → A'],
    ]);
    expect(errors[0].message).toContain('country = "OM" or in_segment("a")');
  });

  it('reports a segment that references itself', () => {
    const { errors } = resolve('in_segment("Loop")', [{ name: 'Loop', expression: 'clicks_count > 0 and in_segment("Loop")' }]);
    expect(errors.map((e) => [e.code, e.origin, e.summary])).toEqual([
      ['segment-cycle', 'segment "Loop"', 'segment "Loop" references itself: Loop → Loop'],
      ['segment-cycle', 'expression', 'segment "Loop" references itself: Loop → Loop'],
    ]);
  });

  it('resolves a diamond once per segment', () => {
    const parsed: string[] = [];
    const counting = (s: string) => {
      parsed.push(s);
      return parse(s);
    };
    const { segments, errors } = resolve('in_segment("Top") and in_segment("Left")', [
      { name: 'Top', expression: 'in_segment("Left") and in_segment("Right")' },
      { name: 'Left', expression: 'in_segment("Bottom")' },
      { name: 'Right', expression: 'in_segment("Bottom")' },
      { name: 'Bottom', expression: 'clicks_count > 0' },
    ], { parse: counting });
    expect(errors).toEqual([]);
    expect([...segments.keys()].sort()).toEqual(['bottom', 'left', 'right', 'top']);
    expect(parsed).toHaveLength(4);
  });

  it('allows a chain of 10 segments', () => {
    const { segments, errors } = resolve('in_segment("S1")', chain(10), { schema });
    expect(errors).toEqual([]);
    expect(segments.size).toBe(10);
  });

  it('rejects an eleventh segment reached through a chain, naming the count, the limit and the segments', () => {
    const { errors } = resolve('in_segment("S1")', chain(11), { schema });
    expect(errors).toHaveLength(1);
    const e = errors[0];
    expect([e.code, at(e), e.summary]).toEqual(['too-many-segments', '1:1', 'this expression uses 11 segments, directly or through other segments; at most 10 are allowed']);
    expect(e.hint).toBe(`it uses ${Array.from({ length: 11 }, (_, i) => `"S${i + 1}"`).join(', ')}`);
  });

  it('does not validate the segments of an expression over the limit', () => {
    const definitions = chain(11).map((d, i) => (i === 10 ? { name: d.name, expression: 'contry = "OM"' } : d));
    expect(resolve('in_segment("S1")', definitions, { schema }).errors.map((e) => e.code)).toEqual(['too-many-segments']);
    expect(resolve('in_segment("S2")', definitions, { schema }).errors.map((e) => [e.code, e.origin])).toEqual([
      ['unknown-field', 'segment "S11"'],
      ['unknown-field', 'expression'],
    ]);
  });

  it('counts distinct segments, not references', () => {
    const source = Array.from({ length: 12 }, () => 'in_segment("Bottom")').join(' or ');
    expect(resolve(source, [{ name: 'Bottom', expression: 'clicks_count > 0' }]).errors).toEqual([]);
  });

  it('validates referenced segments against the schema, in their own text and at the reference', () => {
    const definitions = [
      { name: 'Outer', expression: 'in_segment("Inner")' },
      { name: 'Inner', expression: 'language = "ar" and contry = "OM"' },
    ];
    const { errors } = resolve('clicks_count > 0 and in_segment("Outer")', definitions, { schema });
    expect(errors.map((e) => [e.code, e.origin, at(e), e.summary])).toEqual([
      ['unknown-field', 'segment "Inner"', '1:21', 'unknown field `contry`'],
      ['unknown-field', 'expression', '1:22', 'segment "Outer" cannot be used: segment "Inner" is invalid: unknown field `contry`'],
    ]);
    expect(errors[0].source).toBe('language = "ar" and contry = "OM"');
    expect(errors[0].message).toContain('error[unknown-field] at segment "Inner" 1:21');
    expect(errors[1].hint).toBe('did you mean `country`?');
  });

  it('does not validate referenced segments without a schema', () => {
    expect(resolve('in_segment("Inner")', [{ name: 'Inner', expression: 'contry = "OM"' }]).errors).toEqual([]);
  });

  it('reports a referenced segment that does not parse', () => {
    const { errors, segments } = resolve('in_segment("Broken")', [{ name: 'Broken', expression: 'country = ' }]);
    expect(errors).toHaveLength(2);
    expect(errors[0].origin).toBe('segment "Broken"');
    expect(errors[1].summary).toMatch(/^segment "Broken" does not parse: /);
    expect(errors[1].code).toBe(errors[0].code);
    expect(segments.has('broken')).toBe(false);
  });

  it('returns no segments and no errors for an expression without references', () => {
    const { segments, errors } = resolve('country = "OM"', seeds);
    expect(errors).toEqual([]);
    expect(segments.size).toBe(0);
  });
});
