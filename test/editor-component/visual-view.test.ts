/**
 * The visual view, driven by mouse and keyboard in Chromium: every edit shows in the expression.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { SegmentBuilder } from '../../editor-component/index';
import { $, $$, cleanup, mount } from './fixtures';

afterEach(cleanup);

const rows = (el: SegmentBuilder) => $$(el, '[role="row"][data-path]');
const row = (el: SegmentBuilder, path: string) => $(el, `[role="row"][data-path][data-path="${path}"]`);
const within = (r: HTMLElement, selector: string) => {
  const found = r.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`no ${selector} in row ${r.dataset.path}`);
  return found;
};
const focused = (el: SegmentBuilder) => el.shadowRoot!.activeElement as HTMLElement | null;

async function choose(el: SegmentBuilder, button: HTMLElement, query: string) {
  await userEvent.click(button);
  await userEvent.keyboard(query);
  const option = $$(el, '[role="option"]').find((o) => o.getAttribute('aria-selected') === 'true');
  expect(option, `an option for ${query}`).toBeDefined();
  await userEvent.keyboard('{Enter}');
}

describe('groups and rows by mouse', () => {
  it('adds a condition at the end of a group', async () => {
    const el = await mount({ value: 'country = "OM"' });
    await userEvent.click(row(el, '').parentElement!.querySelector<HTMLElement>(':scope > [part~="group-footer"] [part~="add-condition"]')!);
    expect(el.value).toBe('country = "OM" and ?');
    expect(el.diagnostics.map((d) => d.code)).toEqual(['incomplete-condition']);
    await choose(el, row(el, '1').querySelector<HTMLElement>('[part~="field-picker"] button')!, 'Email');
    expect(el.value).toBe('country = "OM" and email = ""');
  });

  it('adds a saved segment row and an empty group, then conditions inside the group', async () => {
    const el = await mount({ value: 'country = "OM"' });
    await userEvent.click($(el, '[part~="add-segment"]'));
    expect(el.value).toBe('country = "OM" and in_segment("VIP Arabic Speakers")');
    await userEvent.click($(el, '[part~="add-group"]'));
    expect(el.value).toBe('country = "OM" and in_segment("VIP Arabic Speakers") and ()');
    const inner = () => row(el, '2').parentElement!.querySelector<HTMLElement>(':scope > [part~="group-footer"] [part~="add-condition"]')!;
    await userEvent.click(inner());
    expect(el.value).toBe('country = "OM" and in_segment("VIP Arabic Speakers") and (?)');
    await userEvent.click(inner());
    expect(el.value).toBe('country = "OM" and in_segment("VIP Arabic Speakers") and (? and ?)');
  });

  it('switches a group between all and any, and negates it', async () => {
    const el = await mount({ value: 'country = "OM" and language = "ar"' });
    await userEvent.click(within(row(el, ''), '[part~="connective-or"]'));
    expect(el.value).toBe('country = "OM" or language = "ar"');
    await userEvent.click(within(row(el, ''), '[part~="not-toggle"]'));
    expect(el.value).toBe('not (country = "OM" or language = "ar")');
  });

  it('duplicates and deletes a row', async () => {
    const el = await mount({ value: 'country = "OM" and language = "ar"' });
    await userEvent.click(within(row(el, '0'), '[part~="duplicate-button"]'));
    expect(el.value).toBe('country = "OM" and country = "OM" and language = "ar"');
    await userEvent.click(within(row(el, '2'), '[part~="delete-button"]'));
    expect(el.value).toBe('country = "OM" and country = "OM"');
  });

  it('keeps the user\'s parentheses when a delete leaves one item in them, and empties the segment', async () => {
    const el = await mount({ value: 'country = "OM" and not (language = "ar" or language = "en")' });
    await userEvent.click(within(row(el, '1/1'), '[part~="delete-button"]'));
    expect(el.value).toBe('country = "OM" and not (language = "ar")');
    expect($$(el, '[part~="group"]')).toHaveLength(2);
    const other = await mount({ value: 'a = 1 or b = 2', schema: undefined });
    await userEvent.click(within(row(other, '0'), '[part~="delete-button"]'));
    await userEvent.click(within(row(other, '0'), '[part~="delete-button"]'));
    expect(other.value).toBe('');
  });

  it('collapses and expands a group', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")' });
    const group = row(el, '1');
    await userEvent.click(within(group, '[part~="collapse-button"]'));
    expect(group.getAttribute('aria-expanded')).toBe('false');
    expect(group.parentElement!.querySelector<HTMLElement>(':scope > [part~="group-items"]')!.offsetHeight).toBe(0);
    await userEvent.click(within(group, '[part~="collapse-button"]'));
    expect(group.getAttribute('aria-expanded')).toBe('true');
  });

  it('drags a row into another group', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")' });
    const handle = within(row(el, '0'), '[part~="drag-handle"]');
    // Dropped on the lower half of the group's header: inside, at the end.
    const header = row(el, '1');
    const box = header.getBoundingClientRect();
    await userEvent.dragAndDrop(handle, header, { targetPosition: { x: 10, y: box.height - 3 } });
    expect(el.value).toBe('(language = "ar" or language = "en" or country = "OM")');
  });

  it('drags a row before another one', async () => {
    const el = await mount({ value: 'country = "OM" and language = "ar" and opt_out = false' });
    const handle = within(row(el, '2'), '[part~="drag-handle"]');
    const target = row(el, '0');
    await userEvent.dragAndDrop(handle, target, { targetPosition: { x: 10, y: 2 } });
    expect(el.value).toBe('opt_out = false and country = "OM" and language = "ar"');
  });
});

describe('conditions by mouse', () => {
  it('picks a field by searching, keeping a fitting operator and giving a fresh value otherwise', async () => {
    const el = await mount({ value: 'country = "OM"' });
    await choose(el, within(row(el, '0'), '[part~="field-picker"] button'), 'Carrier');
    expect(el.value).toBe('carrier = "OM"');
    await choose(el, within(row(el, '0'), '[part~="field-picker"] button'), 'clicks');
    expect(el.value).toBe('clicks_count = 0');
  });

  it('offers only the operators that fit the field, in words', async () => {
    const el = await mount({ value: 'clicks_count > 3' });
    await userEvent.click(within(row(el, '0'), '[part~="operator-picker"] button'));
    const labels = $$(el, '[role="option"]').map((o) => o.textContent!.replace(/\s+/g, ' ').trim());
    expect(labels).toEqual(['is =', 'is not !=', 'is greater than >', 'is at least >=', 'is less than <', 'is at most <=', 'is one of in', 'is not one of not in', 'between', 'not between', 'is known', 'is unknown']);
  });

  it('changes the operator and carries the value over into the new shape', async () => {
    const el = await mount({ value: 'clicks_count > 3' });
    await choose(el, within(row(el, '0'), '[part~="operator-picker"] button'), 'between');
    expect(el.value).toBe('clicks_count between 3 and 3');
    await choose(el, within(row(el, '0'), '[part~="operator-picker"] button'), 'is one of');
    expect(el.value).toBe('clicks_count in [3]');
    await choose(el, within(row(el, '0'), '[part~="operator-picker"] button'), 'is known');
    expect(el.value).toBe('clicks_count is known');
  });

  it('edits a text value keystroke by keystroke, keeping the rest of the text as written', async () => {
    const el = await mount({ value: 'country = "OM" // home market\n  and language = "ar"' });
    const input = within(row(el, '0'), '[part~="value-input"]') as HTMLInputElement;
    await userEvent.click(input);
    await userEvent.keyboard('{End}A');
    expect(el.value).toBe('country = "OMA" // home market\n  and language = "ar"');
    expect(focused(el)).toBe(input);
  });

  it('edits a number and ignores a half-typed one', async () => {
    const el = await mount({ value: 'clicks_count > 3' });
    const input = within(row(el, '0'), '[part~="value-input"]') as HTMLInputElement;
    await userEvent.fill(input, '12');
    expect(el.value).toBe('clicks_count > 12');
    await userEvent.fill(input, '');
    expect(el.value).toBe('clicks_count > 12');
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });

  it('picks an enum value from its listed values', async () => {
    const el = await mount({ value: 'language = "ar"' });
    await choose(el, within(row(el, '0'), '[part~="value-picker"] button'), 'fr');
    expect(el.value).toBe('language = "fr"');
  });

  it('adds and removes list values as chips', async () => {
    const el = await mount({ value: 'tags contains any ["vip"]' });
    const input = within(row(el, '0'), '[part~="chip-input"]');
    await userEvent.click(input);
    await userEvent.keyboard('gold{Enter}');
    expect(el.value).toBe('tags contains any ["vip", "gold"]');
    await userEvent.click(within(row(el, '0'), '[part~="chip-remove"]'));
    expect(el.value).toBe('tags contains any ["gold"]');
  });

  it('edits a between as two values', async () => {
    const el = await mount({ value: 'clicks_count between 1 and 3' });
    const [low, high] = [...row(el, '0').querySelectorAll<HTMLInputElement>('[part~="value-input"]')];
    await userEvent.fill(low, '2');
    await userEvent.fill(high, '9');
    expect(el.value).toBe('clicks_count between 2 and 9');
  });

  it('edits a relative date and shows the day it resolves to', async () => {
    const el = await mount({ value: 'last_interaction older than 30 days' });
    expect(within(row(el, '0'), '[part~="resolved-date"]').textContent).toBe('before Oct 25, 2026');
    await userEvent.fill(within(row(el, '0'), '[part~="duration-amount"]'), '7');
    await userEvent.selectOptions(within(row(el, '0'), '[part~="duration-unit"]'), 'week');
    expect(el.value).toBe('last_interaction older than 7 weeks');
  });

  it('stops adding saved segments at the limit of 10, and says so', async () => {
    const many = Array.from({ length: 11 }, (_, k) => ({ name: `S${k}`, expression: 'country = "OM"' }));
    const value = many.slice(0, 10).map((d) => `in_segment("${d.name}")`).join(' or ');
    const el = await mount({ value, segments: many });
    const add = () => $(el, '[part~="group-footer"] [part~="add-segment"]') as HTMLButtonElement;
    expect(add().disabled).toBe(true);
    expect($(el, '[part~="segment-limit"]').textContent).toBe('At most 10 saved segments in one segment');
    await userEvent.click(row(el, '9').querySelector<HTMLElement>('[part~="delete-button"]')!);
    expect(add().disabled).toBe(false);
    expect($$(el, '[part~="segment-limit"]')).toHaveLength(0);
    await userEvent.click(add());
    expect($$(el, '[part~="segment"]')).toHaveLength(10);
    expect(add().disabled).toBe(true);
  });

  it('shows a time ago further back than any calendar day without a day (and without breaking)', async () => {
    const el = await mount({ value: 'last_interaction older than 300000 years' });
    expect(within(row(el, '0'), '[part~="duration-amount"]')).toHaveProperty('value', '300000');
    expect(row(el, '0').querySelector('[part~="resolved-date"]')).toBeNull();
  });

  it('switches a date between a day, a time ago, today and now', async () => {
    const el = await mount({ value: 'created_at after "2026-01-01"' });
    const mode = () => within(row(el, '0'), '[part~="date-mode"]');
    await userEvent.fill(within(row(el, '0'), '[part~="value-input"]'), '2026-03-05');
    expect(el.value).toBe('created_at after "2026-03-05"');
    await userEvent.selectOptions(mode(), 'ago');
    expect(el.value).toBe('created_at after 30 days ago');
    expect(within(row(el, '0'), '[part~="resolved-date"]').textContent).toBe('since Oct 25, 2026');
    await userEvent.selectOptions(mode(), 'today');
    expect(el.value).toBe('created_at after today');
  });

  it('edits a boolean', async () => {
    const el = await mount({ value: 'opt_out = false' });
    await userEvent.selectOptions(within(row(el, '0'), '[part~="value-input"]'), 'true');
    expect(el.value).toBe('opt_out = true');
  });

  it('edits a saved segment row: the segment and in / not in', async () => {
    const el = await mount({ value: 'in_segment("VIP Arabic Speakers")' });
    await choose(el, within(row(el, '0'), '[part~="segment-picker"] button'), 'Inactive');
    expect(el.value).toBe('in_segment("Inactive 30+ Days")');
    await userEvent.selectOptions(within(row(el, '0'), '[part~="segment-mode"]'), 'out');
    expect(el.value).toBe('not in_segment("Inactive 30+ Days")');
  });

  it('edits an event condition: event, measure, property, window and its property conditions', async () => {
    const el = await mount({ value: 'event("purchase").count() >= 1' });
    const r = () => row(el, '0');
    await userEvent.selectOptions(within(r(), '[part~="aggregate"]'), 'sum');
    expect(el.value).toBe('event("purchase").sum("amount") >= 1');
    await userEvent.click(within(r(), '[part~="within-toggle"]'));
    expect(el.value).toBe('event("purchase").within(30 days).sum("amount") >= 1');
    await userEvent.click(within(r(), '[part~="add-where"]'));
    expect(el.value).toBe('event("purchase").where(?).within(30 days).sum("amount") >= 1');
    await choose(el, within(r(), '[part~="event-picker"] button'), 'page_view');
    expect(el.value).toBe('event("page_view").within(30 days).sum("amount") >= 1');
  });
});

describe('event conditions', () => {
  it('names the measures in words and offers only the event\'s own properties in its where clause', async () => {
    const el = await mount({ value: 'event("flow_completed").where(?).count() >= 1' });
    const options = [...within(row(el, '0'), '[part~="aggregate"]').querySelectorAll('option')].map((o) => o.textContent!.trim());
    expect(options).toEqual(['count', 'sum of', 'lowest', 'highest', 'average', 'first time', 'last time']);
    // The draft inside .where(…) picks from the event's properties, not the profile's fields.
    await userEvent.click(within(row(el, '0/where'), '[part~="field-picker"] button'));
    expect($$(el, '[role="option"]').map((o) => o.firstElementChild!.textContent!.trim())).toEqual(['flow']);
    await userEvent.keyboard('{Enter}');
    expect(el.value).toBe('event("flow_completed").where(flow = "product").count() >= 1');
    // The property's enum values, then the comparison after the measure.
    await choose(el, within(row(el, '0/where'), '[part~="value-picker"] button'), 'bot');
    expect(el.value).toBe('event("flow_completed").where(flow = "bot").count() >= 1');
    await choose(el, within(row(el, '0'), '[part~="operator-picker"] button'), 'is less than');
    expect(el.value).toBe('event("flow_completed").where(flow = "bot").count() < 1');
  });

  it('compares a first or last time as a date, with the day a relative date resolves to', async () => {
    const el = await mount({ value: 'event("purchase").count() >= 1' });
    await userEvent.selectOptions(within(row(el, '0'), '[part~="aggregate"]'), 'last_at');
    expect(el.value).toMatch(/^event\("purchase"\)\.last_at\(\) /);
    await choose(el, within(row(el, '0'), '[part~="operator-picker"] button'), 'after');
    expect(el.value).toBe('event("purchase").last_at() > 30 days ago');
    expect(within(row(el, '0'), '[part~="resolved-date"]').textContent).toBe('since Oct 25, 2026');
  });
});

describe('keyboard', () => {
  it('is one tab stop: tab enters the tree at the active row and arrows move between rows', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")' });
    const tabbable = rows(el).filter((r) => r.tabIndex === 0);
    expect(tabbable).toHaveLength(1);
    rows(el)[0].focus();
    await userEvent.keyboard('{ArrowDown}');
    expect(focused(el)?.dataset.path).toBe('0');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(focused(el)?.dataset.path).toBe('1/0');
    await userEvent.keyboard('{End}');
    expect(focused(el)?.dataset.path).toBe('1/1');
    await userEvent.keyboard('{Home}');
    expect(focused(el)?.dataset.path).toBe('');
    expect(rows(el).filter((r) => r.tabIndex === 0).map((r) => r.dataset.path)).toEqual(['']);
  });

  it('collapses with the left arrow, expands with the right, and goes to the parent', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")' });
    row(el, '1/0').focus();
    await userEvent.keyboard('{ArrowLeft}');
    expect(focused(el)?.dataset.path).toBe('1');
    await userEvent.keyboard('{ArrowLeft}');
    expect(row(el, '1').getAttribute('aria-expanded')).toBe('false');
    await userEvent.keyboard('{ArrowDown}');
    expect(focused(el)?.dataset.path).toBe('1');
    await userEvent.keyboard('{ArrowRight}');
    expect(row(el, '1').getAttribute('aria-expanded')).toBe('true');
    await userEvent.keyboard('{ArrowRight}');
    expect(focused(el)?.dataset.path).toBe('1/0');
  });

  it('moves rows with Alt+arrows, out of a group past its end, and indents and outdents', async () => {
    const el = await mount({ value: 'a = 1 and b = 2 and c = 3', schema: undefined });
    row(el, '2').focus();
    await userEvent.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(el.value).toBe('a = 1 and c = 3 and b = 2');
    expect(focused(el)?.dataset.path).toBe('1');
    await userEvent.keyboard('{Alt>}{ArrowRight}{/Alt}');
    expect(el.value).toBe('(a = 1 or c = 3) and b = 2');
    expect(focused(el)?.dataset.path).toBe('0/1');
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    expect(el.value).toBe('(a = 1) and c = 3 and b = 2');
  });

  it('deletes the focused row with Delete and announces it', async () => {
    const el = await mount({ value: 'a = 1 and b = 2', schema: undefined });
    row(el, '0').focus();
    await userEvent.keyboard('{Delete}');
    expect(el.value).toBe('b = 2');
    expect(focused(el)?.dataset.path).toBe('0');
    await new Promise((r) => requestAnimationFrame(r));
    await el.updateComplete;
    expect($(el, '[aria-live="polite"]').textContent).toBe('Deleted a = 1');
  });

  it('enters a row with Enter, tabs through its controls and leaves with Escape', async () => {
    const el = await mount({ value: 'country = "OM"' });
    row(el, '0').focus();
    await userEvent.keyboard('{Enter}');
    expect(focused(el)?.getAttribute('part')).toBe('not-toggle');
    await userEvent.keyboard('{Tab}');
    expect(focused(el)?.getAttribute('aria-label')).toBe('Field: Country code');
    await userEvent.keyboard('{Escape}');
    expect(focused(el)?.dataset.path).toBe('0');
  });

  it('picks a field with the keyboard alone', async () => {
    const el = await mount({ value: 'country = "OM"' });
    row(el, '0').focus();
    await userEvent.keyboard('{Enter}{Tab}{Enter}');
    expect(focused(el)?.getAttribute('role')).toBe('combobox');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(el.value).toBe('email = "OM"');
    expect(focused(el)?.getAttribute('aria-label')).toBe('Field: Email');
  });

  it('reverses the arrows in a right-to-left page', async () => {
    const wrapper = document.createElement('div');
    wrapper.dir = 'rtl';
    document.body.append(wrapper);
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")', locale: 'ar' }, wrapper);
    row(el, '1').focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(row(el, '1').getAttribute('aria-expanded')).toBe('false');
    await userEvent.keyboard('{ArrowLeft}');
    expect(row(el, '1').getAttribute('aria-expanded')).toBe('true');
  });
});

describe('read-only', () => {
  it('shows the segment without any control that edits it', async () => {
    const el = await mount({ value: 'country = "OM" and tags contains any ["a"]', readonly: true, view: 'both' });
    expect($$(el, '[part~="delete-button"], [part~="add-condition"], [part~="drag-handle"], [part~="chip-input"]')).toHaveLength(0);
    expect($$(el, 'button[aria-haspopup]').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(($(el, 'textarea') as HTMLTextAreaElement | null)?.readOnly ?? true).toBe(true);
  });
});

describe('max-depth', () => {
  it('offers no new group past the maximum depth', async () => {
    const el = await mount({ value: 'a = 1 and (b = 1 or c = 1)', schema: undefined, maxDepth: 2 });
    const adder = (path: string) => row(el, path).parentElement!.querySelector<HTMLButtonElement>(':scope > [part~="group-footer"] [part~="add-group"]')!;
    const [outer, inner] = [adder(''), adder('1')];
    expect(outer.disabled).toBe(false);
    expect(inner.disabled).toBe(true);
  });
});
