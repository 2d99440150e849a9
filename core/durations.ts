/**
 * Duration units: their spellings and lengths. Minutes, hours, days and weeks are fixed lengths;
 * months and years are calendar steps resolved in the configured time zone (see `time.ts`).
 */
export type DurationUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export interface UnitDef {
  unit: DurationUnit;
  /** Canonical printed words: singular, plural. */
  singular: string;
  plural: string;
  /** Compact suffix (`30d`). */
  compact: string;
  /** Every accepted spelling, lower case (word forms and compact suffixes). */
  spellings: readonly string[];
  /** Fixed length in milliseconds, or null for calendar units. */
  ms: number | null;
}

const MINUTE = 60_000;

export const UNITS: Readonly<Record<DurationUnit, UnitDef>> = {
  minute: { unit: 'minute', singular: 'minute', plural: 'minutes', compact: 'min', spellings: ['minute', 'minutes', 'min', 'mins'], ms: MINUTE },
  hour: { unit: 'hour', singular: 'hour', plural: 'hours', compact: 'h', spellings: ['hour', 'hours', 'h', 'hr', 'hrs'], ms: 60 * MINUTE },
  day: { unit: 'day', singular: 'day', plural: 'days', compact: 'd', spellings: ['day', 'days', 'd'], ms: 24 * 60 * MINUTE },
  week: { unit: 'week', singular: 'week', plural: 'weeks', compact: 'w', spellings: ['week', 'weeks', 'w', 'wk', 'wks'], ms: 7 * 24 * 60 * MINUTE },
  month: { unit: 'month', singular: 'month', plural: 'months', compact: 'mo', spellings: ['month', 'months', 'mo', 'mos'], ms: null },
  year: { unit: 'year', singular: 'year', plural: 'years', compact: 'y', spellings: ['year', 'years', 'y', 'yr', 'yrs'], ms: null },
};

const BY_SPELLING = new Map<string, DurationUnit>();
for (const def of Object.values(UNITS)) for (const s of def.spellings) BY_SPELLING.set(s, def.unit);

/** `days` → `day`, `30d`'s `d` → `day`; case-insensitive; undefined when not a unit. */
export function unitBySpelling(spelling: string): DurationUnit | undefined {
  return BY_SPELLING.get(spelling.toLowerCase());
}

/** Every spelling, for "did you mean" hints. */
export const UNIT_SPELLINGS: readonly string[] = [...BY_SPELLING.keys()];

/** `30 days`, `1 day`: the canonical printed form. */
export function formatDuration(amount: number, unit: DurationUnit): string {
  const def = UNITS[unit];
  return `${amount} ${amount === 1 ? def.singular : def.plural}`;
}
