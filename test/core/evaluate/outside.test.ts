/**
 * Fields outside the schema, in memory (hosts that compile without a full schema; SQL refuses them):
 * the operand decides how the value is read. Hand-written ids for each shape a value may take.
 */
import { describe, expect, it } from 'vitest';
import { compilePredicate } from '../../../core/evaluate/compile';
import { EVALUATORS } from '../../conformance/cases';
import { parse } from '../../../core/parse/parse';
import type { Schema } from '../../../core/schema';
import { createClock } from '../../../core/time';

const schema: Schema = { idField: 'id', fields: { id: { type: 'text' } } };
const clock = createClock({ now: '2026-11-24T12:00:00Z' });
const profiles: Record<string, unknown>[] = [
  { id: 'absent' },
  { id: 'null', nickname: null },
  { id: 'empty-text', nickname: '' },
  { id: 'empty-list', nickname: [] },
  { id: 'text', nickname: 'Xavi' },
  { id: 'list', nickname: ['x', 'Y'] },
  { id: 'zero', nickname: 0 },
  { id: 'object', nickname: {} },
  { id: 'false', nickname: false },
  { id: 'date', nickname: '2026-11-20T00:00:00Z' },
];

const cases: [string, string[]][] = [
  ['nickname is empty', ['absent', 'empty-list', 'empty-text', 'null']],
  ['nickname is not empty', ['date', 'false', 'list', 'object', 'text', 'zero']],
  ['nickname is known', ['date', 'empty-list', 'empty-text', 'false', 'list', 'object', 'text', 'zero']],
  ['nickname is unknown', ['absent', 'null']],
  ['nickname contains "x"', ['list', 'text']],
  ['nickname not contains "x"', ['absent', 'date', 'empty-list', 'empty-text', 'false', 'null', 'object', 'zero']],
  ['nickname = "XAVI"', ['text']],
  ['nickname = 0', ['zero']],
  ['nickname = false', ['false']],
  ['nickname > -1', ['zero']],
  ['nickname starts with "xa"', ['text']],
  ['nickname contains any ["y", 7]', ['list']],
  ['nickname contains all ["x", "y"]', ['list']],
  ['nickname after "2026-11-01"', ['date']],
  ['nickname within last 7 days', ['date']],
  ['nickname between "2026-11-01" and "2026-11-30"', ['date']],
];

describe.each(EVALUATORS)('fields outside the schema in memory, %s evaluator', (evaluator) => {
  it.each(cases)('%s', (source, expected) => {
    const test = compilePredicate(parse(source), { schema, idField: 'id', segments: new Map(), clock, evaluator });
    expect(profiles.filter(test).map((p) => p.id as string).sort()).toEqual(expected);
  });
});
