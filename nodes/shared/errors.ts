/**
 * The core's errors as n8n's: the message is the one-line summary, the description the caret
 * excerpt and the hint, formatted from the core's diagnostics (never re-parsed from a message), and
 * the item index says which item it was.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';
import { SegmentError, SegmentErrors } from 'n8n-nodes-segments';

/** Turns any error from the core into a NodeOperationError; other errors keep their message. */
export function nodeError(node: INode, error: unknown, itemIndex?: number, where?: string): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  const options = itemIndex === undefined ? {} : { itemIndex };
  if (error instanceof SegmentErrors && error.errors.length > 0) {
    const [first] = error.errors;
    const more = error.errors.length > 1 ? ` (and ${error.errors.length - 1} more)` : '';
    return new NodeOperationError(node, `${prefix(where)}${first!.summary}${more}`, { ...options, description: error.errors.map((e) => e.message).join('\n\n') });
  }
  if (error instanceof SegmentError) {
    return new NodeOperationError(node, `${prefix(where)}${error.summary}`, { ...options, description: error.message });
  }
  if (error instanceof Error) return new NodeOperationError(node, error, options);
  return new NodeOperationError(node, String(error), options);
}

function prefix(where: string | undefined): string {
  return where ? `${where}: ` : '';
}

/** The core's error codes (`unknown-field`, …), for the item JSON of continue-on-fail. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof SegmentErrors) return error.errors[0]?.code;
  if (error instanceof SegmentError) return error.code;
  return undefined;
}
