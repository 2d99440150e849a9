/**
 * Enum values the host loads (`optionsProvider`): the value picker and the text view's completion
 * wait for them, say so, cancel stale requests, keep answers, and keep editing working when they
 * fail. The provider is a stub the test answers; no timers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { Schema } from '../../core/index';
import type { OptionsProvider, SegmentBuilder } from '../../editor-component/index';
import { $, $$, axeViolations, cleanup, mount, schema } from './fixtures';

afterEach(cleanup);

/** The sample schema plus `city`, an enum whose values only the host knows. */
const withCity: Schema = { ...schema, fields: { ...schema.fields, city: { type: 'enum', label: 'City' } } };

/** A provider that records its calls and answers when the test says. */
function provider() {
  const calls: { field: string; query: string; signal: AbortSignal; event: string | undefined; resolve: (v: string[]) => void; reject: (e: Error) => void }[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const fn: OptionsProvider = (field, query, { signal, event }) =>
    new Promise<readonly string[]>((resolve, reject) => {
      calls.push({ field, query, signal, event, resolve, reject });
      for (const w of waiting.filter((w) => calls.length >= w.n)) w.resolve();
    });
  const called = (n: number) => (calls.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve })));
  return { fn, calls, called };
}

const valueButton = (el: SegmentBuilder) => $(el, '[part~="value-picker"] button');
const listbox = (el: SegmentBuilder) => $(el, '[part~="picker"] [role="listbox"]');
const status = (el: SegmentBuilder) => $(el, '[part~="picker-status"]').textContent?.trim();
const shown = (el: SegmentBuilder) => $$(el, '[part~="picker"] [role="option"] .label').map((o) => o.textContent!.trim());

describe('enum values the host loads', () => {
  it('asks for the field’s values when its picker opens, busy until they come, then lists them', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city = "Muscat"', optionsProvider: p.fn });
    expect(p.calls).toHaveLength(0);
    await userEvent.click(valueButton(el));
    await p.called(1);
    expect(p.calls[0]).toMatchObject({ field: 'city', query: '', event: undefined });
    expect(listbox(el).getAttribute('aria-busy')).toBe('true');
    expect($(el, '[part~="picker-status"]').getAttribute('role')).toBe('status');
    expect(status(el)).toBe('Loading values…');
    expect(await axeViolations()).toEqual([]);
    p.calls[0].resolve(['Muscat', 'Salalah', 'Sohar']);
    await expect.poll(() => shown(el)).toEqual(['Muscat', 'Salalah', 'Sohar']);
    expect(listbox(el).getAttribute('aria-busy')).toBe('false');
    expect(status(el)).toBe('3 values');
    expect(await axeViolations()).toEqual([]);
    // Chosen from the keyboard, like any picker.
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(el.value).toBe('city = "Salalah"');
    expect(el.valid).toBe(true);
  });

  it('aborts the request of a query the user has typed past, and asks nothing again for an answer it has', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city = "Muscat"', optionsProvider: p.fn });
    await userEvent.click(valueButton(el));
    await p.called(1);
    p.calls[0].resolve(['Muscat', 'Salalah', 'Sohar']);
    await expect.poll(() => shown(el)).toHaveLength(3);
    await userEvent.keyboard('S');
    await p.called(2);
    await userEvent.keyboard('o');
    await p.called(3);
    expect(p.calls.map((c) => c.query)).toEqual(['', 'S', 'So']);
    expect(p.calls[1].signal.aborted).toBe(true);
    // The stale answer is dropped even if it comes.
    p.calls[1].resolve(['Salalah', 'Sohar']);
    p.calls[2].resolve(['Sohar']);
    // The answer, then the typed text itself to use as it is.
    await expect.poll(() => shown(el)).toEqual(['Sohar', 'So']);
    // Back to the empty query, the list closed and opened again: the kept answer, no new request
    // (on the way, `S` is asked again: its first answer was dropped).
    await userEvent.keyboard('{Backspace}{Backspace}');
    await expect.poll(() => shown(el)).toEqual(['Muscat', 'Salalah', 'Sohar']);
    await userEvent.keyboard('{Escape}');
    await userEvent.click(valueButton(el));
    expect(shown(el)).toEqual(['Muscat', 'Salalah', 'Sohar']);
    expect(p.calls.map((c) => c.query)).toEqual(['', 'S', 'So', 'S']);
  });

  it('shows a failure without breaking editing: the typed value can be used, and Try again asks again', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city = "Muscat"', optionsProvider: p.fn });
    await userEvent.click(valueButton(el));
    await p.called(1);
    p.calls[0].reject(new Error('lookup service down'));
    await expect.poll(() => status(el)).toBe('Could not load the values: lookup service down. Type a value to use it.');
    expect(listbox(el).getAttribute('aria-busy')).toBe('false');
    // Tab reaches Try again; it asks once more.
    await userEvent.keyboard('{Tab}');
    expect(el.shadowRoot!.activeElement).toBe($(el, '[part~="picker-retry"]'));
    await userEvent.keyboard('{Enter}');
    await p.called(2);
    expect(status(el)).toBe('Loading values…');
    expect(el.shadowRoot!.activeElement).toBe($(el, '.picker-search'));
    p.calls[1].reject(new Error('lookup service down'));
    await expect.poll(() => $$(el, '[part~="picker-retry"]')).toHaveLength(1);
    // The value typed in the search box is offered as it is, and taken.
    await userEvent.keyboard('Nizwa');
    await expect.poll(() => shown(el)).toEqual(['Nizwa']);
    await userEvent.keyboard('{Enter}');
    expect(el.value).toBe('city = "Nizwa"');
    // The rest of the builder was never blocked: another condition edits as usual.
    expect(el.readOnly).toBe(false);
  });

  it('adds loaded values as chips to an `in` list, offering only those not chosen yet', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city in ["Muscat"]', optionsProvider: p.fn });
    await userEvent.click($(el, '[part~="chips"] [part~="value-picker"] button'));
    await p.called(1);
    p.calls[0].resolve(['Muscat', 'Salalah', 'Sohar']);
    await expect.poll(() => shown(el)).toEqual(['Salalah', 'Sohar']);
    await userEvent.keyboard('{Enter}');
    expect(el.value).toBe('city in ["Muscat", "Salalah"]');
  });

  it('aborts the load a closed list or a removed builder waited for', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city = "Muscat"', optionsProvider: p.fn });
    await userEvent.click(valueButton(el));
    await p.called(1);
    await userEvent.keyboard('{Escape}');
    expect(p.calls[0].signal.aborted).toBe(true);
    await userEvent.click(valueButton(el));
    await p.called(2);
    el.remove();
    expect(p.calls[1].signal.aborted).toBe(true);
  });

  it('does not ask for the values of an enum whose schema lists them', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'language = "ar"', optionsProvider: p.fn });
    await userEvent.click(valueButton(el));
    expect(shown(el)).toEqual(['ar', 'en', 'fr', 'hi', 'ur', 'es']);
    expect($$(el, '[part~="picker-status"]')).toHaveLength(0);
    expect(p.calls).toHaveLength(0);
  });

  it('says it in Arabic on an Arabic builder', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: 'city = "Muscat"', optionsProvider: p.fn, locale: 'ar' });
    el.dir = 'rtl';
    await userEvent.click(valueButton(el));
    await p.called(1);
    expect(status(el)).toBe('جارٍ تحميل القيم…');
    p.calls[0].reject(new Error('x'));
    await expect.poll(() => $(el, '[part~="picker-retry"]').textContent?.trim()).toBe('أعد المحاولة');
    expect(await axeViolations()).toEqual([]);
  });

  it('offers the loaded values in the text view’s completion once they come', async () => {
    const p = provider();
    const el = await mount({ schema: withCity, value: '', view: 'text', optionsProvider: p.fn });
    await userEvent.click($(el, 'textarea'));
    await userEvent.keyboard('city = ');
    await p.called(1);
    expect(p.calls[0]).toMatchObject({ field: 'city', query: '' });
    p.calls[0].resolve(['Muscat', 'Salalah']);
    await expect.poll(() => $$(el, '#completions [role="option"] .label').map((o) => o.textContent!.trim())).toEqual(['"Muscat"', '"Salalah"']);
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(el.value).toBe('city = "Salalah"');
  });
});
