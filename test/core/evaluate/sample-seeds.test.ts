import { describe, expect, it } from 'vitest';
import { compileSegment } from '../../../core/engine';
import type { Schema } from '../../../core/schema';
import type { SegmentDefinition } from '../../../core/segments';
import { generateProfiles } from '../../../sample/generate';
import sampleSchema from '../../../sample/schema.json';
import sampleSegments from '../../../sample/segments.json';

const NOW = '2026-11-24T12:00:00Z';
const schema = sampleSchema as Schema;
const segments = sampleSegments as SegmentDefinition[];
const profiles = [...generateProfiles(20_000, { now: NOW })];

describe('seed segments on generated sample profiles', () => {
  it('generates the same profiles for the same seed and different ones for another', () => {
    const again = [...generateProfiles(50, { now: NOW })];
    expect(JSON.stringify(again)).toBe(JSON.stringify(profiles.slice(0, 50)));
    expect(JSON.stringify([...generateProfiles(50, { now: NOW, seed: 2 })])).not.toBe(JSON.stringify(again));
    expect(profiles[0].id).toBe('p000001');
  });

  it.each(segments.filter((s) => 'expression' in s).map((s) => [s.name, s] as const))('"%s" selects some but not all profiles', (_, s) => {
    const count = compileSegment((s as { expression: string }).expression, { schema, segments, now: NOW }).count(profiles);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(profiles.length);
  });

  it('keeps events between 0 and 30 per profile, phones in E.164', () => {
    for (const p of profiles) {
      const events = p.events as unknown[];
      expect(events.length).toBeLessThanOrEqual(30);
      if (p.phone !== undefined) expect(p.phone).toMatch(/^\+[1-9]\d{7,14}$/);
    }
  });
});
