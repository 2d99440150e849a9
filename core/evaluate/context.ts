/**
 * What both evaluators (generated code and closures) are compiled against, and the shapes the
 * generator's emitters share. Types only: every file of `evaluate/` may import it, it imports none
 * of them, so the phase has no import cycle.
 */
import type { Expr } from '../ast';
import type { FieldSchema, Schema } from '../schema';
import type { ResolvedSegments } from '../segments';
import type { Clock } from '../time';
import type { RuntimeName } from './runtime';

export type Profile = Record<string, unknown>;

/**
 * How a predicate is built: `generated` JavaScript (`new Function`, the fastest), `closures` (no code
 * generation: runs under a Content-Security-Policy without `unsafe-eval`), or `auto`: generated
 * where code generation is allowed (tried once per process or page), closures otherwise.
 */
export type EvaluatorOption = 'auto' | 'generated' | 'closures';

export interface CompileContext {
  schema: Schema;
  idField: string;
  segments: ResolvedSegments;
  clock: Clock;
  /** Default `auto`. */
  evaluator?: EvaluatorOption;
}

/** How a scope function reads its fields: the profile (`p`) or an event's properties (`q`). */
export interface ScopeTemplate {
  readonly params: 'p' | 'q, p';
  readonly base: 'p' | 'q';
  readonly fields: Readonly<Record<string, FieldSchema>>;
}

/** What the predicate emitters need from the code generator. */
export interface EmitContext {
  readonly clock: Clock;
  /** The name of a constant holding `value` in the generated code. */
  constant(value: unknown): string;
  /** The name of a runtime helper in the generated code. */
  runtime(name: RuntimeName): string;
}

/** What the aggregate emitter needs from the code generator. */
export interface GeneratorContext extends EmitContext {
  readonly context: CompileContext;
  /** A fresh generated name. */
  fresh(prefix: string): string;
  /** Adds a top-level declaration to the generated code. */
  declare(code: string): void;
  /** Queues a function returning `expr` in the scope `template`; returns its name. */
  scope(expr: Expr, template: ScopeTemplate): string;
  /** Code reading the field `key` from `base`. */
  read(base: string, key: string): string;
}
