/**
 * `dialectOf`: the SQL is written for SQLite, MySQL/MariaDB and PostgreSQL only. A knex instance of
 * any other client is refused with an error naming the client, never compiled as PostgreSQL.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSegmentSql, countQuery, dialectOf, layoutMapping, prepareSegment, SegmentError } from '../../core/server';

const opened: Knex[] = [];
afterAll(async () => {
  for (const db of opened) await db.destroy();
});

function knexOf(client: string | typeof knexFactory.Client): Knex {
  const db = knexFactory({ client, useNullAsDefault: true, connection: {} });
  opened.push(db);
  return db;
}

describe('dialectOf', () => {
  it.each([
    ['better-sqlite3', 'sqlite'],
    ['mysql2', 'mysql'],
    ['pg', 'postgres'],
    ['postgresql', 'postgres'],
  ])('knows the client %s as %s', (client, dialect) => {
    expect(dialectOf(knexOf(client))).toBe(dialect);
  });

  it.each(['cockroachdb', 'redshift'])('refuses the client %s, naming it and the supported ones', (client) => {
    const db = knexOf(client);
    let error: unknown;
    try {
      dialectOf(db);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SegmentError);
    const e = error as SegmentError;
    expect(e.code).toBe('invalid-option');
    expect(e.summary).toContain(`"${client}" is not supported`);
    expect(e.hint).toContain('"pg"');
    expect(e.message).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('refuses a custom client class instead of writing PostgreSQL for it', async () => {
    class HomeMadeClient extends knexFactory.Client {}
    const db = knexOf(HomeMadeClient);
    expect(() => dialectOf(db)).toThrow(/"HomeMadeClient \(a client class\)" is not supported/);
    // prepareSegment reads the dialect from the instance: refused the same way (a schema is given, so no table is read).
    const schema = { fields: { tier: { type: 'text' as const } } };
    await expect(prepareSegment(db, 'tier = "gold"', { schema, mapping: layoutMapping(schema) })).rejects.toThrow(/is not supported/);
  });

  it('still compiles for a supported client', () => {
    const db = knexOf('pg');
    const segment = compileSegmentSql('tier = "gold"', { schema: { fields: { tier: { type: 'text' } } }, dialect: dialectOf(db) });
    expect(countQuery(db, segment).toSQL().sql).toMatch(/select count/i);
  });
});
