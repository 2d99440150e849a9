/**
 * bench:ui, in the page: react-querybuilder 8 on the same 50 fields and segment, set up as its
 * performance guide says (stable props defined once outside any render, uncontrolled through
 * `defaultQuery`, React's production build), mounted synchronously so the measurement covers it.
 */
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { QueryBuilder, type Field, type RuleGroupType } from 'react-querybuilder';
import { condition, FIELD_COUNT, fieldName, textConditionIndex } from './segment';
import { exposeHarness } from './harness';

const TYPES = ['text', 'number', 'boolean', 'date', 'enum'] as const;

const fields: Field[] = Array.from({ length: FIELD_COUNT }, (_, k) => {
  const type = TYPES[k % TYPES.length];
  const base = { name: fieldName(k), label: `Field ${k}` };
  if (type === 'number') return { ...base, inputType: 'number' };
  if (type === 'date') return { ...base, inputType: 'date' };
  if (type === 'boolean') return { ...base, valueEditorType: 'checkbox', defaultValue: true };
  if (type === 'enum') return { ...base, valueEditorType: 'select', values: ['alpha', 'beta', 'gamma'].map((v) => ({ name: v, label: v })) };
  return base;
});

function query(n: number): RuleGroupType {
  return { combinator: 'and', rules: Array.from({ length: n }, (_, k) => condition(k).rqb) };
}

let root: Root | undefined;

exposeHarness({
  mount(n: number) {
    const host = document.createElement('div');
    document.querySelector('#root')!.append(host);
    root?.unmount();
    root = createRoot(host);
    const defaultQuery = query(n);
    flushSync(() => root!.render(<QueryBuilder fields={fields} defaultQuery={defaultQuery} />));
    return host;
  },
  valueInput(el: Element, n: number) {
    return el.querySelectorAll<HTMLElement>('.rule')[textConditionIndex(n)].querySelector<HTMLElement>('.rule-value')!;
  },
  addButton(el: Element) {
    return el.querySelector<HTMLElement>('.ruleGroup-addRule')!;
  },
  textArea() {
    return null;
  },
  count(el: Element) {
    return el.querySelectorAll('*').length;
  },
  idle() {
    // React has committed and painted by the first frame: nothing is left.
    return Promise.resolve();
  },
  options(el: Element) {
    return el.querySelectorAll('option').length;
  },
});
