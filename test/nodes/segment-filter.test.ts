/**
 * Segment Filter in n8n's engine: items in, Matched and Not Matched out.
 */
import { describe, expect, it } from 'vitest';
import { connect, node, runWorkflow } from './harness';

const PEOPLE = [
  { id: 'p1', name: 'Amal', tags: ['VIP'], language: 'ar', age: 34 },
  { id: 'p2', name: 'Ben', tags: [], language: 'en', age: 51 },
  { id: 'p3', name: 'Chadi', tags: ['VIP', 'beta'], language: 'ar', age: '19' },
  { id: 'p4', name: 'Dana', tags: ['VIP'], language: 'en', age: 28 },
];

function filterWorkflow(parameters: Record<string, unknown>, items: unknown[] = PEOPLE, extra = {}) {
  return runWorkflow({
    nodes: [node('Items', 'test.items', { items: JSON.stringify(items) }), node('Segment Filter', 'n8n-nodes-segments.segmentFilter', parameters as never, extra)],
    connections: connect(['Items', 'Segment Filter']),
  });
}

const names = (items: { name?: unknown }[]) => items.map((j) => j.name);

describe('Segment Filter', () => {
  it('sends the profiles in the segment to Matched and the others to Not Matched, each paired with its input item', async () => {
    const r = await filterWorkflow({ source: 'expression', expression: 'tags contains "VIP" and language = "ar"' });
    expect(r.error).toBeUndefined();
    expect(names(r.json('Segment Filter', 0))).toEqual(['Amal', 'Chadi']);
    expect(names(r.json('Segment Filter', 1))).toEqual(['Ben', 'Dana']);
    expect(r.output('Segment Filter', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
    expect(r.output('Segment Filter', 1).map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
  });

  it('resolves n8n expressions in the segment per item', async () => {
    const items = PEOPLE.map((p, i) => ({ ...p, wanted: i < 2 ? 'ar' : 'en' }));
    const r = await filterWorkflow({ source: 'expression', expression: '=language = "{{ $json.wanted }}"' }, items);
    expect(r.error).toBeUndefined();
    expect(names(r.json('Segment Filter', 0))).toEqual(['Amal', 'Dana']);
  });

  it('fails before routing any item on a bad expression: the summary as message, the caret and hint as description, the item index', async () => {
    const r = await filterWorkflow({ source: 'expression', expression: 'tags contains "VIP" and languag = "ar"' }, PEOPLE, {});
    // No schema: an unknown field is not an error; a syntax error is.
    expect(r.error).toBeUndefined();
    const bad = await filterWorkflow({ source: 'expression', expression: 'tags contains "VIP" and = "ar"' });
    expect(bad.error!.name).toBe('NodeOperationError');
    expect(bad.error!.message).not.toContain('\n');
    expect(bad.error!.message).toMatch(/^`and` needs a condition after it/);
    expect(bad.error!.description).toContain('tags contains "VIP" and = "ar"');
    expect(bad.error!.description).toMatch(/\n\s+\|\s+\^/);
    expect(bad.error!.description).toContain('hint:');
    expect(bad.error!.context?.itemIndex).toBe(0);
    expect(bad.output('Segment Filter', 0)).toEqual([]);
  });

  it('checks fields against a schema inferred from the items and says which field is unknown', async () => {
    const r = await filterWorkflow({ source: 'expression', expression: 'languag = "ar"', options: { schema: 'infer' } });
    expect(r.error!.name).toBe('NodeOperationError');
    expect(r.error!.message).toContain('languag');
    expect(r.error!.description).toContain('language');
  });

  it('continues on fail: items whose segment does not compile go to Not Matched with the error and their index', async () => {
    const items = PEOPLE.map((p, i) => ({ ...p, rule: i === 1 ? 'age >' : 'age > 30' }));
    const r = await filterWorkflow({ source: 'expression', expression: '={{ $json.rule }}' }, items, { continueOnFail: true });
    expect(r.error).toBeUndefined();
    expect(names(r.json('Segment Filter', 0))).toEqual(['Amal']);
    const notMatched = r.json('Segment Filter', 1);
    expect(names(notMatched)).toEqual(['Ben', 'Chadi', 'Dana']);
    expect(notMatched[0]!.error).toMatchObject({ message: expect.stringMatching(/^expected|^unexpected|value/) });
    expect(notMatched[1]!.error).toBeUndefined();
  });

  it('routes every item of a long input in order, each failing item handled where it stands (drop, Not Matched, continue on fail)', async () => {
    // 1,500 items, the segment per item; items 0, 511, 512, 1023 and 1499 carry a broken one.
    const broken = new Set([0, 511, 512, 1023, 1499]);
    const items = Array.from({ length: 1500 }, (_, i) => ({ name: `n${i}`, age: i % 100, rule: broken.has(i) ? 'age >' : 'age >= 50' }));
    const expected = items.filter((p, i) => !broken.has(i) && p.age >= 50).map((p) => p.name);
    const rest = items.filter((p, i) => !broken.has(i) && p.age < 50).map((p) => p.name);
    const run = (onItemError: string, extra = {}) => filterWorkflow({ source: 'expression', expression: '={{ $json.rule }}', options: { onItemError } }, items, extra);

    const dropped = await run('drop');
    expect(dropped.error).toBeUndefined();
    expect(names(dropped.json('Segment Filter', 0))).toEqual(expected);
    expect(names(dropped.json('Segment Filter', 1))).toEqual(rest);
    expect(dropped.output('Segment Filter', 0).map((i) => (i.pairedItem as { item: number }).item)).toEqual(items.flatMap((p, i) => (!broken.has(i) && p.age >= 50 ? [i] : [])));

    const toNotMatched = await run('notMatched');
    const notMatched = toNotMatched.output('Segment Filter', 1).map((i) => (i.pairedItem as { item: number }).item);
    expect(notMatched).toEqual(items.flatMap((p, i) => (broken.has(i) || p.age < 50 ? [i] : [])));

    const stopped = await run('error');
    expect(stopped.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
    const continued = await run('error', { continueOnFail: true });
    const withError = continued.output('Segment Filter', 1).filter((i) => i.json.error !== undefined);
    expect(withError.map((i) => (i.pairedItem as { item: number }).item)).toEqual([...broken]);
  });

  it('converts numeric strings when asked (loose types), with a schema that types the field', async () => {
    // Without conversion the inferred type of a field holding "19" and numbers is text: `<` is refused.
    const strict = await filterWorkflow({ source: 'expression', expression: 'age < 30', options: { schema: 'infer' } });
    expect(strict.error!.message).toContain('`age` is text');
    const loose = await filterWorkflow({ source: 'expression', expression: 'age < 30', options: { schema: 'infer', looseTypes: true } });
    expect(names(loose.json('Segment Filter', 0))).toEqual(['Chadi', 'Dana']);
  });

  it('reads segment fields from other item paths through the field mapping', async () => {
    const items = PEOPLE.map((p) => ({ contact: { lang: p.language }, name: p.name }));
    const r = await filterWorkflow({ source: 'expression', expression: 'language = "ar"', options: { mapping: { fields: [{ field: 'language', path: 'contact.lang' }] } } }, items);
    expect(names(r.json('Segment Filter', 0))).toEqual(['Amal', 'Chadi']);
    // the items themselves are passed on unchanged
    expect(r.json('Segment Filter', 0)[0]).toEqual({ contact: { lang: 'ar' }, name: 'Amal' });
  });

  it('evaluates relative times against the "now" option in the given time zone', async () => {
    const items = [
      { name: 'recent', last_seen: '2026-11-20T10:00:00Z' },
      { name: 'old', last_seen: '2026-10-01T10:00:00Z' },
    ];
    const r = await filterWorkflow({ source: 'expression', expression: 'last_seen within last 7 days', options: { schema: 'infer', now: '2026-11-24T12:00:00Z', timeZone: 'Asia/Muscat' } }, items);
    expect(r.error).toBeUndefined();
    expect(names(r.json('Segment Filter', 0))).toEqual(['recent']);
  });

  it('asks for the database credential when a saved segment or the database schema needs one', async () => {
    const saved = await filterWorkflow({ source: 'saved', segment: { __rl: true, mode: 'id', value: '1' } });
    expect(saved.error).toMatchObject({ name: 'NodeOperationError', message: 'A saved segment needs a Segments Database API credential' });
    const schema = await filterWorkflow({ source: 'expression', expression: 'age > 3', options: { schema: 'database' } });
    expect(schema.error!.message).toBe("The database's schema needs a Segments Database API credential");
  });
});
