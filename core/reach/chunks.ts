/**
 * A growable array of numbers held in fixed-size chunks of typed arrays, each chunk in the
 * narrowest type its values need (bytes while every value is a small whole number, widened one
 * chunk at a time when a larger or fractional value arrives).
 *
 * Growing never copies more than one chunk: a single insert past the capacity costs at most one
 * chunk (65,536 values), however many rows the column holds, where doubling one flat array copies
 * every row. The first chunk grows by doubling up to the chunk size, so a small table stays small;
 * the next ones are allocated whole.
 */

export const CHUNK_SHIFT = 16;
export const CHUNK = 1 << CHUNK_SHIFT;
export const CHUNK_MASK = CHUNK - 1;

export type NumberArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** The narrowest type a chunk may start in. */
export type Width = 'u8' | 'u32' | 'f64';

const RANK = { u8: 0, u16: 1, u32: 2, f64: 3 } as const;
type Type = keyof typeof RANK;

function make(type: Type, length: number): NumberArray {
  switch (type) {
    case 'u8':
      return new Uint8Array(length);
    case 'u16':
      return new Uint16Array(length);
    case 'u32':
      return new Uint32Array(length);
    default:
      return new Float64Array(length);
  }
}

function typeOf(a: NumberArray): Type {
  return a instanceof Uint8Array ? 'u8' : a instanceof Uint16Array ? 'u16' : a instanceof Uint32Array ? 'u32' : 'f64';
}

/** The narrowest type holding `v` exactly (-0 and fractions need a double). */
function needed(v: number): Type {
  if (v >>> 0 !== v || (v === 0 && 1 / v < 0)) return 'f64';
  return v < 256 ? 'u8' : v < 65_536 ? 'u16' : 'u32';
}

export class Chunked {
  readonly chunks: NumberArray[] = [];
  private readonly floor: Type;

  constructor(floor: Width) {
    this.floor = floor;
  }

  /** The value at `i` (0 where nothing was written). */
  get(i: number): number {
    const c = this.chunks[i >>> CHUNK_SHIFT];
    if (c === undefined) return 0;
    const j = i & CHUNK_MASK;
    return j < c.length ? c[j] : 0;
  }

  set(i: number, v: number): void {
    const k = i >>> CHUNK_SHIFT;
    while (this.chunks.length <= k) {
      // A chunk before the last one is full-sized; the last one grows by doubling.
      const last = this.chunks.length - 1;
      if (last >= 0 && this.chunks[last].length < CHUNK) this.chunks[last] = this.resized(this.chunks[last], CHUNK, typeOf(this.chunks[last]));
      // Only the first chunk starts small (a small table stays small); the others are allocated
      // whole (zeroed pages, no copy), so a growing column never copies more than what widens.
      this.chunks.push(make(this.floor, this.chunks.length === 0 ? 16 : CHUNK));
    }
    let c = this.chunks[k];
    const j = i & CHUNK_MASK;
    const type = typeOf(c);
    const want = this.floor === 'f64' ? 'f64' : needed(v);
    const wider = RANK[want] > RANK[type];
    if (j >= c.length || wider) {
      c = this.resized(c, j >= c.length ? Math.min(CHUNK, Math.max(j + 1, c.length * 2)) : c.length, wider ? want : type);
      this.chunks[k] = c;
    }
    c[j] = v;
  }

  /**
   * Drops the chunks past `size` values, and the spare capacity of the first chunk when it is the
   * only one (a later chunk keeps its room, so the next insert copies nothing).
   */
  trim(size: number): void {
    const k = size === 0 ? 0 : (size - 1) >>> CHUNK_SHIFT;
    if (this.chunks.length > k + 1) this.chunks.length = k + 1;
    if (k > 0) return;
    const c = this.chunks[k];
    const length = size - (k << CHUNK_SHIFT);
    if (c !== undefined && c.length > Math.max(1, length)) this.chunks[k] = c.slice(0, Math.max(1, length));
  }

  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }

  private resized(c: NumberArray, length: number, type: Type): NumberArray {
    const next = make(type, length);
    if (type === typeOf(c) || type === 'f64' || RANK[type] > RANK[typeOf(c)]) {
      if (c.length <= length) next.set(c);
      else next.set(c.subarray(0, length));
    }
    return next;
  }
}
