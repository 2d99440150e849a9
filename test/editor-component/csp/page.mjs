// The host page's own script under the strict CSP (no inline scripts allowed): it loads the builder
// from the package's browser entry, gives it the sample schema, and a live count over some profiles
// made with the browser core entry on its CSP-safe evaluator (closures: no code generation).
import '/editor.mjs';
import { compileSegment } from '/dist/core/index.mjs';

const el = document.querySelector('segment-builder');
const [schema, profiles] = await Promise.all([fetch('/schema.json').then((r) => r.json()), fetch('/profiles.json').then((r) => r.json())]);
el.schema = schema;
el.countProvider = async (expression) => compileSegment(expression, { schema, evaluator: 'closures' }).count(profiles);
el.addEventListener('change', (e) => {
  document.querySelector('output').value = e.detail.expression;
});
document.body.dataset.ready = 'true';
