/**
 * The session settings `openDatabase` gives each connection (`DialectSpec.session`): on MariaDB no
 * index-merge intersection, so a conjunction reads its advised composite index instead of
 * intersecting single-field ones (4× slower in bench:sql), on every connection of the pool, also
 * when the caller brings a pool of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { openDatabase } from '../../core/sql/connect';
import { openTestDatabase } from './support';

describe('connections opened for MariaDB', () => {
  let db: Knex;
  beforeAll(async () => {
    db = await openTestDatabase('mysql', 'session');
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const intersection = async (on: Knex | Knex.Transaction) => {
    const [rows] = (await on.raw('SELECT @@SESSION.optimizer_switch AS s')) as [{ s: string }[]];
    return /index_merge_intersection=(\w+)/.exec(rows[0].s)?.[1];
  };

  it('do not intersect index merges, on every connection of the pool', async () => {
    const [a, b] = await Promise.all([db.transaction((trx) => intersection(trx)), db.transaction((trx) => intersection(trx))]);
    expect([a, b]).toEqual(['off', 'off']);
  });

  it('keep the setting with a pool of the caller, after its own afterCreate', async () => {
    const seen: string[] = [];
    const own = openDatabase(process.env.TEST_MARIADB_URL!, {
      pool: { min: 0, max: 1, afterCreate: (connection: unknown, done: (e: Error | null, c: unknown) => void) => void (seen.push('mine'), done(null, connection)) } as Knex.PoolConfig,
    });
    try {
      expect(await intersection(own)).toBe('off');
      expect(seen).toEqual(['mine']);
    } finally {
      await own.destroy();
    }
  });
});
