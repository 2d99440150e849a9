/**
 * The catalogue's public shapes: saved segments, their usage, listings and options.
 */
import type { Schema } from '../schema';
import type { MatchKey } from './contacts';
import type { ImportProblem, ReadMembersOptions } from './csv-import';
import type { ExportOptions, ProfileSource } from './export';
import type { SegmentDefinition } from '../segments';
import type { SegmentError, SegmentErrors } from '../errors';
import type { ChangeKind, RunFaults, RunSummary } from './membership';

export type SegmentKind = 'dynamic' | 'manual';
export type SegmentState = 'active' | 'archived';
export type OrchestrationKind = 'campaign' | 'automation';
export const ORCHESTRATION_KINDS: readonly OrchestrationKind[] = ['campaign', 'automation'];
/** Only `running` protects a segment from deletion. */
export type OrchestrationStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'complete';
export const ORCHESTRATION_STATUSES: readonly OrchestrationStatus[] = ['draft', 'scheduled', 'running', 'paused', 'complete'];

export const MAX_ACTIVE_SEGMENTS = 500;

/** A segment is named by its name (case-insensitive) or its numeric id. */
export type SegmentRef = string | number;

export interface Orchestration {
  id: string;
  kind: OrchestrationKind;
  status: OrchestrationStatus;
}

export interface Usage extends Orchestration {
  attachedAt: Date;
  updatedAt: Date;
}

export interface SegmentSummary {
  id: number;
  name: string;
  description: string;
  kind: SegmentKind;
  state: SegmentState;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The last estimated reach, or null if never computed since the last edit. */
  reach: number | null;
  reachComputedAt: Date | null;
  campaigns: number;
  automations: number;
}

export interface SegmentRecord extends SegmentSummary {
  /** Dynamic segments: the expression, with `in_segment(…)` references printed by current names. */
  expression: string | null;
  /** Manual segments: how many members. */
  memberCount: number;
  /** Names of the segments this one references directly. */
  references: string[];
  /** Names of the segments that reference this one directly. */
  usedBySegments: string[];
  usage: Usage[];
}

interface CreateBase {
  name: string;
  description?: string;
}
export type CreateSegmentInput = (CreateBase & { expression: string }) | (CreateBase & { members: readonly (string | number)[] });

export interface UpdateSegmentInput {
  description?: string;
  expression?: string;
  /** Manual segments: the new member list (replaces the old one). */
  members?: readonly (string | number)[];
}

/** Counts the profiles in a segment, given every active definition (in-memory engine or SQL). */
export interface ReachCounter {
  (segment: SegmentDefinition, definitions: readonly SegmentDefinition[]): number | Promise<number>;
  /** It reads manual segments' members in the catalogue's own tables (`sqlReachCounter`): they are not loaded (`ManualSegmentDefinition.stored`). */
  readsStoredMembers?: boolean;
}

export interface CatalogOptions {
  /** Validate dynamic expressions against this schema (fields, operators, values). */
  schema?: Schema;
  /** The clock, for timestamps (tests). */
  now?: () => Date;
  /** The active-segment limit (500 unless told otherwise). */
  maxActiveSegments?: number;
  /**
   * How long recorded membership changes are kept, in milliseconds (default 90 days; `Infinity`
   * keeps everything). Older runs are deleted when a segment is next refreshed.
   */
  historyRetention?: number;
}

export const DEFAULT_HISTORY_RETENTION = 90 * 24 * 60 * 60 * 1000;

export interface RefreshOptions {
  /** The evaluation instant (default: the catalogue's clock). */
  now?: Date;
  /** IANA time zone for calendar windows (default UTC). */
  timeZone?: string;
  /** Called for each segment that cannot be evaluated; without it they are thrown together at the end. */
  onError?: (segment: string, error: SegmentError | SegmentErrors) => void;
  /** Test hooks (a crash in the middle of a run). */
  faults?: RunFaults;
}

export interface RefreshResult extends RunSummary {
  segment: string;
  kind: SegmentKind;
}

export interface ChangesOptions {
  /** Resume after this cursor (from a previous page or run), or start at this instant. */
  since?: string | Date;
  /** Only entries or only exits. */
  change?: ChangeKind;
  /** At most this many changes (default 1000). */
  limit?: number;
  /** Only the changes of profile ids up to this one (in id order, inclusive). */
  upTo?: string;
}

export interface ImportMembersOptions extends ReadMembersOptions {
  /** Import the rows that match and report the others, instead of refusing the whole file. */
  skipInvalid?: boolean;
  /** `add` to the members (default) or `replace` them. */
  mode?: 'add' | 'replace';
  /** Create the manual segment if no segment has that name. */
  create?: boolean | { description?: string };
}

export interface CatalogExportOptions extends Omit<ExportOptions, 'profiles'> {
  /** The segment's profiles: e.g. the in-memory engine's filter or a streaming SQL query. */
  profiles: (segment: SegmentDefinition, definitions: readonly SegmentDefinition[]) => ProfileSource | Promise<ProfileSource>;
  /**
   * `stored`: `profiles` reads manual segments' members in the catalogue's database (`sqlSegmentProfiles`
   * over the same database), so they are not loaded (`ManualSegmentDefinition.stored`). Default `ids`.
   */
  members?: MemberLoading;
}

/** Whether `SegmentCatalog.definitions` loads manual segments' member ids (`ids`) or leaves them in the database (`stored`). */
export type MemberLoading = 'ids' | 'stored';

export interface ImportReport {
  segment: string;
  created: boolean;
  key: MatchKey;
  column: string;
  rows: number;
  /** Distinct people the file names. */
  matched: number;
  added: number;
  alreadyMembers: number;
  /** Rows naming someone an earlier row already named. */
  duplicates: number;
  /** Rows left out (only with `skipInvalid`). */
  skipped: number;
  problems: ImportProblem[];
}
