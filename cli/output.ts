/**
 * Output helpers: a progress line on stderr (only on a terminal) and a JSON Lines writer for stdout
 * that respects backpressure and ends quietly when the reader goes away (`segment filter … | head`).
 */
import type { ReadStats } from './profiles';

export interface Progress {
  update(): void;
  done(): void;
}

const EVERY_MS = 200;

/**
 * `scanned 1,234,567 profiles · 42% · 310,000/s`, redrawn in place on `stream` (stderr); a no-op
 * when that is not a terminal, or null.
 */
export function progress(stats: ReadStats, stream: NodeJS.WriteStream | null = process.stderr): Progress {
  if (!stream?.isTTY) return { update() {}, done() {} };
  const started = performance.now();
  const before = stats.profiles; // profiles already read (for schema inference) are not part of the rate
  let last = started;
  let shown = false;
  const draw = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round((stats.profiles - before) / seconds) : 0;
    const percent = stats.totalBytes > 0 ? ` · ${Math.min(100, Math.floor((100 * stats.bytes) / stats.totalBytes))}%` : '';
    stream.write(`\r\x1b[Kscanned ${stats.profiles.toLocaleString('en-US')} profiles${percent} · ${rate.toLocaleString('en-US')}/s`);
    shown = true;
  };
  return {
    update() {
      const now = performance.now();
      if (now - last < EVERY_MS) return;
      last = now;
      draw();
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/** Writes one JSON object per line, in chunks, waiting for `drain` when stdout is full. */
export class JsonlWriter {
  private buffer = '';
  private error: NodeJS.ErrnoException | undefined;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      this.error ??= e;
    });
  }

  /** True once the reader has gone away (a pipe into `head`) or writing failed: stop producing. */
  get isClosed(): boolean {
    return this.error !== undefined;
  }

  async write(value: unknown): Promise<void> {
    this.buffer += `${JSON.stringify(value)}\n`;
    if (this.buffer.length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === '' || this.error) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) await drained(this.out);
  }

  /** Flushes; a failed write (other than the reader going away) is reported. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.error && this.error.code !== 'EPIPE') throw this.error;
  }
}

/**
 * Writes text chunks to stdout in writes of about 64 KiB, waiting for `drain` when it is full, so a
 * long output holds one write's worth at a time. Stops producing once stdout failed or its reader
 * went away (the failure itself is reported when the process exits).
 */
export async function writeChunks(chunks: AsyncIterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let failed = false;
  const onError = () => {
    failed = true;
  };
  out.on('error', onError);
  try {
    let buffer = '';
    for await (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length < 1 << 16) continue;
      if (failed) return;
      if (!out.write(buffer)) await drained(out);
      buffer = '';
    }
    if (buffer !== '' && !failed) out.write(buffer);
  } finally {
    out.off('error', onError);
  }
}

/** A JSON array of strings as `JSON.stringify(items, null, 2)` writes it, nested at `indent`, in pieces. */
export async function* jsonArrayChunks(items: AsyncIterable<string>, indent = ''): AsyncGenerator<string> {
  let first = true;
  for await (const item of items) {
    yield `${first ? '[\n' : ',\n'}${indent}  ${JSON.stringify(item)}`;
    first = false;
  }
  yield first ? '[]' : `\n${indent}]`;
}

/** Resolves when the stream can take more, or will never take more (closed, failed). */
function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
