/** Span-free tree builders for parser tests: `pred('country', 'eq', str('OM'))`. */
import { stripSpans, type Expr } from '../../../core/ast';
import type { DurationUnit } from '../../../core/durations';
import { SegmentError } from '../../../core/errors';
import type { OperatorId } from '../../../core/operators';
import { parse } from '../../../core/parse/parse';

type Loose = Record<string, unknown>;

export const tree = (source: string): unknown => stripSpans(parse(source));

export const field = (...path: string[]): Loose => ({ type: 'field', path });
export const str = (value: string): Loose => ({ type: 'string', value });
export const num = (value: number): Loose => ({ type: 'number', value });
export const bool = (value: boolean): Loose => ({ type: 'boolean', value });
export const dur = (amount: number, unit: DurationUnit): Loose => ({ type: 'duration', amount, unit });
export const ago = (amount: number, unit: DurationUnit): Loose => ({ type: 'ago', duration: dur(amount, unit) });
export const list = (...items: Loose[]): Loose => ({ type: 'list', items });
export const range = (low: Loose, high: Loose): Loose => ({ type: 'range', low, high });

export const pred = (subject: string | Loose, op: OperatorId, operand: Loose | null = null): Loose => ({
  type: 'predicate',
  subject: typeof subject === 'string' ? field(...subject.split('.')) : subject,
  op,
  operand,
});
export const and = (...items: Loose[]): Loose => ({ type: 'and', items });
export const group = (expr: Loose): Loose => ({ type: 'group', expr });
export const draft = (subject: string | Loose | null, op: OperatorId | null = null, operand: Loose | null = null): Loose => ({
  type: 'draft',
  subject: typeof subject === 'string' ? field(...subject.split('.')) : subject,
  op,
  operand,
});
export const or = (...items: Loose[]): Loose => ({ type: 'or', items });
export const not = (operand: Loose): Loose => ({ type: 'not', operand });
export const segment = (name: string): Loose => ({ type: 'segment', name });

/** The SegmentError `parse(source)` throws (fails the test when it parses or throws something else). */
export function parseError(source: string): SegmentError {
  try {
    parse(source);
  } catch (e) {
    if (e instanceof SegmentError) return e;
    throw new Error(`expected a SegmentError, got ${String(e)}`);
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

/** The source text a span covers. */
export function textOf(source: string, node: { span?: { start: number; end: number } }): string {
  if (node.span === undefined) throw new Error('the node has no span');
  return source.slice(node.span.start, node.span.end);
}

export type { Expr };
