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
import type { Expr, SegmentRefExpr, Span } from './ast';
import { didYouMean, quietly, toErrors, type Diagnostic, type ErrorCode, type NodePath, SegmentError } from './errors';
import type { Schema } from './schema';
import { isManual, MAX_SEGMENT_REFERENCES, segmentKey, type ResolvedSegment, type ResolvedSegments, type SegmentDefinition } from './segments';
import { segmentRefPaths, walkSegmentGraph, type RefAt } from './segment-graph';
import { validateTree } from './validate';

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
  /**
   * Every problem as data: those about the expression itself (at its `in_segment` nodes, with their
   * `path`), and those inside the segments it reaches (with `origin` set to `segment "Name"`; their
   * spans and paths are in that segment's text).
   */
  diagnostics: Diagnostic[];
  /** The same problems as errors, each with its own text and origin for the caret excerpt. */
  errors: SegmentError[];
}

/** A diagnostic with the text it points into. */
interface Found {
  d: Diagnostic;
  source: string | undefined;
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
  /** The `in_segment` references in its expression, in source order, with their paths. */
  refs: RefAt[];
  /** The first problem in its own text (parse, validation, unknown reference or cycle). */
  problem: Problem | undefined;
  /** Its own problem or the first one among the segments it reaches (after the walk). */
  reachProblem: Problem | undefined;
}

export function resolveSegments(expr: Expr, options: ResolveOptions): ResolveResult {
  const found: Found[] = [];
  const byKey = new Map<string, SegmentDefinition>();
  for (const def of options.definitions) {
    const key = segmentKey(def.name);
    if (!byKey.has(key)) byKey.set(key, def);
  }
  const names = [...byKey.values()].map((d) => d.name);
  // Problems found in other segments' texts that are in the very same text as the expression (the
  // catalogue checks a segment that references itself), by code and span: reported once.
  const twins = new Set<string>();
  const mainError = (code: ErrorCode, span: Span | undefined, path: NodePath, summary: string, hint?: string) => {
    if (span !== undefined && twins.has(`${code} ${span.start} ${span.end}`)) return;
    found.push({ d: make(code, span, path, summary, hint), source: options.source });
  };

  // 1. Discover every reachable segment, in first-reference order.
  const nodes = new Map<string, Node>();
  const mainRefs = segmentRefPaths(expr);
  const queue: string[] = [];
  const enqueue = (name: string) => {
    const key = segmentKey(name);
    const def = byKey.get(key);
    if (def === undefined || nodes.has(key)) return;
    nodes.set(key, load(def, options.parse, found));
    queue.push(key);
  };
  for (const { ref } of mainRefs) enqueue(ref.name);
  for (let i = 0; i < queue.length; i++) {
    const node = nodes.get(queue[i]) as Node;
    for (const { ref, path } of node.refs) {
      if (byKey.has(segmentKey(ref.name))) enqueue(ref.name);
      else {
        const problem = unknownProblem(ref.name, names);
        found.push({ d: make(problem.code, ref.span, path, problem.summary, problem.hint, node.origin), source: sourceOf(node.def) });
        node.problem ??= { ...problem, owner: node, summary: `segment ${JSON.stringify(node.def.name)} references an unknown segment ${JSON.stringify(ref.name)}` };
      }
    }
  }

  // 2. The limit on distinct segments, reached directly or through others. Over it, the referenced
  // segments are not validated: the fix is to reference fewer, and their errors would be noise.
  if (options.schema && nodes.size <= MAX_SEGMENT_REFERENCES) {
    for (const node of nodes.values()) check(node, options.schema, found);
  }
  if (nodes.size > MAX_SEGMENT_REFERENCES) {
    const listed = [...nodes.values()].map((n) => JSON.stringify(n.def.name));
    mainError(
      'too-many-segments',
      spanOfAll(mainRefs.map((r) => r.ref)),
      [],
      `this expression uses ${nodes.size} segments, directly or through other segments; at most ${MAX_SEGMENT_REFERENCES} are allowed`,
      `it uses ${listed.join(', ')}`,
    );
  }

  // 3. Cycles and problems carried up to the references in the main expression.
  walkSegmentGraph(
    queue.map((key) => nodes.get(key) as Node),
    {
      refs: (node) => node.refs,
      target: (ref) => nodes.get(segmentKey(ref.name)),
      cycle(node, { ref, path: at }, cycle) {
        const names = [...cycle.map((n) => n.def.name), cycle[0].def.name];
        const problem: Problem = {
          code: 'segment-cycle',
          summary: cycle.length === 1 ? `segment ${JSON.stringify(node.def.name)} references itself: ${names.join(' → ')}` : `segments reference each other in a cycle: ${names.join(' → ')}`,
          hint: 'remove one of these references to break the cycle',
        };
        found.push({ d: make(problem.code, ref.span, at, problem.summary, problem.hint, node.origin), source: sourceOf(node.def) });
        node.problem ??= { ...problem, owner: node };
      },
      done(node, children) {
        node.reachProblem = node.problem ?? children.find((c) => c.reachProblem !== undefined)?.reachProblem;
      },
    },
  );
  for (const f of found) if (f.source === options.source && f.d.origin !== undefined && f.d.span !== undefined) twins.add(`${f.d.code} ${f.d.span.start} ${f.d.span.end}`);
  for (const { ref, path } of mainRefs) {
    const key = segmentKey(ref.name);
    const node = nodes.get(key);
    if (node === undefined) {
      const problem = unknownProblem(ref.name, names);
      mainError(problem.code, ref.span, path, problem.summary, problem.hint);
    } else if (node.reachProblem) {
      const p = node.reachProblem;
      mainError(p.code, ref.span, path, p.owner === node ? p.summary : `segment ${JSON.stringify(node.def.name)} cannot be used: ${p.summary}`, p.hint);
    }
  }

  const segments = new Map<string, ResolvedSegment>();
  for (const [key, node] of nodes) if (node.resolved) segments.set(key, node.resolved);
  const errors = quietly(() => found.map((f) => toErrors([f.d], { source: f.source, origin: options.origin })[0]));
  return { segments, diagnostics: found.map((f) => f.d), errors };
}

function make(code: ErrorCode, span: Span | undefined, path: NodePath, summary: string, hint?: string, origin?: string): Diagnostic {
  const d: Diagnostic = { code, severity: 'error', summary, path };
  if (hint !== undefined) d.hint = hint;
  if (span !== undefined) d.span = span;
  if (origin !== undefined) d.origin = origin;
  return d;
}

/**
 * The member set of a segment whose members stay in the database (`ManualSegmentDefinition.stored`):
 * asking it whether it holds an id is an error saying so (the SQL compiler reads the table instead).
 */
function storedMembers(name: string): ReadonlySet<string> {
  const set = new Set<string>();
  set.has = () => {
    throw new SegmentError({
      code: 'invalid-option',
      span: { start: 0, end: 0 },
      summary: `the members of segment ${JSON.stringify(name)} are kept in the catalogue database, not loaded`,
      hint: 'count or export it in the database that holds the catalogue, or read its members first (`members list`)',
    });
  };
  return set;
}

/** Parses one definition; its own errors go to `found` with its origin. */
function load(def: SegmentDefinition, parse: (source: string) => Expr, found: Found[]): Node {
  const origin = `segment ${JSON.stringify(def.name)}`;
  const node: Node = { def, origin, resolved: undefined, refs: [], problem: undefined, reachProblem: undefined };
  if (isManual(def)) {
    node.resolved = def.stored ? { kind: 'manual', name: def.name, members: storedMembers(def.name), stored: true } : { kind: 'manual', name: def.name, members: new Set(def.members.map(String)) };
    return node;
  }
  const source = (def as { expression?: unknown }).expression;
  if (typeof source !== 'string') {
    const problem: Problem = { code: 'invalid-data', summary: `segment ${JSON.stringify(def.name)} has neither an expression nor a list of members` };
    found.push({ d: make(problem.code, undefined, [], problem.summary, undefined, origin), source: undefined });
    node.problem = { ...problem, owner: node };
    return node;
  }
  let expr: Expr;
  try {
    expr = parse(source);
  } catch (e) {
    const error = e as SegmentError;
    if (!(e instanceof Error) || typeof error.diagnostic !== 'object') throw e;
    found.push({ d: { ...error.diagnostic, origin }, source });
    node.problem = { code: error.code, summary: `segment ${JSON.stringify(def.name)} does not parse: ${error.summary}`, hint: error.hint, owner: node };
    return node;
  }
  node.refs = segmentRefPaths(expr);
  node.resolved = { kind: 'dynamic', name: def.name, expr, source };
  return node;
}

/** Validates a parsed dynamic segment against the schema, in its own text. */
function check(node: Node, schema: Schema, found: Found[]): void {
  if (node.resolved?.kind !== 'dynamic') return;
  const { expr, source, name } = node.resolved;
  const problems = validateTree(expr, { schema });
  for (const d of problems) found.push({ d: { ...d, origin: node.origin }, source });
  if (problems.length === 0) return;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more ${problems.length > 2 ? 'problems' : 'problem'})` : '';
  node.problem ??= { code: first.code, summary: `segment ${JSON.stringify(name)} is invalid: ${first.summary}${more}`, hint: first.hint, owner: node };
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

function spanOfAll(refs: readonly SegmentRefExpr[]): Span | undefined {
  const first = refs[0]?.span;
  const last = refs[refs.length - 1]?.span;
  if (first === undefined || last === undefined) return undefined;
  return { start: first.start, end: last.end };
}
