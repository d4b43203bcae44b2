/**
 * Cosine similarity building blocks (rows normalised with core's `l2NormalizeRows`): a register-blocked dot-product kernel
 * (2 × 2 rows at a time) over row-major `Float32Array`s.
 *
 * @module
 */

import { simdKernels } from './simd.ts';

/** Work (nA·nB·d) from which a block goes to the wasm SIMD kernel. */
const SIMD_MIN_WORK = 1 << 11;

/** Dot product of two length-d rows at offsets a and b. */
export function dot(A: Float32Array, a: number, B: Float32Array, b: number, d: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += A[a + k]! * B[b + k]!;
    s1 += A[a + k + 1]! * B[b + k + 1]!;
    s2 += A[a + k + 2]! * B[b + k + 2]!;
    s3 += A[a + k + 3]! * B[b + k + 3]!;
  }
  for (; k < d; k++) s0 += A[a + k]! * B[b + k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * out[i·ld + j] = ⟨A row (aRow + i), B row (bRow + j)⟩ for i < nA, j < nB (A·Bᵀ over d dims).
 * `out` starts at offset 0 with row stride `ld` (≥ nB). Large blocks with d % 8 = 0 run on the wasm
 * SIMD kernel (`opts.js` forces plain JS); `opts.keepB` keeps a whole, unchanging B resident there.
 */
export function dotBlock(
  A: Float32Array,
  aRow: number,
  nA: number,
  B: Float32Array,
  bRow: number,
  nB: number,
  d: number,
  out: Float32Array,
  ld: number = nB,
  opts: { keepB?: boolean; js?: boolean } = {},
): void {
  if (!opts.js && d % 8 === 0 && nA * nB * d >= SIMD_MIN_WORK) {
    const k = simdKernels();
    if (k) {
      const whole = opts.keepB === true && bRow === 0 && nB * d === B.length;
      k.gemm(A.subarray(aRow * d, (aRow + nA) * d), nA, whole ? B : B.subarray(bRow * d, (bRow + nB) * d), nB, d, out, ld, whole);
      return;
    }
  }
  block2x2(A, aRow, nA, B, bRow, nB, d, out, ld, dot);
}

/**
 * {@link dotBlock} with float64 accumulation in index order into a Float64Array: each value is the
 * canonical dot product (the same bits as a plain `s += a[k]·b[k]` loop over k = 0..d−1, on every
 * JS engine): on the wasm SIMD kernel (f64x2, one lane per output) for blocks of ≥ 2048 multiply-adds,
 * else 2 × 2 register-blocked JS (`opts.js` forces it). The verification path scores with it (or with a float64
 * native GEMM checked against it, see template-scores.ts).
 */
export function dotBlock64(
  A: Float32Array,
  aRow: number,
  nA: number,
  B: Float32Array,
  bRow: number,
  nB: number,
  d: number,
  out: Float64Array,
  ld: number = nB,
  opts: { js?: boolean } = {},
): void {
  if (!opts.js && nA * nB * d >= SIMD_MIN_WORK) {
    const k = simdKernels();
    if (k) {
      // The same bits: one float64 accumulator per output, in index order (simd.ts gemm64).
      k.gemm64(A.subarray(aRow * d, (aRow + nA) * d), nA, B.subarray(bRow * d, (bRow + nB) * d), nB, d, out, ld);
      return;
    }
  }
  block2x2(A, aRow, nA, B, bRow, nB, d, out, ld, dotInOrder);
}

/** A dot product of two length-d rows at offsets a and b ({@link dot} or `dotInOrder`). */
type RowDot = (A: Float32Array, a: number, B: Float32Array, b: number, d: number) => number;

/** Dot product of two length-d rows at offsets a and b, one accumulator in index order (k = 0..d−1). */
function dotInOrder(A: Float32Array, a: number, B: Float32Array, b: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += A[a + k]! * B[b + k]!;
  return s;
}

/**
 * The one 2 × 2 register-blocked loop behind {@link dotBlock} and {@link dotBlock64}: each 2 × 2 tile
 * accumulates its four dot products in index order (one accumulator each); rows and columns left
 * over when nA or nB is odd are scored with `edge` (`dot`'s 4-way split sum for float32 output, the
 * canonical in-order sum for float64), so both callers keep their exact bits.
 */
function block2x2(
  A: Float32Array,
  aRow: number,
  nA: number,
  B: Float32Array,
  bRow: number,
  nB: number,
  d: number,
  out: Float32Array | Float64Array,
  ld: number,
  edge: RowDot,
): void {
  let i = 0;
  for (; i + 1 < nA; i += 2) {
    const a0 = (aRow + i) * d;
    const a1 = a0 + d;
    let j = 0;
    for (; j + 1 < nB; j += 2) {
      const b0 = (bRow + j) * d;
      const b1 = b0 + d;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0;
      for (let k = 0; k < d; k++) {
        const x0 = A[a0 + k]!,
          x1 = A[a1 + k]!,
          y0 = B[b0 + k]!,
          y1 = B[b1 + k]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[i * ld + j] = s00;
      out[i * ld + j + 1] = s01;
      out[(i + 1) * ld + j] = s10;
      out[(i + 1) * ld + j + 1] = s11;
    }
    if (j < nB) {
      const b0 = (bRow + j) * d;
      out[i * ld + j] = edge(A, a0, B, b0, d);
      out[(i + 1) * ld + j] = edge(A, a1, B, b0, d);
    }
  }
  if (i < nA) {
    const a0 = (aRow + i) * d;
    for (let j = 0; j < nB; j++) out[i * ld + j] = edge(A, a0, B, (bRow + j) * d, d);
  }
}
