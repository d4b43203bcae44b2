import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { float32Key, partitionFloat32, RADIX_MIN_LENGTH, sortFloat32, sortFloat64, sortFloats } from './radix-sort.ts';

/** Bit-exact equality (so −0 vs +0 and the order of ±0 count). */
function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

type Gen = (rng: Rng, n: number) => number[];
const cases: [string, Gen][] = [
  ['uniform in [-1, 1]', (rng, n) => Array.from({ length: n }, () => 2 * rng.float() - 1)],
  ['many duplicates (8 values)', (rng, n) => Array.from({ length: n }, () => (rng.int(8) - 4) / 3)],
  ['all equal', (_rng, n) => new Array<number>(n).fill(0.25)],
  ['±0 mixed, ±Infinity', (rng, n) => Array.from({ length: n }, () => [0, -0, Infinity, -Infinity, 1, -1][rng.int(6)]!)],
  [
    'subnormals and extremes',
    (rng, n) =>
      Array.from({ length: n }, () => [1e-45, -1e-45, 1e-40, -1e-40, 3.4e38, -3.4e38, 5e-324, -5e-324, 1e-310, -1e-310, 1e300, -1e300, 0, -0][rng.int(14)]! * (1 + rng.int(3))),
  ],
  ['wide magnitudes', (rng, n) => Array.from({ length: n }, () => (rng.float() - 0.5) * 10 ** (rng.int(60) - 30))],
  ['already sorted, descending', (_rng, n) => Array.from({ length: n }, (_, i) => n - i - 0.5)],
];
const lengths = [0, 1, 2, 3, RADIX_MIN_LENGTH - 1, RADIX_MIN_LENGTH, RADIX_MIN_LENGTH + 1, 10_001, 65_537];

describe('radix sort of float typed arrays: exactly the order of TypedArray.prototype.sort', () => {
  for (const [name, gen] of cases)
    it(`${name}, float32 and float64, lengths ${lengths.join(', ')}`, () => {
      const rng = new Rng(name.length);
      for (const n of lengths) {
        const v = gen(rng, n);
        const f32 = Float32Array.from(v);
        const ref32 = f32.slice().sort();
        const got32 = f32.slice();
        expect(sortFloat32(got32)).toBe(got32);
        expect(sameBits(got32, ref32), `float32 ${name} n=${n}`).toBe(true);
        const f64 = Float64Array.from(v);
        const ref64 = f64.slice().sort();
        const got64 = sortFloats(f64.slice());
        expect(sameBits(got64, ref64), `float64 ${name} n=${n}`).toBe(true);
      }
    });

  it('−0 sorts before +0, ±Infinity at the ends (radix path)', () => {
    const n = RADIX_MIN_LENGTH + 5;
    const v = Float32Array.from({ length: n }, (_, i) => [0, -0, Infinity, -Infinity, 1e-45, -1e-45][i % 6]!);
    sortFloat32(v);
    expect(v[0]).toBe(-Infinity);
    expect(v[n - 1]).toBe(Infinity);
    const firstZero = v.indexOf(0);
    expect(Object.is(v[firstZero], -0)).toBe(true);
    expect(Object.is(v[v.lastIndexOf(0)], 0)).toBe(true);
    let nNeg = 0;
    for (let i = 0; i < n; i++) if (Object.is(v[i], -0)) nNeg++;
    for (let i = firstZero; i < firstZero + nNeg; i++) expect(Object.is(v[i], -0)).toBe(true);
  });

  it('sorts a subarray in place (byteOffset ≠ 0) and reuses a scratch buffer', () => {
    const rng = new Rng(3);
    const whole = Float64Array.from({ length: 9000 }, () => rng.float() - 0.5);
    const sub = whole.subarray(1000, 8000);
    const ref = sub.slice().sort();
    const scratch = new Int32Array(2 * 9000);
    sortFloat64(sub, scratch);
    expect(sameBits(sub, ref)).toBe(true);
    const w32 = Float32Array.from(whole);
    const s32 = w32.subarray(7, 8999);
    const r32 = s32.slice().sort();
    sortFloat32(s32, scratch);
    expect(sameBits(s32, r32)).toBe(true);
    expect(w32[0]).toBe(Math.fround(whole[0]!)); // outside the view: untouched
  });
});

describe('partitionFloat32: the two parts, each sorted, are the sorted array', () => {
  for (const [name, gen] of cases)
    it(`${name}: pivots at, between and beyond the values`, () => {
      const rng = new Rng(name.length + 7);
      for (const n of [0, 1, 2, 9, 10_001]) {
        const f = Float32Array.from(gen(rng, n));
        const ref = f.slice().sort();
        const keys = new Int32Array(f.slice().buffer).map(float32Key);
        for (const pivot of [-(2 ** 31), 0, -1, 2 ** 31 - 1, ...Array.from(keys.slice(0, 4))]) {
          const out = new Float32Array(n);
          const front = partitionFloat32(f, pivot, out);
          expect(front).toBe(keys.filter((k) => k < pivot).length);
          sortFloat32(out.subarray(0, front));
          sortFloat32(out.subarray(front));
          expect(sameBits(out, ref), `${name} n=${n} pivot=${pivot}`).toBe(true);
        }
      }
    });
  it('float32Key orders −0 just below +0, and refuses an output of the wrong length', () => {
    const key = (x: number) => float32Key(new Int32Array(Float32Array.of(x).buffer)[0]!);
    expect([key(Number.NEGATIVE_INFINITY), key(-1), key(-0), key(0), key(1e-45), key(Number.POSITIVE_INFINITY)]).toEqual([
      key(Number.NEGATIVE_INFINITY),
      key(-1),
      -1,
      0,
      1,
      key(Number.POSITIVE_INFINITY),
    ]);
    expect(key(Number.NEGATIVE_INFINITY) < key(-1) && key(1e-45) < key(Number.POSITIVE_INFINITY)).toBe(true);
    expect(() => partitionFloat32(new Float32Array(2), 0, new Float32Array(3))).toThrow(RangeError);
  });
});
