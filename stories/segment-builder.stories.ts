/**
 * `<segment-builder>` in the states a host page meets. Each story's play function checks what a user
 * of that state relies on; `npm test` runs them in Chromium (vitest.storybook.config.mts).
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import type { Schema } from '../core/index';
import type { OptionsProvider } from '../editor-component/index';
import { $, $$, abortable, builder, builderIn, canvas, countReads, countSample, recordEvents, retype, schema, visibleText, type BuilderArgs } from './support';

const meta = {
  title: 'Segment builder/States',
  component: 'segment-builder',
  render: builder,
  args: { value: '', view: 'visual', locale: 'en', readonly: false },
} satisfies Meta<BuilderArgs>;

export default meta;
type Story = StoryObj<BuilderArgs>;

/** No expression yet: the empty root group, ready for a first condition. */
export const Empty: Story = {
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    expect(el.value).toBe('');
    expect($$(el, '[part~="condition"]')).toHaveLength(0);
    expect($(el, '[part~="empty"]')).toHaveTextContent('No conditions yet');
    expect($$(el, '[part~="description"]')).toHaveLength(0);
    const events = recordEvents(el);
    // A first condition, then its field from the searchable picker.
    await userEvent.click(c.getByShadowRole('button', { name: /Add condition/ }));
    await waitFor(() => expect($$(el, '[part~="condition"]')).toHaveLength(1));
    await userEvent.click($(el, '[part~="condition"] [part~="field-picker"] button'));
    await userEvent.type(await c.findByShadowRole('combobox'), 'country');
    await userEvent.click(await c.findByShadowRole('option', { name: /Country code/ }));
    await waitFor(() => expect(el.value).toMatch(/^country /));
    expect($(el, '[part~="field-picker"] button')).toHaveTextContent('Country code');
    expect(events.map((e) => e.type)).toContain('change');
  },
};

/** Text with problems: every diagnostic listed with its hint, the form field invalid, fixed by typing. */
export const InvalidInput: Story = {
  args: { value: 'contry = "OM" and clicks_count > "many"', view: 'both' },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    expect(el.valid).toBe(false);
    expect(el.diagnostics.map((d) => d.code)).toEqual(['unknown-field', 'value-type-mismatch']);
    const problems = $$(el, '[part~="diagnostics"] li').map((li) => li.textContent ?? '');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('did you mean `country`?');
    expect($(el, 'textarea')).toHaveAttribute('aria-invalid', 'true');
    expect(el.validity.valid).toBe(false);
    expect(el.validationMessage).not.toBe('');
    // Fixing the field name in the text view leaves only the second problem.
    await retype($(el, 'textarea') as HTMLTextAreaElement, 'country = "OM" and clicks_count > "many"');
    await waitFor(() => expect(el.diagnostics.map((d) => d.code)).toEqual(['value-type-mismatch']));
    await retype($(el, 'textarea') as HTMLTextAreaElement, 'country = "OM" and clicks_count > 3');
    await waitFor(() => expect(el.valid).toBe(true));
    expect($$(el, '[part~="diagnostics"] li[data-severity="error"], [part~="diagnostics"] li.error')).toHaveLength(0);
    expect(el.validity.valid).toBe(true);
  },
};

/** Readonly: the segment is shown, nothing can change it. */
export const Readonly: Story = {
  args: { value: 'tags contains "VIP" and language = "ar"', readonly: true },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    expect($$(el, '[part~="condition"]')).toHaveLength(2);
    expect(c.queryAllByShadowRole('button', { name: /Add condition/ })).toHaveLength(0);
    expect($$(el, '[part~="delete-button"], [part~="drag-handle"]')).toHaveLength(0);
    for (const button of $$(el, '[part~="picker-button"], [part~="not-toggle"], [part~="connective"] button')) {
      expect(button).toBeDisabled();
    }
    const events = recordEvents(el);
    await userEvent.click($(el, '[part~="condition"] [part~="not-toggle"]'));
    expect(el.value).toBe('tags contains "VIP" and language = "ar"');
    expect(events).toHaveLength(0);
    expect($(el, '[part~="description"]')).toHaveTextContent('whose tags contain "VIP" and whose language is "ar"');
  },
};

/** 2,000 fields in 40 categories: the picker lists them on demand, searchable; rows hold no options. */
const manyFields: Schema = {
  fields: Object.fromEntries(
    Array.from({ length: 2000 }, (_, i) => {
      const n = String(i + 1).padStart(4, '0');
      const type = (['text', 'number', 'boolean', 'date'] as const)[i % 4];
      return [`group_${String(i % 40).padStart(2, '0')}.field_${n}`, { type, label: `Field ${n}` }];
    }),
  ),
};

export const TwoThousandFields: Story = {
  args: { schema: manyFields, value: 'group_00.field_0001 = "a" and group_01.field_0002 > 5' },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    expect(el.valid).toBe(true);
    // No list of 2,000 choices per row: the rows hold buttons only.
    expect($$(el, 'option, [role="option"]')).toHaveLength(0);
    expect(el.shadowRoot!.querySelectorAll('*').length).toBeLessThan(300);
    await userEvent.click($$(el, '[part~="field-picker"] button')[1]);
    const search = await c.findByShadowRole('combobox');
    // At most 100 shown at once, the rest behind "type to narrow".
    const first = c.getAllByShadowRole('option');
    expect(first.length).toBeLessThanOrEqual(100);
    expect($(el, '[part~="picker"]')).toHaveTextContent(/more: type to narrow/);
    await userEvent.type(search, 'field_1999');
    await waitFor(() => expect(c.getAllByShadowRole('option')).toHaveLength(1));
    await userEvent.click(c.getByShadowRole('option', { name: /Field 1999/ }));
    await waitFor(() => expect(el.value).toMatch(/^group_00\.field_0001 = "a" and group_38\.field_1999 /));
  },
};

/** Two enum fields whose values only the host knows: cities (a lookup answering in 0.8 s) and stores (a directory that is down). */
const lookupSchema: Schema = {
  fields: { ...schema.fields, city: { type: 'enum', label: 'City' }, store: { type: 'enum', label: 'Store' } },
  events: schema.events,
};
const CITIES = ['Muscat', 'Salalah', 'Sohar', 'Nizwa', 'Sur', 'Suwayq', 'Ibri', 'Barka', 'Rustaq', 'Bahla', 'Khasab', 'Duqm'];

/** As a host's server lookup would: the cities matching the query after 0.8 s; the store directory fails. */
const lookup: OptionsProvider = (field, query, { signal }) =>
  abortable(
    signal,
    new Promise<string[]>((resolve, reject) =>
      setTimeout(() => {
        if (field !== 'city') return reject(new Error('the store directory is down'));
        resolve(CITIES.filter((c) => c.toLowerCase().startsWith(query.trim().toLowerCase())));
      }, 800),
    ),
  );

/**
 * Enum options that load asynchronously (`optionsProvider`): the picker says it is loading (`aria-busy`,
 * a status line), lists the answer for what is typed, aborts stale lookups, and when the lookup
 * fails says why, offers Try again and still takes a typed value.
 */
export const AsyncEnumOptions: Story = {
  name: 'Async enum options',
  args: { schema: lookupSchema, optionsProvider: lookup, value: 'city = "Muscat" and store = "Muttrah"' },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    const status = () => $(el, '[part~="picker-status"]').textContent?.trim();
    const [cityButton] = $$(el, '[part~="value-picker"] button');
    await userEvent.click(cityButton);
    expect(c.getByShadowRole('listbox')).toHaveAttribute('aria-busy', 'true');
    expect(status()).toBe('Loading values…');
    expect($(el, '[part~="picker-status"]')).toHaveAttribute('role', 'status');
    await waitFor(() => expect(status()).toBe(`${CITIES.length} values`), { timeout: 5000 });
    expect(c.getByShadowRole('listbox')).toHaveAttribute('aria-busy', 'false');
    // Typing asks the lookup again; the answer lists only what matches, and Enter takes the first.
    await userEvent.type(c.getByShadowRole('combobox'), 'su');
    await waitFor(() => expect(c.getAllByShadowRole('option').map((o) => o.querySelector('.label')?.textContent)).toEqual(['Sur', 'Suwayq', 'su']), { timeout: 5000 });
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(el.value).toBe('city = "Sur" and store = "Muttrah"'));
    // The store lookup fails: the reason, a Try again button, and a typed value still goes in.
    await userEvent.click($$(el, '[part~="value-picker"] button')[1]);
    await waitFor(() => expect(status()).toBe('Could not load the values: the store directory is down. Type a value to use it.'), { timeout: 5000 });
    expect(c.getByShadowRole('button', { name: 'Try again' })).toBeVisible();
    await userEvent.type(c.getByShadowRole('combobox'), 'Qurum{Enter}');
    await waitFor(() => expect(el.value).toBe('city = "Sur" and store = "Qurum"'));
  },
};

/** Dark theme: the page's `color-scheme: dark` turns the builder dark; no colours set by the host. */
export const DarkTheme: Story = {
  args: { value: 'tags contains "VIP" and (language = "ar" or country = "OM")', view: 'both' },
  render: (args) => html`<div style="color-scheme: dark; background: #101114; padding: 1rem">${builder(args)}</div>`,
  parameters: { backgrounds: { disable: true } },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const tree = $(el, '[part~="tree"]');
    const background = luminance(getComputedStyle(el).backgroundColor, getComputedStyle(tree).backgroundColor);
    const text = luminance(getComputedStyle(tree).color);
    expect(background).toBeLessThan(0.1);
    expect(text).toBeGreaterThan(0.6);
    // The text view's colours follow too.
    expect(luminance(getComputedStyle($(el, 'textarea')).caretColor, getComputedStyle($(el, 'textarea')).color)).toBeGreaterThan(0.6);
  },
};

/** The relative luminance (0 black … 1 white) of the first opaque CSS colour given. */
function luminance(...colours: string[]): number {
  for (const colour of colours) {
    const m = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(colour);
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) continue;
    const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  throw new Error(`no opaque colour among ${colours.join(', ')}`);
}

/** Arabic, right to left: the builder's words, the description and the count in Arabic, rows mirrored. */
export const ArabicRtl: Story = {
  args: { value: 'tags contains "VIP" and language = "ar"', locale: 'ar', countProvider: async (expression) => countSample(expression) },
  render: (args) => html`<div dir="rtl" lang="ar">${builder(args)}</div>`,
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    expect(c.getByShadowRole('button', { name: '+ إضافة شرط' })).toBeVisible();
    // The operator words in Arabic too (the core's Arabic locale).
    expect($(el, '[part~="condition"] [part~="operator-picker"] button').textContent).toMatch(/[\u0600-\u06FF]/);
    // The description in the core's Arabic words, the Latin field labels and values isolated inside it.
    expect(visibleText($(el, '[part~="description"]'))).toBe('العملاء حيث قيمة Tags تحتوي على "VIP" وحيث قيمة Language تساوي "ar"');
    expect($$(el, '[part~="description"] bdi').map((b) => b.textContent)).toEqual(['"VIP"', '"ar"']);
    const row = $(el, '[part~="condition-row"]');
    expect(getComputedStyle(row).direction).toBe('rtl');
    // Mirrored: the Not toggle starts the row on the right, the field picker follows to its left.
    const not = $(el, '[part~="condition"] [part~="not-toggle"]').getBoundingClientRect();
    const field = $(el, '[part~="condition"] [part~="field-picker"]').getBoundingClientRect();
    expect(not.left).toBeGreaterThan(field.left);
    // The count in Arabic words, its number in the locale's format.
    const count = new Intl.NumberFormat('ar').format(countSample(el.value));
    await countReads(el, `≈ ${count} عميل`);
  },
};

/** In a form: submitted under its name with the other fields, reset to the host's value, required. */
export const InsideAForm: Story = {
  args: { value: 'platform = "WhatsApp" and opt_out = false', name: 'segment', required: true },
  render: (args) => html`<form
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      form.querySelector('output')!.value = JSON.stringify(Object.fromEntries(new FormData(form)));
    }}
  >
    <p><label>Campaign <input name="campaign" value="Ramadan offer" /></label></p>
    ${builder(args)}
    <p><button type="submit">Save</button> <button type="reset">Reset</button></p>
    <p>Submitted: <output></output></p>
  </form>`,
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const c = canvas(canvasElement);
    const form = canvasElement.querySelector('form')!;
    const output = canvasElement.querySelector('output')!;
    await userEvent.click(c.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(JSON.parse(output.value)).toEqual({ campaign: 'Ramadan offer', segment: 'platform = "WhatsApp" and opt_out = false' }));
    // The user changes the segment; the form submits the new text.
    await userEvent.click($$(el, '[part~="condition"] [part~="not-toggle"]')[1]);
    expect(el.value).toBe('platform = "WhatsApp" and not opt_out = false');
    await userEvent.click(c.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(JSON.parse(output.value).segment).toBe('platform = "WhatsApp" and not opt_out = false'));
    // Reset goes back to the host's value without firing input or change.
    const events = recordEvents(el);
    await userEvent.click(c.getByRole('button', { name: 'Reset' }));
    await waitFor(() => expect(el.value).toBe('platform = "WhatsApp" and opt_out = false'));
    expect(events).toHaveLength(0);
    expect(form.checkValidity()).toBe(true);
    // Required: an empty segment blocks the form.
    await retype(await switchToText(el), ' ');
    await waitFor(() => expect(form.checkValidity()).toBe(false));
    expect(el.validity.valueMissing).toBe(true);
  },
};

/** Shows the text view and returns its text area. */
async function switchToText(el: HTMLElement & { shadowRoot: ShadowRoot | null }): Promise<HTMLTextAreaElement> {
  const button = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="view-switch"] button')].find((b) => b.textContent?.trim() === 'Text');
  await userEvent.click(button!);
  return waitFor(() => {
    const area = el.shadowRoot!.querySelector('textarea');
    if (!area) throw new Error('no text view');
    return area;
  });
}

/** 200 conditions in 20 groups: all shown, one value edited in place, the rest of the text untouched. */
const twoHundred = Array.from({ length: 20 }, (_, g) =>
  `(${Array.from({ length: 10 }, (_, k) => {
    const i = g * 10 + k;
    return [`clicks_count > ${i}`, `country = "C${i}"`, `tags contains "t${i}"`, `sent_count <= ${i + 1}`, `email is known`][i % 5];
  }).join(' and ')})`,
).join(' or ');

export const TwoHundredConditions: Story = {
  args: { value: twoHundred },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    expect(el.valid).toBe(true);
    expect($$(el, '[part~="condition"]')).toHaveLength(200);
    expect($$(el, '[part~="group"]')).toHaveLength(21);
    expect($$(el, 'option, [role="option"]')).toHaveLength(0);
    const events = recordEvents(el);
    // The last group's country value: typing edits only that condition's text.
    const input = $$(el, '[part~="condition"]')[196].querySelector<HTMLInputElement>('[part~="value-input"]')!;
    expect(input.value).toBe('C196');
    await retype(input, 'OM');
    await waitFor(() => expect(el.value).toBe(twoHundred.replace('country = "C196"', 'country = "OM"')));
    expect(events.filter((e) => e.type === 'input').length).toBeGreaterThan(0);
  },
};
