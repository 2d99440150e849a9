/**
 * Index advice: the composite indexes that make a set of segments fast on our layout.
 *
 * The segments say which fields are used together. For every conjunction (an `and`, the branches
 * of an `or` each on their own, dynamic `in_segment`s inlined) the equality tests (`=`, `in`) come
 * first and one range test (`>`, `between`, `within last`, `older than`, …) last, up to four
 * columns: one index read answers the conjunction and counts it without reading the rows. Every
 * event aggregate gets `(event, equality properties…, timestamp, profile)`, so a window with a
 * property filter, a `count()` and a "did not" are read from the index alone. Single columns are
 * indexed by the layout already; list tests use the list table's own indexes.
 *
 * Advice is only given where the columns can be indexed whole: numbers, booleans, dates, and text
 * kept in a bounded key column (`FieldMapping.lowerLong`). `createAdvisedIndexes` builds them and
 * records them in the layout, so a bulk load drops and rebuilds them with the others.
 */
import type { Knex } from 'knex';
import { assertNever, type EventAggregate, type Expr, type PredicateExpr } from '../ast';
import { check } from '../engine';
import { SegmentErrors } from '../errors';
import { fieldKey, kindOf, type FieldSchema, type Schema } from '../schema';
import { segmentKey, type ResolvedSegments, type SegmentDefinition } from '../segments';
import { LAYOUT_TABLES, sqlName, type FieldMapping, type SqlMapping } from './mapping';

export interface AdvisedIndex {
  table: string;
  name: string;
  columns: string[];
  /** The segments that asked for it. */
  segments: string[];
}

const MAX_COLUMNS = 4;
const EQUALITY = new Set(['eq', 'in']);
const RANGE = new Set(['gt', 'gte', 'lt', 'lte', 'between', 'within_last', 'older_than', 'before', 'after']);
const KNOWN = new Set(['is_known', 'is_unknown']);

/**
 * The composite indexes for these segments (dynamic ones; manual segments are read by id). Each
 * entry of `sources` is a segment's name and its expression; `segments` resolves `in_segment`.
 */
export function adviseIndexes(sources: readonly { name: string; expression: string }[], options: { schema: Schema; mapping: SqlMapping; segments?: readonly SegmentDefinition[] }): AdvisedIndex[] {
  const found = new Map<string, AdvisedIndex>();
  for (const { name, expression } of sources) {
    const result = check(expression, { schema: options.schema, segments: options.segments, origin: `segment "${name}"` });
    if (result.expr === undefined || result.errors.length > 0) throw new SegmentErrors(result.errors);
    const advisor = new Advisor(options.schema, options.mapping, result.segments ?? new Map());
    advisor.visit(result.expr);
    for (const spec of advisor.found) {
      const key = `${spec.table}\u0000${spec.columns.join('\u0000')}`;
      const known = found.get(key);
      if (known) {
        if (!known.segments.includes(name)) known.segments.push(name);
      } else found.set(key, { ...spec, segments: [name] });
    }
  }
  // An index that is the leading part of another is not needed beside it.
  const all = [...found.values()];
  return all.filter((a) => !all.some((b) => b !== a && b.table === a.table && b.columns.length > a.columns.length && a.columns.every((c, i) => b.columns[i] === c)));
}

class Advisor {
  readonly found: Omit<AdvisedIndex, 'segments'>[] = [];

  constructor(
    private readonly schema: Schema,
    private readonly mapping: SqlMapping,
    private readonly segments: ResolvedSegments,
  ) {}

  visit(node: Expr, depth = 0): void {
    if (depth > 100) return;
    switch (node.type) {
      case 'and': {
        const parts = this.conjuncts(node, depth);
        this.conjunction(parts.map((p) => this.profileColumn(p)).filter((c) => c !== undefined));
        for (const p of parts) if (p.type !== 'predicate' || p.subject.type === 'aggregate') this.visit(p, depth + 1);
        return;
      }
      case 'or':
        for (const item of node.items) this.visit(item, depth + 1);
        return;
      case 'not':
      case 'group':
        return this.visit(node.type === 'not' ? node.operand : node.expr, depth + 1);
      case 'segment': {
        const s = this.segments.get(segmentKey(node.name));
        if (s?.kind === 'dynamic') this.visit(s.expr, depth + 1);
        return;
      }
      case 'predicate':
        if (node.subject.type === 'aggregate') this.aggregate(node.subject);
        return;
      case 'draft':
      case 'raw':
        return;
      default:
        return assertNever(node, 'expression');
    }
  }

  /** The items of an `and`, nested `and`s, groups and dynamic segments flattened. */
  private conjuncts(node: Expr, depth: number): Expr[] {
    if (depth > 100) return [];
    if (node.type === 'and') return node.items.flatMap((i) => this.conjuncts(i, depth + 1));
    if (node.type === 'group') return this.conjuncts(node.expr, depth + 1);
    if (node.type === 'segment') {
      const s = this.segments.get(segmentKey(node.name));
      if (s?.kind === 'dynamic') return this.conjuncts(s.expr, depth + 1);
    }
    return [node];
  }

  /** A sargable profile-field test: its column and whether it is an equality. */
  private profileColumn(node: Expr): Sargable | undefined {
    if (node.type !== 'predicate' || node.subject.type !== 'field') return undefined;
    return sargable(node, this.schema.fields, this.mapping.fields);
  }

  private conjunction(columns: Sargable[]): void {
    const eq = unique(columns.filter((c) => c.equality).map((c) => c.column));
    const rest = unique(columns.filter((c) => !c.equality && !eq.includes(c.column)).flatMap((c) => [c.column, ...(c.also ?? [])]));
    // The equalities, then the range that the index reads, then the other tests' columns: they are
    // checked in the index (covering), never in the rows.
    const cols = [...eq, ...rest].slice(0, MAX_COLUMNS);
    if (cols.length >= 2) this.add(this.mapping.profiles.table, cols);
  }

  private aggregate(agg: EventAggregate): void {
    const em = this.mapping.events;
    if (em === undefined) return;
    const name = agg.event.value.toLowerCase();
    const props = Object.entries(this.schema.events ?? {}).find(([k]) => k.toLowerCase() === name)?.[1].properties ?? {};
    const columns = em.properties[name] ?? {};
    const eq: string[] = [];
    if (agg.where !== null) {
      for (const p of this.conjuncts(agg.where, 0)) {
        if (p.type !== 'predicate' || p.subject.type !== 'field') continue;
        const c = sargable(p, props, columns);
        if (c?.equality && !eq.includes(c.column)) eq.push(c.column);
      }
    }
    const cols = [em.event, ...eq.slice(0, MAX_COLUMNS - 2), ...(agg.within !== null ? [em.timestamp] : []), em.profile];
    this.add(em.table, cols.slice(0, MAX_COLUMNS + 1));
  }

  private add(table: string, columns: string[]): void {
    // The layout's own indexes: the fixed tables' and one per profile field.
    const own = [[LAYOUT_TABLES.events, 'event_lc', 'ts', 'pid'], [LAYOUT_TABLES.events, 'pid', 'event_lc', 'ts']];
    if (own.some(([t, ...c]) => t === table && c.length >= columns.length && columns.every((x, i) => c[i] === x))) return;
    this.found.push({ table, name: sqlName(`ix_adv_${table.replace(/^seg_/, '')}_${columns.join('_')}`, 60), columns });
  }
}

/** A test an index can answer: its column, whether it is an equality, and other columns it reads (`is known`: the wrong-type marker). */
interface Sargable {
  column: string;
  equality: boolean;
  also?: string[];
}

function sargable(node: PredicateExpr, fields: Readonly<Record<string, FieldSchema>>, columns: Readonly<Record<string, FieldMapping>>): Sargable | undefined {
  if (node.subject.type !== 'field') return undefined;
  const key = fieldKey(node.subject.path);
  const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
  const m = Object.hasOwn(columns, key) ? columns[key] : undefined;
  if (field === undefined || m === undefined) return undefined;
  const kind = kindOf(field);
  if (KNOWN.has(node.op) && kind !== 'list') {
    // `is known` reads the value (a text's bounded key) and the wrong-type marker: both in the index, no row is read.
    if (kind === 'text' && !(m.lower && m.lowerLong)) return undefined;
    return { column: kind === 'text' ? m.lower! : m.column, equality: false, also: m.other ? [m.other] : [] };
  }
  const equality = EQUALITY.has(node.op);
  if (!equality && !RANGE.has(node.op)) return undefined;
  if (kind === 'text') return equality && m.lower && m.lowerLong ? { column: m.lower, equality } : undefined;
  if (kind === 'list') return undefined;
  return { column: m.column, equality };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The advice as DDL for the database's dialect (one statement a line). */
export function advisedDdl(db: Knex, advice: readonly AdvisedIndex[]): string[] {
  return advice.map((a) => `${db.schema.alterTable(a.table, (t) => void t.index(a.columns, a.name)).toString()};`);
}

/** The advice as a knex migration file. */
export function advisedMigration(advice: readonly AdvisedIndex[]): string {
  const line = (a: AdvisedIndex, verb: 'index' | 'dropIndex') => `  await knex.schema.alterTable(${JSON.stringify(a.table)}, (t) => { t.${verb}(${JSON.stringify(a.columns)}, ${JSON.stringify(a.name)}); });`;
  return [
    '// Composite indexes advised by `segment sql --advise` for the segments that use these fields together.',
    ...advice.map((a) => `//   ${a.name}: ${a.segments.join(', ')}`),
    'exports.up = async (knex) => {',
    ...advice.map((a) => line(a, 'index')),
    '};',
    'exports.down = async (knex) => {',
    ...advice.map((a) => line(a, 'dropIndex')),
    '};',
    '',
  ].join('\n');
}
