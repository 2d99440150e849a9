/**
 * normalize: any tree → the shape the parser gives for its printed text, so that
 * `parse(print(normalize(t)))` equals `normalize(t)` (spans aside) and a builder's tree survives a
 * trip through text.
 *
 * - an `and`/`or` directly inside another (`and` in `and`, `or` in `or` or in `and`) or under `not`
 *   gets the `group` its printed parentheses make (an `and` inside an `or` needs none); an `and`/`or`
 *   of one item stands for that item; one of no items is the empty group, always an `and`;
 * - groups of groups collapse to one, and a group around the empty group is just the empty group;
 * - a draft whose pieces are all there is a predicate, and a predicate missing its operand a draft;
 *   a draft without an operator has no operand.
 * Spans are kept on the nodes that stay. The input is not changed.
 */
import type { DraftExpr, Expr, PredicateExpr, Subject } from './ast';
import { OPERATORS } from './operators';

export function normalize(expr: Expr): Expr {
  switch (expr.type) {
    case 'and':
    case 'or': {
      const items = expr.items.map(normalize);
      if (items.length === 1) return items[0];
      if (items.length === 0) return withSpan({ type: 'and', items }, expr);
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        const chain = (item.type === 'and' || item.type === 'or') && item.items.length > 0;
        if (chain && (expr.type === 'and' || item.type === 'or')) items[i] = { type: 'group', expr: item };
      }
      return withSpan({ type: expr.type, items }, expr);
    }
    case 'group': {
      let inner = expr.expr;
      while (inner.type === 'group') inner = inner.expr;
      const n = normalize(inner);
      if (n.type === 'group' || ((n.type === 'and' || n.type === 'or') && n.items.length === 0)) return n;
      return withSpan({ type: 'group', expr: n }, expr);
    }
    case 'not': {
      const n = normalize(expr.operand);
      const operand: Expr = (n.type === 'and' || n.type === 'or') && n.items.length > 0 ? { type: 'group', expr: n } : n;
      return withSpan({ type: 'not', operand }, expr);
    }
    case 'predicate': {
      const subject = normalizeSubject(expr.subject);
      const def = OPERATORS[expr.op];
      if (def !== undefined && def.operand !== 'none' && expr.operand === null) {
        return withSpan({ type: 'draft', subject, op: expr.op, operand: null, ...(expr.opSpan ? { opSpan: expr.opSpan } : {}) }, expr);
      }
      return subject === expr.subject ? expr : { ...expr, subject };
    }
    case 'draft': {
      const subject = expr.subject === null ? null : normalizeSubject(expr.subject);
      const op = expr.op;
      const operand = op === null ? null : expr.operand;
      const def = op === null ? undefined : OPERATORS[op];
      if (subject !== null && op !== null && def !== undefined && (operand !== null || def.operand === 'none')) {
        const predicate: PredicateExpr = { type: 'predicate', subject, op, operand: def.operand === 'none' ? null : operand };
        if (expr.opSpan) predicate.opSpan = expr.opSpan;
        return withSpan(predicate, expr);
      }
      const draft: DraftExpr = { type: 'draft', subject, op, operand };
      if (expr.opSpan) draft.opSpan = expr.opSpan;
      return withSpan(draft, expr);
    }
    case 'raw':
      return expr.text.trim() === '' ? withSpan({ type: 'draft', subject: null, op: null, operand: null }, expr) : expr;
    case 'segment':
      return expr;
    default:
      return expr;
  }
}

function normalizeSubject(subject: Subject): Subject {
  if (subject.type !== 'aggregate' || subject.where === null) return subject;
  const where = normalize(subject.where);
  return where === subject.where ? subject : { ...subject, where };
}

function withSpan<T extends Expr>(node: T, from: Expr): T {
  if (from.span !== undefined) node.span = from.span;
  return node;
}
