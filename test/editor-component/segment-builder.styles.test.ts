/**
 * How the builder looks: light, dark and right-to-left, each checked with axe-core and saved as a
 * screenshot (build/screenshots/); its styles stay inside it and the page's stay outside.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import type { SegmentBuilder } from '../../editor-component/index';
import { $, axeViolations, cleanup, mount } from './fixtures';

afterEach(cleanup);

const SEGMENT =
  'tags contains "VIP" and (language = "ar" or country in ["OM", "AE"]) and last_interaction older than 30 days and event("purchase").within(30 days).sum("amount") > 500 and not in_segment("Inactive 30+ Days")';

async function shot(el: SegmentBuilder, name: string) {
  await new Promise((r) => requestAnimationFrame(r));
  await page.screenshot({ path: `../../build/screenshots/${name}.png`, element: el });
}

describe('themes and directions', () => {
  it('passes axe in the light theme', async () => {
    const el = await mount({ value: SEGMENT, view: 'both' });
    expect(await axeViolations()).toEqual([]);
    await shot(el, 'light');
  });

  it('passes axe in the dark theme, following the page colour scheme', async () => {
    document.documentElement.style.colorScheme = 'dark';
    document.body.style.background = '#111';
    try {
      const el = await mount({ value: SEGMENT, view: 'both' });
      expect(getComputedStyle(el).backgroundColor).toBe('rgb(27, 29, 33)');
      expect(await axeViolations()).toEqual([]);
      await shot(el, 'dark');
    } finally {
      document.documentElement.style.colorScheme = '';
      document.body.style.background = '';
    }
  });

  it('lays out mirrored in Arabic, right to left, and passes axe', async () => {
    const wrapper = document.createElement('div');
    wrapper.dir = 'rtl';
    wrapper.lang = 'ar';
    document.body.append(wrapper);
    const el = await mount({ value: SEGMENT, view: 'both', locale: 'ar' }, wrapper);
    expect($(el, '[part~="add-condition"]').textContent).toContain('إضافة شرط');
    const row = $(el, '[role="row"][data-path="0"]').getBoundingClientRect();
    const group = $(el, '[role="row"][data-path=""]').getBoundingClientRect();
    // Nested rows are indented from the right edge.
    expect(group.right - row.right).toBeGreaterThan(10);
    expect(Math.abs(group.left - row.left)).toBeLessThan(2);
    expect(await axeViolations()).toEqual([]);
    await shot(el, 'rtl-arabic');
  });

  it('indents a deeply nested segment one step a level, every level inside its parent', async () => {
    const el = await mount({ value: '(a = 1 and (b = 2 or (c = 3 and (d = 4 or (e = 5 and not (f = 6 or g = 7))))))', schema: undefined, view: 'both' });
    const starts = ['', '1', '1/1', '1/1/1', '1/1/1/1', '1/1/1/1/1'].map((p) => $(el, `[role="row"][data-path="${p}"]`).getBoundingClientRect().left);
    for (let k = 1; k < starts.length; k++) expect(starts[k] - starts[k - 1]).toBeGreaterThan(10);
    expect($(el, '[role="row"][data-path="1/1/1/1/1/0"]').getAttribute('aria-level')).toBe('7');
    // Without a schema, each value shows in the editor of its own type.
    expect(($(el, '[role="row"][data-path="0"] [part~="value-input"]') as HTMLInputElement).value).toBe('1');
    expect(await axeViolations()).toEqual([]);
    await shot(el, 'deep-nested');
  });

  it('lays out an event condition with its measure, window, comparison and where clause', async () => {
    const el = await mount({ value: 'event("purchase").where(amount > 100).within(30 days).sum("amount") >= 500', view: 'both' });
    const event = $(el, '[role="row"][data-path="0"]').getBoundingClientRect();
    const where = $(el, '[role="row"][data-path="0/where"]').getBoundingClientRect();
    expect(where.top).toBeGreaterThanOrEqual(event.bottom - 1);
    expect(where.left).toBeGreaterThan(event.left + 10);
    expect(await axeViolations()).toEqual([]);
    await shot(el, 'event-row');
  });

  it('is themed through its custom properties and parts', async () => {
    const style = document.createElement('style');
    style.textContent = 'segment-builder { --segment-builder-accent: rgb(200, 0, 100); } segment-builder::part(delete-button) { border-color: rgb(0, 128, 0); }';
    document.head.append(style);
    try {
      const el = await mount({ value: 'country = "OM" or language = "ar"' });
      expect(getComputedStyle($(el, '[part~="connective-or"]')).backgroundColor).toBe('rgb(200, 0, 100)');
      expect(getComputedStyle($(el, '[part~="delete-button"]')).borderTopColor).toBe('rgb(0, 128, 0)');
    } finally {
      style.remove();
    }
  });
});

describe('style isolation', () => {
  it('is untouched by aggressive page styles and adds no style to the page', async () => {
    const sheetsBefore = document.styleSheets.length + document.adoptedStyleSheets.length;
    const style = document.createElement('style');
    style.textContent = 'button { background: rgb(255, 0, 0) !important; padding: 40px !important; } div { margin: 30px !important; } .row { display: none !important; }';
    document.head.append(style);
    try {
      const el = await mount({ value: 'country = "OM"' });
      const button = $(el, '[part~="delete-button"]');
      expect(getComputedStyle(button).backgroundColor).not.toBe('rgb(255, 0, 0)');
      expect(getComputedStyle($(el, '[role="row"][data-path="0"]')).display).toBe('block');
      const outside = document.createElement('button');
      outside.className = 'row cell toolbar';
      document.body.append(outside);
      expect(getComputedStyle(outside).display).not.toBe('flex');
      expect(document.styleSheets.length + document.adoptedStyleSheets.length).toBe(sheetsBefore + 1);
    } finally {
      style.remove();
    }
  });
});
