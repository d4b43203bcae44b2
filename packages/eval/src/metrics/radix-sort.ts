/**
 * In-place ascending sort of float typed arrays by an LSD radix sort on the IEEE-754 bit patterns:
 * the same order as `TypedArray.prototype.sort()` (−Infinity first, −0 before +0, +Infinity last)
 * in O(n) instead of O(n log n). NaN is not supported (its position is unspecified here; callers
 * reject NaN first, see `checkScores`).
 *
 * Keys: a float's bits, with the sign bit flipped for positive values and all bits flipped for
 * negative ones, compare as unsigned integers exactly as the floats compare (−0 = 0x7fffffff
 * sorts just before +0 = 0x80000000). Float32: 3 passes of 11 bits; Float64: 6 passes of 11 bits
 * over the (lo, hi) words. A pass whose digit is the same for every element is skipped (float64
 * scores that came from float32 skip the first two). Arrays shorter than {@link RADIX_MIN_LENGTH}
 * use the native sort (the histograms would cost more than they save).
 *
 * Measured on IJB-C's 15.6M float32 impostor scores: see the package README (`pnpm -s bench:sort`).
 *
 * @module
 */

/** Below this length the native `TypedArray.prototype.sort` is used. */
export const RADIX_MIN_LENGTH = 2048;

const BITS = 11;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An Int32Array of at least `n` elements: `scratch` when it is long enough, else a new one. */
function scratchOf(scratch: Int32Array | undefined, n: number): Int32Array {
  return scratch && scratch.length >= n ? scratch : new Int32Array(n);
}

/**
 * Sorts `a` in place, ascending (the order of `a.sort()`), and returns it. `scratch`: an Int32Array
 * of at least `a.length` elements to reuse (else one is allocated for the call).
 *
 * @example
 * const s = sortFloat32(Float32Array.of(0.5, -0, -Infinity, 0)); // [-Infinity, -0, 0, 0.5]
 */
export function sortFloat32(a: Float32Array, scratch?: Int32Array): Float32Array {
  const n = a.length;
  if (n < RADIX_MIN_LENGTH) return a.sort();
  const keys = new Int32Array(a.buffer, a.byteOffset, n);
  const tmp = scratchOf(scratch, n);
  const hist = new Uint32Array(3 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const u = keys[i]!;
    const k = u < 0 ? ~u : u ^ 0x80000000;
    keys[i] = k;
    hist[k & MASK]!++;
    hist[BUCKETS + ((k >>> BITS) & MASK)]!++;
    hist[2 * BUCKETS + (k >>> (2 * BITS))]!++;
  }
  let src = keys;
  let dst = tmp;
  for (let p = 0; p < 3; p++) {
    if (!prefixSums(hist, p * BUCKETS, n)) continue;
    const off = p * BUCKETS;
    const shift = p * BITS;
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[hist[off + ((k >>> shift) & MASK)]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const k = src[i]!;
    keys[i] = k < 0 ? k ^ 0x80000000 : ~k;
  }
  return a;
}

/**
 * Sorts `a` in place, ascending (the order of `a.sort()`), and returns it. `scratch`: an Int32Array
 * of at least `2 * a.length` elements to reuse (else one is allocated for the call).
 *
 * @example
 * const s = sortFloat64(Float64Array.of(1e-310, -0, 0, -1e300)); // [-1e300, -0, 0, 1e-310]
 */
export function sortFloat64(a: Float64Array, scratch?: Int32Array): Float64Array {
  const n = a.length;
  if (n < RADIX_MIN_LENGTH || !littleEndian) return a.sort();
  const words = new Int32Array(a.buffer, a.byteOffset, 2 * n);
  const tmp = scratchOf(scratch, 2 * n);
  const hist = new Uint32Array(6 * BUCKETS);
  for (let i = 0; i < n; i++) {
    let lo = words[2 * i]!;
    let hi = words[2 * i + 1]!;
    if (hi < 0) {
      hi = ~hi;
      lo = ~lo;
    } else hi ^= 0x80000000;
    words[2 * i] = lo;
    words[2 * i + 1] = hi;
    hist[lo & MASK]!++;
    hist[BUCKETS + ((lo >>> BITS) & MASK)]!++;
    hist[2 * BUCKETS + (((lo >>> (2 * BITS)) | (hi << (32 - 2 * BITS))) & MASK)]!++;
    hist[3 * BUCKETS + ((hi >>> (3 * BITS - 32)) & MASK)]!++;
    hist[4 * BUCKETS + ((hi >>> (4 * BITS - 32)) & MASK)]!++;
    hist[5 * BUCKETS + (hi >>> (5 * BITS - 32))]!++;
  }
  let src = words;
  let dst = tmp;
  for (let p = 0; p < 6; p++) {
    if (!prefixSums(hist, p * BUCKETS, n)) continue;
    const off = p * BUCKETS;
    const s = p * BITS;
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!;
      const hi = src[2 * i + 1]!;
      const d = s < 32 - BITS + 1 ? (lo >>> s) & MASK : s < 32 ? ((lo >>> s) | (hi << (32 - s))) & MASK : (hi >>> (s - 32)) & MASK;
      const j = 2 * hist[off + d]!++;
      dst[j] = lo;
      dst[j + 1] = hi;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    if (hi < 0) {
      words[2 * i] = lo;
      words[2 * i + 1] = hi ^ 0x80000000;
    } else {
      words[2 * i] = ~lo;
      words[2 * i + 1] = ~hi;
    }
  }
  return a;
}

/**
 * The sort key of a float32's bits (as an Int32): keys compare as signed integers exactly as {@link sortFloat32}
 * orders the floats (negative floats' bits reversed, so −0 is −1, just below +0 = 0).
 */
export const float32Key = (bits: number): number => (bits < 0 ? bits ^ 0x7fffffff : bits);

/**
 * Copies the values of `a` whose {@link float32Key} is below `pivotKey` to the front of `out` (in input order) and
 * the others to the back (in reverse input order), in one pass, and returns the front part's length: sorting the
 * two parts in place then sorts `out` (every front value precedes every back value in sortFloat32's order). `out`
 * must not overlap `a`.
 */
export function partitionFloat32(a: Float32Array, pivotKey: number, out: Float32Array): number {
  if (out.length !== a.length) throw new RangeError(`partitionFloat32: ${out.length} ≠ ${a.length}`);
  const k = new Int32Array(a.buffer, a.byteOffset, a.length);
  const o = new Int32Array(out.buffer, out.byteOffset, out.length);
  let f = 0;
  let b = k.length;
  for (let i = 0; i < k.length; i++) {
    const x = k[i]!;
    if (float32Key(x) < pivotKey) o[f++] = x;
    else o[--b] = x;
  }
  return f;
}

/** Sorts a Float32Array or Float64Array in place (see {@link sortFloat32}, {@link sortFloat64}). */
export function sortFloats<T extends Float32Array | Float64Array>(a: T, scratch?: Int32Array): T {
  return (a instanceof Float64Array ? sortFloat64(a, scratch) : sortFloat32(a as Float32Array, scratch)) as T;
}

/**
 * Turns the counts of one pass into start offsets in place; false (the pass can be skipped) when
 * one bucket holds all `n` elements.
 */
function prefixSums(hist: Uint32Array, off: number, n: number): boolean {
  let sum = 0;
  for (let b = off; b < off + BUCKETS; b++) {
    const c = hist[b]!;
    if (c === n) return false;
    hist[b] = sum;
    sum += c;
  }
  return true;
}
