/**
 * Compile phase: a segment tree → a predicate over profiles, built once and evaluated many times
 * (no tree walk per profile), by one of two evaluators with the same semantics:
 * - `generated` (`codegen.ts`): specialised JavaScript built with `new Function`, the fastest;
 * - `closures` (`closures.ts`): the same predicate as nested closures, for where code generation
 *   from strings is refused (a Content-Security-Policy without `unsafe-eval`, `node
 *   --disallow-code-generation-from-strings`).
 * `auto` (the default) uses `generated` when this process or page allows code generation (tried
 * once, then remembered) and `closures` otherwise.
 *
 * Semantics (docs/LANGUAGE.md): two-valued logic; a value is unknown when its key is absent or
 * null; positive forms are false on unknown and wrong-type values (no coercion), negative forms are
 * their exact complements. Text compares ignoring case (Unicode lower-casing). Dates are ISO-8601
 * strings or `Date` objects compared as instants; every window is computed here, once, from
 * `context.clock`. A field's kind comes from the schema, or from the literal when the field is not
 * in it.
 *
 * Field paths follow the one rule of `readField` (schema.ts): `attributes.tier` reads
 * `profile.attributes.tier`; when the profile has no `attributes` key at all, the flat key
 * `profile["attributes.tier"]` is read instead. Event property paths (`where`, `sum("a.b")`) read the same way.
 */
import type { Expr } from '../ast';
import { SegmentError } from '../errors';
import { checkSegmentGraph } from '../segment-graph';
import { closurePredicate } from './closures';
import { CodeGenerator } from './codegen';
import type { CompileContext, EvaluatorOption, Profile } from './context';

export type { CompileContext, EvaluatorOption, Profile } from './context';

/** Compiles `expr` to a predicate. Throws a `SegmentError` for an unknown or cyclic segment reference. */
export function compilePredicate(expr: Expr, context: CompileContext): (profile: Profile) => boolean {
  checkSegmentGraph(expr, context.segments);
  if (resolveEvaluator(context.evaluator) === 'closures') return closurePredicate(expr, context);
  try {
    return new CodeGenerator(context).build(expr, { params: 'p', base: 'p', fields: context.schema.fields });
  } catch (e) {
    if (e instanceof EvalError) throw codeGenerationRefused();
    throw e;
  }
}

/** The evaluator `choice` stands for here: `auto` becomes `generated` or `closures`. */
export function resolveEvaluator(choice: EvaluatorOption = 'auto'): 'generated' | 'closures' {
  if (choice === 'auto') return codeGenerationAllowed() ? 'generated' : 'closures';
  if (choice !== 'generated' && choice !== 'closures') {
    throw new SegmentError({ code: 'invalid-option', summary: `unknown evaluator ${JSON.stringify(choice)}`, hint: 'use "auto", "generated" or "closures"' });
  }
  return choice;
}

let allowed: boolean | undefined;

/**
 * Whether this process or page may build functions from strings: tried once with a trivial
 * `new Function`, then remembered. (Under a CSP without `unsafe-eval` the browser reports that one
 * refused try as a violation; a host that knows its policy passes `evaluator: 'closures'`.)
 */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = (new Function('return true') as () => boolean)() === true;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

function codeGenerationRefused(): SegmentError {
  return new SegmentError({
    code: 'code-generation-refused',
    summary: 'this environment refuses code generation from strings, which the "generated" evaluator needs',
    hint: 'use the evaluator "closures" (or "auto", which picks it when code generation is refused)',
  });
}
