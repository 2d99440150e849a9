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

/** A slow server: each count answers after 1.5 s. */
const slowServer: CountProvider = (expression, { signal }) =>
  abortable(signal, new Promise<number>((resolve) => setTimeout(() => resolve(countSample(expression)), 1500)));

/**
 * A server that answers only when the play function releases a request (no clock in the test), and
 * that ignores the abort signal: a late answer to a stale request must not be shown.
 */
function heldServer() {
  const calls: { expression: string; signal: AbortSignal; release: () => void }[] = [];
  const provider: CountProvider = (expression, { signal }) =>
    new Promise<number>((resolve) => calls.push({ expression, signal, release: () => resolve(countSample(expression)) }));
  return { calls, provider };
}

/** A slow server: "Counting…" meanwhile, and a stale request is aborted when the user edits again. */
export const Slow: Story = {
  args: { countProvider: slowServer },
  play: async ({ canvasElement }) => {
    const el = await builderIn(canvasElement);
    // This builder's requests, held until released (a new provider counts at once).
    const server = heldServer();
    el.countProvider = server.provider;
    await waitFor(() => expect(server.calls).toHaveLength(1));
    await countReads(el, 'Counting…');
    // Edit while that count is still running: it is cancelled, the new text is counted.
    await userEvent.click($$(el, '[part~="condition"] [part~="not-toggle"]')[0]);
    expect(server.calls[0].signal.aborted).toBe(true);
    await waitFor(() => expect(server.calls).toHaveLength(2));
    expect(server.calls[1].expression).toBe('not clicks_count > 0 and language = "ar"');
    await countReads(el, 'Counting…');
    // The stale answer arriving late changes nothing; the current one shows.
    server.calls[0].release();
    await new Promise((settled) => setTimeout(settled, 0)); // every promise job of the late answer has run
    await el.updateComplete;
    expect($(el, '[part~="count"]')).toHaveTextContent('Counting…');
    server.calls[1].release();
    await countReads(el, formatCount(countSample('not clicks_count > 0 and language = "ar"')));
    expect(server.calls[1].signal.aborted).toBe(false);
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
