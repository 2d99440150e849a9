/**
 * The nodes on the credential's database (real MariaDB and PostgreSQL, as `npm test` starts them):
 * the credential test, the saved-segment picker's search, and Segment Filter on a saved segment.
 */
import type { ICredentialTestFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentCatalog } from '../../core/server';
import { searchSegments, testConnection } from '../../nodes/shared/methods';
import { TARGETS, type TestDatabase } from '../catalog/databases';
import { connect, credentialOf, node, runWorkflow } from './harness';

describe.each(TARGETS.filter((t) => t.name !== 'sqlite'))('on $name', (target) => {
  let test: TestDatabase;
  let vipId: number;
  beforeAll(async () => {
    test = await target.create();
    const catalog = await SegmentCatalog.open(test.db);
    vipId = (await catalog.create({ name: 'VIP Arabic', expression: 'tags contains "VIP" and language = "ar"' })).id;
    await catalog.create({ name: 'Beta testers', members: ['p3'] });
  });
  afterAll(async () => test.drop());

  it('the credential test connects and says when the database has no profile layout yet', async () => {
    const result = await testConnection.call({} as ICredentialTestFunctions, { id: '1', name: 'db', type: 'segmentsDatabaseApi', data: credentialOf(test.url) });
    expect(result).toEqual({ status: 'Error', message: expect.stringContaining('no profile layout') });
  });

  it('the credential test reports a database that does not exist as an error, not a crash', async () => {
    const result = await testConnection.call({} as ICredentialTestFunctions, { id: '1', name: 'db', type: 'segmentsDatabaseApi', data: { ...credentialOf(test.url), database: 'no_such_database' } });
    expect(result.status).toBe('Error');
    expect(result.message).toContain('no_such_database');
  });

  it('the saved-segment picker lists the segments whose name contains the search', async () => {
    const context = { getCredentials: async () => credentialOf(test.url) } as unknown as ILoadOptionsFunctions;
    const all = await searchSegments.call(context);
    expect(all.results.map((r) => r.name).sort()).toEqual(['Beta testers', 'VIP Arabic']);
    const found = await searchSegments.call(context, 'arab');
    expect(found.results).toEqual([{ name: 'VIP Arabic', value: String(vipId), description: 'dynamic segment' }]);
  });

  it('Segment Filter runs a saved segment picked by id, and a saved manual one by its members', async () => {
    const items = [
      { id: 'p1', name: 'Amal', tags: ['VIP'], language: 'ar' },
      { id: 'p2', name: 'Ben', tags: [], language: 'en' },
      { id: 'p3', name: 'Chadi', tags: ['VIP'], language: 'ar' },
    ];
    const run = (value: number) =>
      runWorkflow({
        nodes: [
          node('Items', 'test.items', { items: JSON.stringify(items) }),
          node('Segment Filter', 'n8n-nodes-segments.segmentFilter', { source: 'saved', segment: { __rl: true, mode: 'id', value: String(value) } } as never, {
            credentials: { segmentsDatabaseApi: { id: '1', name: 'db' } },
          }),
        ],
        connections: connect(['Items', 'Segment Filter']),
        credentials: { segmentsDatabaseApi: credentialOf(test.url) },
      });
    const vip = await run(vipId);
    expect(vip.error).toBeUndefined();
    expect(vip.json('Segment Filter', 0).map((j) => j.name)).toEqual(['Amal', 'Chadi']);
    const list = await SegmentCatalog.open(test.db).then((c) => c.get('Beta testers'));
    const beta = await run(list.id);
    expect(beta.json('Segment Filter', 0).map((j) => j.name)).toEqual(['Chadi']);
  });
});
