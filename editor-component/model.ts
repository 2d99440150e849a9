/**
 * The visual view's model: the core's tree itself, addressed by paths, and the edits the builder
 * makes to it. Nothing here knows the language's syntax: every text comes from the core's `print`,
 * every tree from its `parse`.
 *
 * A row is shown as a group when it is an `and`/`or`, or parentheses the user wrote (a `group`
 * node, whatever it holds: `(a = 1)` is a group of one). `not` and `group` wrap what they hold;
 * edits go to the node inside and keep the wrappers, so the user's parentheses survive.
 *
 * A path walks from the root through groups: a number is an index into a group's items, `'where'`
 * steps into a condition's event `.where(…)`. The root is always shown as a group: a lone
 * condition is a one-item `and` group.
 */
import type { AndExpr, Expr, GroupExpr, NotExpr, OrExpr, Span } from '../core/index';

export type Step = number | 'where';
export type Path = readonly Step[];
export type Connective = 'and' | 'or';

/** A node seen through its wrappers: at most one `not`, and any parentheses. */
interface Peeled {
  inner: Expr;
  negated: boolean;
  /** The wrappers, outermost first. */
  layers: (NotExpr | GroupExpr)[];
}

function peel(node: Expr): Peeled {
  const layers: (NotExpr | GroupExpr)[] = [];
  let inner = node;
  let negated = false;
  for (;;) {
    if (inner.type === 'group') {
      layers.push(inner);
      inner = inner.expr;
    } else if (inner.type === 'not' && !negated) {
      layers.push(inner);
      negated = true;
      inner = inner.operand;
    } else break;
  }
  return { inner, negated, layers };
}

function wrap(layers: readonly (NotExpr | GroupExpr)[], inner: Expr): Expr {
  let out = inner;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    out = l.type === 'group' ? ({ ...l, expr: out } as GroupExpr) : ({ ...l, operand: out } as NotExpr);
  }
  return out;
}

/** A node without its wrappers: what it is and whether it is negated. */
export function strip(node: Expr): { inner: Expr; negated: boolean } {
  const { inner, negated } = peel(node);
  return { inner, negated };
}

/** A row shown as a group: its connective and items. */
export interface GroupView {
  type: Connective;
  items: readonly Expr[];
  negated: boolean;
}

/** The group a node is shown as, or undefined for a leaf row. */
export function asGroup(node: Expr): GroupView | undefined {
  const { inner, negated, layers } = peel(node);
  if (inner.type === 'and' || inner.type === 'or') return { type: inner.type, items: inner.items, negated };
  // Parentheses around one node: a group of one; a `not` inside them is the item's.
  const last = lastGroup(layers);
  if (last < 0) return undefined;
  return { type: 'and', items: [(layers[last] as GroupExpr).expr], negated: layers.slice(0, last).some((l) => l.type === 'not') };
}

function lastGroup(layers: readonly (NotExpr | GroupExpr)[]): number {
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i].type === 'group') return i;
  return -1;
}

/**
 * The node with the group's items and connective replaced (wrappers kept). A nested empty group
 * (`()`, a bare chain of no items) that gets items is put in parentheses, so it stays a group.
 */
function rebuild(node: Expr, items: Expr[], type?: Connective, nested = true): Expr {
  const { inner, layers } = peel(node);
  if (inner.type === 'and' || inner.type === 'or') {
    const chain = { ...inner, type: type ?? inner.type, items } as AndExpr | OrExpr;
    const bare = nested && inner.items.length === 0 && items.length > 0 && !layers.some((l) => l.type === 'group');
    return wrap(layers, bare ? ({ type: 'group', expr: chain } as GroupExpr) : chain);
  }
  // Parentheses around one node: they hold a chain once there are two items, and `()` when none.
  const outer = layers.slice(0, lastGroup(layers) + 1);
  if (items.length === 0) return wrap(outer.filter((l) => l.type === 'not'), { type: 'and', items: [] } as unknown as AndExpr);
  if (items.length === 1) return wrap(outer, items[0]);
  return wrap(outer, { type: type ?? 'and', items } as unknown as AndExpr);
}

/** The root shown as a group: a lone condition (or nothing) becomes an `and` group. */
export function rootGroup(root: Expr | undefined): Expr {
  if (root === undefined) return { type: 'and', items: [] } as unknown as AndExpr;
  return asGroup(root) ? root : ({ type: 'and', items: [root] } as unknown as AndExpr);
}

/** An event condition's `.where(…)` (undefined for other rows). */
export function whereOf(node: Expr): Expr | undefined {
  const { inner } = peel(node);
  return inner.type === 'predicate' && inner.subject.type === 'aggregate' ? (inner.subject.where ?? undefined) : undefined;
}

/** The rows directly under a row: a group's items, or an event condition's `.where(…)`. */
export function childRows(node: Expr, path: Path): [Expr, Path][] {
  const group = asGroup(node);
  if (group) return group.items.map((item, k) => [item, [...path, k]]);
  const where = whereOf(node);
  return where ? [[where, [...path, 'where']]] : [];
}

/** The node at a path (undefined when the path does not exist). */
export function nodeAt(root: Expr, path: Path): Expr | undefined {
  let node: Expr | undefined = root;
  for (const step of path) {
    if (node === undefined) return undefined;
    node = step === 'where' ? whereOf(node) : asGroup(node)?.items[step];
  }
  return node;
}

/** Replaces the node at `path` (which must exist) and returns the new root; the old tree is untouched. */
export function replaceAt(root: Expr, path: Path, make: (node: Expr) => Expr): Expr {
  if (path.length === 0) return make(root);
  const [step, ...rest] = path;
  if (step === 'where') {
    const { inner, layers } = peel(root);
    if (inner.type !== 'predicate' || inner.subject.type !== 'aggregate' || inner.subject.where === null) throw new Error('no where clause here');
    return wrap(layers, { ...inner, subject: { ...inner.subject, where: replaceAt(inner.subject.where, rest, make) } });
  }
  const items = asGroup(root)!.items.slice();
  items[step] = replaceAt(items[step], rest, make);
  return rebuild(root, items);
}

/** Edits the items of the group at `groupPath`. */
export function editItems(root: Expr, groupPath: Path, edit: (items: Expr[]) => Expr[]): Expr {
  return replaceAt(root, groupPath, (node) => rebuild(node, edit(asGroup(node)!.items.slice()), undefined, groupPath.length > 0));
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
  for (let n: Expr = node; n.type === 'not' || n.type === 'group'; n = n.type === 'not' ? n.operand : n.expr) if (n.type === 'not') nots++;
  if (nots % 2 === 1 && node.type === 'not') {
    // The parentheses a `not` needs around a chain go with it: `not (a and b)` → `a and b`.
    const operand = node.operand;
    return operand.type === 'group' && (operand.expr.type === 'and' || operand.expr.type === 'or') ? operand.expr : operand;
  }
  if (nots % 2 === 1) {
    // A `not` inside parentheses: `(not x)` → `(x)`.
    const { inner, layers } = peel(node);
    return wrap(layers.filter((l) => l.type === 'group'), inner);
  }
  return { type: 'not', operand: node } as unknown as NotExpr;
}

/** The group with the other connective (`and` ↔ `or`), keeping its wrappers. */
export function setConnective(node: Expr, type: Connective): Expr {
  return rebuild(node, asGroup(node)!.items.slice(), type);
}

export function newGroup(type: Connective, items: Expr[]): Expr {
  return { type, items } as unknown as AndExpr;
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
    for (const [child, at] of childRows(node, path)) walk(child, at);
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
    for (const [child, at] of childRows(node, path)) walk(child, at);
  };
  walk(root, []);
  return best;
}

/** An event condition with another `.where(…)` (wrappers kept). */
export function withWhere(node: Expr, where: Expr | null): Expr {
  const { inner, layers } = peel(node);
  if (inner.type !== 'predicate' || inner.subject.type !== 'aggregate') return node;
  return wrap(layers, { ...inner, subject: { ...inner.subject, where } });
}
