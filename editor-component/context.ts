/**
 * What an ancestor can provide to every `<segment-builder>` below it (with `@lit/context`'s
 * `ContextProvider` or `@provide`), so a page with many builders sets the schema and the saved
 * segments once. A builder's own `schema` and `segments` properties win over the context.
 */
import { createContext } from '@lit/context';
import type { Schema, SegmentDefinition } from '../core/index';

export const schemaContext = createContext<Schema | undefined>(Symbol.for('segment-builder.schema'));
export const segmentsContext = createContext<readonly SegmentDefinition[] | undefined>(Symbol.for('segment-builder.segments'));
