/**
 * The reach index's ready `countProvider`, as a host uses it: the index in a real module Web
 * Worker in Chromium, `<segment-builder>` showing its counts, which equal the row engine's and
 * follow profile changes; aborted counts reject with `AbortError`; bad segments reject with the
 * segment error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileSegment } from '../../core/engine';
import { createReachCountProvider, type ReachCountProvider } from '../../core/reach/count-provider';
import { generateProfiles } from '../../sample/generate';
import type { SegmentBuilder } from '../../editor-component/index';
import { cleanup, mount, schema, segments } from './fixtures';

const NOW = '2026-11-24T12:00:00Z';
const profiles = [...generateProfiles(3000, { now: NOW })];
let reach: ReachCountProvider | undefined;

afterEach(() => {
  cleanup();
  reach?.terminate();
});

async function start(): Promise<ReachCountProvider> {
  const worker = new Worker(new URL('../../core/reach/worker-entry.ts', import.meta.url), { type: 'module' });
  reach = createReachCountProvider(worker, { schema, segments, now: NOW });
  expect(await reach.add(profiles)).toBe(profiles.length);
  return reach;
}

const countText = (el: SegmentBuilder) => el.shadowRoot!.querySelector('[part~="count"]')?.textContent?.trim();
const rowCount = (expression: string) => compileSegment(expression, { schema, segments, now: NOW }).count(profiles);

describe('the reach count provider in a Web Worker', () => {
  it('gives <segment-builder> the row engine’s counts', async () => {
    const provider = await start();
    const expression = 'tags contains "VIP" and language = "ar" or in_segment("Hot Offer Not Bought")';
    const el = await mount({ value: expression, countProvider: provider.countProvider, view: 'text' });
    const expected = rowCount(expression);
    expect(expected).toBeGreaterThan(0);
    await expect.poll(() => countText(el), { timeout: 30_000 }).toBe(`≈ ${expected.toLocaleString('en-US')} customers`);
    expect(await provider.counts(segments.flatMap((s) => ('expression' in s ? [s.expression] : [])))).toEqual(segments.flatMap((s) => ('expression' in s ? [rowCount(s.expression)] : [])));
  });

  it('follows inserts, changes and deletes', async () => {
    const provider = await start();
    const vip = 'tags contains "VIP" and language = "ar"';
    const before = rowCount(vip);
    await provider.upsert([{ id: 'new-1', tags: ['VIP'], language: 'ar' }]);
    expect(await provider.counts([vip])).toEqual([before + 1]);
    const first = profiles.find((p) => compileSegment(vip, { schema, now: NOW }).test(p))!;
    await provider.upsert([{ ...first, language: 'en' }]);
    expect(await provider.counts([vip])).toEqual([before]);
    await provider.delete(['new-1']);
    expect(await provider.counts([vip])).toEqual([before - 1]);
  });

  it('rejects an aborted count with AbortError, and a bad segment with its error', async () => {
    const provider = await start();
    const controller = new AbortController();
    const pending = provider.countProvider('country = "OM"', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(provider.countProvider('contry = "OM"', { signal: new AbortController().signal })).rejects.toThrow(/unknown field `contry`/);
  });
});
