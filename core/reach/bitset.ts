/**
 * Bitmaps for the reach index: dense selections (one bit a profile slot, in 32-bit words) and
 * postings (the slots that hold one value), which are roaring-style containers: a sorted array of
 * slots while the value is rare, a dense bitmap once the array would be larger than the bitmap.
 *
 * Slots are only ever appended in increasing order (a changed profile gets a new slot), so a
 * posting grows at its end and never needs an insertion in the middle.
 */

/** A set of slots as 32-bit words; bits past the store's size are zero. */
export type Selection = Uint32Array;

export function wordsFor(bits: number): number {
  return (bits + 31) >>> 5;
}

export function emptySelection(bits: number): Selection {
  return new Uint32Array(wordsFor(bits));
}

export function setBit(s: Selection, i: number): void {
  s[i >>> 5] |= 1 << (i & 31);
}

export function clearBit(s: Selection, i: number): void {
  s[i >>> 5] &= ~(1 << (i & 31));
}

export function hasBit(s: Selection, i: number): boolean {
  return (s[i >>> 5] & (1 << (i & 31))) !== 0;
}

/** `a &= b`. */
export function andInto(a: Selection, b: Selection): Selection {
  for (let i = 0; i < a.length; i++) a[i] &= b[i];
  return a;
}

/** `a |= b`. */
export function orInto(a: Selection, b: Selection): Selection {
  for (let i = 0; i < a.length; i++) a[i] |= b[i];
  return a;
}

/** `a = within & ~a`: the complement of `a` inside `within`. */
export function complementInto(a: Selection, within: Selection): Selection {
  for (let i = 0; i < a.length; i++) a[i] = within[i] & ~a[i];
  return a;
}

export function isEmpty(a: Selection): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function cardinality(a: Selection): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const w = a[i];
    if (w !== 0) n += popcount32(w);
  }
  return n;
}

/** The slots in a selection, in increasing order. */
export function* slotsOf(a: Selection): Generator<number> {
  for (let i = 0; i < a.length; i++) {
    let w = a[i];
    while (w !== 0) {
      const t = w & -w;
      yield (i << 5) + (31 - Math.clz32(t));
      w ^= t;
    }
  }
}

/** Calls `f` for every slot in the selection, in increasing order. */
export function forEachSlot(a: Selection, f: (slot: number) => void): void {
  for (let i = 0; i < a.length; i++) {
    let w = a[i];
    while (w !== 0) {
      const t = w & -w;
      f((i << 5) + (31 - Math.clz32(t)));
      w ^= t;
    }
  }
}

/** Words per chunk of a `Bits`: 65,536 bits, the chunk of the columns' arrays (`chunks.ts`). */
const BITS_CHUNK_SHIFT = 11;
const BITS_CHUNK = 1 << BITS_CHUNK_SHIFT;

/**
 * A growable dense bitmap (the store's own bookkeeping: alive slots, known values…), in chunks of
 * 2,048 words, so that growing never copies more than one chunk (the last one grows by doubling).
 */
export class Bits {
  readonly chunks: Uint32Array[] = [];
  constructor(bits = 0) {
    const words = wordsFor(bits);
    for (let w = 0; w < words; w += BITS_CHUNK) this.chunks.push(new Uint32Array(Math.min(BITS_CHUNK, Math.max(4, words - w))));
  }
  set(i: number): void {
    const w = i >>> 5;
    const k = w >>> BITS_CHUNK_SHIFT;
    let c = this.chunks[k];
    const j = w & (BITS_CHUNK - 1);
    if (c === undefined || j >= c.length) c = this.grow(k, j);
    c[j] |= 1 << (i & 31);
  }
  clear(i: number): void {
    const w = i >>> 5;
    const c = this.chunks[w >>> BITS_CHUNK_SHIFT];
    const j = w & (BITS_CHUNK - 1);
    if (c !== undefined && j < c.length) c[j] &= ~(1 << (i & 31));
  }
  has(i: number): boolean {
    const w = i >>> 5;
    const c = this.chunks[w >>> BITS_CHUNK_SHIFT];
    const j = w & (BITS_CHUNK - 1);
    return c !== undefined && j < c.length && (c[j] & (1 << (i & 31))) !== 0;
  }
  /** ORs these bits into `s` (sized for the store). */
  orInto(s: Selection): void {
    for (let k = 0; k < this.chunks.length; k++) {
      const c = this.chunks[k];
      const base = k << BITS_CHUNK_SHIFT;
      const n = Math.min(c.length, s.length - base);
      for (let j = 0; j < n; j++) s[base + j] |= c[j];
    }
  }
  /** ANDs `s` with these bits, in place. */
  andInto(s: Selection): void {
    let done = 0;
    for (let k = 0; k < this.chunks.length; k++) {
      const c = this.chunks[k];
      const base = k << BITS_CHUNK_SHIFT;
      const n = Math.min(c.length, s.length - base);
      for (let j = 0; j < n; j++) s[base + j] &= c[j];
      done = Math.max(done, base + Math.max(0, n));
      if (n < BITS_CHUNK) break;
    }
    if (done < s.length) s.fill(0, done);
  }
  /** A selection of `words` words holding these bits. */
  toSelection(words: number): Selection {
    const s = new Uint32Array(words);
    for (let k = 0; k < this.chunks.length; k++) {
      const base = k << BITS_CHUNK_SHIFT;
      if (base >= words) break;
      const c = this.chunks[k];
      s.set(c.length > words - base ? c.subarray(0, words - base) : c, base);
    }
    return s;
  }
  /** The word `w` (0 past the end). */
  word(w: number): number {
    const c = this.chunks[w >>> BITS_CHUNK_SHIFT];
    const j = w & (BITS_CHUNK - 1);
    return c !== undefined && j < c.length ? c[j] : 0;
  }
  trim(bits: number): void {
    const words = Math.max(1, wordsFor(bits));
    const k = (words - 1) >>> BITS_CHUNK_SHIFT;
    if (this.chunks.length > k + 1) this.chunks.length = k + 1;
    if (k > 0) return;
    const c = this.chunks[k];
    const length = words - (k << BITS_CHUNK_SHIFT);
    if (c !== undefined && c.length > length) this.chunks[k] = c.slice(0, length);
  }
  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }
  private grow(k: number, j: number): Uint32Array {
    while (this.chunks.length <= k) {
      const last = this.chunks.length - 1;
      if (last >= 0 && this.chunks[last].length < BITS_CHUNK) this.chunks[last] = resized(this.chunks[last], BITS_CHUNK);
      // As in `Chunked`: only the first chunk starts small.
      this.chunks.push(new Uint32Array(this.chunks.length === 0 ? 4 : BITS_CHUNK));
    }
    const c = this.chunks[k];
    if (j < c.length) return c;
    const next = resized(c, Math.min(BITS_CHUNK, Math.max(j + 1, c.length * 2)));
    this.chunks[k] = next;
    return next;
  }
}

function resized(c: Uint32Array, length: number): Uint32Array {
  const next = new Uint32Array(length);
  next.set(c.length <= length ? c : c.subarray(0, length));
  return next;
}

/** Below this many slots a posting stays an array whatever the density. */
const MIN_BITMAP = 256;

/**
 * The slots holding one value (an inverted index entry): a sorted array while that is smaller
 * than a bitmap over the slots so far, a bitmap after.
 */
export class Posting {
  private array: Uint32Array | null = new Uint32Array(4);
  private bits: Bits | null = null;
  size = 0;

  /** Adds a slot larger than every slot added so far (or equal to the last, which is ignored). */
  add(slot: number): void {
    const array = this.array;
    if (array === null) {
      const bits = this.bits as Bits;
      if (!bits.has(slot)) {
        bits.set(slot);
        this.size++;
      }
      return;
    }
    if (this.size > 0 && array[this.size - 1] === slot) return;
    if (this.size === array.length) {
      if (this.size >= MIN_BITMAP && this.size * 32 > slot) {
        this.toBitmap(slot);
        (this.bits as Bits).set(slot);
        this.size++;
        return;
      }
      const next = new Uint32Array(array.length * 2);
      next.set(array);
      this.array = next;
    }
    (this.array as Uint32Array)[this.size++] = slot;
  }

  /** ORs the slots into a selection. */
  orInto(s: Selection): void {
    const array = this.array;
    if (array === null) {
      (this.bits as Bits).orInto(s);
      return;
    }
    const limit = s.length << 5;
    for (let i = 0; i < this.size; i++) {
      const slot = array[i];
      if (slot < limit) s[slot >>> 5] |= 1 << (slot & 31);
    }
  }

  /** ANDs a selection with these slots, in place. */
  andInto(s: Selection): void {
    if (this.array === null) {
      (this.bits as Bits).andInto(s);
      return;
    }
    const mine = new Uint32Array(s.length);
    this.orInto(mine);
    andInto(s, mine);
  }

  trim(): void {
    if (this.array !== null && this.array.length > this.size) this.array = this.array.slice(0, Math.max(1, this.size));
  }

  bytes(): number {
    return this.array === null ? (this.bits as Bits).bytes() : this.array.byteLength;
  }

  private toBitmap(last: number): void {
    const bits = new Bits(last + 1);
    const array = this.array as Uint32Array;
    for (let i = 0; i < this.size; i++) bits.set(array[i]);
    this.bits = bits;
    this.array = null;
  }
}
