/**
 * The live count: the host's `countProvider(expression, {signal})`, here fast (the core's evaluator
 * over 5,000 sample profiles), slow (1.5 s, as a busy server) and failing (the server is down).
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import type { CountProvider } from '../editor-component/index';
import { $, $$, abortable, builder, builderIn, countReads, countSample, retype, type BuilderArgs } from './support';

const meta = {
  title: 'Segment builder/Live count',
  component: 'segment-builder',
  render: builder,
  args: { value: 'clicks_count > 0 and language = "ar"', view: 'both' },
} satisfies Meta<BuilderArgs>;

export default meta;
type Story = StoryObj<BuilderArgs>;

const formatCount = (n: number) => `≈ ${new Intl.NumberFormat('en').format(n)} customers`;

/** Counts in the browser at once; the count follows every edit. */
export const Fast: Story = {
  args: { countProvider: async (expression) => countSample(expression) },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    const first = countSample(el.value);
    expect(first).toBeGreaterThan(0);
    await countReads(el, formatCount(first));
    expect($(el, '[part~="count"]')).toHaveAttribute('role', 'status');
    // Any language instead of only Arabic: more customers.
    await userEvent.click($$(el, '[part~="condition"] [part~="not-toggle"]')[1]);
    const second = countSample('clicks_count > 0 and not language = "ar"');
    expect(el.value).toBe('clicks_count > 0 and not language = "ar"');
    await countReads(el, formatCount(second));
    expect(second).not.toBe(first);
  },
};

/** A slow server (1.5 s a count) that records each request and its signal in `calls`. */
function slowServer(calls: { expression: string; signal: AbortSignal }[]): CountProvider {
  return (expression, { signal }) => {
    calls.push({ expression, signal });
    return abortable(signal, new Promise<number>((resolve) => setTimeout(() => resolve(countSample(expression)), 1500)));
  };
}

/** A slow server: "Counting…" meanwhile, and a stale request is aborted when the user edits again. */
export const Slow: Story = {
  args: { countProvider: slowServer([]) },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    // This builder's own requests, from here on (a new provider is counted at once).
    const calls: { expression: string; signal: AbortSignal }[] = [];
    el.countProvider = slowServer(calls);
    await countReads(el, 'Counting…');
    await waitFor(() => expect(calls).toHaveLength(1));
    // Edit while that count is still running: it is cancelled, the new text is counted.
    await userEvent.click($$(el, '[part~="condition"] [part~="not-toggle"]')[0]);
    expect(calls[0].signal.aborted).toBe(true);
    await countReads(el, 'Counting…');
    await countReads(el, formatCount(countSample('not clicks_count > 0 and language = "ar"')), 8000);
    expect(calls.map((c) => c.expression)).toEqual(['clicks_count > 0 and language = "ar"', 'not clicks_count > 0 and language = "ar"']);
    expect(calls[1].signal.aborted).toBe(false);
  },
};

/** The count service fails: the error is shown in the count, editing goes on. */
export const Failing: Story = {
  args: { countProvider: async () => Promise.reject(new Error('the count service is unavailable (503)')) },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    await countReads(el, 'Could not count: the count service is unavailable (503)');
    expect($(el, '[part~="count"]')).toHaveClass('error');
    await retype($(el, 'textarea') as HTMLTextAreaElement, 'clicks_count > 2');
    await waitFor(() => expect($$(el, '[part~="condition"]')).toHaveLength(1));
    expect(el.valid).toBe(true);
    await countReads(el, /^Could not count/);
    // Text with a problem is not counted at all.
    await retype($(el, 'textarea') as HTMLTextAreaElement, 'clicks_count > "many"');
    await countReads(el, 'Fix the problems to see a count');
  },
};
