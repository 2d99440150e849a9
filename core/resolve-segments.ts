/**
 * Segment resolution: every `in_segment("Name")` an expression reaches, directly or through other
 * segments, parsed (and validated when a schema is given) once each.
 *
 * Three passes over the definitions the expression reaches: discover them (parsing each dynamic
 * one once), enforce the limit of `MAX_SEGMENT_REFERENCES` distinct segments (validating them when
 * within it), then a depth-first walk that finds cycles and carries each segment's first problem
 * up to the references in the main expression. Problems inside a referenced segment are reported in that segment's own text (origin
 * `segment "Name"`), and once more at the reference in the main expression, so the editor shows
 * something where the user typed.
 */
import { assertNever, type Expr, type SegmentRefExpr, type Span } from './ast';
import { didYouMean, SegmentError, type ErrorCode } from './errors';
import type { Schema } from './schema';
import { isManual, MAX_SEGMENT_REFERENCES, segmentKey, type ResolvedSegment, type ResolvedSegments, type SegmentDefinition } from './segments';
import { validate } from './validate';

export interface ResolveOptions {
  source?: string;
  origin?: string;
  /** Saved segments; names are matched case-insensitively (the first definition of a name wins). */
  definitions: readonly SegmentDefinition[];
  /** When given, referenced dynamic segments are validated against it. */
  schema?: Schema;
  parse: (source: string) => Expr;
}

export interface ResolveResult {
  segments: ResolvedSegments;
  errors: SegmentError[];
}

interface Problem {
  code: ErrorCode;
  summary: string;
  hint?: string;
  /** The segment whose own text has the problem. */
  owner?: Node;
}

/** A reachable segment: its definition, parsed tree, references and own problem. */
interface Node {
  def: SegmentDefinition;
  origin: string;
  resolved: ResolvedSegment | undefined;
  /** The `in_segment` references in its expression, in source order. */
  refs: SegmentRefExpr[];
  /** The first problem in its own text (parse, validation, unknown reference or cycle). */
  problem: Problem | undefined;
  /** Its own problem or the first one among the segments it reaches (after the walk). */
  reachProblem: Problem | undefined;
  state: 'new' | 'visiting' | 'done';
}

export function resolveSegments(expr: Expr, options: ResolveOptions): ResolveResult {
  const errors: SegmentError[] = [];
  const byKey = new Map<string, SegmentDefinition>();
  for (const def of options.definitions) {
    const key = segmentKey(def.name);
    if (!byKey.has(key)) byKey.set(key, def);
  }
  const names = [...byKey.values()].map((d) => d.name);
  const mainError = (code: ErrorCode, span: Span, summary: string, hint?: string) =>
    errors.push(new SegmentError({ code, span, summary, hint, source: options.source, origin: options.origin }));

  // 1. Discover every reachable segment, in first-reference order.
  const nodes = new Map<string, Node>();
  const mainRefs = segmentRefs(expr);
  const queue: string[] = [];
  const enqueue = (name: string) => {
    const key = segmentKey(name);
    const def = byKey.get(key);
    if (def === undefined || nodes.has(key)) return;
    nodes.set(key, load(def, options.parse, errors));
    queue.push(key);
  };
  for (const ref of mainRefs) enqueue(ref.name);
  for (let i = 0; i < queue.length; i++) {
    const node = nodes.get(queue[i]) as Node;
    for (const ref of node.refs) {
      if (byKey.has(segmentKey(ref.name))) enqueue(ref.name);
      else {
        const problem = unknownProblem(ref.name, names);
        errors.push(new SegmentError({ ...problem, span: ref.span, source: sourceOf(node.def), origin: node.origin }));
        node.problem ??= { ...problem, owner: node, summary: `segment ${JSON.stringify(node.def.name)} references an unknown segment ${JSON.stringify(ref.name)}` };
      }
    }
  }

  // 2. The limit on distinct segments, reached directly or through others. Over it, the referenced
  // segments are not validated: the fix is to reference fewer, and their errors would be noise.
  if (options.schema && nodes.size <= MAX_SEGMENT_REFERENCES) {
    for (const node of nodes.values()) check(node, options.schema, errors);
  }
  if (nodes.size > MAX_SEGMENT_REFERENCES) {
    const listed = [...nodes.values()].map((n) => JSON.stringify(n.def.name));
    mainError(
      'too-many-segments',
      spanOfAll(mainRefs),
      `this expression uses ${nodes.size} segments, directly or through other segments; at most ${MAX_SEGMENT_REFERENCES} are allowed`,
      `it uses ${listed.join(', ')}`,
    );
  }

  // 3. Cycles and problems carried up to the references in the main expression.
  for (const key of queue) visit(nodes.get(key) as Node, [], nodes, errors);
  for (const ref of mainRefs) {
    const key = segmentKey(ref.name);
    const node = nodes.get(key);
    if (node === undefined) {
      const problem = unknownProblem(ref.name, names);
      mainError(problem.code, ref.span, problem.summary, problem.hint);
    } else if (node.reachProblem) {
      const p = node.reachProblem;
      mainError(p.code, ref.span, p.owner === node ? p.summary : `segment ${JSON.stringify(node.def.name)} cannot be used: ${p.summary}`, p.hint);
    }
  }

  const segments = new Map<string, ResolvedSegment>();
  for (const [key, node] of nodes) if (node.resolved) segments.set(key, node.resolved);
  return { segments, errors };
}

/** Parses one definition; its own errors go to `errors` with its origin. */
function load(def: SegmentDefinition, parse: (source: string) => Expr, errors: SegmentError[]): Node {
  const origin = `segment ${JSON.stringify(def.name)}`;
  const node: Node = { def, origin, resolved: undefined, refs: [], problem: undefined, reachProblem: undefined, state: 'new' };
  if (isManual(def)) {
    node.resolved = { kind: 'manual', name: def.name, members: new Set(def.members.map(String)) };
    return node;
  }
  const source = (def as { expression?: unknown }).expression;
  if (typeof source !== 'string') {
    const problem: Problem = { code: 'invalid-data', summary: `segment ${JSON.stringify(def.name)} has neither an expression nor a list of members` };
    errors.push(new SegmentError({ ...problem, span: { start: 0, end: 0 }, origin }));
    node.problem = { ...problem, owner: node };
    return node;
  }
  let expr: Expr;
  try {
    expr = parse(source);
  } catch (e) {
    if (!(e instanceof SegmentError)) throw e;
    errors.push(new SegmentError({ code: e.code, span: e.span, summary: e.summary, hint: e.hint, source, origin }));
    node.problem = { code: e.code, summary: `segment ${JSON.stringify(def.name)} does not parse: ${e.summary}`, hint: e.hint, owner: node };
    return node;
  }
  node.refs = segmentRefs(expr);
  node.resolved = { kind: 'dynamic', name: def.name, expr, source };
  return node;
}

/** Validates a parsed dynamic segment against the schema, in its own text. */
function check(node: Node, schema: Schema, errors: SegmentError[]): void {
  if (node.resolved?.kind !== 'dynamic') return;
  const { expr, source, name } = node.resolved;
  const found = validate(expr, { schema, source, origin: node.origin });
  errors.push(...found);
  if (found.length === 0) return;
  const first = found[0];
  const more = found.length > 1 ? ` (and ${found.length - 1} more ${found.length > 2 ? 'problems' : 'problem'})` : '';
  node.problem ??= { code: first.code, summary: `segment ${JSON.stringify(name)} is invalid: ${first.summary}${more}`, hint: first.hint, owner: node };
}

/**
 * Depth-first over references: a reference to a segment on the current path closes a cycle. The
 * depth is bounded by the number of reachable segments, which the limit keeps small.
 */
function visit(node: Node, path: Node[], nodes: Map<string, Node>, errors: SegmentError[]): void {
  if (node.state !== 'new') return;
  node.state = 'visiting';
  path.push(node);
  let childProblem: Problem | undefined;
  for (const ref of node.refs) {
    const child = nodes.get(segmentKey(ref.name));
    if (child === undefined) continue;
    if (child.state === 'visiting') {
      const cycle = path.slice(path.indexOf(child)).map((n) => n.def.name);
      cycle.push(child.def.name);
      const problem: Problem = {
        code: 'segment-cycle',
        summary: child === node ? `segment ${JSON.stringify(node.def.name)} references itself: ${cycle.join(' → ')}` : `segments reference each other in a cycle: ${cycle.join(' → ')}`,
        hint: 'remove one of these references to break the cycle',
      };
      errors.push(new SegmentError({ ...problem, span: ref.span, source: sourceOf(node.def), origin: node.origin }));
      node.problem ??= { ...problem, owner: node };
      continue;
    }
    visit(child, path, nodes, errors);
    childProblem ??= child.reachProblem;
  }
  path.pop();
  node.state = 'done';
  node.reachProblem = node.problem ?? childProblem;
}

function unknownProblem(name: string, names: readonly string[]): Problem {
  return {
    code: 'unknown-segment',
    summary: `unknown segment ${JSON.stringify(name)}`,
    hint: didYouMean(name, names, (s) => JSON.stringify(s)),
  };
}

function sourceOf(def: SegmentDefinition): string | undefined {
  return isManual(def) ? undefined : def.expression;
}

function spanOfAll(refs: readonly SegmentRefExpr[]): Span {
  if (refs.length === 0) return { start: 0, end: 0 };
  return { start: refs[0].span.start, end: refs[refs.length - 1].span.end };
}

/** Every `in_segment` reference in a tree (including inside `.where()`), in source order. */
export function segmentRefs(root: Expr): SegmentRefExpr[] {
  const refs: SegmentRefExpr[] = [];
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Expr;
    switch (node.type) {
      case 'and':
      case 'or':
        for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
        break;
      case 'not':
        stack.push(node.operand);
        break;
      case 'segment':
        refs.push(node);
        break;
      case 'predicate':
        if (node.subject.type === 'aggregate' && node.subject.where) stack.push(node.subject.where);
        break;
      default:
        assertNever(node);
    }
  }
  return refs;
}
