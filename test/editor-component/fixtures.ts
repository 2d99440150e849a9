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

/** Runs axe-core (WCAG 2.x A and AA rules) over the page around the builder; returns the violations, readable. */
export async function axeViolations(context: Element = document.body): Promise<string[]> {
  const axe = (await import('axe-core')).default;
  const result = await axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}
