/** The page's calls to the workspace API; a failure throws `ApiFailure` with the server's diagnostics. */
import type { ImportProblem, ImportReport } from 'n8n-nodes-segments/server';

// The catalogue's own shapes, as the API sends them (types only: nothing of the server entry is bundled).
export type { ImportProblem, ImportReport };

export interface ApiErrorItem {
  code: string;
  summary: string;
  hint?: string;
  start?: { line: number; column: number };
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
    readonly problems: ImportProblem[] = [],
  ) {
    super(errors.map((e) => e.summary).join('; '));
  }
}

export interface Summary {
  id: number;
  name: string;
  description: string;
  kind: 'dynamic' | 'manual';
  state: 'active' | 'archived';
  version: number;
  createdAt: string;
  updatedAt: string;
  reach: number | null;
  reachComputedAt: string | null;
  campaigns: number;
  automations: number;
  /** A dynamic segment's conditions in words, in the page's language (null for a manual one). */
  sentence?: string | null;
}

export interface Usage {
  id: string;
  kind: 'campaign' | 'automation';
  status: string;
}

export interface SegmentRecordJson extends Summary {
  expression: string | null;
  memberCount: number;
  references: string[];
  usedBySegments: string[];
  usage: Usage[];
}

async function failure(response: Response): Promise<ApiFailure> {
  try {
    const body = (await response.json()) as { errors?: ApiErrorItem[]; problems?: ImportProblem[] };
    return new ApiFailure(response.status, body.errors ?? [], body.problems ?? []);
  } catch {
    return new ApiFailure(response.status, [{ code: 'http', summary: `${response.status} ${response.statusText}`, message: `${response.status}` }]);
  }
}

export async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, signal, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export const seg = (ref: string | number) => `/api/segments/${encodeURIComponent(String(ref))}`;

/** Uploads a CSV file as the body; the report, or an `ApiFailure` with every bad row. */
export async function uploadMembers(ref: string, file: Blob, options: Record<string, string>): Promise<ImportReport> {
  const response = await fetch(`${seg(ref)}/members?${new URLSearchParams(options)}`, { method: 'POST', body: file, headers: { 'content-type': 'text/csv' } });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as ImportReport;
}

/** The export as the catalogue wrote it: the bytes and the file name of Content-Disposition. */
export async function downloadExport(ref: number): Promise<{ blob: Blob; fileName: string; rows: number }> {
  const response = await fetch(`${seg(ref)}/export`);
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  const fileName = star ? decodeURIComponent(star[1]) : (plain?.[1] ?? 'export.csv');
  return { blob: await response.blob(), fileName, rows: Number(response.headers.get('x-export-rows') ?? 0) };
}
