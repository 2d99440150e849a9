/**
 * The browser-safe core entry: parse, validate, print, describe, compile and evaluate segments.
 * No Node built-ins and no SQL here (see `server.ts` for the SQL compiler), and no schema inference
 * (`infer-schema.ts`, the `./schema` entry, for hosts that read data).
 */
export type * from './ast';
export { nodeAt, stripSpans } from './ast';
export { nodes, type OperandInput, type Plain, type SubjectInput } from './factories';
export { normalize } from './normalize';
export { OPERATORS, OPERATOR_LIST, operatorsFor, positiveForm, type FieldKind, type OperandKind, type OperatorDef, type OperatorId } from './operators';
export { UNITS, formatDuration, type DurationUnit } from './durations';
export { AGGREGATES, type AggregateDef } from './aggregates';
export { en, localeStrings, operatorWords, registerLocale, type AggregateWords, type LocaleInput, type OperatorWords, type OperatorWordsOptions, type Strings } from './strings';
export { eventListing, fieldListing, operandSpec, type EventEntry, type FieldEntry, type FieldGroup, type OperandSpec, type ValueEditor, type ValueType } from './metadata';
export {
  SegmentError,
  SegmentErrors,
  formatDiagnostic,
  isSegmentError,
  positionAt,
  type Diagnostic,
  type DiagnosticJSON,
  type ErrorCode,
  type ErrorInit,
  type FormatOptions,
  type NodePath,
  type Position,
  type Severity,
} from './errors';
export { createClock, parseIsoDate, type Clock, type ClockOptions } from './time';
export { kindOf, setOwn, type EventSchema, type FieldSchema, type FieldType, type Schema } from './schema';
export { MAX_SEGMENT_REFERENCES, isManual, segmentSource, type SegmentDefinition, type DynamicSegmentDefinition, type ManualSegmentDefinition, type ResolvedSegments } from './segments';
export { parse, type ParseOptions } from './parse/parse';
export type { ParseResult } from './parse/recover';
export { print, type PrintOptions } from './print';
export { resolveSegments } from './resolve-segments';
export { describe } from './describe';
export { compilePredicate, type Profile, type CompileContext, type EvaluatorOption } from './evaluate/compile';
export { check, compileSegment, format, explain, validate, type CheckResult, type CompiledSegment, type EngineOptions, type TreeValidateOptions } from './engine';
