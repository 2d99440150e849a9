/** What the operations share: the picked segment, this workflow's name in the catalogue, JSON shapes. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SegmentRecord, SegmentSummary, Usage } from 'n8n-nodes-segments/server';

/** The picked segment's id (list or by-ID mode). */
export function segmentRef(context: IExecuteFunctions, itemIndex: number): number | string {
  const value = String(context.getNodeParameter('segment', itemIndex, '', { extractValue: true }) ?? '').trim();
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** The id the catalogue records this workflow under: the one given, else `n8n:<workflow id>`. */
export function automationId(context: IExecuteFunctions, itemIndex: number): string {
  const given = String(context.getNodeParameter('automationId', itemIndex, '') ?? '').trim();
  if (given !== '') return given;
  return `n8n:${context.getWorkflow().id ?? 'unsaved'}`;
}

function usageJson(u: Usage): IDataObject {
  return { id: u.id, kind: u.kind, status: u.status, attachedAt: u.attachedAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}

export function summaryJson(s: SegmentSummary): IDataObject {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    kind: s.kind,
    state: s.state,
    reach: s.reach,
    reachComputedAt: s.reachComputedAt?.toISOString() ?? null,
    campaigns: s.campaigns,
    automations: s.automations,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function recordJson(r: SegmentRecord): IDataObject {
  return {
    ...summaryJson(r),
    expression: r.expression,
    memberCount: r.memberCount,
    references: r.references,
    usedBySegments: r.usedBySegments,
    usage: r.usage.map(usageJson),
  };
}

export { usageJson };
