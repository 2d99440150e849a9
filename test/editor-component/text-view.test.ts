/**
 * The text view in Chromium: colours and squiggles from the core's tree and diagnostics, the
 * problems list, completion, and the row ⇄ text stretch highlighting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { SegmentBuilder } from '../../editor-component/index';
import { $, $$, cleanup, mount } from './fixtures';

afterEach(cleanup);

/** The stretches of the coloured copy of the text that have a kind's class, in order. */
function painted(el: SegmentBuilder, kind: string): string[] {
  const out: string[] = [];
  let run = '';
  for (const node of $(el, '[part~="text-highlight"]').childNodes) {
    if (node instanceof HTMLElement && node.classList.contains(`t-${kind}`)) run += node.textContent;
    else if (run) {
      out.push(run);
      run = '';
    }
  }
  if (run) out.push(run);
  return out;
}

const area = (el: SegmentBuilder) => $(el, 'textarea') as HTMLTextAreaElement;

describe('highlighting', () => {
  it('colours fields, operators, values, keywords, events, segments and comments', async () => {
    const el = await mount({
      value: 'country = "OM" and not clicks_count > 3 // note\nor event("purchase").count() >= 2 or in_segment("VIP Arabic Speakers")',
      view: 'text',
    });
    expect(painted(el, 'field')).toEqual(['country', 'clicks_count']);
    expect(painted(el, 'operator')).toEqual(['=', '>', '>=']);
    expect(painted(el, 'string')).toEqual(['"OM"', '"purchase"']);
    expect(painted(el, 'number')).toEqual(['3', '2']);
    expect(painted(el, 'keyword')).toEqual(['and', 'not', 'or', 'or']);
    expect(painted(el, 'comment')).toEqual(['// note']);
    expect(painted(el, 'function')).toEqual(['event("purchase").count()', 'in_segment("VIP Arabic Speakers")']);
  });

  it('shows each keystroke in the coloured copy at once and colours it once the text is analysed', async () => {
    const el = await mount({ value: 'country = "OM"', view: 'text' });
    const copy = $(el, '[part~="text-highlight"]');
    await userEvent.click(area(el));
    await userEvent.keyboard('{End} and opt_out = false');
    // The copy always holds the text area's text, so the characters under the caret line up.
    expect(copy.textContent).toBe('country = "OM" and opt_out = false\n');
    await el.updateComplete;
    expect(painted(el, 'field')).toEqual(['country', 'opt_out']);
    expect(painted(el, 'keyword')).toEqual(['and', 'false']);
    // An edit in the middle, then a deletion across pieces.
    await userEvent.keyboard('{Home}{ArrowRight}{ArrowRight}{Backspace}{Backspace}{Delete}{Delete}');
    expect(copy.textContent).toBe('try = "OM" and opt_out = false\n');
    await el.updateComplete;
    expect(copy.textContent).toBe('try = "OM" and opt_out = false\n');
    expect(painted(el, 'field')).toEqual(['try', 'opt_out']);
    // Nothing page-wide: no highlight registered, no style outside the shadow root.
    expect(CSS.highlights.size).toBe(0);
  });

  it('squiggles every problem and lists it with line, column and hint', async () => {
    const el = await mount({ value: 'contry = "OM"\nand clicks_count > "many"', view: 'text' });
    expect(painted(el, 'error')).toEqual(['contry', '"many"']);
    const items = $$(el, '[part~="diagnostics"] li').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(items[0]).toBe('1:1 unknown field `contry` did you mean `country`?');
    expect(items[1]).toMatch(/^2:20 /);
    expect(area(el).getAttribute('aria-invalid')).toBe('true');
  });

  it('moves the caret to a problem when its line is clicked', async () => {
    const el = await mount({ value: 'country = "OM" and langauge = "ar"', view: 'text' });
    await userEvent.click($(el, '[part~="diagnostics"] button'));
    expect([area(el).selectionStart, area(el).selectionEnd]).toEqual([19, 27]);
  });

  it('shows a syntax error without losing the text, and the visual view keeps it as an editable row', async () => {
    const el = await mount({ value: 'country = ', view: 'both' });
    expect(el.value).toBe('country = ');
    expect(painted(el, 'error').length).toBe(1);
    const raw = $(el, '[part~="raw-input"]') as HTMLInputElement;
    expect(raw.value).toBe('country =');
    await userEvent.click(raw);
    await userEvent.keyboard('{End} "OM"');
    expect(el.value).toBe('country = "OM" ');
    // The rows follow the text once its analysis has run (after the frame that painted the keystroke).
    await expect.poll(() => $$(el, '[part~="condition"]').length).toBe(1);
  });

  it('keeps the conditions around a stretch that does not parse, and only that stretch is raw', async () => {
    const el = await mount({ value: 'country = "OM" and clicks_count > and (language = "ar" or tags contains "VIP")', view: 'both' });
    const kinds = () => $$(el, '[role="row"][data-path]').map((r) => `${r.dataset.path}:${r.getAttribute('part')}`);
    expect(kinds()).toEqual([':group-header', '0:condition-row', '1:raw-row', '2:group-header', '2/0:condition-row', '2/1:condition-row']);
    expect(el.valid).toBe(false);
    expect(el.diagnostics.map((d) => d.span)).toEqual([{ start: 33, end: 33 }]);
    // The other rows still edit; the broken stretch stays as the user wrote it.
    await userEvent.click($(el, '[role="row"][data-path="0"] [part~="delete-button"]'));
    expect(el.value).toBe('clicks_count > and (language = "ar" or tags contains "VIP")');
    const raw = $(el, '[part~="raw-input"]') as HTMLInputElement;
    await userEvent.click(raw);
    await userEvent.keyboard('{End} 3');
    expect(el.value).toBe('clicks_count > 3 and (language = "ar" or tags contains "VIP")');
    expect(el.valid).toBe(true);
    // The rows follow the text once its analysis has run (after the frame that painted the keystroke).
    await expect.poll(() => $$(el, '[part~="raw"]').length).toBe(0);
    expect($$(el, '[part~="condition"]')).toHaveLength(3);
  });
});

describe('completion', () => {
  async function typeIn(el: SegmentBuilder, text: string) {
    await userEvent.click(area(el));
    await userEvent.keyboard(text);
  }
  const options = (el: SegmentBuilder) => $$(el, '#completions [role="option"] .label').map((o) => o.textContent!.trim());

  it('completes field names where a condition starts', async () => {
    const el = await mount({ value: '', view: 'text' });
    await typeIn(el, 'las');
    expect(options(el)).toEqual(['last_interaction', 'last_received_sms']);
    expect(area(el).getAttribute('aria-activedescendant')).toBe('completion-0');
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(el.value).toBe('last_received_sms ');
  });

  it('completes the operators that fit the field before the caret', async () => {
    const el = await mount({ value: '', view: 'text' });
    await typeIn(el, 'tags con');
    expect(options(el)).toEqual(['contains', 'contains any', 'contains all', 'contains none', 'not contains']);
  });

  it('completes enum values after an operator', async () => {
    const el = await mount({ value: '', view: 'text' });
    await typeIn(el, 'language = ');
    await userEvent.keyboard('{Control>} {/Control}');
    expect(options(el)).toEqual(['"ar"', '"en"', '"fr"', '"hi"', '"ur"', '"es"']);
    await userEvent.keyboard('{Enter}');
    expect(el.value).toBe('language = "ar"');
    expect(el.valid).toBe(true);
  });

  it('completes saved segment names and event names', async () => {
    const el = await mount({ value: '', view: 'text' });
    await typeIn(el, 'in_segment("VIP');
    expect(options(el)[0]).toBe('VIP Arabic Speakers');
    expect(options(el).every((o) => o.toLowerCase().includes('vip'))).toBe(true);
    await userEvent.keyboard('{Tab}');
    expect(el.value).toBe('in_segment("VIP Arabic Speakers")');
    await userEvent.keyboard(' and event("pur');
    expect(options(el)).toEqual(['purchase']);
  });

  it('closes on Escape and leaves the text alone', async () => {
    const el = await mount({ value: '', view: 'text' });
    await typeIn(el, 'cou');
    expect(options(el).length).toBeGreaterThan(0);
    await userEvent.keyboard('{Escape}');
    expect($$(el, '#completions')).toHaveLength(0);
    expect(el.value).toBe('cou');
  });
});

describe('the row and its text', () => {
  it('highlights the text of the focused row', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or opt_out = false)', view: 'both' });
    $(el, '[role="row"][data-path][data-path="1/1"]').focus();
    await el.updateComplete;
    expect(painted(el, 'selected')).toEqual(['opt_out = false']);
  });

  it('marks the row under the caret', async () => {
    const el = await mount({ value: 'country = "OM" and (language = "ar" or opt_out = false)', view: 'both' });
    await userEvent.click(area(el));
    area(el).setSelectionRange(33, 33);
    await userEvent.keyboard('{ArrowRight}');
    await el.updateComplete;
    expect($$(el, '.current > [role="row"]').map((r) => r.dataset.path)).toEqual(['1/0']);
  });
});
