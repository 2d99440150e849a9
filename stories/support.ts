/**
 * Shared set-up for the stories: the sample schema and saved segments, a render function that binds
 * every builder property, and helpers that reach into the builder's shadow DOM from a play function.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { within } from 'shadow-dom-testing-library';
import { expect, userEvent, waitFor } from 'storybook/test';
import { compileSegment, type Schema, type SegmentDefinition } from '../core/index';
// The `./editor` entry registers the core's Arabic words (operators, descriptions) with the element.
import '../editor-component/index';
import type { CountProvider, OptionsProvider, SegmentBuilder } from '../editor-component/index';
import schemaJson from '../sample/schema.json';
import segmentsJson from '../sample/segments.json';
import { generateProfiles } from '../sample/generate';

export const schema = schemaJson as unknown as Schema;
export const segments = segmentsJson as unknown as SegmentDefinition[];
/** Relative dates resolve against this instant, so the stories look the same on every day. */
export const NOW = new Date('2026-11-24T12:00:00Z');

/** The builder's own attributes and properties, as story args. */
export interface BuilderArgs {
  value?: string;
  schema?: Schema;
  segments?: readonly SegmentDefinition[];
  countProvider?: CountProvider;
  optionsProvider?: OptionsProvider;
  readonly?: boolean;
  disabled?: boolean;
  required?: boolean;
  name?: string;
  locale?: string;
  view?: 'visual' | 'text' | 'both';
  'max-depth'?: number;
  'group-counts'?: boolean;
}

/** One builder with the sample schema and segments unless the args give others. */
export function builder(args: BuilderArgs): TemplateResult {
  return html`<segment-builder
    .schema=${args.schema ?? schema}
    .segments=${args.segments ?? segments}
    .countProvider=${args.countProvider}
    .optionsProvider=${args.optionsProvider}
    .now=${NOW}
    .value=${args.value ?? ''}
    ?readonly=${args.readonly ?? false}
    ?disabled=${args.disabled ?? false}
    ?required=${args.required ?? false}
    ?group-counts=${args['group-counts'] ?? false}
    name=${args.name ?? nothing}
    locale=${args.locale ?? 'en'}
    view=${args.view ?? 'visual'}
    max-depth=${args['max-depth'] ?? 8}
  ></segment-builder>`;
}

/** The story's builder, rendered (its first update done). */
export async function builderIn(canvasElement: HTMLElement): Promise<SegmentBuilder> {
  const el = canvasElement.querySelector('segment-builder');
  if (!el) throw new Error('the story renders no <segment-builder>');
  await el.updateComplete;
  return el;
}

/**
 * Testing Library queries that also search shadow roots (`getByShadowRole`, `findAllByShadowText`, …)
 * over the story's canvas.
 */
export function canvas(canvasElement: HTMLElement) {
  return within(canvasElement);
}

export function $$(el: SegmentBuilder, selector: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

export function $(el: SegmentBuilder, selector: string): HTMLElement {
  const found = el.shadowRoot!.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`nothing in the builder matches ${selector}`);
  return found;
}

/** The builder's live count once it reads `expected` (the count is debounced and may be slow). */
export async function countReads(el: SegmentBuilder, expected: string | RegExp, timeout = 5000): Promise<void> {
  await waitFor(() => expect($(el, '[part~="count"]').textContent?.trim()).toMatch(expected), { timeout });
}

/** Records the builder's `input` and `change` events. */
export function recordEvents(el: SegmentBuilder): Event[] {
  const events: Event[] = [];
  el.addEventListener('input', (e) => events.push(e));
  el.addEventListener('change', (e) => events.push(e));
  return events;
}

/**
 * Replaces the whole text of a text box as a user would: select everything, type the new text.
 * (`userEvent.clear` does not follow focus into a shadow root.)
 */
export async function retype(box: HTMLTextAreaElement | HTMLInputElement, text: string): Promise<void> {
  await userEvent.type(box, text, { initialSelectionStart: 0, initialSelectionEnd: box.value.length });
}

let sampleProfiles: ReturnType<typeof generateProfiles> extends Generator<infer P> ? P[] : never;

/** 5,000 of the sample profiles (sample/generate.ts, the data the CLI demo and the SQL tests use). */
export function profiles() {
  sampleProfiles ??= [...generateProfiles(5000)];
  return sampleProfiles;
}

/** How many of the sample profiles an expression selects (the core's compiled evaluator). */
export function countSample(expression: string): number {
  return compileSegment(expression, { schema, segments, now: NOW }).count(profiles());
}

/** Rejects with the signal's reason when it aborts (as `fetch` does). */
export function abortable<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    work.then(resolve, reject);
  });
}

/** The text a sighted user reads in an element (without the screen-reader-only words). */
export function visibleText(element: HTMLElement): string {
  const copy = element.cloneNode(true) as HTMLElement;
  for (const hidden of copy.querySelectorAll('.visually-hidden')) hidden.remove();
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}
