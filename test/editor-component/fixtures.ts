/** Shared set-up for the builder's browser tests: the sample schema and segments, mounting, waiting. */
import '../../editor-component/index';
import type { Schema, SegmentDefinition } from '../../core/index';
import type { SegmentBuilder } from '../../editor-component/index';
import schemaJson from '../../sample/schema.json';
import segmentsJson from '../../sample/segments.json';

export const schema = schemaJson as unknown as Schema;
export const segments = segmentsJson as unknown as SegmentDefinition[];

/** Mounts a builder with the sample schema (unless given other properties) and waits for its first render. */
export async function mount(props: Partial<SegmentBuilder> = {}, container: HTMLElement = document.body): Promise<SegmentBuilder> {
  const el = document.createElement('segment-builder');
  Object.assign(el, { schema, segments, now: new Date('2026-11-24T12:00:00Z'), ...props });
  container.append(el);
  await el.updateComplete;
  return el;
}

/** Everything inside the builder's shadow root matching a selector. */
export function $$(el: SegmentBuilder, selector: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

export function $(el: SegmentBuilder, selector: string): HTMLElement {
  const found = el.shadowRoot!.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  return found;
}

export function cleanup(): void {
  document.body.replaceChildren();
}
