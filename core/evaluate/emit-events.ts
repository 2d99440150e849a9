/**
 * An event aggregate (`event("name").where(…).within(…).fn(…)`) as one generated function of the
 * profile: a single loop over `profile.events` that keeps the events of that name (ignoring case),
 * inside the window (now − d ≤ timestamp ≤ now, computed once here), matching the `where` filter
 * (the same language over the event's properties, compiled as its own scope), and folds them.
 *
 * `count()` and `sum()` of no events are 0; `min`, `max`, `avg`, `first_at`, `last_at` of no events
 * are undefined (unknown); `sum`/`min`/`max`/`avg` skip events whose property is not a number.
 * `first_at`/`last_at` return epoch milliseconds and skip events without a valid timestamp.
 */
import { assertNever, type EventAggregate } from '../ast';
import { EVENTS_KEY } from '../schema';
import type { GeneratorContext } from './context';
import { eventSchema } from './operands';

const FOLD: Record<EventAggregate['fn'], { body: string; result: string }> = {
  count: { body: 'if (++n >= cap) break;', result: 'n' },
  sum: { body: `if (typeof x === 'number' && x === x) s += x;`, result: 's' },
  min: { body: `if (typeof x === 'number' && x === x && (m === undefined || x < m)) m = x;`, result: 'm' },
  max: { body: `if (typeof x === 'number' && x === x && (m === undefined || x > m)) m = x;`, result: 'm' },
  avg: { body: `if (typeof x === 'number' && x === x) { s += x; n++; }`, result: 'n === 0 ? undefined : s / n' },
  first_at: { body: 'if (ts === ts && (m === undefined || ts < m)) m = ts;', result: 'm' },
  last_at: { body: 'if (ts === ts && (m === undefined || ts > m)) m = ts;', result: 'm' },
};

/**
 * Emits the aggregate's function `name(p, cap)` and returns its name. `count()` stops once it
 * reaches `cap`: the caller passes one more than the largest number it compares with, above which
 * every comparison is decided.
 */
export function emitAggregate(node: EventAggregate, gen: GeneratorContext): string {
  const name = gen.fresh('a');
  const eventName = gen.constant(node.event.value.toLowerCase());
  const instant = gen.runtime('instant');
  const empty = gen.runtime('EMPTY');
  const lines: string[] = [
    `const e = ev[i];`,
    `if (typeof e !== 'object' || e === null) continue;`,
    `const nm = e.event;`,
    // Lower-casing never shortens a text, so a longer name cannot match.
    `if (typeof nm !== 'string' || (nm !== ${eventName} && (nm.length > ${gen.constant(node.event.value.toLowerCase().length)} || nm.toLowerCase() !== ${eventName}))) continue;`,
  ];
  const needsTime = node.within !== null || node.fn === 'first_at' || node.fn === 'last_at';
  if (needsTime) lines.push(`ts = ${instant}(e.timestamp);`);
  if (node.within !== null) {
    const low = gen.clock.ago(node.within);
    // An invalid window (NaN) keeps no event: the comparison below is false.
    lines.push(`if (!(ts >= ${gen.constant(low)} && ts <= ${gen.constant(gen.clock.now)})) continue;`);
  }
  const property = node.property;
  const needsProperties = node.where !== null || (property !== null && node.fn !== 'count');
  if (needsProperties) {
    lines.push(`q = e.properties;`, `if (typeof q !== 'object' || q === null || Array.isArray(q)) q = ${empty};`);
  }
  if (node.where !== null) {
    const fields = eventSchema(gen.context.schema, node.event.value)?.properties ?? {};
    const where = gen.scope(node.where, { params: 'q, p', base: 'q', fields });
    lines.push(`if (!${where}(q, p)) continue;`);
  }
  const fold = FOLD[node.fn];
  switch (node.fn) {
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
      if (property === null) return constantFunction(gen, name, node.fn === 'sum' ? '0' : 'undefined');
      lines.push(`x = ${gen.read('q', property.value)};`);
      break;
    case 'count':
    case 'first_at':
    case 'last_at':
      break;
    default:
      return assertNever(node.fn, 'aggregate');
  }
  lines.push(fold.body);
  const events = gen.read('p', EVENTS_KEY);
  gen.declare(
    [
      `function ${name}(p, cap) {`,
      `  let n = 0, s = 0, m, ts, x, q, r;`,
      `  const ev = ${events};`,
      `  if (Array.isArray(ev)) {`,
      `    for (let i = 0; i < ev.length; i++) {`,
      ...lines.map((l) => `      ${l}`),
      `    }`,
      `  }`,
      `  return ${fold.result};`,
      `}`,
    ].join('\n'),
  );
  return name;
}

function constantFunction(gen: GeneratorContext, name: string, result: string): string {
  gen.declare(`function ${name}(p, cap) { return ${result}; }`);
  return name;
}
