/**
 * Serialised write transactions: every change to the catalogue runs inside `writeTransaction`, which
 * takes the catalogue's write lock before it reads anything, so the checks it makes (the 500-segment
 * limit, cycles, the 10-reference limit, usage) see every committed change and nobody can commit in
 * between. Two processes saving at once therefore queue instead of both passing the same check.
 *
 * The lock is the single row of `seg_meta`, and how to take it is the one dialect difference:
 * - SQLite: an UPDATE as the first statement takes the database's RESERVED write lock at once, which
 *   is what `BEGIN IMMEDIATE` does (the transaction has read nothing yet, so it cannot deadlock on an
 *   upgrade); other writers wait on the busy timeout.
 * - MySQL/MariaDB and PostgreSQL: `SELECT … FOR UPDATE` on the lock row; the row lock is held until
 *   commit. Every writer takes the same single lock first, so writers cannot deadlock each other.
 *   Bumping the row's `generation` afterwards tells readers that the catalogue changed.
 */
import type { Knex } from 'knex';
import { dialectOf, type Dialect } from '../sql/connect';
import { TABLES } from './migrations';

const TAKE_LOCK: Record<Dialect, (trx: Knex.Transaction) => Promise<unknown>> = {
  sqlite: (trx) => trx(TABLES.meta).where({ id: 1 }).increment('generation', 1),
  mysql: (trx) => trx(TABLES.meta).where({ id: 1 }).forUpdate().first('generation'),
  postgres: (trx) => trx(TABLES.meta).where({ id: 1 }).forUpdate().first('generation'),
};

const BUMP: Record<Dialect, boolean> = { sqlite: false, mysql: true, postgres: true };

const RETRIES = 5;

/** Runs `work` in a transaction that holds the catalogue's write lock from its first statement. */
export async function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const dialect = dialectOf(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        await TAKE_LOCK[dialect](trx);
        if (BUMP[dialect]) await trx(TABLES.meta).where({ id: 1 }).increment('generation', 1);
        return work(trx);
      });
    } catch (e) {
      // SQLite's busy timeout or a server-side lock wait/deadlock: the work never ran to commit, retry.
      if (attempt < RETRIES && isTransient(e)) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
        continue;
      }
      throw e;
    }
  }
}

/** The catalogue's change counter: it grows on every committed write. */
export async function generation(db: Knex): Promise<number> {
  const row = await db(TABLES.meta).where({ id: 1 }).first('generation');
  return Number(row?.generation ?? 0);
}

function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT' ||
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    code === '40001' || // serialization_failure
    code === '40P01' // deadlock_detected
  );
}
