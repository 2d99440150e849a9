import { describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { cases, EVALUATORS, fixtureProfiles, fixtureSchema, NOW, segmentDefinitions } from './cases';

describe('conformance table: the expected ids', () => {
  it('lists sorted expected ids that exist in the fixture', () => {
    const known = new Set(fixtureProfiles.map((p) => p.id));
    for (const c of cases) {
      expect([...c.expected].sort(), c.name).toEqual(c.expected);
      for (const id of c.expected) expect(known.has(id), `${c.name}: ${id}`).toBe(true);
    }
  });
});

// Both evaluators run the whole table: the generated code and the closures (used where code generation is refused).
describe.each(EVALUATORS)('conformance table on the in-memory engine, %s evaluator', (evaluator) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const segment = compileSegment(c.expression, { schema: fixtureSchema, segments: segmentDefinitions, now: c.now ?? NOW, timeZone: c.timeZone, evaluator });
    const ids = segment.filter(fixtureProfiles).map((p) => String(p.id)).sort();
    expect(ids).toEqual(c.expected);
  });
});
