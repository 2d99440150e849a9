// The conformance table in the browser under the strict CSP, through the built core entry: every
// case on the closures evaluator, then on the default (auto), which must find code generation
// refused by itself and fall back on the closures. The ids go back to the test in `window.results`.
import { compileSegment } from '/dist/core/index.mjs';

const table = await fetch('/conformance.json').then((r) => r.json());
const results = {};
for (const evaluator of ['closures', 'auto']) {
  results[evaluator] = {};
  for (const c of table.cases) {
    try {
      const segment = compileSegment(c.expression, { schema: table.schema, segments: table.segments, now: c.now, timeZone: c.timeZone, evaluator });
      results[evaluator][c.name] = segment.filter(table.profiles).map((p) => String(p.id)).sort();
    } catch (e) {
      results[evaluator][c.name] = `${e.name}: ${e.message}`;
    }
  }
}
window.results = results;
document.body.dataset.ready = 'true';
