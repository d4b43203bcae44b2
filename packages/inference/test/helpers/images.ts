import type { Rng } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';

/** Seeded random 8-bit image. */
export function randomPixels(rng: Rng, width: number, height: number, channels: 1 | 3 | 4): Pixels {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, width, height, channels };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
