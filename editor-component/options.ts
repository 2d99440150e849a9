/**
 * Enum values the host loads: a field whose schema lists no `values` asks the element's
 * `optionsProvider` for them (a server lookup as the user types, say). One request per field and
 * query at a time; asking the same field for another query aborts the stale request; answers are
 * kept per field and query. A failure shows until Try again, or until the list is opened again.
 */

/**
 * Loads the values of an enum field that match `query` (empty: the first ones to offer). `event` is
 * set for an event's property inside `.where(…)`. The builder aborts `signal` when the answer is no
 * longer wanted (another query, the list closed, the builder removed from the page).
 */
export type OptionsProvider = (field: string, query: string, options: { signal: AbortSignal; event: string | undefined }) => Promise<readonly string[]>;

export type LoadedOptions = { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; values: readonly string[] };

/** Answers kept, at most (the oldest go first). */
const MAX_KEPT = 500;

export class EnumOptions {
  private readonly kept = new Map<string, readonly string[]>();
  private readonly failed = new Map<string, string>();
  private readonly pending = new Map<string, AbortController>();
  private provider: OptionsProvider | undefined;

  /** `changed`: an answer came (or failed); the views show it. */
  constructor(private readonly changed: () => void) {}

  /** A new provider: what the old one answered is forgotten. */
  use(provider: OptionsProvider | undefined): void {
    if (provider === this.provider) return;
    this.abort();
    this.kept.clear();
    this.failed.clear();
    this.provider = provider;
  }

  get active(): boolean {
    return this.provider !== undefined;
  }

  /** What is known of a field's values for a query; nothing known yet: it is asked for now. */
  get(field: string, event: string | undefined, query: string): LoadedOptions {
    const provider = this.provider;
    if (!provider) return { status: 'done', values: [] };
    const prefix = fieldKey(field, event);
    const key = `${prefix}${query}`;
    const values = this.kept.get(key);
    if (values) return { status: 'done', values };
    const message = this.failed.get(key);
    if (message !== undefined) return { status: 'error', message };
    if (this.pending.has(key)) return { status: 'loading' };
    // Another query of the same field is stale now.
    for (const [k, a] of this.pending) {
      if (k.startsWith(prefix)) {
        a.abort();
        this.pending.delete(k);
      }
    }
    const abort = new AbortController();
    this.pending.set(key, abort);
    new Promise<readonly string[]>((resolve) => resolve(provider(field, query, { signal: abort.signal, event })))
      .then(
        (answer) => {
          if (abort.signal.aborted) return;
          if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string);
          this.kept.set(key, Array.isArray(answer) ? answer.map(String) : []);
        },
        (e: unknown) => {
          if (abort.signal.aborted) return;
          this.failed.set(key, e instanceof Error ? e.message : String(e));
        },
      )
      .finally(() => {
        if (abort.signal.aborted) return;
        this.pending.delete(key);
        this.changed();
      });
    return { status: 'loading' };
  }

  /** Asks again for a query that failed. */
  retry(field: string, event: string | undefined, query: string): void {
    this.failed.delete(`${fieldKey(field, event)}${query}`);
    this.changed();
  }

  /** Every value of a field loaded so far (any query), for completion in the text view. */
  known(field: string, event: string | undefined): string[] {
    const prefix = fieldKey(field, event);
    const seen = new Map<string, string>();
    for (const [k, values] of this.kept) if (k.startsWith(prefix)) for (const v of values) if (!seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
    return [...seen.values()];
  }

  /** Aborts every request under way and forgets the failures (the list closed, the builder left the page). */
  abort(): void {
    for (const a of this.pending.values()) a.abort();
    this.pending.clear();
    this.failed.clear();
  }
}

function fieldKey(field: string, event: string | undefined): string {
  return `${event ?? ''}\u0000${field}\u0000`;
}
