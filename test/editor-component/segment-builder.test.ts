/**
 * `<segment-builder>` as a host page uses it: its value, events, form field, schema context, count
 * and description. Runs in Chromium.
 */
import { ContextProvider } from '@lit/context';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { schemaContext, SegmentChangeEvent, SegmentInputEvent, type SegmentBuilder } from '../../editor-component/index';
import { $, $$, cleanup, mount, schema } from './fixtures';

afterEach(cleanup);

/** Records the builder's input and change events. */
function record(el: SegmentBuilder) {
  const events: (SegmentInputEvent | SegmentChangeEvent)[] = [];
  el.addEventListener('input', (e) => events.push(e));
  el.addEventListener('change', (e) => events.push(e));
  return events;
}

describe('value', () => {
  it('shows the value set by the host in both views and reflects it to the attribute', async () => {
    const el = await mount({ value: 'country = "OM" and clicks_count > 3', view: 'both' });
    expect(el.getAttribute('value')).toBe('country = "OM" and clicks_count > 3');
    expect(($(el, 'textarea') as HTMLTextAreaElement).value).toBe('country = "OM" and clicks_count > 3');
    expect($$(el, '[part~="condition"]')).toHaveLength(2);
    expect($(el, '[part~="field-picker"] button').textContent!.trim()).toBe('Country code');
  });

  it('takes the value from the attribute in plain HTML', async () => {
    document.body.innerHTML = `<segment-builder value='tags contains "VIP"'></segment-builder>`;
    const el = document.querySelector('segment-builder')!;
    await el.updateComplete;
    expect(el.value).toBe('tags contains "VIP"');
    expect(el.valid).toBe(true);
  });

  it('fires neither input nor change when the host sets the value, the schema or the segments', async () => {
    const el = await mount({ value: 'country = "OM"' });
    const events = record(el);
    el.value = 'country = "AE"';
    el.setAttribute('value', 'country = "SA"');
    el.schema = { fields: { country: { type: 'text' } } };
    el.segments = [];
    await el.updateComplete;
    expect(el.value).toBe('country = "SA"');
    expect(events).toHaveLength(0);
  });

  it('exposes the tree, the validity and every diagnostic of the current value', async () => {
    const el = await mount({ value: 'contry = "OM" and clicks_count > "many"' });
    expect(el.valid).toBe(false);
    expect(el.ast?.type).toBe('and');
    expect(el.diagnostics.map((d) => d.code)).toEqual(['unknown-field', 'value-type-mismatch']);
    expect(el.diagnostics[0].hint).toBe('did you mean `country`?');
    expect(el.diagnostics[0].span).toEqual({ start: 0, end: 6 });
  });
});

describe('events', () => {
  it('fires input with the expression, tree, validity and diagnostics on each keystroke in the text view', async () => {
    const el = await mount({ value: '', view: 'text' });
    const events = record(el);
    await userEvent.click($(el, 'textarea'));
    await userEvent.keyboard('age');
    expect(events.map((e) => e.type)).toEqual(['input', 'input', 'input']);
    const last = events[2] as SegmentInputEvent;
    expect(last).toBeInstanceOf(SegmentInputEvent);
    expect(last.detail.expression).toBe('age');
    expect(last.detail.valid).toBe(false);
    expect(last.detail.diagnostics.length).toBeGreaterThan(0);
    expect(last.bubbles && last.composed).toBe(true);
  });

  it('fires change when the text view is left after an edit, once', async () => {
    const el = await mount({ value: 'country = "OM"', view: 'text' });
    const events = record(el);
    const area = $(el, 'textarea') as HTMLTextAreaElement;
    await userEvent.click(area);
    await userEvent.keyboard('{End} or country = "AE"');
    area.blur();
    const changes = events.filter((e) => e.type === 'change') as SegmentChangeEvent[];
    expect(changes).toHaveLength(1);
    expect(changes[0].detail.expression).toBe('country = "OM" or country = "AE"');
    expect(changes[0].detail.valid).toBe(true);
    expect(changes[0].detail.ast?.type).toBe('or');
  });

  it('fires input and change together for a choice made in the visual view', async () => {
    const el = await mount({ value: 'country = "OM"' });
    const events = record(el);
    await userEvent.click($(el, '[part~="condition"] [part~="not-toggle"]'));
    expect(events.map((e) => e.type)).toEqual(['input', 'change']);
    expect(el.value).toBe('not country = "OM"');
  });
});

describe('form field', () => {
  function form(html: string): HTMLFormElement {
    document.body.innerHTML = `<form>${html}<button>Save</button></form>`;
    return document.querySelector('form')!;
  }

  it('submits its expression under its name', async () => {
    const f = form(`<segment-builder name="segment" value='language = "ar"'></segment-builder>`);
    const el = f.querySelector('segment-builder')!;
    await el.updateComplete;
    const submitted = new Promise<FormData>((resolve) =>
      f.addEventListener('submit', (e) => {
        e.preventDefault();
        resolve(new FormData(f));
      }),
    );
    f.querySelector('button')!.click();
    expect((await submitted).get('segment')).toBe('language = "ar"');
  });

  it('resets to the value the host gave it, without events', async () => {
    const f = form(`<segment-builder name="segment" value='language = "ar"'></segment-builder>`);
    const el = f.querySelector('segment-builder')!;
    el.view = 'text';
    await el.updateComplete;
    await userEvent.click($(el, 'textarea'));
    await userEvent.keyboard('{End} and opt_out = false');
    expect(el.value).toBe('language = "ar" and opt_out = false');
    const events = record(el);
    f.reset();
    await el.updateComplete;
    expect(el.value).toBe('language = "ar"');
    expect(($(el, 'textarea') as HTMLTextAreaElement).value).toBe('language = "ar"');
    expect(new FormData(f).get('segment')).toBe('language = "ar"');
    expect(events).toHaveLength(0);
  });

  it('restores the state the browser saved for it (history, autofill), without events', async () => {
    const f = form(`<segment-builder name="segment" value='language = "ar"'></segment-builder>`);
    const el = f.querySelector('segment-builder')!;
    await el.updateComplete;
    const events = record(el);
    // What the browser calls on back/forward with the state the builder gave setFormValue.
    el.formStateRestoreCallback('opt_out = false', 'restore');
    await el.updateComplete;
    expect(el.value).toBe('opt_out = false');
    expect($(el, '[part~="field-picker"] button').textContent!.trim()).toBe('opt_out');
    expect(new FormData(f).get('segment')).toBe('opt_out = false');
    expect(events).toHaveLength(0);
    // A reset still goes back to the host's value.
    f.reset();
    await el.updateComplete;
    expect(el.value).toBe('language = "ar"');
  });

  it('is invalid while the expression has problems, with the first problem as its message', async () => {
    const f = form(`<segment-builder name="segment"></segment-builder>`);
    const el = f.querySelector('segment-builder')!;
    el.schema = schema;
    el.value = 'langauge = "ar"';
    await el.updateComplete;
    expect(el.checkValidity()).toBe(false);
    expect(el.validity.customError).toBe(true);
    expect(el.validationMessage).toBe('unknown field `langauge`');
    expect(f.checkValidity()).toBe(false);
    el.value = 'language = "ar"';
    expect(el.checkValidity()).toBe(true);
  });

  it('is valueMissing when required and empty, and valid when empty and not required', async () => {
    const f = form(`<segment-builder name="segment" required></segment-builder>`);
    const el = f.querySelector('segment-builder')!;
    await el.updateComplete;
    expect(el.validity.valueMissing).toBe(true);
    el.required = false;
    await el.updateComplete;
    expect(el.checkValidity()).toBe(true);
  });

  it('leaves a disabled builder out of the form data and lets nothing be edited', async () => {
    const f = form(`<fieldset disabled><segment-builder name="segment" value='language = "ar"'></segment-builder></fieldset>`);
    const el = f.querySelector('segment-builder')!;
    await el.updateComplete;
    expect(new FormData(f).has('segment')).toBe(false);
    expect(el.disabled).toBe(true);
    expect($$(el, '[part~="delete-button"]')).toHaveLength(0);
  });
});

describe('schema and segments', () => {
  it('reads the schema an ancestor provides through context', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    new ContextProvider(host, { context: schemaContext, initialValue: { fields: { plan: { type: 'enum', values: ['free', 'pro'], label: 'Plan' } } } });
    const el = document.createElement('segment-builder');
    el.value = 'plan = "pro"';
    host.append(el);
    await el.updateComplete;
    expect($(el, '[part~="field-picker"] button').textContent!.trim()).toBe('Plan');
    el.value = 'plan = "team"';
    await el.updateComplete;
    expect(el.diagnostics.map((d) => d.code)).toEqual(['unknown-enum-value']);
  });

  it('lets its own schema property win over the context', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    new ContextProvider(host, { context: schemaContext, initialValue: { fields: { plan: { type: 'text' } } } });
    const el = document.createElement('segment-builder');
    el.schema = { fields: { tier: { type: 'text' } } };
    el.value = 'plan = "pro"';
    host.append(el);
    await el.updateComplete;
    expect(el.diagnostics.map((d) => d.code)).toEqual(['unknown-field']);
  });

  it('reports an unknown saved segment', async () => {
    const el = await mount({ value: 'in_segment("Nope")' });
    expect(el.diagnostics.map((d) => d.code)).toEqual(['unknown-segment']);
  });
});

describe('description', () => {
  it('describes a valid segment in plain words under the builder', async () => {
    const el = await mount({ value: 'tags contains "VIP" and language = "ar"' });
    expect($(el, '[part~="description"]').textContent).toContain('Customers whose tags contain "VIP" and whose language is "ar"');
  });

  it('describes in the builder locale, each quoted value isolated so its quotes stay around it', async () => {
    const el = await mount({ value: 'tags contains "VIP" and language = "ar"', locale: 'ar' });
    const description = $(el, '[part~="description"]');
    expect(description.textContent).toContain('العملاء');
    expect([...description.querySelectorAll('bdi')].map((b) => b.textContent)).toEqual(['"VIP"', '"ar"']);
    // The first quote of "VIP" is drawn left of V and the last right of P, inside the Arabic line.
    const bdi = description.querySelector('bdi')!;
    const range = document.createRange();
    const glyph = (k: number) => {
      range.setStart(bdi.firstChild!, k);
      range.setEnd(bdi.firstChild!, k + 1);
      return range.getBoundingClientRect();
    };
    expect(glyph(0).right).toBeLessThanOrEqual(glyph(1).left + 0.5);
    expect(glyph(4).left).toBeGreaterThanOrEqual(glyph(3).right - 0.5);
    el.locale = 'en';
    await el.updateComplete;
    expect(description.isConnected ? description.textContent : $(el, '[part~="description"]').textContent).toContain('Customers whose');
  });
});

describe('live count', () => {
  /** A count provider that records its calls, answers when told, and says when the n-th call came. */
  function provider() {
    const calls: { expression: string; signal: AbortSignal; resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
    const waiting: { n: number; resolve: () => void }[] = [];
    const fn = (expression: string, { signal }: { signal: AbortSignal }) =>
      new Promise<number>((resolve, reject) => {
        calls.push({ expression, signal, resolve, reject });
        for (const w of waiting.filter((w) => calls.length >= w.n)) w.resolve();
      });
    /** Resolves once the provider has been called n times. */
    const called = (n: number) => (calls.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve })));
    return { fn, calls, called };
  }
  const countText = (el: SegmentBuilder) => el.shadowRoot!.querySelector('[part~="count"]')?.textContent?.trim();

  it('counts a valid expression once typing pauses, aborting the stale request, and shows the figure', async () => {
    const p = provider();
    const el = await mount({ value: 'country = "OM"', countProvider: p.fn, view: 'text' });
    await p.called(1);
    await userEvent.click($(el, 'textarea'));
    await userEvent.keyboard('{End} and opt_out = false');
    await p.called(2);
    expect(p.calls[0].signal.aborted).toBe(true);
    expect(p.calls.map((c) => c.expression)).toEqual(['country = "OM"', 'country = "OM" and opt_out = false']);
    p.calls[0].resolve(999);
    p.calls[1].resolve(1234);
    await expect.poll(() => countText(el)).toBe('≈ 1,234 customers');
  });

  it('does not count an invalid expression and says why', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const p = provider();
      const el = await mount({ value: 'contry = "OM"', countProvider: p.fn });
      expect(countText(el)).toBe('Fix the problems to see a count');
      // Long past the pause a count waits for: still no call.
      vi.advanceTimersByTime(5_000);
      expect(p.calls).toHaveLength(0);
      el.value = 'country = "OM"';
      await el.updateComplete;
      vi.advanceTimersByTime(5_000);
      expect(p.calls.map((c) => c.expression)).toEqual(['country = "OM"']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a failed count without breaking editing', async () => {
    const p = provider();
    const el = await mount({ value: 'country = "OM"', countProvider: p.fn, view: 'text' });
    await p.called(1);
    p.calls[0].reject(new Error('database unreachable'));
    await expect.poll(() => countText(el)).toBe('Could not count: database unreachable');
    await userEvent.click($(el, 'textarea'));
    await userEvent.keyboard('{End} or country = "AE"');
    expect(el.value).toBe('country = "OM" or country = "AE"');
    await p.called(2);
    p.calls[p.calls.length - 1].resolve(5);
    await expect.poll(() => countText(el)).toBe('≈ 5 customers');
  });

  it('counts each group too when asked', async () => {
    const p = provider();
    const el = await mount({ value: 'country = "OM" and (language = "ar" or language = "en")', countProvider: p.fn, groupCounts: true });
    await p.called(2);
    expect(p.calls.map((c) => c.expression)).toEqual(['country = "OM" and (language = "ar" or language = "en")', '(language = "ar" or language = "en")']);
    p.calls[0].resolve(10);
    p.calls[1].resolve(4200);
    await expect.poll(() => el.shadowRoot!.querySelector('[part~="group-count"]')?.textContent).toBe('≈ 4,200');
  });

  it('aborts the count under way when removed from the page, and counts nothing until it is back', async () => {
    const p = provider();
    const el = await mount({ value: 'country = "OM"', countProvider: p.fn });
    await p.called(1);
    el.remove();
    expect(p.calls[0].signal.aborted).toBe(true);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // The host changes the segment while the builder is off the page: long past the pause, no call.
      el.value = 'country = "AE"';
      await el.updateComplete;
      vi.advanceTimersByTime(5_000);
      expect(p.calls).toHaveLength(1);
      // Back on the page: the current expression is counted, once.
      document.body.append(el);
      await el.updateComplete;
      vi.advanceTimersByTime(5_000);
      expect(p.calls.map((c) => c.expression)).toEqual(['country = "OM"', 'country = "AE"']);
    } finally {
      vi.useRealTimers();
    }
    p.calls[1].resolve(42);
    await expect.poll(() => countText(el)).toBe('≈ 42 customers');
  });

  it('drops the pause it was waiting for when removed mid-typing, and resumes on reconnect', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const p = provider();
      const el = await mount({ value: 'country = "OM"', countProvider: p.fn });
      // Removed before the pause ends: the count is never asked for.
      el.remove();
      vi.advanceTimersByTime(5_000);
      expect(p.calls).toHaveLength(0);
      document.body.append(el);
      await el.updateComplete;
      vi.advanceTimersByTime(5_000);
      expect(p.calls.map((c) => c.expression)).toEqual(['country = "OM"']);
      // A count that finished is not asked for again by a move in the page.
      p.calls[0].resolve(7);
      await vi.waitFor(() => expect(countText(el)).toBe('≈ 7 customers'));
      el.remove();
      document.body.append(el);
      await el.updateComplete;
      vi.advanceTimersByTime(5_000);
      expect(p.calls).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows counts in the builder locale', async () => {
    const p = provider();
    const el = await mount({ value: 'country = "OM"', countProvider: p.fn, locale: 'ar' });
    await p.called(1);
    p.calls[0].resolve(1234);
    await expect.poll(() => countText(el)).toBe(`≈ ${new Intl.NumberFormat('ar').format(1234)} عميل`);
  });
});
