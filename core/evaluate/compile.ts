/**
 * Compile phase: a segment tree → a predicate over profiles, as specialised generated JavaScript
 * built once with `new Function` (compile once, evaluate many times; no tree walk per profile).
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
import { checkSegmentGraph } from '../segment-graph';
import { CodeGenerator } from './codegen';
import type { CompileContext, Profile } from './context';

export type { CompileContext, Profile } from './context';

/** Compiles `expr` to a predicate. Throws a `SegmentError` for an unknown or cyclic segment reference. */
export function compilePredicate(expr: Expr, context: CompileContext): (profile: Profile) => boolean {
  checkSegmentGraph(expr, context.segments);
  return new CodeGenerator(context).build(expr, { params: 'p', base: 'p', fields: context.schema.fields });
}
