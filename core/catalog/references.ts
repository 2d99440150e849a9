/**
 * Printing stored references by current names. A dynamic segment's text is stored as typed, and each
 * `in_segment(…)` in it is recorded by the referenced segment's id with its span; printing splices the
 * current names into those spans.
 */
import type { Span } from '../ast';

/** A string literal of the language for a segment name. */
export function quoteName(name: string): string {
  return JSON.stringify(name);
}

/**
 * The stored text with each reference's span replaced by `in_segment("<current name>")`.
 * Spans are offsets into `source`; they are applied from the end so earlier offsets stay valid.
 */
export function printReferences(source: string, references: readonly { span: Span; name: string }[]): string {
  let out = source;
  const sorted = [...references].sort((a, b) => b.span.start - a.span.start);
  for (const { span, name } of sorted) {
    const original = out.slice(span.start, span.end);
    // A span that covers the whole call is rewritten whole; one that covers only the name literal, just the literal.
    const replacement = /^in_segment\b/i.test(original) ? `in_segment(${quoteName(name)})` : quoteName(name);
    out = out.slice(0, span.start) + replacement + out.slice(span.end);
  }
  return out;
}
