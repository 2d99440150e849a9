/**
 * The builder's one door to the core: everything it knows about the language comes through here
 * from the core's browser entry (parsing, checking, printing, describing, the operator table).
 */
import {
  check,
  describe,
  nodes,
  OPERATORS,
  operatorsFor,
  print,
  kindOf,
  type Expr,
  type FieldSchema,
  type Literal,
  type OperatorDef,
  type OperatorId,
  type PredicateExpr,
  type Schema,
  type SegmentDefinition,
  type Span,
  type DurationUnit,
  UNITS,
  createClock,
  AGGREGATES,
  MAX_SEGMENT_REFERENCES,
  fieldListing,
  eventListing,
  localeStrings,
  operandSpec,
  operatorWords,
  parse,
  formatDiagnostic,
  type AggregateFn,
  type FieldType,
} from '../core/index';
import type { BuilderDiagnostic } from './events';

export { AGGREGATES, MAX_SEGMENT_REFERENCES, OPERATORS, UNITS, nodes, print, kindOf, createClock, eventListing, fieldListing, localeStrings };
export type { AggregateFn, DurationUnit, Expr, FieldSchema, Literal, OperatorDef, OperatorId, PredicateExpr, Schema, SegmentDefinition };

export interface Analysis {
  text: string;
  /** The parsed tree, undefined when the text is empty or does not parse. */
  expr: Expr | undefined;
  diagnostics: BuilderDiagnostic[];
  valid: boolean;
  /** The text does not parse and was not recovered yet: `expr` is undefined, `diagnostics` holds the first syntax error. */
  partial?: boolean;
  /** The schema and segments it was checked against. */
  schema?: Schema;
  segments?: readonly SegmentDefinition[];
}

/**
 * Parses and validates `text` (against the schema when there is one) and resolves its segments.
 * Text that does not parse still gives a tree: the core's recovery keeps what parses and holds the
 * rest as `raw` stretches and empty drafts, each with its syntax error. Recovery costs several
 * parses: with `recover: false` text that does not parse gives a `partial` analysis instead (no
 * tree, its first syntax error), for when only the validity is needed now.
 */
export function analyze(text: string, schema: Schema | undefined, segments: readonly SegmentDefinition[], recover = true): Analysis {
  if (text.trim() === '') return { text, expr: undefined, diagnostics: [], valid: false, schema, segments };
  const result = check(text, { schema, segments });
  if (result.expr !== undefined) {
    const diagnostics = result.errors.map((e): BuilderDiagnostic => ({
      code: e.code,
      severity: e.diagnostic.severity,
      summary: e.summary,
      hint: e.hint,
      span: e.span,
      message: e.message,
    }));
    return { text, expr: result.expr, diagnostics, valid: diagnostics.every((d) => d.severity !== 'error'), schema, segments };
  }
  if (!recover) {
    const diagnostics = result.errors.map((e): BuilderDiagnostic => ({ code: e.code, severity: 'error', summary: e.summary, hint: e.hint, span: e.span, message: e.message }));
    return { text, expr: undefined, diagnostics, valid: false, partial: true, schema, segments };
  }
  return recoverText(text, schema, segments);
}

/** The recovered tree and every syntax error of text that does not parse. */
export function recoverText(text: string, schema: Schema | undefined, segments: readonly SegmentDefinition[]): Analysis {
  const recovered = parse(text, { recover: true });
  const diagnostics = recovered.diagnostics.map((d): BuilderDiagnostic => ({
    code: d.code,
    severity: d.severity,
    summary: d.summary,
    hint: d.hint,
    span: d.span,
    message: formatDiagnostic(d, { source: text }),
  }));
  return { text, expr: recovered.expr, diagnostics, valid: false, schema, segments };
}

/** One plain-language sentence for a tree, in a locale (the core's words; English when it has none for it). */
export function sentence(expr: Expr, schema: Schema | undefined, locale: string): string {
  return describe(expr, { schema, locale });
}

/** The operators that fit a field's schema type, in the table's order. */
export function operatorsForField(field: FieldSchema | undefined): OperatorDef[] {
  return field ? operatorsFor(kindOf(field)) : Object.values(OPERATORS);
}

/** The span of a node built by the parser (trees built here have none). */
export function spanOf(node: unknown): Span | undefined {
  return (node as { span?: Span }).span;
}

/**
 * An operator in words, in the builder's locale: the core's short label where it is a word
 * ("is one of"), its reading where the label is a symbol ("is at least", not `≥`); and how the
 * expression spells it (`>=`), for the picker's second column.
 */
export function operatorText(op: OperatorId, field: FieldSchema | undefined, locale: string): { words: string; syntax: string } {
  const w = operatorWords(op, { locale, fieldType: field?.type });
  return { words: /^\p{L}/u.test(w.label) ? w.label : w.words, syntax: OPERATORS[op].print };
}

/** Which value editor a field and operator take. */
export type EditorKind = 'none' | 'text' | 'number' | 'boolean' | 'enum' | 'date' | 'duration' | 'list';

export interface ValueEditor {
  kind: EditorKind;
  /** Two values (`between`). */
  range: boolean;
  /** A list of values (`in`, `contains any`). */
  multiple: boolean;
  /** The type of one item (for lists and ranges). */
  item: EditorKind;
  options?: readonly string[];
}

const TYPES: readonly FieldType[] = ['text', 'number', 'date', 'boolean', 'list', 'enum'];

/** The value editor for a field and an operator: the core's `operandSpec`, in the shape the rows use. */
export function valueEditor(field: FieldSchema | undefined, op: OperatorId): ValueEditor {
  // A field the schema does not know: the first type the operator applies to.
  let spec = field ? operandSpec(field, op) : null;
  for (let k = 0; spec === null && k < TYPES.length; k++) spec = operandSpec(TYPES[k], op);
  if (spec === null || spec.item === null) return { kind: 'none', range: false, multiple: false, item: 'none' };
  const item: EditorKind = spec.item;
  const options = spec.options ?? (item === 'enum' ? [] : undefined);
  if (spec.editor === 'list') return { kind: 'list', range: false, multiple: true, item, options };
  return { kind: item, range: spec.editor === 'between', multiple: false, item, options };
}

/** A fresh literal of an editor kind, for a new condition or a changed operator. */
export function defaultLiteral(kind: EditorKind, options?: readonly string[]): Literal {
  switch (kind) {
    case 'number':
      return nodes.number(0);
    case 'boolean':
      return nodes.boolean(true);
    case 'date':
      return nodes.ago(30, 'day');
    case 'duration':
      return nodes.duration(30, 'day');
    case 'enum':
      return nodes.string(options?.[0] ?? '');
    default:
      return nodes.string('');
  }
}

/** The saved segments a tree names directly, without repeats (names match case-insensitively). */
export function segmentNames(expr: Expr | undefined): Set<string> {
  const names = new Set<string>();
  const stack: Expr[] = expr ? [expr] : [];
  while (stack.length > 0) {
    const node = stack.pop() as Expr;
    if (node.type === 'segment') names.add(node.name.toLowerCase());
    else if (node.type === 'and' || node.type === 'or') stack.push(...node.items);
    else if (node.type === 'not') stack.push(node.operand);
    else if (node.type === 'group') stack.push(node.expr);
  }
  return names;
}
