/**
 * The graph of `in_segment` references: the one walker that finds the references in a tree, and the
 * one depth-first walk that finds cycles. Resolution (`resolve-segments.ts`) reports through it;
 * the compilers check segments handed to them directly (`checkSegmentGraph`) through it too.
 */
import { assertNever, type Expr, type SegmentRefExpr } from './ast';
import { SegmentError, type NodePath } from './errors';
import { segmentKey, type ResolvedSegments } from './segments';

/** An `in_segment` node and where it is in its tree. */
export interface RefAt {
  ref: SegmentRefExpr;
  path: NodePath;
}

/** Every `in_segment` reference in a tree (including inside `.where()`), in source order. */
export function segmentRefs(root: Expr): SegmentRefExpr[] {
  return segmentRefPaths(root).map((r) => r.ref);
}

type PathLink = { parent: PathLink; key: string | number } | null;

/**
 * Every `in_segment` reference in a tree with its path, in source order. Iterative, with paths as
 * linked lists while walking, so long chains and deep nesting stay linear.
 */
export function segmentRefPaths(root: Expr): RefAt[] {
  const found: [SegmentRefExpr, PathLink][] = [];
  const stack: [Expr, PathLink][] = [[root, null]];
  const at = (parent: PathLink, ...keys: (string | number)[]): PathLink => keys.reduce<PathLink>((p, key) => ({ parent: p, key }), parent);
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [Expr, PathLink];
    switch (node.type) {
      case 'and':
      case 'or':
        for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i], at(path, 'items', i)]);
        break;
      case 'not':
        stack.push([node.operand, at(path, 'operand')]);
        break;
      case 'group':
        stack.push([node.expr, at(path, 'expr')]);
        break;
      case 'segment':
        found.push([node, path]);
        break;
      case 'predicate':
      case 'draft':
        if (node.subject?.type === 'aggregate' && node.subject.where) stack.push([node.subject.where, at(path, 'subject', 'where')]);
        break;
      case 'raw':
        break;
      default:
        assertNever(node);
    }
  }
  return found.map(([ref, link]) => {
    const path: (string | number)[] = [];
    for (let l = link; l !== null; l = l.parent) path.push(l.key);
    return { ref, path: path.reverse() };
  });
}

export interface GraphWalk<N> {
  /** A node's references, in source order. */
  refs(node: N): readonly RefAt[];
  /** The node a reference leads to; undefined for a name that is not defined (skipped). */
  target(ref: SegmentRefExpr): N | undefined;
  /** A reference from `node` that closes a cycle: `cycle` runs from its target to `node`. */
  cycle?(node: N, ref: RefAt, cycle: readonly N[]): void;
  /** After every reference of `node` is walked: the nodes it reaches without closing a cycle. */
  done?(node: N, children: readonly N[]): void;
}

/**
 * Depth-first over references from each root, each node walked once: a reference to a node on the
 * current path closes a cycle. Iterative, so however long a chain of references, no stack overflow.
 */
export function walkSegmentGraph<N>(roots: readonly N[], walk: GraphWalk<N>): void {
  const state = new Map<N, 'visiting' | 'done'>();
  interface Frame {
    node: N;
    refs: readonly RefAt[];
    next: number;
    children: N[];
  }
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: Frame[] = [{ node: root, refs: walk.refs(root), next: 0, children: [] }];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.next === frame.refs.length) {
        stack.pop();
        state.set(frame.node, 'done');
        walk.done?.(frame.node, frame.children);
        continue;
      }
      const at = frame.refs[frame.next++];
      const child = walk.target(at.ref);
      if (child === undefined) continue;
      const seen = state.get(child);
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.node === child);
        walk.cycle?.(frame.node, at, stack.slice(from).map((f) => f.node));
        continue;
      }
      frame.children.push(child);
      if (seen === undefined) {
        state.set(child, 'visiting');
        stack.push({ node: child, refs: walk.refs(child), next: 0, children: [] });
      }
    }
  }
}

/**
 * For segments handed to a compiler directly (not through `resolveSegments`): every segment the
 * expression reaches exists and none reaches itself (it would recurse forever). Throws a `SegmentError`.
 */
export function checkSegmentGraph(expr: Expr, segments: ResolvedSegments): void {
  const ROOT = Symbol('expression');
  walkSegmentGraph<string | symbol>([ROOT], {
    refs(key) {
      if (key === ROOT) return segmentRefPaths(expr);
      const segment = segments.get(key as string);
      return segment?.kind === 'dynamic' ? segmentRefPaths(segment.expr) : [];
    },
    target(ref) {
      const key = segmentKey(ref.name);
      if (!segments.has(key)) {
        throw new SegmentError({ code: 'unknown-segment', span: ref.span, summary: `unknown segment ${JSON.stringify(ref.name)}`, hint: 'define the segment, or check its name' });
      }
      return key;
    },
    cycle(_, { ref }) {
      throw new SegmentError({ code: 'segment-cycle', span: ref.span, summary: `segment ${JSON.stringify(ref.name)} refers to itself`, hint: 'remove one of the in_segment references that form the loop' });
    },
  });
}
