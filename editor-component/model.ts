/**
 * The visual view's model: the core's tree itself, addressed by paths, and the edits the builder
 * makes to it. Nothing here knows the language's syntax: every text comes from the core's `print`,
 * every tree from its `parse`.
 *
 * A path walks from the root through groups: a number is an index into an `and`/`or` group's items
 * (through any `not` in front of the group), `'where'` steps into a condition's event `.where(…)`.
 * The root is always shown as a group: a lone condition is a one-item `and` group.
 */
import type { AndExpr, Expr, NotExpr, OrExpr, PredicateExpr, Span } from '../core/index';

export type Step = number | 'where';
export type Path = readonly Step[];
export type Group = AndExpr | OrExpr;
export type Connective = Group['type'];

/** A node without its `not`s: the node and whether an odd number of `not`s stood before it. */
export function strip(node: Expr): { inner: Expr; negated: boolean } {
  let inner = node;
  let negated = false;
  // A `not` over a `not` is kept as a group of one (see `isGroupLike`); only one `not` is stripped.
  if (inner.type === 'not') {
    inner = inner.operand;
    negated = true;
  }
  return { inner, negated };
}

/** Whether a node is shown as a group (an and/or, or a `not not x` shown as a negated group of one). */
export function asGroup(node: Expr): Group | undefined {
  const { inner } = strip(node);
  if (inner.type === 'and' || inner.type === 'or') return inner;
  return undefined;
}

/** The root shown as a group: a lone condition (or nothing) becomes an `and` group. */
export function rootGroup(root: Expr | undefined): Expr {
  if (root === undefined) return { type: 'and', items: [] } as unknown as AndExpr;
  return asGroup(root) ? root : ({ type: 'and', items: [root] } as unknown as AndExpr);
}

/** The node at a path (undefined when the path does not exist). */
export function nodeAt(root: Expr, path: Path): Expr | undefined {
  let node: Expr | undefined = root;
  for (const step of path) {
    if (node === undefined) return undefined;
    if (step === 'where') {
      const { inner }: { inner: Expr } = strip(node);
      node = inner.type === 'predicate' && inner.subject.type === 'aggregate' ? (inner.subject.where ?? undefined) : undefined;
    } else {
      node = asGroup(node)?.items[step];
    }
  }
  return node;
}

/** Replaces the node at `path` (which must exist) and returns the new root; the old tree is untouched. */
export function replaceAt(root: Expr, path: Path, make: (node: Expr) => Expr): Expr {
  if (path.length === 0) return make(root);
  const [step, ...rest] = path;
  return rewrap(root, (inner) => {
    if (step === 'where') {
      const p = inner as PredicateExpr;
      if (p.subject.type !== 'aggregate' || p.subject.where === null) throw new Error('no where clause here');
      return { ...p, subject: { ...p.subject, where: replaceAt(p.subject.where, rest, make) } };
    }
    const group = inner as Group;
    const items = group.items.slice();
    items[step] = replaceAt(items[step], rest, make);
    return { ...group, items };
  });
}

/** Applies `edit` to the node under the outer `not` (if any), keeping the `not`. */
function rewrap(node: Expr, edit: (inner: Expr) => Expr): Expr {
  if (node.type === 'not') return { ...node, operand: edit(node.operand) } as NotExpr;
  return edit(node);
}

/** Edits the items of the group at `groupPath`. */
export function editItems(root: Expr, groupPath: Path, edit: (items: Expr[]) => Expr[]): Expr {
  return replaceAt(root, groupPath, (node) =>
    rewrap(node, (inner) => {
      const group = inner as Group;
      return { ...group, items: edit(group.items.slice()) };
    }),
  );
}

export function parentOf(path: Path): { group: Path; index: number } {
  const index = path[path.length - 1];
  if (typeof index !== 'number') throw new Error('not an item path');
  return { group: path.slice(0, -1), index };
}

export function insertAt(root: Expr, groupPath: Path, index: number, node: Expr): Expr {
  return editItems(root, groupPath, (items) => {
    items.splice(index, 0, node);
    return items;
  });
}

export function removeAt(root: Expr, path: Path): Expr {
  const { group, index } = parentOf(path);
  return editItems(root, group, (items) => {
    items.splice(index, 1);
    return items;
  });
}

/**
 * Moves the item at `from` to position `index` of the group at `toGroup` (positions counted before
 * the move). Returns the new root and the moved item's new path.
 */
export function moveTo(root: Expr, from: Path, toGroup: Path, index: number): { root: Expr; path: Path } {
  const node = nodeAt(root, from) as Expr;
  const { group: fromGroup, index: fromIndex } = parentOf(from);
  // Removing the item shifts later siblings (and the target, if it lies after it in the same group).
  const adjust = (p: Path): Path => {
    if (p.length <= fromGroup.length || !sameStart(p, fromGroup)) return p;
    const k = p[fromGroup.length];
    if (typeof k === 'number' && k > fromIndex) return [...p.slice(0, fromGroup.length), k - 1, ...p.slice(fromGroup.length + 1)];
    return p;
  };
  const target = adjust(toGroup);
  let at = index;
  if (samePath(toGroup, fromGroup) && index > fromIndex) at--;
  const removed = removeAt(root, from);
  return { root: insertAt(removed, target, at, node), path: [...target, at] };
}

/** Whether `inner` is `outer` or lies inside it. */
export function isWithin(inner: Path, outer: Path): boolean {
  return inner.length >= outer.length && sameStart(inner, outer);
}

function sameStart(p: Path, prefix: Path): boolean {
  for (let i = 0; i < prefix.length; i++) if (p[i] !== prefix[i]) return false;
  return true;
}

export function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && sameStart(a, b);
}

/**
 * Negates or un-negates a node by the parity of the `not`s in front of it, so that toggling twice
 * gives the node back: `x` ↔ `not x`, and `not not x` ↔ `not not not x`.
 */
export function toggleNot(node: Expr): Expr {
  let nots = 0;
  for (let n: Expr = node; n.type === 'not'; n = n.operand) nots++;
  if (nots % 2 === 1) return (node as NotExpr).operand;
  return { type: 'not', operand: node } as unknown as NotExpr;
}

/** The group with the other connective (`and` ↔ `or`), keeping a `not` in front. */
export function setConnective(node: Expr, type: Connective): Expr {
  return rewrap(node, (inner) => ({ ...(inner as Group), type }) as Group);
}

export function newGroup(type: Connective, items: Expr[]): Group {
  return { type, items } as unknown as Group;
}

export function otherConnective(type: Connective): Connective {
  return type === 'and' ? 'or' : 'and';
}

/** The paths of every row shown, in document order (groups first, then their items), skipping collapsed groups' items. */
export function visibleRows(root: Expr, collapsed: ReadonlySet<string>): Path[] {
  const out: Path[] = [];
  const walk = (node: Expr, path: Path) => {
    out.push(path);
    if (collapsed.has(pathKey(path))) return;
    const group = asGroup(node);
    if (group) group.items.forEach((item, k) => walk(item, [...path, k]));
    else {
      const { inner } = strip(node);
      if (inner.type === 'predicate' && inner.subject.type === 'aggregate' && inner.subject.where) walk(inner.subject.where, [...path, 'where']);
    }
  };
  walk(root, []);
  return out;
}

export function pathKey(path: Path): string {
  return path.join('/');
}

export function keyPath(key: string): Path {
  return key === '' ? [] : key.split('/').map((s) => (s === 'where' ? 'where' : Number(s)));
}

/** The innermost row whose span holds `offset` (for the caret in the text view). */
export function rowAtOffset(root: Expr, offset: number): Path {
  let best: Path = [];
  const walk = (node: Expr, path: Path) => {
    const span = (node as { span?: Span }).span;
    if (span && (offset < span.start || offset > span.end)) return;
    if (span) best = path;
    const group = asGroup(node);
    if (group) group.items.forEach((item, k) => walk(item, [...path, k]));
    else {
      const { inner } = strip(node);
      if (inner.type === 'predicate' && inner.subject.type === 'aggregate' && inner.subject.where) walk(inner.subject.where, [...path, 'where']);
    }
  };
  walk(root, []);
  return best;
}

// Marks that survive the copies an edit makes (object spread copies symbol keys), so a node can be
// found again after the paths around it changed. Printing ignores them.
const MARK = Symbol('marked');
type Marked = Expr & { [MARK]?: string };

function mark(root: Expr, path: Path, name: string): Expr {
  return replaceAt(root, path, (node) => ({ ...node, [MARK]: name }) as Marked);
}

function findMarked(root: Expr, name: string): Path | undefined {
  return findPath(root, (node) => (node as Marked)[MARK] === name);
}

/**
 * A group that an edit left with one item is replaced by that item (keeping the group's `not`);
 * one left empty is removed. The root group stays.
 */
function tidy(root: Expr, path: Path): Expr {
  const node = nodeAt(root, path);
  const g = node && asGroup(node);
  if (!g || path.length === 0 || typeof path[path.length - 1] !== 'number') return root;
  if (g.items.length === 0) return tidy(removeAt(root, path), parentOf(path).group);
  if (g.items.length === 1) return replaceAt(root, path, (n) => (n.type === 'not' ? ({ ...n, operand: g.items[0] } as NotExpr) : g.items[0]));
  return root;
}

/** Removes the item at `path`, then tidies the group it leaves. Returns the new root. */
export function deleteRow(root: Expr, path: Path): Expr {
  const { group } = parentOf(path);
  const marked = mark(root, group, 'source');
  const removed = removeAt(marked, path);
  return tidy(removed, findMarked(removed, 'source') ?? group);
}

/**
 * Moves the item at `from` to position `index` of the group at `toGroup` (positions counted before
 * the move), then tidies the group it left. Returns the new root and the moved item's new path.
 */
export function moveRow(root: Expr, from: Path, toGroup: Path, index: number): { root: Expr; path: Path } {
  const { group } = parentOf(from);
  const marked = mark(mark(root, group, 'source'), from, 'moved');
  const moved = moveTo(marked, from, toGroup, index).root;
  const tidied = tidy(moved, findMarked(moved, 'source') ?? []);
  return { root: tidied, path: findMarked(tidied, 'moved') ?? [] };
}

/** The path of the first node (in document order) that `test` accepts. */
export function findPath(root: Expr, test: (node: Expr) => boolean): Path | undefined {
  const walk = (node: Expr, path: Path): Path | undefined => {
    if (test(node)) return path;
    const g = asGroup(node);
    if (g) {
      for (let k = 0; k < g.items.length; k++) {
        const found = walk(g.items[k], [...path, k]);
        if (found) return found;
      }
      return undefined;
    }
    const { inner } = strip(node);
    if (inner.type === 'predicate' && inner.subject.type === 'aggregate' && inner.subject.where) return walk(inner.subject.where, [...path, 'where']);
    return undefined;
  };
  return walk(root, []);
}
