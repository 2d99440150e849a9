import { expect } from 'vitest';
import { SegmentError, SegmentErrors, type ErrorCode } from '../../core/errors';

/** Awaits a rejection and checks it is a catalogue/language error with that code; returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<SegmentError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error with code ${code}`).toBeDefined();
  const error = caught instanceof SegmentErrors ? caught.errors[0] : caught;
  expect(error).toBeInstanceOf(SegmentError);
  expect((error as SegmentError).code).toBe(code);
  return error as SegmentError;
}
