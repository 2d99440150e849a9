/**
 * The builder's events. It fires the native `input` (while the user edits) and `change` (when an
 * edit is committed) event types, as the form controls it stands beside do, and never because the
 * host set a property. Both carry the state after the edit in `detail`; they bubble and cross the
 * shadow boundary like the native ones.
 */
import type { Expr } from '../core/index';

/** A problem in the expression, as data (`span` into `expression`, 0-based, end exclusive). */
export interface BuilderDiagnostic {
  code: string;
  severity: 'error' | 'warning';
  summary: string;
  hint: string | undefined;
  span: { start: number; end: number } | undefined;
  /** The caret text the core formats (line:column, the line, a caret, the hint). */
  message: string;
}

export interface SegmentEditDetail {
  /** The expression text after the edit. */
  expression: string;
  /** The tree the core parsed from it (partial while the text has syntax errors; undefined when empty). */
  ast: Expr | undefined;
  /** Whether the expression parsed and validated without errors. */
  valid: boolean;
  diagnostics: readonly BuilderDiagnostic[];
}

/** `input`: fired on every edit the user makes, in either view. */
export class SegmentInputEvent extends CustomEvent<SegmentEditDetail> {
  constructor(detail: SegmentEditDetail) {
    super('input', { detail, bubbles: true, composed: true });
  }
}

/** `change`: fired when the user commits an edit (a choice made, a field left, a row moved). */
export class SegmentChangeEvent extends CustomEvent<SegmentEditDetail> {
  constructor(detail: SegmentEditDetail) {
    super('change', { detail, bubbles: true, composed: true });
  }
}

/** The events of `<segment-builder>`, for `addEventListener` typing. */
export interface SegmentBuilderEventMap extends HTMLElementEventMap {
  input: SegmentInputEvent;
  change: SegmentChangeEvent;
}
