/**
 * The part of a schema that some segments read: the fields, events and event properties their
 * conditions name (through the saved segments they reference too), and the id field when a manual
 * segment is referenced. An index built with it (`ReachIndexOptions.events: 'schema'`) holds just
 * what those segments need, e.g. for a command that counts known segments once.
 */
import { assertNever, type Expr } from '../ast';
import { fieldKey, type EventSchema, type FieldSchema, type Schema } from '../schema';
import { segmentKey, type ResolvedSegments } from '../segments';

export function schemaFor(exprs: readonly Expr[], segments: ResolvedSegments, schema: Schema): Schema {
  const fields: Record<string, FieldSchema> = {};
  const events: Record<string, EventSchema> = {};
  const idField = schema.idField ?? 'id';
  const seen = new Set<string>();
  const field = (key: string, into: Record<string, FieldSchema>, from: Readonly<Record<string, FieldSchema>>): void => {
    if (Object.hasOwn(from, key)) into[key] = from[key];
  };
  const walk = (root: Expr, scope: { into: Record<string, FieldSchema>; from: Readonly<Record<string, FieldSchema>> } | undefined): void => {
    const stack: Expr[] = [root];
    for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
      switch (e.type) {
        case 'and':
        case 'or':
          stack.push(...e.items);
          break;
        case 'not':
          stack.push(e.operand);
          break;
        case 'group':
          stack.push(e.expr);
          break;
        case 'predicate': {
          const s = e.subject;
          if (s.type === 'field') {
            field(fieldKey(s.path), scope?.into ?? fields, scope?.from ?? schema.fields);
            break;
          }
          const wanted = s.event.value.toLowerCase();
          const name = Object.keys(schema.events ?? {}).find((k) => k.toLowerCase() === wanted) ?? s.event.value;
          const declared = schema.events?.[name]?.properties ?? {};
          const target = (events[name] ??= { properties: {} });
          if (s.property !== null) field(s.property.value, target.properties, declared);
          if (s.where !== null) walk(s.where, { into: target.properties, from: declared });
          break;
        }
        case 'segment': {
          const key = segmentKey(e.name);
          if (seen.has(key)) break;
          seen.add(key);
          const segment = segments.get(key);
          if (segment?.kind === 'dynamic') stack.push(segment.expr);
          else if (segment?.kind === 'manual') fields[idField] = schema.fields[idField] ?? { type: 'text' };
          break;
        }
        case 'draft':
        case 'raw':
          break;
        default:
          assertNever(e, 'expression');
      }
    }
  };
  for (const e of exprs) walk(e, undefined);
  return { idField, fields, events };
}
