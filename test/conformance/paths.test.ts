/**
 * The field-path table (paths.ts) in memory and, through the SQL import, on SQLite, MariaDB and
 * PostgreSQL: every engine reads a path by the same rule and selects exactly the expected ids.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import type { Schema } from '../../core/schema';
import type { Dialect } from '../../core/sql/connect';
import { createLayout } from '../../core/sql/layout';
import { loadProfiles } from '../../core/sql/load';
import { prepareSegment, profileIds } from '../../core/sql/query';
import type { SegmentDefinition } from '../../core/segments';
import { DIALECT_NAMES, openTestDatabase } from '../sql/support';
import { EVALUATORS } from './cases';
import { idPathProfiles, idPathSchema, pathCases, pathProfiles, pathSchema } from './paths';

const NOW = '2026-11-24T12:00:00Z';
/** A manual segment naming the nested id of one profile and the flat id another profile hides behind its nested one. */
const picks: SegmentDefinition[] = [{ name: 'Picks', members: ['r1', 'other'] }];

describe.each(EVALUATORS)('field paths in memory, %s evaluator', (evaluator) => {
  it.each(pathCases.map((c) => [c.expression, c] as const))('%s', (_, c) => {
    const segment = compileSegment(c.expression, { schema: pathSchema, now: NOW, evaluator });
    expect(segment.filter(pathProfiles).map((p) => p.id as string).sort()).toEqual(c.expected);
  });

  it('reads a dotted id field by the same rule for manual segments', () => {
    const segment = compileSegment('in_segment("Picks")', { schema: idPathSchema, segments: picks, now: NOW, evaluator });
    expect(segment.filter(idPathProfiles).map((p) => p.n)).toEqual([1]);
  });
});

async function load(db: Knex, schema: Schema, profiles: Record<string, unknown>[]): Promise<void> {
  const mapping = await createLayout(db, schema);
  const result = await loadProfiles(db, profiles.map((value, i) => ({ line: i + 1, value })), { schema, mapping });
  expect(result.rejected).toEqual([]);
}

describe.each(DIALECT_NAMES)('field paths on %s', (dialect: Dialect) => {
  let db: Knex;
  let idDb: Knex;

  beforeAll(async () => {
    db = await openTestDatabase(dialect, 'paths');
    idDb = await openTestDatabase(dialect, 'id_paths');
    await load(db, pathSchema, pathProfiles);
    await load(idDb, idPathSchema, idPathProfiles);
  });
  afterAll(async () => {
    await db?.destroy();
    await idDb?.destroy();
  });

  it.each(pathCases.map((c) => [c.expression, c] as const))('%s', async (_, c) => {
    const segment = await prepareSegment(db, c.expression, { now: NOW });
    expect((await profileIds(db, segment)).sort()).toEqual(c.expected);
  });

  it('stores each profile under the id its dotted id field reads, and finds manual members by it', async () => {
    expect((await profileIds(idDb, await prepareSegment(idDb, 'n > 0', { now: NOW }))).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(await profileIds(idDb, await prepareSegment(idDb, 'in_segment("Picks")', { segments: picks, now: NOW }))).toEqual(['r1']);
  });
});
