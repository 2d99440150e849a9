/**
 * SQL compile phase: a segment tree → one SQL condition over the profiles table (alias `p`), with
 * its bindings. The query builder (`query.ts`) wraps it into count / ids / rows queries.
 *
 * - Boolean structure: `and`/`or` as SQL, `not X` as `(X) IS NOT TRUE` (exact two-valued negation).
 * - Predicates: `predicates.ts` (one entry per operator).
 * - Event aggregates: `p.pid IN (SELECT e.pid FROM events e WHERE name, window, where GROUP BY e.pid
 *   HAVING P(agg))` when P is false for a profile without matching events, else the complement with
 *   NOT IN, so `count() = 0` and empty aggregates give exactly the in-memory result. What P says on
 *   "no events" is asked of the in-memory engine itself.
 * - A conjunction with a positive event aggregate also gets a form driven by that aggregate's owners
 *   (`Driven`): the query builder reads the profiles from them.
 * - `in_segment`: dynamic segments inlined; manual ones read from the table that stores their
 *   members (`storedMembers`, the catalogue's), else bound as one set of ids (`inValues`).
 * - Long `and`/`or` chains are nested in groups (`connect`), so no chain makes the SQL deep, and a
 *   query that would bind more values than the database takes is refused with `sql-limit`.
 */
import { assertNever, unwrapNot, type EventAggregate, type Expr, type PredicateExpr, type SegmentRefExpr } from '../ast';
import { notCompilable, SegmentError } from '../errors';
import { compilePredicate } from '../evaluate/compile';
import { DEFAULT_ID_FIELD, fieldKey, kindOf, type FieldSchema, type Schema } from '../schema';
import { checkSegmentGraph } from '../segment-graph';
import { segmentKey, type ResolvedSegments } from '../segments';
import type { Clock } from '../time';
import type { Dialect } from './connect';
import { DIALECTS, storableText } from './dialects';
import type { FieldMapping, SqlMapping, StoredMembers } from './mapping';
import { compilePredicateSql, connect, falsity, frag, inValues, instantValue, isConstant, join, negateFrag, OWNER_COLUMN, truth, type Frag, type PredicateContext, type SubjectSql } from './predicates';

export interface SqlCompileOptions {
  schema: Schema;
  mapping: SqlMapping;
  segments: ResolvedSegments;
  clock: Clock;
  dialect: Dialect;
  /** Value sets (lists, manual segments' members) up to this size get one placeholder per value (default: the dialect's `valueSet.inline`). */
  inlineValues?: number;
  /** Manual segments whose members are stored in a table of the same database: read there, never bound. */
  storedMembers?: StoredMembers;
}

export interface CompiledWhere {
  /** The condition over `PROFILE_ALIAS`. */
  where: Frag;
  /** The same condition driven by the owners of an event aggregate among its conjuncts, when it has one (see `Driven`). */
  driven?: Driven;
}

/**
 * A segment whose condition is `X AND rest` (or `X` alone), where X is a positive event aggregate
 * (`event("a").count() >= 3`, `.where(…).within(…)`): the profiles are read from X's owners, a
 * derived table `DRIVER_ALIAS` of distinct ids, instead of testing X for every profile. That is the
 * shape an expert writes (`FROM (SELECT profile_id … GROUP BY … HAVING …) v WHERE NOT EXISTS …`):
 * MariaDB otherwise walks a whole index of the profiles and probes X's materialised result for each,
 * and PostgreSQL probes the profiles for each owner. `rest` reads the profile's id as
 * `DRIVER_ALIAS.owner`; when it reads no profile column and every owner is a stored profile
 * (`profiles.ownersStored`), a count needs no profiles table at all.
 */
export interface Driven {
  /** `SELECT DISTINCT … AS owner …` (or grouped by the owner): X's owners. */
  owners: Frag;
  /** The other conjuncts, over `PROFILE_ALIAS` and `DRIVER_ALIAS` (TRUE when there are none). */
  rest: Frag;
  /** Whether `rest` reads a column of `PROFILE_ALIAS` (then the profiles table must be joined). */
  readsProfiles: boolean;
}

export const DRIVER_ALIAS = 'd';
export const PROFILE_ALIAS = 'p';
/** The columns of the derived table of `groupedEvents`: the owner and its aggregate. */
const GROUPED_OWNER = OWNER_COLUMN;
const GROUPED_VALUE = 'value';
const MAX_DEPTH = 200;

interface Scope {
  alias: string;
  /** The profile id this scope belongs to (`p.pid`, `e1.pid`). */
  owner: Frag;
  fields: Readonly<Record<string, FieldSchema>>;
  columns: Readonly<Record<string, FieldMapping>>;
  /** Profile fields, or an event's properties. */
  what: 'field' | 'property';
  /** The scope's table and a column naming one row of it (for `DialectSpec.longText`), when known. */
  row?: { table: string; key: string };
}

/** Compiles a (validated, resolved) tree to a condition over the profiles table. */
export function compileWhere(expr: Expr, options: SqlCompileOptions): CompiledWhere {
  checkSegmentGraph(expr, options.segments);
  return new SqlCompiler(options).run(expr);
}

class SqlCompiler {
  private readonly c: PredicateContext;
  private counter = 0;

  constructor(private readonly o: SqlCompileOptions) {
    this.c = { spec: DIALECTS[o.dialect], clock: o.clock, inlineValues: o.inlineValues ?? DIALECTS[o.dialect].valueSet.inline };
  }

  run(expr: Expr): CompiledWhere {
    const where = this.expr(expr, this.profileScope(PROFILE_ALIAS), 0);
    this.checkSize(where, expr);
    const driven = this.driven(expr);
    if (driven !== undefined) this.checkSize(join([driven.owners, driven.rest], ' AND '), expr);
    return driven === undefined ? { where } : { where, driven };
  }

  /** The `Driven` form of the condition, when one of its top-level conjuncts is an event aggregate that can drive. */
  private driven(expr: Expr): Driven | undefined {
    const items = this.conjuncts(expr);
    const scope = this.profileScope(PROFILE_ALIAS);
    let owners: Frag | undefined;
    let index = -1;
    for (const [i, item] of items.entries()) {
      owners = this.expr(item, scope, 1).owners;
      if (owners !== undefined) {
        index = i;
        break;
      }
    }
    if (owners === undefined) return undefined;
    // The other conjuncts again, reading the profile's id from the driver (equal to `p`'s where both are joined).
    const driverScope: Scope = { ...scope, owner: frag('??.??', DRIVER_ALIAS, OWNER_COLUMN) };
    const parts: Frag[] = [];
    for (const [i, item] of items.entries()) {
      if (i === index) continue;
      const f = this.expr(item, driverScope, 1);
      const k = isConstant(f, this.c);
      if (k === 'false') return undefined; // the whole condition is FALSE: nothing to drive
      if (k === undefined) parts.push(f);
    }
    const rest = parts.length === 0 ? truth(this.c) : connect(parts, 'AND');
    return { owners, rest, readsProfiles: readsAlias(rest, PROFILE_ALIAS) };
  }

  /** The top-level conjuncts of a condition: through groups, `and`s and the dynamic segments it names. */
  private conjuncts(expr: Expr): Expr[] {
    if (expr.type === 'group') return this.conjuncts(expr.expr);
    if (expr.type === 'and') return expr.items.flatMap((item) => this.conjuncts(item));
    if (expr.type === 'segment') {
      const segment = this.o.segments.get(segmentKey(expr.name));
      if (segment?.kind === 'dynamic') return this.conjuncts(segment.expr);
    }
    return [expr];
  }

  private checkSize(where: Frag, expr: Expr): void {
    const limit = this.c.spec.queryBindings;
    const values = valuePlaceholders(where.sql);
    if (values > limit) {
      throw new SegmentError({
        code: 'sql-limit',
        span: expr.span,
        summary: `this segment needs ${values.toLocaleString('en-US')} values in one query; ${DIALECT_NAMES[this.o.dialect]} takes at most ${limit.toLocaleString('en-US')}`,
        hint: 'put the values compared with one field into one list (`country in ["OM", "AE", …]` is bound as one value), or use fewer conditions',
      });
    }
  }

  private profileScope(alias: string): Scope {
    const m = this.o.mapping;
    return { alias, owner: frag('??.??', alias, m.profiles.id), fields: this.o.schema.fields, columns: m.fields, what: 'field', row: { table: m.profiles.table, key: m.profiles.id } };
  }

  private expr(node: Expr, scope: Scope, depth: number): Frag {
    if (depth > MAX_DEPTH) {
      throw new SegmentError({ code: 'too-deep', span: node.span, summary: `the segment nests more than ${MAX_DEPTH} levels, too deep for SQL`, hint: 'flatten the groups' });
    }
    switch (node.type) {
      case 'and':
      case 'or': {
        const absorbing = node.type === 'and' ? 'false' : 'true';
        const parts: Frag[] = [];
        let absorbed: Frag | undefined;
        for (const item of node.items) {
          // Every item is compiled, also after one that decides the group: a field with no column is
          // refused wherever it stands, not only when the condition before it is not constant.
          const f = this.expr(item, scope, depth + 1);
          if (absorbed !== undefined) continue;
          const k = isConstant(f, this.c);
          if (k === absorbing) absorbed = f;
          else if (k === undefined) parts.push(f);
        }
        if (absorbed !== undefined) return absorbed;
        if (parts.length === 0) return node.type === 'and' ? truth(this.c) : falsity(this.c);
        return connect(parts, node.type === 'and' ? 'AND' : 'OR');
      }
      case 'not': {
        const [operand, negated] = unwrapNot(node);
        const inner = this.expr(operand, scope, depth + 1);
        return negated ? negateFrag(inner, this.c) : inner;
      }
      case 'group':
        return this.expr(node.expr, scope, depth);
      case 'predicate':
        return this.predicate(node, scope, depth);
      case 'segment':
        return this.segment(node, scope, depth);
      case 'draft':
      case 'raw':
        throw notCompilable(node);
      default:
        return assertNever(node, 'expression');
    }
  }

  private predicate(node: PredicateExpr, scope: Scope, depth: number): Frag {
    const subject = node.subject;
    switch (subject.type) {
      case 'field':
        return compilePredicateSql(this.field(subject.path, subject.span, scope), node, this.c);
      case 'aggregate':
        return this.aggregate(node, subject, scope, depth);
      default:
        return assertNever(subject, 'subject');
    }
  }

  private field(path: readonly string[], span: Expr['span'], scope: Scope): SubjectSql {
    const key = fieldKey(path);
    const schema = Object.hasOwn(scope.fields, key) ? scope.fields[key] : undefined;
    const m = Object.hasOwn(scope.columns, key) ? scope.columns[key] : undefined;
    if (schema === undefined || m === undefined) {
      throw new SegmentError({
        code: scope.what === 'field' ? 'unknown-field' : 'unknown-property',
        span,
        summary: `${scope.what} "${key}" has no column in the SQL mapping`,
        hint: 'SQL needs every field in the schema: add it and import again, or map it to a column',
      });
    }
    const a = scope.alias;
    const kind = kindOf(schema);
    if (kind === 'list' && m.list === undefined) {
      throw new SegmentError({ code: 'invalid-option', span, summary: `${scope.what} "${key}" is a list with no element table in the SQL mapping`, hint: 'map `list: {table, owner, text, number}` for it (event properties of type list are not supported in SQL)' });
    }
    const col = (c: string) => frag('??.??', a, c);
    return {
      kind,
      items: schema.type === 'list' ? schema.items : undefined,
      value: col(m.column),
      lower: kind !== 'text' ? undefined : m.lower ? col(m.lower) : frag(`${this.c.spec.lower}(??.??)`, a, m.column),
      lowerLong: kind === 'text' && m.lower && m.lowerLong ? { column: col(m.lowerLong), max: m.lowerMax!, test: this.longTest(scope, m.lowerLong) } : undefined,
      other: m.other ? col(m.other) : undefined,
      list: m.list ? { mapping: m.list, owner: scope.owner, alias: this.fresh('l') } : undefined,
      dates: m.dates ?? 'epoch_ms',
    };
  }

  /**
   * How a test of a whole long text reads its column: in place, or (`DialectSpec.longText`, where the
   * scope's rows have a key) in a sub-select of the same row, which runs only when reached, so a
   * short value's test (`TRUE OR …`) is answered from the key's index alone.
   */
  private longTest(scope: Scope, column: string): (test: (long: Frag) => Frag) => Frag {
    const row = scope.row;
    if (this.c.spec.longText === 'column' || row === undefined) return (test) => test(frag('??.??', scope.alias, column));
    return (test) => {
      const x = this.fresh('x');
      const t = test(frag('??.??', x, column));
      return frag(`EXISTS (SELECT 1 FROM ?? AS ?? WHERE ??.?? = ??.?? AND ${t.sql})`, row.table, x, x, row.key, scope.alias, row.key, ...t.bindings);
    };
  }

  private aggregate(node: PredicateExpr, agg: EventAggregate, scope: Scope, depth: number): Frag {
    const em = this.o.mapping.events;
    if (em === undefined) {
      throw new SegmentError({ code: 'invalid-option', span: agg.span, summary: 'the SQL mapping has no events table', hint: 'map `events` to a table of (profile, event, timestamp) rows' });
    }
    const name = agg.event.value.toLowerCase();
    const a = this.fresh('e');
    const conds: Frag[] = [];
    // No stored event can have this name: every profile has "no events".
    if (!storableText(name)) return this.withoutEvents(node);
    conds.push(em.eventLowered === false ? frag(`${this.c.spec.lower}(??.??) = ?`, a, em.event, name) : frag('??.?? = ?', a, em.event, name));
    const dates = em.dates ?? 'epoch_ms';
    if (agg.within !== null) {
      const low = this.o.clock.ago(agg.within);
      if (Number.isNaN(low)) return this.withoutEvents(node);
      conds.push(frag('??.?? BETWEEN ? AND ?', a, em.timestamp, instantValue(low, dates), instantValue(this.o.clock.now, dates)));
    }
    const eventFields = eventSchema(this.o.schema, name);
    const eventScope: Scope = {
      alias: a,
      owner: frag('??.??', a, em.profile),
      fields: eventFields,
      columns: em.properties[name] ?? {},
      what: 'property',
      row: em.id === undefined ? undefined : { table: em.table, key: em.id },
    };
    if (agg.where !== null) conds.push(this.expr(agg.where, eventScope, depth + 1));
    const value = this.aggregateValue(agg, eventScope);
    const subject: SubjectSql = { kind: agg.fn === 'first_at' || agg.fn === 'last_at' ? 'date' : 'number', value, dates };
    const holds = this.holdsWithoutEvents(node);
    const shortcut = agg.fn === 'count' ? countShortcut(node) : undefined;
    const events = (negated: boolean, having?: Frag) => this.eventsOf(scope, a, conds, having, negated);
    if (shortcut === 'all') return holds ? truth(this.c) : events(false);
    if (shortcut === 'none') return holds ? events(true) : falsity(this.c);
    const test = compilePredicateSql(subject, node, this.c);
    if (!this.c.spec.subSelectInHaving && hasSubSelect(test)) return this.groupedEvents(scope, a, conds, value, subject, node, holds);
    return holds ? events(true, negateFrag(test, this.c)) : events(false, test);
  }

  /**
   * Like `eventsOf` with a HAVING test, for a dialect that must not have a sub-select in HAVING (see
   * `DialectSpec.subSelectInHaving`): the aggregate is computed per owner in a derived table, and the
   * test (the complement when `negated`) is a WHERE over its column.
   */
  private groupedEvents(scope: Scope, a: string, conds: Frag[], value: Frag, subject: SubjectSql, node: PredicateExpr, negated: boolean): Frag {
    const em = this.o.mapping.events!;
    const g = this.fresh('g');
    const test = compilePredicateSql({ ...subject, value: frag('??.??', g, GROUPED_VALUE) }, node, this.c);
    const keep = negated ? negateFrag(test, this.c) : test;
    const filter = join(conds.map((f) => ({ sql: `(${f.sql})`, bindings: f.bindings })), ' AND ');
    const grouped = frag(
      `SELECT ??.?? AS ??, ${value.sql} AS ?? FROM ?? AS ?? WHERE ${filter.sql} GROUP BY ??.??`,
      ...[a, em.profile, GROUPED_OWNER, ...value.bindings, GROUPED_VALUE, em.table, a, ...filter.bindings, a, em.profile],
    );
    // Owner ids are never NULL, so `NOT IN` is the exact complement.
    const select = frag(`SELECT ??.?? FROM (${grouped.sql}) AS ?? WHERE ${keep.sql}`, g, GROUPED_OWNER, ...grouped.bindings, g, ...keep.bindings);
    const holds = this.ownerIn(scope, select, negated);
    return negated ? holds : { ...holds, owners: select };
  }

  /**
   * Whether the owner has events matching `conds` (grouped per profile and filtered by `having`), or
   * has none (`negated`): `owner IN (SELECT …)`, and for the complement `owner NOT IN (SELECT …)` or,
   * where the dialect plans it better, a correlated `NOT EXISTS`.
   */
  private eventsOf(scope: Scope, a: string, conds: Frag[], having: Frag | undefined, negated: boolean): Frag {
    const em = this.o.mapping.events!;
    const correlated = negated && this.c.spec.antiJoin === 'not-exists';
    const all = correlated ? [frag(`??.?? = ${scope.owner.sql}`, a, em.profile, ...scope.owner.bindings), ...conds] : conds;
    const filter = join(all.map((f) => ({ sql: `(${f.sql})`, bindings: f.bindings })), ' AND ');
    let select = frag(`SELECT ${correlated ? '1' : '??.??'} FROM ?? AS ?? WHERE ${filter.sql}`, ...(correlated ? [] : [a, em.profile]), em.table, a, ...filter.bindings);
    if (having !== undefined) select = frag(`${select.sql} GROUP BY ??.?? HAVING ${having.sql}`, ...select.bindings, a, em.profile, ...having.bindings);
    if (correlated) return frag(`NOT EXISTS (${select.sql})`, ...select.bindings);
    const test = this.ownerIn(scope, select, negated);
    if (negated) return test;
    const owners = frag(`SELECT ${having === undefined ? 'DISTINCT ' : ''}??.?? AS ?? FROM ?? AS ?? WHERE ${filter.sql}`, a, em.profile, OWNER_COLUMN, em.table, a, ...filter.bindings);
    return { ...test, owners: having === undefined ? owners : frag(`${owners.sql} GROUP BY ??.?? HAVING ${having.sql}`, ...owners.bindings, a, em.profile, ...having.bindings) };
  }

  /** The constant condition of an aggregate predicate that no event can feed. */
  private withoutEvents(node: PredicateExpr): Frag {
    return this.holdsWithoutEvents(node) ? truth(this.c) : falsity(this.c);
  }

  /** What the in-memory engine says of this predicate for a profile without events. */
  private holdsWithoutEvents(node: PredicateExpr): boolean {
    const test = compilePredicate(node, {
      schema: this.o.schema,
      idField: this.o.schema.idField ?? DEFAULT_ID_FIELD,
      segments: this.o.segments,
      clock: this.o.clock,
    });
    return test({});
  }

  private aggregateValue(agg: EventAggregate, scope: Scope): Frag {
    const em = this.o.mapping.events!;
    switch (agg.fn) {
      case 'count':
        return frag(this.c.spec.count);
      case 'first_at':
        return frag('MIN(??.??)', scope.alias, em.timestamp);
      case 'last_at':
        return frag('MAX(??.??)', scope.alias, em.timestamp);
      case 'sum':
      case 'min':
      case 'max':
      case 'avg': {
        const fn = agg.fn.toUpperCase();
        const wrap = (f: Frag) => (agg.fn === 'sum' ? frag(`COALESCE(${fn}(${f.sql}), 0)`, ...f.bindings) : frag(`${fn}(${f.sql})`, ...f.bindings));
        if (agg.property === null) return wrap(frag('NULL'));
        const subject = this.field(agg.property.value.split('.'), agg.property.span, scope);
        // Only numbers are summed; a property of another type contributes nothing, as in memory.
        return wrap(subject.kind === 'number' ? subject.value : frag('NULL'));
      }
      default:
        return assertNever(agg.fn, 'aggregate');
    }
  }

  private segment(node: SegmentRefExpr, scope: Scope, depth: number): Frag {
    const key = segmentKey(node.name);
    const segment = this.o.segments.get(key);
    if (segment === undefined) {
      throw new SegmentError({ code: 'unknown-segment', span: node.span, summary: `unknown segment "${node.name}"`, hint: 'define the segment, or check its name' });
    }
    if (segment.kind === 'dynamic') {
      if (scope.what === 'field') return this.expr(segment.expr, scope, depth + 1);
      // Inside an event filter: the segment is about the event's profile.
      const alias = this.fresh('p');
      const inner = this.expr(segment.expr, this.profileScope(alias), depth + 1);
      const m = this.o.mapping.profiles;
      return this.ownerIn(scope, frag(`SELECT ??.?? FROM ?? AS ?? WHERE ${inner.sql}`, alias, m.id, m.table, alias, ...inner.bindings), false);
    }
    const stored = this.o.storedMembers;
    const id = stored?.keys.get(key);
    if (stored !== undefined && id !== undefined) {
      const m = this.fresh('m');
      return this.ownerIn(scope, frag('SELECT ??.?? FROM ?? AS ?? WHERE ??.?? = ?', m, stored.profile, stored.table, m, m, stored.segment, id), false);
    }
    if (segment.stored) {
      throw new SegmentError({
        code: 'invalid-option',
        span: node.span,
        summary: `the members of segment "${segment.name}" are kept in the catalogue database, which this query does not read`,
        hint: 'count it in the database that holds the catalogue',
      });
    }
    if (segment.members.size === 0) return falsity(this.c);
    return inValues(scope.owner, [...segment.members], 'text', this.c);
  }

  private ownerIn(scope: Scope, select: Frag, negated: boolean): Frag {
    return frag(`${scope.owner.sql} ${negated ? 'NOT IN' : 'IN'} (${select.sql})`, ...scope.owner.bindings, ...select.bindings);
  }

  private fresh(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }
}

const DIALECT_NAMES: Record<Dialect, string> = { sqlite: 'SQLite', mysql: 'MySQL/MariaDB', postgres: 'PostgreSQL' };

/** Whether a fragment holds a sub-select (the compiler's SQL text never holds user text: values are bindings). */
function hasSubSelect(f: Frag): boolean {
  return /\bSELECT\b/.test(f.sql);
}

/** Whether a fragment names a table alias (as a `??` identifier: the compiler writes every identifier so). */
function readsAlias(f: Frag, alias: string): boolean {
  let i = 0;
  for (const m of f.sql.matchAll(/\?\??/g)) {
    if (m[0] === '??' && f.bindings[i] === alias) return true;
    i++;
  }
  return false;
}

/** How many values a fragment binds: its `?` placeholders (`??` ones are identifiers knex writes into the text). */
function valuePlaceholders(sql: string): number {
  let n = 0;
  for (const m of sql.matchAll(/\?\??/g)) if (m[0] === '?') n++;
  return n;
}

/** The event schema's properties, its name matched ignoring case. */
function eventSchema(schema: Schema, lowered: string): Record<string, FieldSchema> {
  for (const [key, value] of Object.entries(schema.events ?? {})) if (key.toLowerCase() === lowered) return value.properties;
  return {};
}

/**
 * For `count()`: whether the predicate holds for every count ≥ 1 (`> 0`, `>= 1`, `!= 0`) or for
 * none (`= 0`, `< 1`), so no GROUP BY is needed.
 */
function countShortcut(node: PredicateExpr): 'all' | 'none' | undefined {
  const v = node.operand;
  if (v === null || v.type !== 'number') return undefined;
  const n = v.value;
  const positiveInteger = Number.isInteger(n) && n >= 1;
  switch (node.op) {
    case 'gt':
      return n < 1 ? 'all' : undefined;
    case 'gte':
      return n <= 1 ? 'all' : undefined;
    case 'neq':
      return positiveInteger ? undefined : 'all';
    case 'eq':
      return positiveInteger ? undefined : 'none';
    case 'lt':
      return n <= 1 ? 'none' : undefined;
    case 'lte':
      return n < 1 ? 'none' : undefined;
    default:
      return undefined;
  }
}
