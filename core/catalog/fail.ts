/**
 * Catalogue errors: `SegmentError`s about the catalogue rather than an expression, so they have no
 * source excerpt (their span is empty) but always a summary and, where it helps, a hint.
 */
import { SegmentError, type ErrorCode } from '../errors';

export function catalogError(code: ErrorCode, summary: string, hint?: string): SegmentError {
  return new SegmentError({ code, span: { start: 0, end: 0 }, summary, hint });
}

/** `"VIP"`: a name quoted for messages. */
export function q(name: string): string {
  return JSON.stringify(name);
}

/** `a, b and c` */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
