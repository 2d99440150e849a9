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
} from '../core/index';
import type { BuilderDiagnostic } from './events';

export { OPERATORS, UNITS, nodes, print, kindOf, createClock };
export type { DurationUnit, Expr, FieldSchema, Literal, OperatorDef, OperatorId, PredicateExpr, Schema, SegmentDefinition };

export interface Analysis {
  text: string;
  /** The parsed tree, undefined when the text is empty or does not parse. */
  expr: Expr | undefined;
  diagnostics: BuilderDiagnostic[];
  valid: boolean;
}

/** Parses and validates `text` (against the schema when there is one) and resolves its segments. */
export function analyze(text: string, schema: Schema | undefined, segments: readonly SegmentDefinition[]): Analysis {
  if (text.trim() === '') return { text, expr: undefined, diagnostics: [], valid: false };
  const result = check(text, { schema, segments });
  const diagnostics = result.errors.map((e): BuilderDiagnostic => ({
    code: e.code,
    severity: 'error',
    summary: e.summary,
    hint: e.hint,
    span: e.span,
    message: e.message,
  }));
  return { text, expr: result.expr, diagnostics, valid: result.expr !== undefined && diagnostics.length === 0 };
}

/** One plain-language sentence for a tree. */
export function sentence(expr: Expr, schema: Schema | undefined): string {
  return describe(expr, { schema });
}

/** The operators that fit a field's schema type, in the table's order. */
export function operatorsForField(field: FieldSchema | undefined): OperatorDef[] {
  return field ? operatorsFor(kindOf(field)) : Object.values(OPERATORS);
}

/** The span of a node built by the parser (trees built here have none). */
export function spanOf(node: unknown): Span | undefined {
  return (node as { span?: Span }).span;
}

/** A field of the schema, listed for the field picker. */
export interface FieldChoice {
  path: string;
  label: string;
  category: string;
  field: FieldSchema;
}

/** The schema's fields for the picker, grouped by category (the part before the first dot). */
export function fieldChoices(schema: Schema | undefined): FieldChoice[] {
  if (!schema) return [];
  return Object.entries(schema.fields).map(([path, field]) => {
    const dot = path.indexOf('.');
    return { path, label: field.label ?? path, category: dot > 0 ? path.slice(0, dot) : '', field };
  });
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

/** The value editor for a field type and an operator. */
export function valueEditor(field: FieldSchema | undefined, op: OperatorId): ValueEditor {
  const operand = OPERATORS[op].operand;
  if (operand === 'none') return { kind: 'none', range: false, multiple: false, item: 'none' };
  if (operand === 'duration') return { kind: 'duration', range: false, multiple: false, item: 'duration' };
  const type = field?.type;
  const item: EditorKind =
    type === 'list' ? (field?.items === 'number' ? 'number' : 'text') : type === 'enum' ? 'enum' : type === 'number' || type === 'boolean' || type === 'date' ? type : 'text';
  const options = type === 'enum' ? (field?.values ?? []) : undefined;
  if (operand === 'list') return { kind: 'list', range: false, multiple: true, item, options };
  if (operand === 'range') return { kind: item, range: true, multiple: false, item, options };
  return { kind: item, range: false, multiple: false, item, options };
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
