import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JsonlWriter, progress } from '../../cli/output';
import type { ReadStats } from '../../cli/profiles';

function stats(): ReadStats {
  return { bytes: 0, totalBytes: 1000, profiles: 0, skipped: 0, firstSkipped: undefined };
}

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress line', () => {
  it('redraws "scanned N profiles · P% · R/s" in place at most every 200 ms on a terminal, and clears it at the end', () => {
    vi.useFakeTimers();
    const s = stats();
    const { stream, written } = terminal(true);
    const bar = progress(s, stream);
    s.profiles = 500;
    s.bytes = 250;
    bar.update(); // too soon: nothing yet
    expect(written).toEqual([]);
    vi.advanceTimersByTime(250);
    bar.update();
    expect(written).toEqual(['\r\x1b[Kscanned 500 profiles · 25% · 2,000/s']);
    bar.update(); // throttled
    expect(written).toHaveLength(1);
    bar.done();
    expect(written[written.length - 1]).toBe('\r\x1b[K');
  });

  it('writes nothing when the stream is not a terminal, or when there is none', () => {
    vi.useFakeTimers();
    const s = stats();
    const { stream, written } = terminal(false);
    for (const bar of [progress(s, stream), progress(s, null)]) {
      vi.advanceTimersByTime(1000);
      bar.update();
      bar.done();
    }
    expect(written).toEqual([]);
  });
});

describe('JsonlWriter', () => {
  it('waits for the reader when the output is full, and loses nothing', async () => {
    const received: string[] = [];
    let waiting = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, done) {
        received.push(String(chunk));
        waiting++;
        setTimeout(() => {
          waiting--;
          done();
        }, 1);
      },
    });
    const out = new JsonlWriter(slow);
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 300; i++) {
      await out.write({ i, big });
      expect(slow.writableLength).toBeLessThan(1 << 17); // never far beyond one chunk queued
    }
    await out.finish();
    await new Promise((r) => slow.end(r));
    expect(waiting).toBe(0);
    const lines = received.join('').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).i)).toEqual([...Array(300).keys()]);
  });

  it('stops quietly when the reader goes away (EPIPE), and reports other write failures', async () => {
    const gone = new Writable({ write: (_c, _e, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const out = new JsonlWriter(gone);
    await out.write({ a: 'x'.repeat(70_000) });
    await new Promise((r) => setImmediate(r));
    expect(out.isClosed).toBe(true);
    await expect(out.finish()).resolves.toBeUndefined();

    const full = new Writable({ write: (_c, _e, done) => done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) });
    const failing = new JsonlWriter(full);
    await failing.write({ a: 'x'.repeat(70_000) });
    await new Promise((r) => setImmediate(r));
    await expect(failing.finish()).rejects.toThrow('no space left');
  });
});
