/**
 * `<segment-builder>`: importing this module defines the element.
 *
 *   import 'n8n-nodes-segments/editor';
 *   <segment-builder name="segment" value='country = "OM"'></segment-builder>
 */
import { registerLocale } from '../core/index';
import { ar } from '../core/locales/ar';
import { SegmentBuilder } from './segment-builder';

// Arabic is one of the builder's two locales: the core's Arabic words (operators, the description).
registerLocale(ar);

export { SegmentBuilder, type BuilderView, type CountProvider } from './segment-builder';
export type { OptionsProvider } from './options';
export { SegmentChangeEvent, SegmentInputEvent, type BuilderDiagnostic, type SegmentBuilderEventMap, type SegmentEditDetail } from './events';
export { schemaContext, segmentsContext } from './context';
export { AR, EN, type BuilderStrings } from './strings';

if (!customElements.get('segment-builder')) customElements.define('segment-builder', SegmentBuilder);

declare global {
  interface HTMLElementTagNameMap {
    'segment-builder': SegmentBuilder;
  }
}
