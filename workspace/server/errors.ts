/**
 * Every failure the API answers is one JSON shape, the core's diagnostics as data:
 *
 *   { "ok": false, "errors": [{ code, summary, hint?, span?, start?, end?, message, origin? }], "problems"? }
 *
 * The core's errors (`SegmentError`, `SegmentErrors`, the catalogue's and the CSV import's) keep their
 * code, span and hint; a body that is not what the route takes is `invalid-request` with the path of
 * the bad member; anything unexpected is `internal` with no detail at all (the stack goes to the
 * server's log, never to the browser).
 */
import { SegmentError, SegmentErrors, CsvImportError } from 'n8n-nodes-segments/server';

/** One entry of `errors`. */
export interface ApiError {
  code: string;
  summary: string;
  hint?: string;
  span?: { start: number; end: number };
  start?: { line: number; column: number };
  end?: { line: number; column: number };
  /** Where in the request body (`members.3`), for `invalid-request`. */
  path?: string;
  origin?: string;
  /** The formatted message, with the caret excerpt when the source is known. */
  message: string;
}

export interface ApiFailure {
  ok: false;
  errors: ApiError[];
  /** The CSV import's rows that could not be added (line, value, reason). */
  problems?: unknown[];
}

/** An error the API raises itself (bad request shape, wrong content type, body too large…). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiError[],
  ) {
    super(errors[0]?.summary ?? 'error');
  }
}

export function httpError(status: number, code: string, summary: string, hint?: string, path?: string): HttpError {
  const e: ApiError = { code, summary, message: hint ? `error[${code}]: ${summary}\n  hint: ${hint}` : `error[${code}]: ${summary}` };
  if (hint !== undefined) e.hint = hint;
  if (path !== undefined) e.path = path;
  return new HttpError(status, [e]);
}

/** HTTP status by the core's error code (400 for every other code: the request was wrong). */
const STATUS: Record<string, number> = {
  'segment-not-found': 404,
  forbidden: 403,
  'segment-in-use': 409,
  'duplicate-segment-name': 409,
  'segment-limit': 409,
  'invalid-csv': 422,
};

function fromSegmentError(e: SegmentError): ApiError {
  const json = e.toJSON();
  const out: ApiError = { code: json.code, summary: json.summary, message: json.message };
  if (json.hint !== undefined) out.hint = json.hint;
  // A span only means something with the text it points into (catalogue rules have none).
  if (e.source !== undefined && json.span !== undefined) {
    out.span = json.span;
    if (json.start !== undefined) out.start = json.start;
    if (json.end !== undefined) out.end = json.end;
  }
  if (json.origin !== undefined) out.origin = json.origin;
  return out;
}

/** The status and body for any thrown value; `log` receives what must not reach the browser. */
export function toFailure(e: unknown, log: (error: unknown) => void): { status: number; body: ApiFailure } {
  if (e instanceof HttpError) return { status: e.status, body: { ok: false, errors: e.errors } };
  if (e instanceof SegmentErrors) {
    const errors = e.errors.map(fromSegmentError);
    return { status: STATUS[errors[0]?.code ?? ''] ?? 400, body: { ok: false, errors } };
  }
  if (e instanceof SegmentError) {
    const body: ApiFailure = { ok: false, errors: [fromSegmentError(e)] };
    if (e instanceof CsvImportError) body.problems = [...e.problems];
    return { status: STATUS[e.code] ?? 400, body };
  }
  log(e);
  return {
    status: 500,
    body: {
      ok: false,
      errors: [{ code: 'internal', summary: 'the server could not complete the request', hint: 'the server log has the details', message: 'error[internal]: the server could not complete the request' }],
    },
  };
}
