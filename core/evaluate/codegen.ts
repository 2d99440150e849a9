/**
 * The code generator: turns a segment tree into the source of one JavaScript factory that returns
 * the predicate. Boolean structure becomes `&&`/`||`/`!`, each predicate a specialised test
 * (`emit-predicate.ts`), each event aggregate a loop (`emit-events.ts`), each referenced segment one
 * shared function.
 *
 * Safety: every value from the source or the schema (texts, numbers, sets, field names that are
 * not plain identifiers) reaches the code through the constants array `k`, never spliced into the
 * text. Only generated names and field names matching `IDENTIFIER` appear in the source.
 *
 * Depth: a subtree deeper than `MAX_DEPTH` becomes its own function, emitted from a work queue, so
 * neither this generator nor V8's parser recurses more than `MAX_DEPTH` levels, however deep the tree.
 */
import { assertNever, unwrapNot, type EventAggregate, type Expr, type PredicateExpr, type SegmentRefExpr } from '../ast';
import { notCompilable, SegmentError } from '../errors';
import { fieldKey, fieldPath, kindOf } from '../schema';
import { segmentKey } from '../segments';
import type { Clock } from '../time';
import type { CompileContext, GeneratorContext, ScopeTemplate } from './context';
import { emitAggregate } from './emit-events';
import { emitTest } from './emit-predicate';
import { aggregateKey, aggregateKind, countCap } from './operands';
import { RUNTIME, type RuntimeName } from './runtime';

const MAX_DEPTH = 48;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

interface PendingScope {
  name: string;
  expr: Expr;
  template: ScopeTemplate;
  /** Replace a non-object argument by an empty object (the entry point). */
  guard: boolean;
}

interface ScopeState {
  template: ScopeTemplate;
  /** How often each field key is read in this scope: keys read more than once are hoisted. */
  counts: Map<string, number>;
  /** Hoisted reads: field key → variable, and their declarations. */
  hoisted: Map<string, string>;
  declarations: string[];
}

type Factory = (k: unknown[]) => (profile: Record<string, unknown>) => boolean;

/**
 * Built factories by source. Constants are not in the source, so segments of the same shape (a
 * different value, duration or list) share one factory and skip `new Function`. Bounded; the
 * oldest entry goes first.
 */
const FACTORIES = new Map<string, Factory>();
const MAX_FACTORIES = 256;

function factoryFor(source: string): Factory {
  let factory = FACTORIES.get(source);
  if (factory === undefined) {
    factory = new Function('k', source) as Factory;
    if (FACTORIES.size >= MAX_FACTORIES) FACTORIES.delete(FACTORIES.keys().next().value as string);
    FACTORIES.set(source, factory);
  }
  return factory;
}

export class CodeGenerator implements GeneratorContext {
  readonly clock: Clock;
  readonly context: CompileContext;
  private readonly values: unknown[] = [];
  private readonly constants = new Map<unknown, string>();
  private readonly decls: string[] = [];
  private readonly pending: PendingScope[] = [];
  private readonly segmentFunctions = new Map<string, string>();
  private readonly aggregateFunctions = new Map<string, string>();
  private counter = 0;

  constructor(context: CompileContext) {
    this.context = context;
    this.clock = context.clock;
  }

  /** Builds the predicate for `expr` (the profile scope of `template`). */
  build(expr: Expr, template: ScopeTemplate): (profile: Record<string, unknown>) => boolean {
    const main = this.scope(expr, template, true);
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) this.emitScope(next);
    const names = this.values.map((_, i) => `k${i} = k[${i}]`);
    const source = `"use strict";\n${names.length > 0 ? `const ${names.join(', ')};\n` : ''}${this.decls.join('\n')}\nreturn ${main};`;
    return factoryFor(source)(this.values);
  }

  constant(value: unknown): string {
    const known = this.constants.get(value);
    if (known !== undefined) return known;
    const name = `k${this.values.length}`;
    this.values.push(value);
    this.constants.set(value, name);
    return name;
  }

  runtime(name: RuntimeName): string {
    return this.constant(RUNTIME[name]);
  }

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  declare(code: string): void {
    this.decls.push(code);
  }

  /** Queues a function `name(params)` returning `expr` in that scope; returns its name. */
  scope(expr: Expr, template: ScopeTemplate, guard = false, name = this.fresh('f')): string {
    this.pending.push({ name, expr, template, guard });
    return name;
  }

  /**
   * Code reading the field `key` from `base`, using `r`: the rule of `readField` (schema.ts) written
   * out inline for this path (a call to `readField` costs several times as much per profile). A
   * dotted key reads nested objects (`base.attributes.tier`), or the flat key
   * (`base["attributes.tier"]`) when `base` has no `attributes` at all.
   */
  read(base: string, key: string): string {
    const path = fieldPath(key);
    if (path.length === 1) return this.access(base, key);
    const steps = path.slice(1).map((segment) => `r = typeof r === 'object' && r !== null && !Array.isArray(r) ? ${this.access('r', segment)} : undefined`);
    return `(r = ${this.access(base, path[0])}, r === undefined ? ${this.access(base, key)} : (${steps.join(', ')}, r))`;
  }

  private access(object: string, key: string): string {
    if (key in Object.prototype) return `${this.runtime('own')}(${object}, ${this.constant(key)})`;
    return IDENTIFIER.test(key) ? `${object}.${key}` : `${object}[${this.constant(key)}]`;
  }

  private emitScope(s: PendingScope): void {
    const state: ScopeState = { template: s.template, counts: new Map(), hoisted: new Map(), declarations: [] };
    countReads(s.expr, state.counts, 0);
    const code = this.expr(s.expr, state, 0);
    const p = s.template.base;
    const guard = s.guard ? `  if (typeof ${p} !== 'object' || ${p} === null || Array.isArray(${p})) ${p} = ${this.runtime('EMPTY')};\n` : '';
    this.declare(`function ${s.name}(${s.template.params}) {\n${guard}  let t, l, d, r;\n${state.declarations.join('')}  return ${code};\n}`);
  }

  private expr(node: Expr, state: ScopeState, depth: number): string {
    if (depth > MAX_DEPTH) return `${this.scope(node, state.template)}(${state.template.params})`;
    switch (node.type) {
      case 'and':
        return node.items.length === 0 ? 'true' : `(${node.items.map((item) => this.expr(item, state, depth + 1)).join(' && ')})`;
      case 'or':
        return node.items.length === 0 ? 'false' : `(${node.items.map((item) => this.expr(item, state, depth + 1)).join(' || ')})`;
      case 'not': {
        const [operand, negated] = unwrapNot(node);
        const inner = this.expr(operand, state, depth + 1);
        return negated ? `!${inner}` : inner;
      }
      case 'group':
        return this.expr(node.expr, state, depth);
      case 'predicate':
        return this.predicate(node, state);
      case 'segment':
        return `${this.segment(node)}(p)`;
      case 'draft':
      case 'raw':
        throw notCompilable(node);
      default:
        return assertNever(node, 'expression');
    }
  }

  private predicate(node: PredicateExpr, state: ScopeState): string {
    const subject = node.subject;
    switch (subject.type) {
      case 'field': {
        const key = fieldKey(subject.path);
        const schema = Object.hasOwn(state.template.fields, key) ? state.template.fields[key] : undefined;
        const kind = schema === undefined ? undefined : kindOf(schema);
        const items = schema?.type === 'list' ? schema.items : undefined;
        const read = this.read(state.template.base, key);
        if ((state.counts.get(key) ?? 0) < 2) return `(t = ${read}, ${emitTest({ node, x: 't', kind, items, computed: false, gen: this })})`;
        let variable = state.hoisted.get(key);
        if (variable === undefined) {
          variable = this.fresh('v');
          state.hoisted.set(key, variable);
          state.declarations.push(`  const ${variable} = ${read};\n`);
        }
        return emitTest({ node, x: variable, kind, items, computed: false, gen: this });
      }
      case 'aggregate': {
        const kind = aggregateKind(subject);
        const test = emitTest({ node, x: 't', kind, items: undefined, computed: true, gen: this });
        return `(t = ${this.aggregate(subject)}(p, ${this.constant(countCap(node))}), ${test})`;
      }
      default:
        return assertNever(subject, 'subject');
    }
  }

  /** One function per distinct aggregate (spans ignored), shared by every use. */
  private aggregate(node: EventAggregate): string {
    const key = aggregateKey(node);
    let name = key === undefined ? undefined : this.aggregateFunctions.get(key);
    if (name === undefined) {
      name = emitAggregate(node, this);
      if (key !== undefined) this.aggregateFunctions.set(key, name);
    }
    return name;
  }

  /** One function per referenced segment, shared by every reference. */
  private segment(node: SegmentRefExpr): string {
    const key = segmentKey(node.name);
    const known = this.segmentFunctions.get(key);
    if (known !== undefined) return known;
    const segment = this.context.segments.get(key);
    if (segment === undefined) {
      throw new SegmentError({
        code: 'unknown-segment',
        span: node.span,
        summary: `unknown segment "${node.name}"`,
        hint: 'define the segment, or check its name',
      });
    }
    const name = this.fresh('s');
    this.segmentFunctions.set(key, name);
    if (segment.kind === 'dynamic') {
      this.scope(segment.expr, { params: 'p', base: 'p', fields: this.context.schema.fields }, false, name);
    } else {
      const id = this.read('p', this.context.idField);
      const members = this.constant(segment.members);
      this.declare(
        `function ${name}(p) {\n  let r;\n  const id = ${id};\n  return (typeof id === 'string' || typeof id === 'number') && ${members}.has(String(id));\n}`,
      );
    }
    return name;
  }
}

/** Counts field reads per key in the region `expr()` emits into one scope (same depth rule, not into `where`). */
function countReads(node: Expr, counts: Map<string, number>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  switch (node.type) {
    case 'and':
    case 'or':
      for (const item of node.items) countReads(item, counts, depth + 1);
      return;
    case 'not': {
      let operand: Expr = node.operand;
      while (operand.type === 'not') operand = operand.operand;
      countReads(operand, counts, depth + 1);
      return;
    }
    case 'predicate':
      if (node.subject.type === 'field') {
        const key = fieldKey(node.subject.path);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return;
    case 'group':
      countReads(node.expr, counts, depth);
      return;
    case 'segment':
    case 'draft':
    case 'raw':
      return;
    default:
      assertNever(node, 'expression');
  }
}
