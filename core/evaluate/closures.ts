/**
 * The closures evaluator: the same predicate as the generated code (`codegen.ts`), built as a tree
 * of JavaScript closures instead of source text, so it runs where code generation from strings is
 * refused (a Content-Security-Policy without `unsafe-eval`, `node
 * --disallow-code-generation-from-strings`). The tree is read once, here: each node becomes one
 * closure specialised for it (its field read, its operator, its constants), so evaluating a profile
 * walks no AST and dispatches on no node type.
 *
 * It shares everything but the code's form with the generator: the decisions taken from the tree
 * (`operands.ts`), the runtime helpers (`runtime.ts`) and the contract (`context.ts`). Per node:
 * `and`/`or`/`not` become `&&`/`||`/`!` between closures; a predicate reads its field by the rule of
 * `readField` (schema.ts) and applies its test (`closure-tests.ts`); an event aggregate is one loop
 * over the profile's events; each referenced segment and each distinct aggregate is built once and
 * shared.
 *
 * Depth: a tree nested deeper than `MAX_NESTING` levels of `and`/`or` is evaluated as a flat
 * program (a list of steps with jumps, `flatProgram`) instead of nested closures, so neither building nor
 * evaluating recurses deeper than that, however deep the tree.
 */
import { assertNever, unwrapNot, type EventAggregate, type Expr, type PredicateExpr, type SegmentRefExpr } from '../ast';
import { notCompilable, SegmentError } from '../errors';
import { EVENTS_KEY, fieldKey, fieldPath, kindOf, type FieldSchema } from '../schema';
import { segmentKey } from '../segments';
import { closureTest } from './closure-tests';
import type { CompileContext, Profile } from './context';
import { aggregateKey, aggregateKind, countCap, eventSchema } from './operands';
import { EMPTY, instant, own } from './runtime';

type Obj = Record<string, unknown>;
/** A compiled node: `b` is the object the node's fields are read from (the profile, or an event's properties), `p` the profile. */
export type Node = (b: Obj, p: Obj) => boolean;
type Read = (o: Obj) => unknown;
type Aggregate = (p: Obj, cap: number) => number | undefined;
type Fields = Readonly<Record<string, FieldSchema>>;
type Leaf = Exclude<Expr, { type: 'and' | 'or' | 'not' | 'group' }>;

const TRUE: Node = () => true;
const FALSE: Node = () => false;

/** Nesting of `and`/`or` beyond which a subtree becomes a flat program. */
export const MAX_NESTING = 64;

/** Builds the predicate for `expr` (unknown or cyclic segment references must be checked already). */
export function closurePredicate(expr: Expr, context: CompileContext): (profile: Profile) => boolean {
  const node = new ClosureBuilder(context).build(expr, context.schema.fields);
  return (profile) => {
    const p = typeof profile !== 'object' || profile === null || Array.isArray(profile) ? (EMPTY as Obj) : profile;
    return node(p, p);
  };
}

class ClosureBuilder {
  private readonly segments = new Map<string, Node>();
  private readonly aggregates = new Map<string, Aggregate>();

  constructor(private readonly context: CompileContext) {}

  /** The closure of `expr`, its fields read from `fields`' scope. */
  build(expr: Expr, fields: Fields): Node {
    if (nesting(expr, MAX_NESTING) > MAX_NESTING) return flatProgram(expr, (leaf) => this.leaf(leaf, fields));
    return this.expr(expr, fields);
  }

  private expr(node: Expr, fields: Fields): Node {
    switch (node.type) {
      case 'and':
        return all(node.items.map((item) => this.expr(item, fields)));
      case 'or':
        return any(node.items.map((item) => this.expr(item, fields)));
      case 'not':
      case 'group': {
        const [operand, negated] = unwrapNot(node);
        const inner = this.expr(operand, fields);
        return negated ? negate(inner) : inner;
      }
      case 'predicate':
      case 'segment':
      case 'draft':
      case 'raw':
        return this.leaf(node, fields);
      default:
        return assertNever(node, 'expression');
    }
  }

  /** A node with no boolean structure below it. */
  leaf(node: Leaf, fields: Fields): Node {
    switch (node.type) {
      case 'predicate':
        return this.predicate(node, fields);
      case 'segment': {
        const segment = this.segment(node);
        // A segment is about the profile, also inside an event's `where`.
        return (_b, p) => segment(p, p);
      }
      case 'draft':
      case 'raw':
        throw notCompilable(node);
      default:
        return assertNever(node, 'expression');
    }
  }

  private predicate(node: PredicateExpr, fields: Fields): Node {
    const subject = node.subject;
    switch (subject.type) {
      case 'field': {
        const key = fieldKey(subject.path);
        const schema = Object.hasOwn(fields, key) ? fields[key] : undefined;
        const test = closureTest({ node, kind: schema === undefined ? undefined : kindOf(schema), items: schema?.type === 'list' ? schema.items : undefined, computed: false, clock: this.context.clock });
        if (typeof test === 'boolean') return test ? TRUE : FALSE;
        const path = fieldPath(key);
        if (path.length === 1 && !(key in Object.prototype)) return (b) => test(b[key]);
        const read = reader(key);
        return (b) => test(read(b));
      }
      case 'aggregate': {
        const test = closureTest({ node, kind: aggregateKind(subject), items: undefined, computed: true, clock: this.context.clock });
        if (typeof test === 'boolean') return test ? TRUE : FALSE;
        const aggregate = this.aggregate(subject);
        const cap = countCap(node);
        return (_b, p) => test(aggregate(p, cap));
      }
      default:
        return assertNever(subject, 'subject');
    }
  }

  /** One closure per referenced segment, shared by every reference. */
  private segment(node: SegmentRefExpr): Node {
    const key = segmentKey(node.name);
    const known = this.segments.get(key);
    if (known !== undefined) return known;
    const segment = this.context.segments.get(key);
    if (segment === undefined) {
      throw new SegmentError({ code: 'unknown-segment', span: node.span, summary: `unknown segment "${node.name}"`, hint: 'define the segment, or check its name' });
    }
    let built: Node;
    if (segment.kind === 'dynamic') {
      built = this.build(segment.expr, this.context.schema.fields);
    } else {
      const readId = reader(this.context.idField);
      const members = segment.members;
      built = (b) => {
        const id = readId(b);
        return (typeof id === 'string' || typeof id === 'number') && members.has(String(id));
      };
    }
    this.segments.set(key, built);
    return built;
  }

  /** One closure per distinct aggregate (spans ignored), shared by every use. */
  private aggregate(node: EventAggregate): Aggregate {
    const key = aggregateKey(node);
    let built = key === undefined ? undefined : this.aggregates.get(key);
    if (built === undefined) {
      built = this.buildAggregate(node);
      if (key !== undefined) this.aggregates.set(key, built);
    }
    return built;
  }

  /**
   * `count()` and `sum()` of no events are 0; `min`, `max`, `avg`, `first_at`, `last_at` of no
   * events are undefined; `sum`/`min`/`max`/`avg` skip events whose property is not a number;
   * `first_at`/`last_at` skip events without a valid timestamp (as `emit-events.ts`).
   */
  private buildAggregate(node: EventAggregate): Aggregate {
    const fn = node.fn;
    const property = node.property;
    if (property === null && (fn === 'sum' || fn === 'min' || fn === 'max' || fn === 'avg')) return fn === 'sum' ? () => 0 : () => undefined;
    const name = node.event.value.toLowerCase();
    const length = name.length;
    const timed = node.within !== null || fn === 'first_at' || fn === 'last_at';
    const windowed = node.within !== null;
    // An invalid window (NaN) keeps no event: the comparisons are false.
    const low = node.within === null ? NaN : this.context.clock.ago(node.within);
    const now = this.context.clock.now;
    const where = node.where === null ? undefined : this.build(node.where, eventSchema(this.context.schema, node.event.value)?.properties ?? {});
    const withProperties = where !== undefined || (property !== null && fn !== 'count');
    const readProperty = property === null ? undefined : reader(property.value);
    const readEvents = reader(EVENTS_KEY);
    const fold = FOLDS[fn];
    return (p, cap) => {
      const events = readEvents(p);
      let n = 0;
      let s = 0;
      let m: number | undefined;
      if (Array.isArray(events)) {
        for (let i = 0; i < events.length; i++) {
          const e = events[i] as Obj | null;
          if (typeof e !== 'object' || e === null) continue;
          const nm = e.event;
          // Lower-casing never shortens a text, so a longer name cannot match.
          if (typeof nm !== 'string' || (nm !== name && (nm.length > length || nm.toLowerCase() !== name))) continue;
          let ts = NaN;
          if (timed) {
            ts = instant(e.timestamp);
            if (windowed && !(ts >= low && ts <= now)) continue;
          }
          let q = EMPTY as Obj;
          if (withProperties) {
            const props = e.properties;
            if (typeof props === 'object' && props !== null && !Array.isArray(props)) q = props as Obj;
            if (where !== undefined && !where(q, p)) continue;
          }
          switch (fold) {
            case Fold.Count:
              if (++n >= cap) return n;
              break;
            case Fold.Sum:
            case Fold.Avg: {
              const x = readProperty!(q);
              if (typeof x === 'number' && x === x) {
                s += x;
                n++;
              }
              break;
            }
            case Fold.Min: {
              const x = readProperty!(q);
              if (typeof x === 'number' && x === x && (m === undefined || x < m)) m = x;
              break;
            }
            case Fold.Max: {
              const x = readProperty!(q);
              if (typeof x === 'number' && x === x && (m === undefined || x > m)) m = x;
              break;
            }
            case Fold.First:
              if (ts === ts && (m === undefined || ts < m)) m = ts;
              break;
            case Fold.Last:
              if (ts === ts && (m === undefined || ts > m)) m = ts;
              break;
          }
        }
      }
      switch (fold) {
        case Fold.Count:
          return n;
        case Fold.Sum:
          return s;
        case Fold.Avg:
          return n === 0 ? undefined : s / n;
        default:
          return m;
      }
    };
  }
}

const enum Fold {
  Count,
  Sum,
  Avg,
  Min,
  Max,
  First,
  Last,
}

const FOLDS: Record<EventAggregate['fn'], Fold> = { count: Fold.Count, sum: Fold.Sum, avg: Fold.Avg, min: Fold.Min, max: Fold.Max, first_at: Fold.First, last_at: Fold.Last };

function all(items: Node[]): Node {
  const live = items.filter((i) => i !== TRUE);
  if (live.includes(FALSE)) return FALSE;
  switch (live.length) {
    case 0:
      return TRUE;
    case 1:
      return live[0];
    case 2: {
      const [a, b] = live;
      return (x, p) => a(x, p) && b(x, p);
    }
    case 3: {
      const [a, b, c] = live;
      return (x, p) => a(x, p) && b(x, p) && c(x, p);
    }
    default:
      return (x, p) => {
        for (let i = 0; i < live.length; i++) if (!live[i](x, p)) return false;
        return true;
      };
  }
}

function any(items: Node[]): Node {
  const live = items.filter((i) => i !== FALSE);
  if (live.includes(TRUE)) return TRUE;
  switch (live.length) {
    case 0:
      return FALSE;
    case 1:
      return live[0];
    case 2: {
      const [a, b] = live;
      return (x, p) => a(x, p) || b(x, p);
    }
    case 3: {
      const [a, b, c] = live;
      return (x, p) => a(x, p) || b(x, p) || c(x, p);
    }
    default:
      return (x, p) => {
        for (let i = 0; i < live.length; i++) if (live[i](x, p)) return true;
        return false;
      };
  }
}

function negate(node: Node): Node {
  if (node === TRUE) return FALSE;
  if (node === FALSE) return TRUE;
  return (x, p) => !node(x, p);
}

/** An own property (for keys such as `constructor` that every object inherits), or a plain read. */
function access(key: string): Read {
  if (key in Object.prototype) return (o) => own(o, key);
  return (o) => o[key];
}

/**
 * The rule of `readField` (schema.ts) for one key: a dotted key reads nested objects
 * (`o.attributes.tier`), or the flat key (`o["attributes.tier"]`) when `o` has no `attributes` at all.
 */
function reader(key: string): Read {
  const path = fieldPath(key);
  if (path.length === 1) return access(key);
  const first = access(path[0]);
  const flat = access(key);
  const steps = path.slice(1).map(access);
  if (steps.length === 1) {
    const step = steps[0];
    return (o) => {
      const r = first(o);
      if (r === undefined) return flat(o);
      return typeof r === 'object' && r !== null && !Array.isArray(r) ? step(r as Obj) : undefined;
    };
  }
  return (o) => {
    let r = first(o);
    if (r === undefined) return flat(o);
    for (let i = 0; i < steps.length; i++) r = typeof r === 'object' && r !== null && !Array.isArray(r) ? steps[i](r as Obj) : undefined;
    return r;
  };
}

/** How deeply `and`/`or` nest in `expr`, counted up to just past `limit` (without recursion). */
function nesting(expr: Expr, limit: number): number {
  let deepest = 0;
  const stack: [Expr, number][] = [[expr, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    switch (node.type) {
      case 'and':
      case 'or':
        for (const item of node.items) stack.push([item, depth + 1]);
        break;
      case 'not':
        stack.push([node.operand, depth]);
        break;
      case 'group':
        stack.push([node.expr, depth]);
        break;
      case 'predicate':
      case 'segment':
      case 'draft':
      case 'raw':
        break;
      default:
        assertNever(node, 'expression');
    }
  }
  return deepest;
}

const enum Op {
  /** v = leaf(b, p) */
  Leaf,
  /** v = constant */
  Set,
  /** v = !v */
  Not,
  /** if (!v) go to target */
  IfFalse,
  /** if (v) go to target */
  IfTrue,
}

/**
 * A tree too deep for nested closures as one flat program: short-circuit `and`/`or` become jumps
 * over a single value register, `not` a flip, leaves (predicates, segments) their closures. Built
 * with an explicit stack, evaluated by one loop: no recursion at either time.
 */
function flatProgram(expr: Expr, leaf: (node: Leaf) => Node): Node {
  const ops: Op[] = [];
  const args: (Node | number | boolean)[] = [];
  const emit = (op: Op, arg: Node | number | boolean): number => {
    ops.push(op);
    args.push(arg);
    return ops.length - 1;
  };
  // Work, last first: a node to emit, a jump to emit (patched later), the point where the jumps of
  // an `and`/`or` land, a `not` to apply once its operand is done.
  type Work = { node: Expr } | { jump: Op.IfFalse | Op.IfTrue; from: number[] } | { land: number[] } | { flip: true };
  const work: Work[] = [{ node: expr }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('flip' in item) {
      emit(Op.Not, 0);
    } else if ('jump' in item) {
      item.from.push(emit(item.jump, -1));
    } else if ('land' in item) {
      for (const at of item.land) args[at] = ops.length;
    } else {
      const [node, negated] = unwrapNot(item.node);
      if (negated) work.push({ flip: true });
      if (node.type === 'and' || node.type === 'or') {
        if (node.items.length === 0) {
          emit(Op.Set, node.type === 'and');
          continue;
        }
        // Each item but the last is followed by a jump to the end when it settles the result.
        const from: number[] = [];
        const jump = node.type === 'and' ? Op.IfFalse : Op.IfTrue;
        work.push({ land: from });
        for (let i = node.items.length - 1; i >= 0; i--) {
          work.push({ node: node.items[i] });
          if (i > 0) work.push({ jump, from });
        }
      } else {
        emit(Op.Leaf, leaf(node));
      }
    }
  }
  const n = ops.length;
  return (b, p) => {
    let v = false;
    for (let pc = 0; pc < n; pc++) {
      switch (ops[pc]) {
        case Op.Leaf:
          v = (args[pc] as Node)(b, p);
          break;
        case Op.Set:
          v = args[pc] as boolean;
          break;
        case Op.Not:
          v = !v;
          break;
        case Op.IfFalse:
          if (!v) pc = (args[pc] as number) - 1;
          break;
        case Op.IfTrue:
          if (v) pc = (args[pc] as number) - 1;
          break;
      }
    }
    return v;
  };
}
