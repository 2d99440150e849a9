/**
 * Segments over the reach index: each condition becomes a selection (a bitmap of slots), and
 * `and` / `or` / `not` combine them word by word.
 *
 * A condition is answered natively by its column where the column knows how (postings of the
 * matching dictionary values or list elements, one pass over a typed array of numbers or
 * instants); what it does not know — other operators, values of the wrong type, texts of a column
 * with too many distinct values — is answered by the row engine's own compiled test of that
 * condition, one value at a time, so every count is the row engine's count. Negative operators are
 * the complements of their positive forms (as in the row engine), event aggregates fold the rows
 * of their event's table (the `.where` is itself a selection over those rows).
 */
import { assertNever, unwrapNot, type EventAggregate, type Expr, type PredicateExpr } from '../ast';
import { SegmentError } from '../errors';
import { compilePredicate, type EvaluatorOption } from '../evaluate/compile';
import { positiveForm } from '../operators';
import { fieldKey, kindOf, type FieldSchema, type Schema } from '../schema';
import { segmentKey, type ResolvedSegments } from '../segments';
import type { Clock } from '../time';
import { andInto, complementInto, emptySelection, forEachSlot, isEmpty, orInto, setBit, wordsFor, type Selection } from './bitset';
import type { Chunked } from './chunks';
import type { Column } from './columns';
import type { ReachIndex } from './store';
import type { Table } from './table';

/** Where a condition is evaluated: the profiles, or the rows of one event table (a `.where`). */
interface Scope {
  table: Table;
  fields: Readonly<Record<string, FieldSchema>>;
  /** Rows in the scope. */
  size: number;
  /** Rows that count. */
  all: Selection;
  what: string;
}

export class Evaluator {
  private readonly index: ReachIndex;
  private readonly clock: Clock;
  private readonly segments: ResolvedSegments;
  private readonly tests = new Map<PredicateExpr, (value: unknown) => boolean>();
  private segmentCache = new Map<string, Selection>();

  /** How the row engine's tests (conditions the columns do not answer natively) are built. */
  private readonly evaluator: EvaluatorOption | undefined;

  constructor(index: ReachIndex, clock: Clock, segments: ResolvedSegments, evaluator?: EvaluatorOption) {
    this.index = index;
    this.clock = clock;
    this.segments = segments;
    this.evaluator = evaluator;
  }

  /** The alive slots in the segment. */
  select(expr: Expr): Selection {
    this.segmentCache = new Map();
    const scope = this.profileScope();
    return andInto(this.expr(expr, scope), scope.all);
  }

  private expr(node: Expr, scope: Scope): Selection {
    switch (node.type) {
      case 'and': {
        if (node.items.length === 0) return scope.all.slice();
        // Conditions answered by postings first: an empty result skips the rest.
        const order = [...node.items].sort((a, b) => cost(a) - cost(b));
        const out = this.expr(order[0], scope);
        for (let i = 1; i < order.length && !isEmpty(out); i++) andInto(out, this.expr(order[i], scope));
        return out;
      }
      case 'or': {
        const out = emptySelection(scope.size);
        for (const item of node.items) orInto(out, this.expr(item, scope));
        return out;
      }
      case 'not':
      case 'group': {
        const [operand, negated] = unwrapNot(node);
        const inner = this.expr(operand, scope);
        return negated ? complementInto(inner, scope.all) : inner;
      }
      case 'predicate':
        return this.predicate(node, scope);
      case 'segment':
        if (scope.table !== this.index.profiles) throw notHere('in_segment');
        return this.segment(node.name).slice();
      case 'draft':
      case 'raw':
        throw new SegmentError({ code: 'incomplete-condition', summary: 'a draft cannot be counted', hint: 'finish the condition first' });
      default:
        return assertNever(node, 'expression');
    }
  }

  private segment(name: string): Selection {
    const key = segmentKey(name);
    const cached = this.segmentCache.get(key);
    if (cached !== undefined) return cached;
    const segment = this.segments.get(key);
    if (segment === undefined) throw new SegmentError({ code: 'unknown-segment', summary: `unknown segment "${name}"`, hint: 'define the segment, or check its name' });
    const scope = this.profileScope();
    let out: Selection;
    if (segment.kind === 'dynamic') {
      out = this.expr(segment.expr, scope);
    } else {
      const members = segment.members;
      const test = (id: unknown): boolean => (typeof id === 'string' || typeof id === 'number') && members.has(String(id));
      const column = this.index.profiles.column(this.index.idField, 'field');
      out = column === undefined ? emptySelection(scope.size) : this.bySlot(column, test, scope);
    }
    this.segmentCache.set(key, out);
    return out;
  }

  private profileScope(): Scope {
    return { table: this.index.profiles, fields: this.index.schema.fields, size: this.index.slots, all: this.index.aliveSelection(), what: 'field' };
  }

  private predicate(node: PredicateExpr, scope: Scope): Selection {
    const [op, negated] = positiveForm(node.op);
    const positive: PredicateExpr = negated ? { ...node, op } : node;
    const out = node.subject.type === 'field' ? this.field(positive, node, scope) : this.aggregate(positive, node, node.subject, scope);
    return negated ? complementInto(out, scope.all) : out;
  }

  /** A condition on a field: natively where the column can, the rest by the row engine's test. */
  private field(node: PredicateExpr, original: PredicateExpr, scope: Scope): Selection {
    const key = fieldKey((node.subject as { path: string[] }).path);
    const schema = Object.hasOwn(scope.fields, key) ? scope.fields[key] : undefined;
    const column = scope.table.column(key, scope.what);
    const test = this.testOf(node, original, key, scope.fields);
    if (column === undefined) {
      return test(undefined) ? scope.all.slice() : emptySelection(scope.size);
    }
    if (node.op === 'is_known') return column.known.toSelection(wordsFor(scope.size));
    const native = column.native(node, { kind: schema === undefined ? undefined : kindOf(schema), test, clock: this.clock, size: scope.size });
    if (native === undefined) return this.bySlot(column, test, scope);
    if (test(undefined)) {
      const unknown = column.known.toSelection(wordsFor(scope.size));
      orInto(native, complementInto(unknown, scope.all));
    }
    for (const [slot, value] of column.exceptions) if (slot < scope.size && test(value)) setBit(native, slot);
    return native;
  }

  /** The row engine's test, one value (read) at a time over every row in scope. */
  private bySlot(column: Column, test: (value: unknown) => boolean, scope: Scope): Selection {
    const out = emptySelection(scope.size);
    const unknown = test(undefined);
    forEachSlot(scope.all, (slot) => {
      const value = column.value(slot);
      if (value === undefined ? unknown : test(value)) setBit(out, slot);
    });
    return out;
  }

  /**
   * The row engine's compiled test of one condition on one value: the condition compiled against a
   * scope holding just that field (a null-prototype object, so any field name is an own key).
   */
  private testOf(node: PredicateExpr, original: PredicateExpr, key: string, fields: Readonly<Record<string, FieldSchema>>): (value: unknown) => boolean {
    let test = this.tests.get(original);
    if (test === undefined) {
      const schema: Schema = { fields: Object.hasOwn(fields, key) ? { [key]: fields[key] } : {} };
      const predicate = compilePredicate(node, { schema, idField: this.index.idField, segments: new Map(), clock: this.clock, evaluator: this.evaluator });
      const probe = Object.create(null) as Record<string, unknown>;
      test = (value) => {
        probe[key] = value;
        return predicate(probe);
      };
      this.tests.set(original, test);
    }
    return test;
  }

  /**
   * An event aggregate: one pass over its table's rows (those the `.where` keeps, inside the
   * window), folding each profile's value; the condition is then tested once per profile that has
   * such rows, and once for all the others (whose value is that of no events).
   */
  private aggregate(node: PredicateExpr, original: PredicateExpr, agg: EventAggregate, scope: Scope): Selection {
    if (scope.table !== this.index.profiles) throw notHere('an event aggregate');
    const dateValued = agg.fn === 'first_at' || agg.fn === 'last_at';
    const test = this.aggregateTest(node, original, dateValued);
    const table = this.index.events.get(agg.event.value.toLowerCase());
    const none = agg.fn === 'count' || agg.fn === 'sum' ? 0 : undefined;
    const out = emptySelection(scope.size);
    const touched = emptySelection(scope.size);
    if (table !== undefined && table.rows > 0) {
      const rows = this.rowsOf(agg, table);
      const low = agg.within === null ? -Infinity : this.clock.ago(agg.within);
      const high = agg.within === null ? Infinity : this.clock.now;
      const windowed = agg.within !== null;
      const times = table.times;
      const slots = table.slots;
      const value = this.propertyReader(agg, table);
      let current = -1;
      let n = 0;
      let s = 0;
      let m: number | undefined;
      const flush = (): void => {
        if (current < 0 || n === 0) return;
        setBit(touched, current);
        let v: number | undefined;
        switch (agg.fn) {
          case 'count':
            v = n;
            break;
          case 'sum':
            v = s;
            break;
          case 'avg':
            v = m === undefined ? undefined : s / (m as number);
            break;
          default:
            v = m;
        }
        if (test(v)) setBit(out, current);
      };
      // n: rows kept; for avg, m counts the numbers and s sums them.
      const visit = (row: number): void => {
        const slot = slots.get(row);
        if (slot !== current) {
          flush();
          current = slot;
          n = 0;
          s = 0;
          m = undefined;
        }
        if (windowed) {
          const t = times.get(row);
          if (!(t >= low && t <= high)) return;
        }
        switch (agg.fn) {
          case 'count':
            n++;
            return;
          case 'first_at':
          case 'last_at': {
            const t = times.get(row);
            n++;
            if (t === t && (m === undefined || (agg.fn === 'first_at' ? t < m : t > m))) m = t;
            return;
          }
          default: {
            n++;
            const x = value(row);
            if (typeof x !== 'number' || x !== x) return;
            if (agg.fn === 'sum') s += x;
            else if (agg.fn === 'avg') {
              s += x;
              m = (m ?? 0) + 1;
            } else if (m === undefined || (agg.fn === 'min' ? x < m : x > m)) m = x;
          }
        }
      };
      if (rows === undefined) for (let row = 0; row < table.rows; row++) visit(row);
      else forEachSlot(rows, visit);
      flush();
    }
    if (test(none)) orInto(out, complementInto(touched, scope.all));
    return out;
  }

  /** The rows the `.where` keeps (undefined: all of them). */
  private rowsOf(agg: EventAggregate, table: { rows: number; properties: Table }): Selection | undefined {
    if (agg.where === null) return undefined;
    const all = emptySelection(table.rows);
    all.fill(0xffffffff);
    if (table.rows & 31) all[all.length - 1] = (1 << (table.rows & 31)) - 1;
    const fields = eventFields(this.index.schema, agg.event.value);
    const scope: Scope = { table: table.properties, fields, size: table.rows, all, what: `property of event "${agg.event.value}":` };
    return andInto(this.expr(agg.where, scope), all);
  }

  /** Reads the aggregate's property of a row (for sum/min/max/avg). */
  private propertyReader(agg: EventAggregate, table: { properties: Table }): (row: number) => unknown {
    if (agg.property === null || agg.fn === 'count' || agg.fn === 'first_at' || agg.fn === 'last_at') return () => undefined;
    const key = agg.property.value;
    const column = table.properties.column(key, `property of event "${agg.event.value}":`);
    if (column === undefined) return () => undefined;
    if (column.kind === 'number') {
      const c = column as Column & { values: Chunked };
      return (row) => (c.known.has(row) && !c.exceptions.has(row) ? c.values.get(row) : column.value(row));
    }
    return (row) => column.value(row);
  }

  /**
   * The row engine's test of the comparison on an aggregate's value: the same condition on a field
   * of the aggregate's type (a number, or a date given as a `Date` of the instant).
   */
  private aggregateTest(node: PredicateExpr, original: PredicateExpr, dateValued: boolean): (value: number | undefined) => boolean {
    const field: PredicateExpr = { ...node, subject: { type: 'field', path: ['v'] } };
    const test = this.testOf(field, original, 'v', { v: { type: dateValued ? 'date' : 'number' } });
    return dateValued ? (v) => test(v === undefined ? undefined : new Date(v)) : test;
  }
}

function eventFields(schema: Schema, name: string): Record<string, FieldSchema> {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(schema.events ?? {})) if (key.toLowerCase() === wanted) return value.properties;
  return {};
}

function notHere(what: string): SegmentError {
  return new SegmentError({ code: 'invalid-event', summary: `${what} cannot appear inside .where(…)`, hint: 'a .where condition tests the event’s properties' });
}

/** A rough cost, to evaluate the cheap and selective conditions of an `and` first. */
function cost(node: Expr): number {
  const [e] = unwrapNot(node);
  if (e.type === 'predicate') return e.subject.type === 'aggregate' ? 3 : 1;
  if (e.type === 'segment') return 2;
  return 2;
}
