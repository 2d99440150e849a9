/**
 * The shared picker: a schema of 2,000 fields costs one button per row, and the open list is
 * searchable, grouped, capped and driven from the keyboard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { Schema } from '../../core/index';
import { $, $$, axeViolations, cleanup, mount } from './fixtures';

afterEach(cleanup);

/** 2,000 fields in 20 categories. */
function bigSchema(): Schema {
  const fields: Schema['fields'] = {};
  for (let c = 0; c < 20; c++) for (let k = 0; k < 100; k++) fields[`group${c}.field_${c}_${k}`] = { type: k % 2 ? 'number' : 'text', label: `Field ${c}-${k}` };
  return { fields };
}

describe('with 2,000 fields', () => {
  const value = Array.from({ length: 50 }, (_, k) => `group${k % 20}.field_${k % 20}_${k} = ${k % 2 ? k : `"v${k}"`}`).join(' and ');

  it('renders no option element and no listbox until a picker opens', async () => {
    const el = await mount({ schema: bigSchema(), value });
    expect($$(el, '[part~="condition"]')).toHaveLength(50);
    expect($$(el, 'option, [role="option"], [role="listbox"]')).toHaveLength(0);
  });

  it('lists at most 100 choices grouped by category, then narrows as the user types', async () => {
    const el = await mount({ schema: bigSchema(), value });
    await userEvent.click($(el, '[role="row"][data-path][data-path="3"] [part~="field-picker"] button'));
    expect($$(el, '[role="option"]')).toHaveLength(100);
    expect($$(el, '[role="listbox"] > [role="group"]').map((g) => g.getAttribute('aria-label'))).toEqual(['Group0']);
    expect($(el, '[part~="picker"]').textContent).toContain('1,900 more: type to narrow');
    await userEvent.keyboard('Field 7-1');
    const shown = $$(el, '[role="option"]').map((o) => o.firstElementChild!.textContent!.trim());
    expect(shown.slice(0, 3)).toEqual(['Field 7-1', 'Field 7-10', 'Field 7-11']);
    expect(shown).toHaveLength(11);
    await userEvent.keyboard('2{Enter}');
    // A text field in place of a number one: the operator fits, the value starts afresh.
    expect(el.value.startsWith('group0.field_0_0 = "v0" and group1.field_1_1 = 1 and group2.field_2_2 = "v2" and group7.field_7_12 = "" and ')).toBe(true);
  });

  it('closes on Escape with focus back on its button, and the list passes axe while open', async () => {
    const el = await mount({ schema: bigSchema(), value });
    const button = $(el, '[role="row"][data-path][data-path="0"] [part~="field-picker"] button');
    await userEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(await axeViolations()).toEqual([]);
    await userEvent.keyboard('{Escape}');
    expect($$(el, '[role="listbox"]')).toHaveLength(0);
    expect(el.shadowRoot!.activeElement).toBe($(el, '[role="row"][data-path][data-path="0"] [part~="field-picker"] button'));
  });

  it('closes when focus leaves it', async () => {
    const el = await mount({ schema: bigSchema(), value });
    await userEvent.click($(el, '[role="row"][data-path][data-path="0"] [part~="field-picker"] button'));
    await userEvent.click($(el, '[role="row"][data-path][data-path="1"] [part~="value-input"]'));
    expect($$(el, '[role="listbox"]')).toHaveLength(0);
  });
});
