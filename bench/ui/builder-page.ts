/** bench:ui, in the page: `<segment-builder>` mounted and driven for the measurements. */
import '../../editor-component/index';
import type { SegmentBuilder } from '../../editor-component/index';
import { expression, schema, textConditionIndex } from './segment';
import { exposeHarness } from './harness';

exposeHarness({
  mount(n: number, view: 'visual' | 'text') {
    const el = document.createElement('segment-builder') as SegmentBuilder;
    el.schema = schema();
    el.view = view;
    el.value = view === 'text' ? longExpression() : expression(n);
    document.querySelector('#root')!.append(el);
    return el;
  },
  valueInput(el: Element, n: number) {
    return (el as SegmentBuilder).shadowRoot!.querySelector<HTMLInputElement>(`[role="row"][data-path="${textConditionIndex(n)}"] [part~="value-input"]`)!;
  },
  addButton(el: Element) {
    // The root group's "Add condition" (the root's footer comes after every nested one).
    const all = (el as SegmentBuilder).shadowRoot!.querySelectorAll<HTMLElement>('[part~="group-footer"] [part~="add-condition"]');
    return all[all.length - 1];
  },
  textArea(el: Element) {
    return (el as SegmentBuilder).shadowRoot!.querySelector('textarea')!;
  },
  count(el: Element) {
    return (el as SegmentBuilder).shadowRoot!.querySelectorAll('*').length;
  },
  idle(el: Element) {
    return (el as SegmentBuilder).updateComplete;
  },
  options(el: Element) {
    return (el as SegmentBuilder).shadowRoot!.querySelectorAll('option').length;
  },
});

/** About 5,000 characters: the segment's conditions until the text is that long. */
function longExpression(): string {
  let n = 1;
  while (expression(n).length < 5000) n++;
  return expression(n);
}
