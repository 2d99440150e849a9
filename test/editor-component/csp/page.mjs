// The host page's own script under the strict CSP (no inline scripts allowed): it loads the builder
// from the package's browser entry and gives it the sample schema.
import '/editor.mjs';

const el = document.querySelector('segment-builder');
const response = await fetch('/schema.json');
el.schema = await response.json();
el.addEventListener('change', (e) => {
  document.querySelector('output').value = e.detail.expression;
});
document.body.dataset.ready = 'true';
