/**
 * Edits of one condition that keep it well-formed: another field (the operator kept when it fits),
 * another operator (the value carried over where the shapes allow), a fresh condition.
 */
import { defaultLiteral, nodes, operatorsForField, valueEditor, type EditorKind, type FieldSchema, type Literal, type OperatorId, type PredicateExpr } from './language';

/** A new condition on a field: its first operator and a fresh value. */
export function newCondition(path: string, field: FieldSchema | undefined): PredicateExpr {
  const op = operatorsForField(field)[0].id;
  return withOperator(nodes.condition(path, op), op, field, true);
}

/** The condition with another field: the operator kept when it fits, else the first that does. */
export function withField(p: PredicateExpr, path: string, field: FieldSchema | undefined): PredicateExpr {
  const subject = { type: 'field', path: path.split('.') } as PredicateExpr['subject'];
  const fits = operatorsForField(field).some((d) => d.id === p.op);
  const next = { ...p, subject } as PredicateExpr;
  if (fits && sameEditor(field, p)) return next;
  const op = fits ? p.op : operatorsForField(field)[0].id;
  return withOperator({ ...next, op }, op, field, true);
}

export function sameEditor(field: FieldSchema | undefined, p: PredicateExpr): boolean {
  const spec = valueEditor(field, p.op);
  const o = p.operand;
  if (spec.kind === 'none') return o === null;
  if (spec.multiple) return o?.type === 'list';
  if (spec.range) return o?.type === 'range';
  if (o === null || o.type === 'list' || o.type === 'range') return false;
  return literalFits(spec.kind, o);
}

export function literalFits(kind: EditorKind, l: Literal): boolean {
  switch (kind) {
    case 'number':
      return l.type === 'number';
    case 'boolean':
      return l.type === 'boolean';
    case 'date':
      return l.type === 'string' || l.type === 'ago' || l.type === 'now' || l.type === 'today';
    case 'duration':
      return l.type === 'duration';
    default:
      return l.type === 'string';
  }
}

/** The condition with another operator, its operand carried over where the shapes allow. */
export function withOperator(p: PredicateExpr, op: OperatorId, field: FieldSchema | undefined, fresh = false): PredicateExpr {
  const spec = valueEditor(field, op);
  const old = fresh ? null : p.operand;
  const first: Literal | undefined = old === null ? undefined : old.type === 'list' ? old.items[0] : old.type === 'range' ? old.low : old;
  const item = first && literalFits(spec.item, first) ? first : defaultLiteral(spec.item, spec.options);
  let operand: PredicateExpr['operand'];
  if (spec.kind === 'none') operand = null;
  else if (spec.multiple) operand = old?.type === 'list' ? old : ({ type: 'list', items: first && literalFits(spec.item, first) ? [first] : [] } as PredicateExpr['operand']);
  else if (spec.range) operand = old?.type === 'range' ? old : ({ type: 'range', low: item, high: item } as PredicateExpr['operand']);
  else operand = item;
  return { ...p, op, operand };
}

