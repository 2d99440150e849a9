/**
 * The reach index's columns: one per field (or event property), one value per slot.
 *
 * Every column keeps the same three things: `known` (the value is neither absent nor `null`),
 * the values of its own type in a compact form (typed arrays, a dictionary with an inverted index),
 * and `exceptions`: the values of any other type, kept as they are (`"5"` in a number column, a
 * number in a text column, an invalid date). A predicate is answered natively on the compact values
 * where the column knows how; the exceptions (and every predicate a column does not know) are
 * answered by the row engine's own compiled test, one value at a time (`evaluate.ts`), so wrong
 * types behave exactly as in memory.
 *
 * Slots arrive in increasing order (`push`); a slot's value never changes (a changed profile gets a
 * new slot), so postings only grow at their end.
 */
import type { Literal, PredicateExpr } from '../ast';
import { instant } from '../evaluate/runtime';
import { literalInstant, type Clock } from '../time';
import { Bits, emptySelection, orInto, Posting, setBit, type Selection } from './bitset';
import { Chunked, CHUNK_MASK, CHUNK_SHIFT, type NumberArray } from './chunks';

export type ColumnKind = 'text' | 'boolean' | 'number' | 'date' | 'list' | 'raw';

export interface Column {
  readonly kind: ColumnKind;
  /** Slots whose value is neither absent nor null. */
  readonly known: Bits;
  /** Slots whose value is not of the column's type, with that value. */
  readonly exceptions: Map<number, unknown>;
  push(slot: number, value: unknown): void;
  /** Drops what a dead slot holds outside the typed arrays. */
  forget(slot: number): void;
  /** The slot's value as the row engine would read it (for answering a predicate one value at a time). */
  value(slot: number): unknown;
  /**
   * The slots with a native value (known, not an exception) for which the positive predicate
   * `node` holds, or undefined when the column cannot answer it natively. `test` is the row
   * engine's test of `node` on one value.
   */
  native(node: PredicateExpr, env: NativeEnv): Selection | undefined;
  trim(size: number): void;
  bytes(): number;
}

export interface NativeEnv {
  /** The field's kind in the schema (undefined: not in the schema). */
  kind: string | undefined;
  /** The row engine's test of the predicate on one value. */
  test: (value: unknown) => boolean;
  clock: Clock;
  /** Number of slots (the selection's size). */
  size: number;
}

abstract class BaseColumn {
  readonly known = new Bits();
  readonly exceptions = new Map<number, unknown>();
  forget(slot: number): void {
    this.exceptions.delete(slot);
  }
  protected baseBytes(): number {
    // A Map entry costs about 40 bytes besides its value.
    return this.known.bytes() + this.exceptions.size * 40;
  }
}

/** A column of which every value is kept as it is (objects, or a type the index does not compact). */
export class RawColumn extends BaseColumn implements Column {
  readonly kind = 'raw';
  push(slot: number, value: unknown): void {
    if (value === undefined || value === null) return;
    this.known.set(slot);
    this.exceptions.set(slot, value);
  }
  value(slot: number): unknown {
    return this.exceptions.get(slot);
  }
  native(): undefined {
    return undefined;
  }
  trim(size: number): void {
    this.known.trim(size);
  }
  bytes(): number {
    return this.baseBytes();
  }
}

/** Beyond this many distinct values a text column keeps the texts themselves, not a dictionary. */
const MAX_DICTIONARY = 4096;

/**
 * Text (or boolean) values, dictionary-encoded: each distinct value once, with its lower-case
 * form (folded once, at load) and the posting of the slots that hold it. A predicate is decided
 * once per distinct value by the row engine's own test, then answered by ORing postings. A column
 * with too many distinct values (ids, e-mails) keeps the texts instead and tests them one by one.
 */
export class DictColumn extends BaseColumn implements Column {
  readonly kind: 'text' | 'boolean';
  private readonly codes = new Chunked('u8');
  private readonly lookup = new Map<string | boolean, number>();
  readonly entries: (string | boolean)[] = [];
  readonly lowered: string[] = [];
  private readonly postings: Posting[] = [];
  /** Set when the column stopped being a dictionary: the values by slot. */
  private texts: ChunkedValues | null = null;

  constructor(kind: 'text' | 'boolean') {
    super();
    this.kind = kind;
  }

  push(slot: number, value: unknown): void {
    if (value === undefined || value === null) return;
    this.known.set(slot);
    if (typeof value !== (this.kind === 'text' ? 'string' : 'boolean')) {
      this.exceptions.set(slot, value);
      return;
    }
    const v = value as string | boolean;
    if (this.texts !== null) {
      this.texts.set(slot, v);
      return;
    }
    let code = this.lookup.get(v);
    if (code === undefined) {
      if (this.entries.length >= MAX_DICTIONARY) {
        this.undictionary(slot);
        (this.texts as unknown as ChunkedValues).set(slot, v);
        return;
      }
      code = this.entries.length;
      this.lookup.set(v, code);
      this.entries.push(v);
      this.lowered.push(typeof v === 'string' ? v.toLowerCase() : String(v));
      this.postings.push(new Posting());
    }
    this.codes.set(slot, code);
    this.postings[code].add(slot);
  }

  value(slot: number): unknown {
    if (!this.known.has(slot)) return undefined;
    const raw = this.exceptions.get(slot);
    if (raw !== undefined) return raw;
    return this.texts !== null ? this.texts.get(slot) : this.entries[this.codes.get(slot)];
  }

  /** The slots with a native value equal to one of `values` (exact, as stored). */
  postingOf(value: string | boolean): Posting | undefined {
    const code = this.lookup.get(value);
    return code === undefined ? undefined : this.postings[code];
  }

  native(node: PredicateExpr, env: NativeEnv): Selection | undefined {
    const out = emptySelection(env.size);
    if (this.texts !== null) {
      const chunks = this.texts.chunks;
      for (let k = 0; k < chunks.length; k++) {
        const texts = chunks[k];
        const base = k << CHUNK_SHIFT;
        const n = Math.min(env.size - base, texts.length);
        for (let i = 0; i < n; i++) {
          const v = texts[i];
          if (v !== undefined && env.test(v)) setBit(out, base + i);
        }
      }
      return out;
    }
    // Decided once per distinct value; equality first compares the lower-case forms, so a
    // segment's `= "gold"` does not run the test on every spelling.
    const eq = eqText(node);
    for (let code = 0; code < this.entries.length; code++) {
      const e = this.entries[code];
      const match = eq !== undefined && typeof e === 'string' ? eq.has(this.lowered[code]) : env.test(e);
      if (match) this.postings[code].orInto(out);
    }
    return out;
  }

  trim(size: number): void {
    this.known.trim(size);
    this.codes.trim(size);
    this.texts?.trim(size);
    for (const p of this.postings) p.trim();
  }

  bytes(): number {
    let b = this.baseBytes() + this.codes.bytes();
    for (const p of this.postings) b += p.bytes() + 32;
    for (const e of this.entries) b += typeof e === 'string' ? 2 * (16 + e.length) : 0;
    if (this.texts !== null) b += this.texts.bytes();
    return b;
  }

  private undictionary(upTo: number): void {
    const texts = new ChunkedValues();
    for (let i = 0; i < upTo; i++) {
      if (this.known.has(i) && !this.exceptions.has(i)) texts.set(i, this.entries[this.codes.get(i)]);
    }
    this.texts = texts;
    this.codes.trim(0);
    this.lookup.clear();
    this.entries.length = 0;
    this.lowered.length = 0;
    this.postings.length = 0;
  }
}

/** For `text = "x"` / `text in [...]` on a text field: the lower-case texts that match. */
function eqText(node: PredicateExpr): Set<string> | undefined {
  const o = node.operand;
  if (node.op === 'eq' && o?.type === 'string') return new Set([o.value.toLowerCase()]);
  return undefined;
}

/** Texts (or booleans) by slot, in chunks like `Chunked`, so growing never copies every slot. */
class ChunkedValues {
  readonly chunks: (string | boolean | undefined)[][] = [];
  get(i: number): string | boolean | undefined {
    return this.chunks[i >>> CHUNK_SHIFT]?.[i & CHUNK_MASK];
  }
  set(i: number, v: string | boolean): void {
    const k = i >>> CHUNK_SHIFT;
    while (this.chunks.length <= k) this.chunks.push([]);
    const c = this.chunks[k];
    const j = i & CHUNK_MASK;
    // Fill the gap so the array stays packed (a holey write far past the end makes it a dictionary).
    for (let g = c.length; g < j; g++) c.push(undefined);
    c[j] = v;
  }
  trim(size: number): void {
    const k = size === 0 ? 0 : (size - 1) >>> CHUNK_SHIFT;
    if (this.chunks.length > k + 1) this.chunks.length = k + 1;
  }
  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.length * 8;
    return b;
  }
}

/**
 * A column whose known values are numbers, by slot, in chunks (numbers, dates as ms): a chunk of
 * numbers holds bytes while its values are small whole numbers (counts), doubles once they are not.
 */
abstract class Float64Column extends BaseColumn {
  readonly values: Chunked;

  constructor(floor: 'u8' | 'f64') {
    super();
    this.values = new Chunked(floor);
  }

  protected store(slot: number, value: number): void {
    this.values.set(slot, value);
  }

  trim(size: number): void {
    this.known.trim(size);
    this.values.trim(size);
  }

  bytes(): number {
    return this.baseBytes() + this.values.bytes();
  }
}

/** Numbers in a Float64Array. */
export class NumberColumn extends Float64Column implements Column {
  readonly kind = 'number';

  constructor() {
    super('u8');
  }

  push(slot: number, value: unknown): void {
    if (value === undefined || value === null) return;
    this.known.set(slot);
    if (typeof value !== 'number') {
      this.exceptions.set(slot, value);
      return;
    }
    this.store(slot, value);
  }

  value(slot: number): unknown {
    if (!this.known.has(slot)) return undefined;
    return this.exceptions.has(slot) ? this.exceptions.get(slot) : this.values.get(slot);
  }

  native(node: PredicateExpr, env: NativeEnv): Selection | undefined {
    const lit = subjectLiteral(node);
    // The row engine's kind: the schema's, or the literal's when the field is not in it.
    if (env.kind !== 'number' && !(env.kind === undefined && lit?.type === 'number')) return undefined;
    const o = node.operand;
    const none = (): Selection => emptySelection(env.size);
    const range = (low: number, lowOpen: boolean, high: number, highOpen: boolean): Selection => scanRange(this.values, this.known, this.exceptions, env.size, low, lowOpen, high, highOpen);
    switch (node.op) {
      case 'eq':
        return lit?.type === 'number' ? range(lit.value, false, lit.value, false) : none();
      case 'gt':
        return lit?.type === 'number' ? range(lit.value, true, Infinity, false) : none();
      case 'gte':
        return lit?.type === 'number' ? range(lit.value, false, Infinity, false) : none();
      case 'lt':
        return lit?.type === 'number' ? range(-Infinity, false, lit.value, true) : none();
      case 'lte':
        return lit?.type === 'number' ? range(-Infinity, false, lit.value, false) : none();
      case 'between':
        if (o?.type !== 'range' || o.low.type !== 'number' || o.high.type !== 'number') return none();
        return range(o.low.value, false, o.high.value, false);
      case 'in': {
        if (o?.type !== 'list') return undefined;
        const out = none();
        for (const v of new Set(o.items.flatMap((l) => (l.type === 'number' ? [l.value] : [])))) orInto(out, range(v, false, v, false));
        return out;
      }
      default:
        return undefined;
    }
  }

}

/**
 * Known, non-exceptional slots whose value lies between `low` and `high` (each end open or
 * closed): one pass over each chunk, 32 values a word, without branches (an open end becomes the
 * closed end of the next double, which is the same set of doubles). Every comparison the columns
 * answer natively is such a range (`= c` is [c, c]; NaN is in none).
 */
function scanRange(values: Chunked, known: Bits, exceptions: Map<number, unknown>, size: number, low: number, lowOpen: boolean, high: number, highOpen: boolean): Selection {
  const out = emptySelection(size);
  const lo = lowOpen ? nextUp(low) : low;
  const hi = highOpen ? -nextUp(-high) : high;
  if (!(lo <= hi)) return out;
  for (let k = 0; k < values.chunks.length; k++) {
    const base = k << CHUNK_SHIFT;
    if (base >= size) break;
    const chunk = values.chunks[k];
    // One loop per array type, so each stays monomorphic (dates and fractions: doubles; counts: bytes).
    if (chunk instanceof Float64Array) scanDoubles(chunk, known.chunks[k], out, base >>> 5, Math.min(size - base, chunk.length), lo, hi);
    else scanChunk(chunk, known.chunks[k], out, base >>> 5, Math.min(size - base, chunk.length), lo, hi);
  }
  for (const slot of exceptions.keys()) if (slot < size) out[slot >>> 5] &= ~(1 << (slot & 31));
  return out;
}

function scanChunk(values: NumberArray, known: Uint32Array | undefined, out: Selection, first: number, n: number, lo: number, hi: number): void {
  if (known === undefined) return;
  const words = Math.min(known.length, (n + 31) >>> 5);
  for (let w = 0; w < words; w++) {
    const present = known[w];
    if (present === 0) continue;
    const base = w << 5;
    let word = 0;
    if (base + 32 <= n) {
      for (let b = 0; b < 32; b++) {
        const v = values[base + b];
        word |= (+(v >= lo) & +(v <= hi)) << b;
      }
    } else {
      for (let b = 0; base + b < n; b++) {
        const v = values[base + b];
        word |= (+(v >= lo) & +(v <= hi)) << b;
      }
    }
    out[first + w] = word & present;
  }
}

function scanDoubles(values: Float64Array, known: Uint32Array | undefined, out: Selection, first: number, n: number, lo: number, hi: number): void {
  if (known === undefined) return;
  const words = Math.min(known.length, (n + 31) >>> 5);
  for (let w = 0; w < words; w++) {
    const present = known[w];
    if (present === 0) continue;
    const base = w << 5;
    let word = 0;
    if (base + 32 <= n) {
      for (let b = 0; b < 32; b++) {
        const v = values[base + b];
        word |= (+(v >= lo) & +(v <= hi)) << b;
      }
    } else {
      for (let b = 0; base + b < n; b++) {
        const v = values[base + b];
        word |= (+(v >= lo) & +(v <= hi)) << b;
      }
    }
    out[first + w] = word & present;
  }
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The smallest double above `x` (x itself for +Infinity and NaN). */
function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] += x > 0 ? 1n : -1n;
  return f64[0];
}

/**
 * Dates as epoch milliseconds in a Float64Array (for a field the schema says is a date): `Date`
 * objects and ISO-8601 texts with a valid instant. Anything else (a number, an invalid text) is an
 * exception, kept as it is. Every predicate on a date field depends only on the instant (or on
 * the value being known), so the row engine's test of a slot's value is its test of `new Date(ms)`.
 */
export class DateColumn extends Float64Column implements Column {
  readonly kind = 'date';

  constructor() {
    super('f64');
  }

  push(slot: number, value: unknown): void {
    if (value === undefined || value === null) return;
    this.known.set(slot);
    const ms = typeof value === 'string' || value instanceof Date ? instant(value) : NaN;
    if (Number.isNaN(ms)) {
      this.exceptions.set(slot, value);
      return;
    }
    this.store(slot, ms);
  }

  value(slot: number): unknown {
    if (!this.known.has(slot)) return undefined;
    return this.exceptions.has(slot) ? this.exceptions.get(slot) : new Date(this.values.get(slot));
  }

  native(node: PredicateExpr, env: NativeEnv): Selection | undefined {
    if (env.kind !== 'date') return undefined;
    const clock = env.clock;
    const o = node.operand;
    const at = (lit: Literal | undefined): number => (lit === undefined || lit.type === 'duration' ? NaN : literalInstant(lit, clock));
    const lit = subjectLiteral(node);
    const none = (): Selection => emptySelection(env.size);
    const range = (low: number, lowOpen: boolean, high: number, highOpen: boolean): Selection =>
      Number.isNaN(low) || Number.isNaN(high) ? none() : scanRange(this.values, this.known, this.exceptions, env.size, low, lowOpen, high, highOpen);
    switch (node.op) {
      case 'eq':
        return range(at(lit), false, at(lit), false);
      case 'gt':
      case 'after':
        return range(at(lit), true, Infinity, false);
      case 'gte':
        return range(at(lit), false, Infinity, false);
      case 'lt':
      case 'before':
        return range(-Infinity, false, at(lit), true);
      case 'lte':
        return range(-Infinity, false, at(lit), false);
      case 'between':
        return o?.type === 'range' ? range(at(o.low), false, at(o.high), false) : none();
      case 'within_last':
      case 'older_than': {
        if (o?.type !== 'duration') return none();
        const low = clock.ago(o);
        return node.op === 'older_than' ? range(-Infinity, false, low, true) : range(low, false, clock.now, false);
      }
      default:
        return undefined;
    }
  }

}

/** A literal operand (not a list or range). */
function subjectLiteral(node: PredicateExpr): Literal | undefined {
  const o = node.operand;
  if (node.op === 'between') return o?.type === 'range' ? o.low : undefined;
  if (node.op === 'in') return o?.type === 'list' ? o.items[0] : undefined;
  return o === null || o.type === 'list' || o.type === 'range' ? undefined : o;
}

/**
 * Lists of texts and numbers, packed: element codes in one array with an offset per slot, each
 * distinct element (texts folded to lower case, as every list operator compares them) with the
 * posting of the slots that hold it, and the posting of empty lists. A list holding anything else
 * (a boolean, an object) is an exception.
 */
export class ListColumn extends BaseColumn implements Column {
  readonly kind = 'list';
  /** Where each slot's elements end (slot + 1) in `elements`; offsets[0] = 0. */
  private readonly offsets = new Chunked('u32');
  /** Element codes, bytes while there are few distinct elements. */
  private readonly elements = new Chunked('u8');
  private used = 0;
  private readonly lookup = new Map<string | number, number>();
  /** Elements as written → code (saves lower-casing each element at load). */
  private readonly written = new Map<string | number, number>();
  private readonly values: (string | number)[] = [];
  private readonly postings: Posting[] = [];
  private readonly empty = new Posting();
  private readonly items: 'text' | 'number' | undefined;

  constructor(items: 'text' | 'number' | undefined) {
    super();
    this.items = items;
  }

  push(slot: number, value: unknown): void {
    // Slots without a list (unknown, exceptions, dead gaps) hold no elements.
    for (let i = this.lastSlot + 1; i <= slot; i++) this.offsets.set(i + 1, this.used);
    this.lastSlot = slot;
    if (value === undefined || value === null) return;
    this.known.set(slot);
    if (!Array.isArray(value) || !scalars(value)) {
      this.exceptions.set(slot, value);
      return;
    }
    if (value.length === 0) this.empty.add(slot);
    for (const e of value as (string | number)[]) {
      let code = this.written.get(e);
      if (code === undefined) {
        const key = typeof e === 'string' ? e.toLowerCase() : e;
        code = this.lookup.get(key);
        if (code === undefined) {
          code = this.values.length;
          this.lookup.set(key, code);
          this.values.push(key);
          this.postings.push(new Posting());
        }
        if (this.written.size < 65_536) this.written.set(e, code);
      }
      this.elements.set(this.used++, code);
      this.postings[code].add(slot);
    }
    this.offsets.set(slot + 1, this.used);
  }

  private lastSlot = -1;

  value(slot: number): unknown {
    if (!this.known.has(slot)) return undefined;
    if (this.exceptions.has(slot)) return this.exceptions.get(slot);
    const out: (string | number)[] = [];
    for (let i = this.offsets.get(slot), end = this.offsets.get(slot + 1); i < end; i++) out.push(this.values[this.elements.get(i)]);
    return out;
  }

  native(node: PredicateExpr, env: NativeEnv): Selection | undefined {
    if (env.kind !== 'list' && env.kind !== undefined) return undefined;
    const none = (): Selection => emptySelection(env.size);
    const o = node.operand;
    switch (node.op) {
      case 'contains': {
        if (o === null || o.type === 'list' || o.type === 'range') return none();
        const kind = this.items ?? (o.type === 'string' ? 'text' : o.type === 'number' ? 'number' : undefined);
        if (kind === 'text' && o.type === 'string') return this.any([o.value.toLowerCase()], env);
        if (kind === 'number' && o.type === 'number') return this.any([o.value], env);
        return none();
      }
      case 'contains_any':
      case 'contains_all': {
        if (o?.type !== 'list') return none();
        const keys: (string | number)[] = [];
        let dropped = false;
        for (const item of o.items) {
          if (item.type === 'string' && this.items !== 'number') keys.push(item.value.toLowerCase());
          else if (item.type === 'number' && this.items !== 'text') keys.push(item.value);
          else dropped = true;
        }
        if (node.op === 'contains_any') return keys.length === 0 ? none() : this.any(keys, env);
        if (dropped) return none();
        const out = this.all(env);
        for (const key of keys) {
          const code = this.lookup.get(key);
          if (code === undefined) return none();
          this.postings[code].andInto(out);
        }
        return out;
      }
      case 'is_empty': {
        const out = none();
        this.empty.orInto(out);
        return out;
      }
      default:
        return undefined;
    }
  }

  /** Every slot holding a native list. */
  private all(env: NativeEnv): Selection {
    const out = this.known.toSelection(emptySelection(env.size).length);
    for (const slot of this.exceptions.keys()) if (slot < env.size) out[slot >>> 5] &= ~(1 << (slot & 31));
    return out;
  }

  private any(keys: readonly (string | number)[], env: NativeEnv): Selection {
    const out = emptySelection(env.size);
    for (const key of keys) {
      const code = this.lookup.get(key);
      if (code !== undefined) this.postings[code].orInto(out);
    }
    return out;
  }

  trim(size: number): void {
    this.known.trim(size);
    this.offsets.trim(size + 1);
    this.elements.trim(this.used);
    for (const p of this.postings) p.trim();
    this.empty.trim();
  }

  bytes(): number {
    let b = this.baseBytes() + this.offsets.bytes() + this.elements.bytes() + this.empty.bytes();
    for (const p of this.postings) b += p.bytes() + 32;
    return b;
  }
}

function scalars(list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const t = typeof list[i];
    if (t !== 'string' && t !== 'number') return false;
  }
  return true;
}

/** The column for a field of this schema kind (undefined: not in the schema, decided by the first value). */
export function columnFor(kind: string | undefined, items: 'text' | 'number' | undefined, first: unknown): Column {
  switch (kind) {
    case 'text':
      return new DictColumn('text');
    case 'boolean':
      return new DictColumn('boolean');
    case 'number':
      return new NumberColumn();
    case 'date':
      return new DateColumn();
    case 'list':
      return new ListColumn(items);
    default:
      if (typeof first === 'string') return new DictColumn('text');
      if (typeof first === 'boolean') return new DictColumn('boolean');
      if (typeof first === 'number') return new NumberColumn();
      if (Array.isArray(first)) return new ListColumn(undefined);
      return new RawColumn();
  }
}
