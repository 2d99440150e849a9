/**
 * The catalogue's input checks: names, member ids, orchestrations, and the errors about them.
 */
import type { SpannedRef } from './language';
import { SegmentError } from '../errors';
import { segmentKey } from '../segments';
import { storableText } from '../sql/dialects';
import { catalogError, listing, q } from './fail';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './migrations';
import { confusable, nameProblem, visibleLength } from './names';
import type { CatalogSnapshot, SegmentRow } from './snapshot';
import { ORCHESTRATION_KINDS, ORCHESTRATION_STATUSES, type Orchestration } from './types';

/** A saved expression's most characters: longer ones are better split into segments that use each other. */
export const MAX_EXPRESSION_LENGTH = 20_000;

export function checkExpressionLength(expression: string): void {
  if (typeof expression !== 'string') return;
  checkText(expression, 'the expression');
  if (expression.length <= MAX_EXPRESSION_LENGTH) return;
  throw catalogError('too-long', `the expression is ${expression.length.toLocaleString('en-US')} characters long; a saved segment may have at most ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')}`, 'split it into smaller segments that use each other with in_segment("…")');
}

/**
 * Text the catalogue stores must come back as it was given: no lone UTF-16 surrogate (MySQL and
 * PostgreSQL would store U+FFFD), no U+0000 (PostgreSQL refuses it).
 */
export function checkText<T extends string | undefined>(text: T, what: string): T {
  if (text !== undefined && !storableText(text)) throw catalogError('invalid-option', `${what} holds broken text (a lone UTF-16 surrogate or a NUL character), which would not be stored as given`, 'type or paste it again');
  return text;
}

/** A new name, trimmed: 1 to 200 characters as the user sees them, nothing hidden or broken in it. */
export function checkName(raw: string): string {
  const name = String(raw ?? '').trim();
  if (name === '') throw catalogError('invalid-option', 'a segment needs a name', 'e.g. "VIP Arabic speakers"');
  const problem = nameProblem(name);
  if (problem) throw catalogError('invalid-option', problem.summary, problem.hint);
  // The column holds 200 code points; count for the message what the user sees.
  const stored = [...name].length;
  if (stored > MAX_NAME_LENGTH) {
    const seen = visibleLength(name);
    const units = seen === stored ? '' : ` (${stored} Unicode code points: emoji and accents built from several count more)`;
    throw catalogError('invalid-option', `the segment name is ${seen} characters long${units}; the most is ${MAX_NAME_LENGTH}`, 'choose a shorter name; the description can say more');
  }
  return name;
}

/**
 * A name no other segment has, regardless of case, and none looks like (the confusables skeleton:
 * `Сlickers` with a Cyrillic С next to `Clickers`, `C1ickers` next to `Clickers`).
 */
export function checkUnique(snapshot: CatalogSnapshot, name: string, selfId?: number): void {
  const existing = snapshot.byKey.get(segmentKey(name));
  if (existing && existing.id !== selfId) {
    const as = existing.name === name ? '' : ` (as ${q(existing.name)})`;
    throw catalogError('duplicate-segment-name', `a segment named ${q(name)} already exists${as}${existing.state === 'archived' ? ', archived' : ''}`, 'names are unique regardless of case: choose another name, or edit the existing segment');
  }
  const alike = snapshot.rows.find((row) => row.id !== selfId && confusable(row.name, name));
  if (alike) {
    throw catalogError('duplicate-segment-name', `${q(name)} looks like the existing segment ${q(alike.name)}${alike.state === 'archived' ? ' (archived)' : ''}`, 'names that look alike get mixed up: choose a name that looks different, or edit the existing segment');
  }
}

/** Member ids as unique strings, in first-seen order. */
export function checkMembers(members: readonly (string | number)[]): string[] {
  const seen = new Set<string>();
  for (const m of members) {
    const id = String(m).trim();
    if (id === '' || id.length > MAX_ID_LENGTH) throw catalogError('invalid-option', `invalid member id ${q(String(m))}`, `profile ids are 1 to ${MAX_ID_LENGTH} characters`);
    checkText(id, `the member id ${q(id)}`);
    seen.add(id);
  }
  return [...seen];
}

export function checkOrchestration(o: Orchestration): Orchestration {
  const id = String(o?.id ?? '').trim();
  if (id === '' || id.length > MAX_ID_LENGTH) throw catalogError('invalid-option', 'a campaign or automation needs an id', `ids are 1 to ${MAX_ID_LENGTH} characters`);
  checkText(id, 'the campaign or automation id');
  if (!ORCHESTRATION_KINDS.includes(o.kind)) throw catalogError('invalid-option', `unknown orchestration kind ${q(String(o.kind))}`, `use ${listing(ORCHESTRATION_KINDS.map((k) => q(k)))}`);
  if (!ORCHESTRATION_STATUSES.includes(o.status)) throw catalogError('invalid-option', `unknown status ${q(String(o.status))}`, `use one of ${ORCHESTRATION_STATUSES.map((s) => q(s)).join(', ')}`);
  return { id, kind: o.kind, status: o.status };
}

export function kindError(row: SegmentRow, what: 'expression' | 'members') {
  return what === 'expression'
    ? catalogError('wrong-segment-kind', `${q(row.name)} is a manual segment: it has members, not an expression`, 'create a dynamic segment for an expression')
    : catalogError('wrong-segment-kind', `${q(row.name)} is a dynamic segment: its members are the profiles that match its expression`, 'create a manual segment for a member list');
}

/** An unknown-segment error about an archived segment says so (the engine only sees active ones). */
export function explainArchived(error: SegmentError, references: readonly SpannedRef[], snapshot: CatalogSnapshot): SegmentError {
  if (error.code !== 'unknown-segment') return error;
  const ref = references.find((r) => r.span.start <= error.span.start && error.span.end <= r.span.end);
  const row = ref && snapshot.byKey.get(segmentKey(ref.name));
  if (!row || row.state !== 'archived') return error;
  return new SegmentError({ code: error.code, span: error.span, source: error.source, origin: error.origin, summary: error.summary, hint: `${q(row.name)} is archived: restore it first` });
}
