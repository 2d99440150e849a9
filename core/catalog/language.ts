/**
 * The catalogue's use of the language: validating an expression against the saved segments (through
 * the engine's `check`, which owns references, cycles and the 10-segment limit), finding its
 * `in_segment(…)` references with their spans, and printing them back by current names.
 */
import { assertNever, type Expr, type SegmentRefExpr, type Span, type Subject } from '../ast';
import { check } from '../engine';
import type { SegmentError } from '../errors';
import type { Schema } from '../schema';
import type { SegmentDefinition } from '../segments';

/** An `in_segment(…)` node of a parsed text: it always has its span. */
export type SpannedRef = SegmentRefExpr & { span: Span };

export interface Analysis {
  errors: SegmentError[];
  /** The `in_segment(…)` nodes, in source order. */
  references: SpannedRef[];
}

export function analyse(source: string, options: { definitions: readonly SegmentDefinition[]; schema?: Schema; origin: string }): Analysis {
  const result = check(source, { segments: options.definitions, schema: options.schema, origin: options.origin });
  const references: SpannedRef[] = [];
  if (result.expr) collect(result.expr, references);
  references.sort((a, b) => a.span.start - b.span.start);
  return { errors: result.errors, references };
}

function collect(expr: Expr, out: SpannedRef[]): void {
  switch (expr.type) {
    case 'and':
    case 'or':
      for (const item of expr.items) collect(item, out);
      return;
    case 'not':
      collect(expr.operand, out);
      return;
    case 'group':
      collect(expr.expr, out);
      return;
    case 'segment':
      if (expr.span) out.push(expr as SpannedRef);
      return;
    case 'predicate':
    case 'draft':
      if (expr.subject) collectSubject(expr.subject, out);
      return;
    case 'raw':
      return;
    default:
      assertNever(expr);
  }
}

function collectSubject(subject: Subject, out: SpannedRef[]): void {
  switch (subject.type) {
    case 'field':
      return;
    case 'aggregate':
      if (subject.where) collect(subject.where, out);
      return;
    default:
      assertNever(subject, 'subject');
  }
}
