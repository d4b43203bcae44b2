/**
 * Scratch arrays lent to one scoring call at a time and given back, so that a thread evaluating split
 * after split reuses its large buffers (packed rows, cosine blocks: tens of MB per IJB-A split) instead
 * of allocating, zero-filling and garbage-collecting new ones each time. A lent buffer is never lent
 * again before it is given back, so concurrent calls in one thread cannot share one; its contents are
 * stale (callers overwrite what they read). At most {@link KEEP} buffers per type are kept.
 *
 * @module
 */

const KEEP = 4;
const f32: Float32Array[] = [];
const f64: Float64Array[] = [];

function lend<T extends Float32Array | Float64Array>(pool: T[], n: number, make: (n: number) => T): T {
  // The smallest kept buffer that is large enough.
  let best = -1;
  for (let i = 0; i < pool.length; i++) if (pool[i]!.length >= n && (best < 0 || pool[i]!.length < pool[best]!.length)) best = i;
  if (best < 0) return make(n);
  const b = pool[best]!;
  pool.splice(best, 1);
  return b;
}

function giveBack<T extends Float32Array | Float64Array>(pool: T[], b: T): void {
  if (b.length === 0 || pool.includes(b)) return;
  pool.push(b);
  // Keep the largest ones.
  if (pool.length > KEEP) {
    pool.sort((x, y) => y.length - x.length);
    pool.length = KEEP;
  }
}

/** A float32 array of at least `n` values (stale contents). */
export const lendF32 = (n: number): Float32Array => lend(f32, n, (k) => new Float32Array(k));
/** A float64 array of at least `n` values (stale contents). */
export const lendF64 = (n: number): Float64Array => lend(f64, n, (k) => new Float64Array(k));
/** Gives back an array from {@link lendF32} / {@link lendF64} (the whole array, not a view of it). */
export function giveBackScratch(b: Float32Array | Float64Array): void {
  if (b instanceof Float32Array) giveBack(f32, b);
  else giveBack(f64, b);
}
