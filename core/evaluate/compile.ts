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
import { SegmentError } from '../errors';
import type { Schema } from '../schema';
import { segmentKey, type ResolvedSegments } from '../segments';
import type { Clock } from '../time';
import { segmentRefs } from '../resolve-segments';
import { CodeGenerator } from './codegen';

export type Profile = Record<string, unknown>;

export interface CompileContext {
  schema: Schema;
  idField: string;
  segments: ResolvedSegments;
  clock: Clock;
}

/** Compiles `expr` to a predicate. Throws a `SegmentError` for an unknown or cyclic segment reference. */
export function compilePredicate(expr: Expr, context: CompileContext): (profile: Profile) => boolean {
  checkSegmentGraph(expr, context.segments);
  return new CodeGenerator(context).build(expr, { params: 'p', base: 'p', fields: context.schema.fields });
}

/** Every reachable segment exists and none reaches itself (a cycle would recurse forever). */
function checkSegmentGraph(expr: Expr, segments: ResolvedSegments): void {
  const done = new Set<string>();
  const visit = (root: Expr, path: string[]): void => {
    for (const ref of segmentRefs(root)) {
      const key = segmentKey(ref.name);
      const segment = segments.get(key);
      if (segment === undefined) {
        throw new SegmentError({ code: 'unknown-segment', span: ref.span, summary: `unknown segment "${ref.name}"`, hint: 'define the segment, or check its name' });
      }
      if (path.includes(key)) {
        throw new SegmentError({ code: 'segment-cycle', span: ref.span, summary: `segment "${ref.name}" refers to itself`, hint: 'remove one of the in_segment references that form the loop' });
      }
      if (done.has(key) || segment.kind === 'manual') continue;
      visit(segment.expr, [...path, key]);
      done.add(key);
    }
  };
  visit(expr, []);
}
