/**
 * A tiny hand-assembled WebAssembly SIMD (f32x4) kernel for the two hot loops of evaluation:
 * `gemm` (A·Bᵀ of row blocks, for set scores) and `pairDots` (one dot product per template pair,
 * for IJB-C). No toolchain and no binary file: the module bytes are built below. Used only when the
 * runtime validates SIMD and the feature dimension is a multiple of 8; otherwise callers fall back
 * to the plain-JS kernel (same results up to float32 summation order).
 *
 * @module
 */

import { l2NormalizeRows } from '@interpret-fr/core/rows';

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b, F64 = 0x7c;
const f64const = (v: number): number[] => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
const uleb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32c = (v: number): number[] => [0x41, ...uleb(v)]; // small non-negative constants only
const ADD = 0x6a, MUL = 0x6c, SHL = 0x74, GEU = 0x4f;
const v128load = (offset: number): number[] => [0xfd, 0x00, 2, ...uleb(offset)];
const F4ADD = [0xfd, 0xe4, 0x01], F4MUL = [0xfd, 0xe6, 0x01];
const lane = (k: number): number[] => [0xfd, 0x1f, k];
const loopWhileLt = (iv: number, limit: number, body: number[]): number[] => [0x02, 0x40, 0x03, 0x40, ...get(iv), ...get(limit), GEU, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
const body = (locals: [number, number][], code: number[]): number[] => { const b = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, 0x0b]; return [...uleb(b.length), ...b]; };

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // func 0: dot(pa, pb, d) -> f32 ; locals 3 end, 4 acc0, 5 acc1 (d % 8 == 0)
  const dot = body([[1, I32], [2, V128]], [
    ...get(0), ...get(2), ...i32c(2), SHL, ADD, ...set(3),
    ...loopWhileLt(0, 3, [
      ...get(4), ...get(0), ...v128load(0), ...get(1), ...v128load(0), ...F4MUL, ...F4ADD, ...set(4),
      ...get(5), ...get(0), ...v128load(16), ...get(1), ...v128load(16), ...F4MUL, ...F4ADD, ...set(5),
      ...get(0), ...i32c(32), ADD, ...set(0), ...get(1), ...i32c(32), ADD, ...set(1),
    ]),
    ...get(4), ...get(5), ...F4ADD, ...set(4),
    ...get(4), ...lane(0), ...get(4), ...lane(1), 0x92, ...get(4), ...lane(2), ...get(4), ...lane(3), 0x92, 0x92,
  ]);
  // func 1: pair_dots(feat, ia, ib, n, d, out) ; locals 6 p, 7 rowBytes
  const pairs = body([[2, I32]], [
    ...get(4), ...i32c(2), SHL, ...set(7),
    ...loopWhileLt(6, 3, [
      ...get(5), ...get(6), ...i32c(2), SHL, ADD,
      ...get(0), ...get(1), ...get(6), ...i32c(2), SHL, ADD, 0x28, 2, 0, ...get(7), MUL, ADD,
      ...get(0), ...get(2), ...get(6), ...i32c(2), SHL, ADD, 0x28, 2, 0, ...get(7), MUL, ADD,
      ...get(4), 0x10, 0, 0x38, 2, 0,
      ...get(6), ...i32c(1), ADD, ...set(6),
    ]),
  ]);
  // func 2: gemm(a, na, b, nb, d, out) out[i*nb + j] = dot(a_i, b_j) ; locals 6 i, 7 j, 8 rowBytes, 9 arow, 10 optr
  const gemm = body([[5, I32]], [
    ...get(4), ...i32c(2), SHL, ...set(8),
    ...get(5), ...set(10),
    ...loopWhileLt(6, 1, [
      ...get(0), ...get(6), ...get(8), MUL, ADD, ...set(9),
      ...i32c(0), ...set(7),
      ...loopWhileLt(7, 3, [
        ...get(10),
        ...get(9), ...get(2), ...get(7), ...get(8), MUL, ADD, ...get(4), 0x10, 0,
        0x38, 2, 0,
        ...get(10), ...i32c(4), ADD, ...set(10),
        ...get(7), ...i32c(1), ADD, ...set(7),
      ]),
      ...get(6), ...i32c(1), ADD, ...set(6),
    ]),
  ]);
  // func 3: gemm22(a, na, b, nb, d, out) with na, nb even: 2 × 2 register blocks.
  // locals: 6 i, 7 j, 8 rb, 9 a0, 10 a1, 11 b0, 12 b1, 13 p, 14 o0, 15 o1 | 16–19 acc, 20–23 loaded vectors
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const hsum = (v: number): number[] => [...get(v), ...lane(0), ...get(v), ...lane(1), 0x92, ...get(v), ...lane(2), ...get(v), ...lane(3), 0x92, 0x92];
  const fma = (acc: number, x: number, y: number): number[] => [...get(acc), ...get(x), ...get(y), ...F4MUL, ...F4ADD, ...set(acc)];
  const ld = (ptr: number, dst: number): number[] => [...get(ptr), ...get(13), ADD, ...v128load(0), ...set(dst)];
  const store = (ptr: number, plusJ: number, acc: number): number[] => [...get(ptr), ...get(7), ...i32c(2), SHL, ADD, ...hsum(acc), 0x38, 2, plusJ * 4];
  const gemm22 = body([[10, I32], [8, V128]], [
    ...get(4), ...i32c(2), SHL, ...set(8),
    ...loopWhileLt(6, 1, [
      ...get(0), ...get(6), ...get(8), MUL, ADD, ...set(9),
      ...get(9), ...get(8), ADD, ...set(10),
      ...get(5), ...get(6), ...get(3), MUL, ...i32c(2), SHL, ADD, ...set(14),
      ...get(14), ...get(3), ...i32c(2), SHL, ADD, ...set(15),
      ...i32c(0), ...set(7),
      ...loopWhileLt(7, 3, [
        ...get(2), ...get(7), ...get(8), MUL, ADD, ...set(11),
        ...get(11), ...get(8), ADD, ...set(12),
        ...zero, ...set(16), ...zero, ...set(17), ...zero, ...set(18), ...zero, ...set(19),
        ...i32c(0), ...set(13),
        ...loopWhileLt(13, 8, [
          ...ld(9, 20), ...ld(10, 21), ...ld(11, 22), ...ld(12, 23),
          ...fma(16, 20, 22), ...fma(17, 20, 23), ...fma(18, 21, 22), ...fma(19, 21, 23),
          ...get(13), ...i32c(16), ADD, ...set(13),
        ]),
        ...store(14, 0, 16), ...store(14, 1, 17), ...store(15, 0, 18), ...store(15, 1, 19),
        ...get(7), ...i32c(2), ADD, ...set(7),
      ]),
      ...get(6), ...i32c(2), ADD, ...set(6),
    ]),
  ]);
  // func 4: gemm64(a, na, b, nb, d, out, ldo): float64 rows (na even, nb a multiple of 4), out[i·ldo + j]
  // = Σ_k a_i[k]·b_j[k] accumulated in index order in float64, one lane per output (the canonical dot
  // product, the same bits as `s += a[k]·b[k]` in JavaScript). 2 rows × 4 columns per tile.
  // locals: 7 i, 8 j, 9 k, 10 rb (row bytes), 11 a0, 12 a1, 13 b0, 14 b1, 15 b2, 16 b3 (i32) | 17–20 acc, 21 va0, 22 va1, 23 vb01, 24 vb23 (v128)
  const splat64 = (ptr: number): number[] => [...get(ptr), ...get(9), ADD, 0xfd, 0x0a, 3, 0];
  const pair64 = (p0: number, p1: number): number[] => [...get(p1), ...get(9), ADD, ...get(p0), ...get(9), ADD, 0xfd, 0x5d, 3, 0, 0xfd, 0x57, 3, 0, 1];
  const F2ADD = [0xfd, 0xf0, 0x01], F2MUL = [0xfd, 0xf2, 0x01];
  const acc2 = (acc: number, x: number, y: number): number[] => [...get(acc), ...get(x), ...get(y), ...F2MUL, ...F2ADD, ...set(acc)];
  const st64 = (row: number, col: number, acc: number): number[] => [
    ...get(5), ...get(row), ...get(6), MUL, ...get(8), ADD, ...i32c(3), SHL, ADD, ...get(acc), 0xfd, 0x0b, 3, ...uleb(col * 8),
  ];
  const gemm64 = body([[10, I32], [8, V128]], [
    ...get(4), ...i32c(3), SHL, ...set(10),
    ...loopWhileLt(7, 1, [
      ...get(0), ...get(7), ...get(10), MUL, ADD, ...set(11),
      ...get(11), ...get(10), ADD, ...set(12),
      ...i32c(0), ...set(8),
      ...loopWhileLt(8, 3, [
        ...get(2), ...get(8), ...get(10), MUL, ADD, ...set(13),
        ...get(13), ...get(10), ADD, ...set(14),
        ...get(14), ...get(10), ADD, ...set(15),
        ...get(15), ...get(10), ADD, ...set(16),
        ...zero, ...set(17), ...zero, ...set(18), ...zero, ...set(19), ...zero, ...set(20),
        ...i32c(0), ...set(9),
        ...loopWhileLt(9, 10, [
          ...splat64(11), ...set(21), ...splat64(12), ...set(22),
          ...pair64(13, 14), ...set(23), ...pair64(15, 16), ...set(24),
          ...acc2(17, 21, 23), ...acc2(18, 21, 24), ...acc2(19, 22, 23), ...acc2(20, 22, 24),
          ...get(9), ...i32c(8), ADD, ...set(9),
        ]),
        // row i+1's stores use (i + 1)·ldo: add ldo·8 bytes to the row-i address
        ...st64(7, 0, 17), ...st64(7, 2, 18),
        ...get(5), ...get(7), ...get(6), MUL, ...get(8), ADD, ...i32c(3), SHL, ADD, ...get(6), ...i32c(3), SHL, ADD, ...get(19), 0xfd, 0x0b, 3, 0,
        ...get(5), ...get(7), ...get(6), MUL, ...get(8), ADD, ...i32c(3), SHL, ADD, ...get(6), ...i32c(3), SHL, ADD, ...get(20), 0xfd, 0x0b, 3, 16,
        ...get(8), ...i32c(4), ADD, ...set(8),
      ]),
      ...get(7), ...i32c(2), ADD, ...set(7),
    ]),
  ]);
  // func 5: promote(src, dst, n): float32 values src[0..n) to float64 dst[0..n) (exact), 4 per step (n a
  // multiple of 4). locals: 3 end (i32)
  const LOAD64_ZERO = [0xfd, 0x5d, 3], PROMOTE = [0xfd, 0x5f], STORE = [0xfd, 0x0b, 3];
  const promote = body([[1, I32]], [
    ...get(0), ...get(2), ...i32c(2), SHL, ADD, ...set(3),
    ...loopWhileLt(0, 3, [
      ...get(1), ...get(0), ...LOAD64_ZERO, 0, ...PROMOTE, ...STORE, 0,
      ...get(1), ...get(0), ...LOAD64_ZERO, 8, ...PROMOTE, ...STORE, 16,
      ...get(0), ...i32c(16), ADD, ...set(0), ...get(1), ...i32c(32), ADD, ...set(1),
    ]),
  ]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 3, I32, I32, I32, 1, F32], [0x60, 6, I32, I32, I32, I32, I32, I32, 0], [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0], [0x60, 3, I32, I32, I32, 0]])),
    ...section(3, vec([[0], [1], [1], [1], [2], [3]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('memory'), 0x02, 0], [...str('pair_dots'), 0x00, 1], [...str('gemm'), 0x00, 2], [...str('gemm22'), 0x00, 3], [...str('gemm64'), 0x00, 4], [...str('promote'), 0x00, 5]])),
    ...section(10, [...uleb(6), ...dot, ...pairs, ...gemm, ...gemm22, ...gemm64, ...promote]),
  ];
  return new Uint8Array(bytes);
}

/** The SIMD kernels over one growable wasm memory. */
export interface SimdKernels {
  /**
   * out[i·ld + j] = ⟨A row i, B row j⟩ for contiguous row blocks (d % 8 == 0). With `keepB`, B stays
   * in wasm memory and is not copied again while the same array object is passed (it must not change).
   */
  gemm(A: Float32Array, nA: number, B: Float32Array, nB: number, d: number, out: Float32Array, ld: number, keepB: boolean): void;
  /** out[p] = ⟨F row ia[p], F row ib[p]⟩ (d % 8 == 0). F is copied once and reused while the same view is passed. */
  pairDots(F: Float32Array, d: number, ia: Int32Array, ib: Int32Array, out: Float32Array): void;
  /**
   * out[i·ld + j] = the canonical float64 dot product of A row i and B row j (accumulated in index
   * order: the same bits as `s += a[k]·b[k]` in JavaScript), two outputs per f64x2 lane pair.
   */
  gemm64(A: Float32Array, nA: number, B: Float32Array, nB: number, d: number, out: Float64Array, ld: number): void;
  /**
   * {@link gemm64} on rows written straight into the kernel's memory by `fill` (no packed copy): `fill(f32,
   * aAt, bAt)` writes A's nA float32 rows from element aAt of `f32` and B's nB rows from bAt (a plain copy;
   * the kernel promotes them to float64 itself). Returns a view of the nA × ld result, valid until the next call.
   */
  gemm64Rows(nA: number, nB: number, d: number, fill: (f32: Float32Array, aAt: number, bAt: number) => void): { out: Float64Array; ld: number };
}

let cached: SimdKernels | null | undefined;

/** The kernels, or null when this runtime has no WebAssembly SIMD. */
export function simdKernels(): SimdKernels | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return (cached = null);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const mem = inst.exports.memory as WebAssembly.Memory;
    const fGemm22 = inst.exports.gemm22 as (a: number, na: number, b: number, nb: number, d: number, out: number) => void;
    const fPairs = inst.exports.pair_dots as (f: number, ia: number, ib: number, n: number, d: number, out: number) => void;
    const fGemm64 = inst.exports.gemm64 as (a: number, na: number, b: number, nb: number, d: number, out: number, ldo: number) => void;
    const fPromote = inst.exports.promote as (src: number, dst: number, n: number) => void;
    let resident: Float32Array | null = null; // the array copied at offset 0
    const ensure = (bytes: number): void => {
      const have = mem.buffer.byteLength;
      if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
    };
    const put = (src: Float32Array | Int32Array, at: number): void => { new Uint8Array(mem.buffer, at, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength)); };
    const residentAt = (F: Float32Array): void => {
      if (resident === F) return;
      ensure(F.byteLength);
      put(F, 0);
      resident = F;
    };
    cached = {
      gemm(A, nA, B, nB, d, out, ld, keepB) {
        // 2 × 2 blocks need even row counts: a zero row pads B (after it in memory) and A.
        const rowB = d * 4;
        const nBp = nB + (nB & 1);
        const nAp = nA + (nA & 1);
        if (keepB) residentAt(B);
        else { resident = null; ensure(nB * rowB); put(B.subarray(0, nB * d), 0); }
        const padAt = nB * rowB;
        const a = (padAt + rowB + 15) & ~15;
        const o = a + ((nAp * rowB + 15) & ~15);
        ensure(o + nAp * nBp * 4);
        new Uint8Array(mem.buffer, padAt, rowB).fill(0);
        put(A.subarray(0, nA * d), a);
        if (nA & 1) new Uint8Array(mem.buffer, a + nA * rowB, rowB).fill(0);
        fGemm22(a, nAp, 0, nBp, d, o);
        const res = new Float32Array(mem.buffer, o, nAp * nBp);
        if (ld === nB && nBp === nB) out.set(res.subarray(0, nA * nB));
        else for (let i = 0; i < nA; i++) out.set(res.subarray(i * nBp, i * nBp + nB), i * ld);
      },
      gemm64(A, nA, B, nB, d, out, ld) {
        const r = this.gemm64Rows(nA, nB, d, (f32, aAt, bAt) => {
          f32.set(A.subarray(0, nA * d), aAt);
          f32.set(B.subarray(0, nB * d), bAt);
        });
        for (let i = 0; i < nA; i++) out.set(r.out.subarray(i * r.ld, i * r.ld + nB), i * ld);
      },
      gemm64Rows(nA, nB, d, fill) {
        // float32 rows staged after the result, A padded to an even count and B to a multiple of 4 with zero
        // rows, promoted to float64 (exact) in wasm at offset 0, then the product.
        resident = null;
        const nAp = nA + (nA & 1);
        const nBp = (nB + 3) & ~3;
        const rb = d * 8;
        const o = (nAp + nBp) * rb;
        const values = (nAp + nBp) * d;
        const st = (o + nAp * nBp * 8 + 15) & ~15;
        ensure(st + ((values + 3) & ~3) * 4);
        const f32 = new Float32Array(mem.buffer, st, values);
        fill(f32, 0, nAp * d);
        f32.fill(0, nA * d, nAp * d);
        f32.fill(0, (nAp + nB) * d, values);
        // (rounded up to 4 values: at most 3 float64 beyond the rows, in the result area the product then writes)
        fPromote(st, 0, (values + 3) & ~3);
        fGemm64(0, nAp, nAp * rb, nBp, d, o, nBp);
        return { out: new Float64Array(mem.buffer, o, nAp * nBp), ld: nBp };
      },
      pairDots(F, d, ia, ib, out) {
        residentAt(F);
        const n = ia.length;
        const pa = (F.byteLength + 15) & ~15;
        const pb = pa + n * 4;
        const o = pb + n * 4;
        ensure(o + n * 4);
        put(ia, pa);
        put(ib, pb);
        fPairs(0, pa, pb, n, d, o);
        out.set(new Float32Array(mem.buffer, o, n));
      },
    };
  } catch {
    cached = null;
  }
  return cached;
}

// ---------- canonical float64 cosines of indexed feature rows (a module per dimension, with its own memory) ----------

/** Signed LEB128 (i32.const immediates of any value). */
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...o, b];
    o.push(b | 0x80);
  }
};
const i32k = (v: number): number[] => [0x41, ...sleb(v)];

/**
 * The module of {@link IndexedGemm64} for dimension d (d % 4 == 0; d enters as immediates). Rows are staged
 * "pair-interleaved": rows 2p and 2p + 1 side by side per element. A's rows as float64 (pair p at p·16d bytes,
 * element k of row 2p + l at 16k + 8l: one splat load gives a row's element); B's as float32 (pair p at p·8d
 * bytes, element k of row 2p + l at 8k + 4l: one 64-bit load and a promotion give a column pair, exactly; half
 * the bytes to stage and to stream from the cache for the many columns).
 * func 0 gemm(a, nA, b, nB, out, ldo): out[i·ldo + j] = Σ_k a_i[k]·b_j[k] in index order (f64x2 lanes = outputs:
 * the same bits as `s += a[k]·b[k]` in JavaScript), 4 × 4 tiles (2 × 4, 1 × 4 for the last rows, × 2 for the last
 * columns); nB even. func 1 gather(src, idx, nPairs, dst): staged float64 pair p of dst = the float32 rows
 * idx[2p] and idx[2p + 1] of the row-major matrix at src, promoted (exact). func 2 gather32(src, idx, nPairs,
 * dst): the same pairs as float32. func 3 setsum(s, nr, nc, ld, cm, rm, rowsFirst) -> f64: the set-min-mean of the
 * float64 block at s (nr rows × nc columns, row stride ld): each row's maximum into rm, each column's into cm (f64x2
 * max over column pairs), then their mean, summed in float64 in order, the rows first when rowsFirst ≠ 0, else the
 * columns (template-scores.ts blockSetScore, without its NaN and MATLAB-quirk cases).
 */
function indexedModuleBytes(d: number, sharedMemory?: { minPages: number; maxPages: number }): Uint8Array<ArrayBuffer> {
  const PB = d * 16;
  const PB32 = d * 8;
  const SHRU = 0x76, LTU = 0x49, LEU = 0x4d, EQZ = 0x45;
  const loopWhile = (cond: number[], code: number[]): number[] => [0x02, 0x40, 0x03, 0x40, ...cond, EQZ, 0x0d, 1, ...code, 0x0c, 0, 0x0b, 0x0b];
  const ifThen = (cond: number[], code: number[]): number[] => [...cond, 0x04, 0x40, ...code, 0x0b];
  const splat64 = (off: number): number[] => [0xfd, 0x0a, 3, ...uleb(off)];
  const load64zero = (off: number): number[] => [0xfd, 0x5d, 3, ...uleb(off)];
  const loadV = (off: number): number[] => [0xfd, 0x00, 4, ...uleb(off)];
  const storeV = (off: number): number[] => [0xfd, 0x0b, 4, ...uleb(off)];
  const F2ADD = [0xfd, 0xf0, 0x01], F2MUL = [0xfd, 0xf2, 0x01];
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  // gemm: params 0 a, 1 nA, 2 b, 3 nB, 4 out, 5 ldo | locals 6 i, 7 j, 8 p, 9 aB, 10 bB, 11 ap, 12 bp, 13 o (i32) |
  // 14–21 acc (row r, column pair c: 14 + 2r + c), 22–25 a splats, 26–27 b pairs (v128)
  const rowOff = (r: number): number => (r >> 1) * PB + (r & 1) * 8;
  const acc = (r: number, c: number): number => 14 + 2 * r + c;
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const tile = (mr: number, pairs: number): number[] => {
    const step = (extra: number): number[] => [
      ...range(mr).flatMap((r) => [...get(11), ...splat64(rowOff(r) + extra), ...set(22 + r)]),
      ...range(pairs).flatMap((c) => [...get(12), ...load64zero(c * PB32 + extra / 2), 0xfd, 0x5f, ...set(26 + c)]),
      ...range(mr * pairs).flatMap((q) => {
        const r = Math.floor(q / pairs), c = q % pairs;
        return [...get(acc(r, c)), ...get(22 + r), ...get(26 + c), ...F2MUL, ...F2ADD, ...set(acc(r, c))];
      }),
    ];
    return [
      ...get(2), ...get(7), ...i32k(1), SHRU, ...i32k(PB32), MUL, ADD, ...set(10),
      ...range(mr * pairs).flatMap((q) => [...zero, ...set(acc(Math.floor(q / pairs), q % pairs))]),
      ...i32k(0), ...set(8),
      // two elements per iteration (d is even)
      ...loopWhile([...get(8), ...i32k(PB), LTU], [
        ...get(9), ...get(8), ADD, ...set(11), ...get(10), ...get(8), ...i32k(1), SHRU, ADD, ...set(12),
        ...step(0), ...step(16),
        ...get(8), ...i32k(32), ADD, ...set(8),
      ]),
      ...range(mr).flatMap((r) => [
        ...get(4), ...get(6), ...i32k(r), ADD, ...get(5), MUL, ...get(7), ADD, ...i32k(3), SHL, ADD, ...set(13),
        ...range(pairs).flatMap((c) => [...get(13), ...get(acc(r, c)), ...storeV(c * 16)]),
      ]),
    ];
  };
  const rows = (mr: number): number[] => [
    ...get(0), ...get(6), ...i32k(1), SHRU, ...i32k(PB), MUL, ADD, ...set(9),
    ...i32k(0), ...set(7),
    ...loopWhile([...get(7), ...i32k(4), ADD, ...get(3), LEU], [...tile(mr, 2), ...get(7), ...i32k(4), ADD, ...set(7)]),
    ...ifThen([...get(7), ...get(3), LTU], tile(mr, 1)),
    ...get(6), ...i32k(mr), ADD, ...set(6),
  ];
  const gemm = body([[8, I32], [14, V128]], [
    ...loopWhile([...get(6), ...i32k(4), ADD, ...get(1), LEU], rows(4)),
    ...ifThen([...get(6), ...i32k(2), ADD, ...get(1), LEU], rows(2)),
    ...ifThen([...get(6), ...get(1), LTU], rows(1)),
  ]);
  // gather: params 0 src, 1 idx, 2 nPairs, 3 dst | locals 4 p, 5 s0, 6 s1, 7 o, 8 e (i32) | 9 lo, 10 hi (v128):
  // staged pair p = the float32 source rows idx[2p] and idx[2p + 1] interleaved, promoted (2 loads, 4 shuffles,
  // 4 promotions and 4 stores per 8 values)
  const shuffle = (lanes: number[]): number[] => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
  const promote = [0xfd, 0x5f];
  const rowAt = (k: number): number[] => [...get(0), ...get(1), ...get(4), ...i32k(3), SHL, ADD, 0x28, 2, k * 4, ...i32k(d * 4), MUL, ADD];
  const gather = body([[5, I32], [2, V128]], [
    ...loopWhile([...get(4), ...get(2), LTU], [
      ...rowAt(0), ...set(5),
      ...rowAt(1), ...set(6),
      ...get(5), ...i32k(d * 4), ADD, ...set(8),
      ...get(3), ...get(4), ...i32k(PB), MUL, ADD, ...set(7),
      ...loopWhile([...get(5), ...get(8), LTU], [
        ...get(5), ...loadV(0), ...get(6), ...loadV(0), ...shuffle([0, 4, 1, 5]), ...set(9),
        ...get(5), ...loadV(0), ...get(6), ...loadV(0), ...shuffle([2, 6, 3, 7]), ...set(10),
        ...get(7), ...get(9), ...promote, ...storeV(0),
        ...get(7), ...get(9), ...get(9), ...shuffle([2, 3, 2, 3]), ...promote, ...storeV(16),
        ...get(7), ...get(10), ...promote, ...storeV(32),
        ...get(7), ...get(10), ...get(10), ...shuffle([2, 3, 2, 3]), ...promote, ...storeV(48),
        ...get(5), ...i32k(16), ADD, ...set(5), ...get(6), ...i32k(16), ADD, ...set(6), ...get(7), ...i32k(64), ADD, ...set(7),
      ]),
      ...get(4), ...i32k(1), ADD, ...set(4),
    ]),
  ]);
  // gather32: the same pairs as float32 (locals as gather; 2 loads, 2 shuffles and 2 stores per 8 values)
  const gather32 = body([[5, I32], [2, V128]], [
    ...loopWhile([...get(4), ...get(2), LTU], [
      ...rowAt(0), ...set(5),
      ...rowAt(1), ...set(6),
      ...get(5), ...i32k(d * 4), ADD, ...set(8),
      ...get(3), ...get(4), ...i32k(PB32), MUL, ADD, ...set(7),
      ...loopWhile([...get(5), ...get(8), LTU], [
        ...get(7), ...get(5), ...loadV(0), ...get(6), ...loadV(0), ...shuffle([0, 4, 1, 5]), ...storeV(0),
        ...get(7), ...get(5), ...loadV(0), ...get(6), ...loadV(0), ...shuffle([2, 6, 3, 7]), ...storeV(16),
        ...get(5), ...i32k(16), ADD, ...set(5), ...get(6), ...i32k(16), ADD, ...set(6), ...get(7), ...i32k(32), ADD, ...set(7),
      ]),
      ...get(4), ...i32k(1), ADD, ...set(4),
    ]),
  ]);
  // setsum: params 0 s, 1 nr, 2 nc, 3 ld, 4 cm, 5 rm, 6 rowsFirst | locals 7 r, 8 c, 9 o, 10 a (i32) | 11 m, 12 x, 13 sum
  // (f64) | 14 vm, 15 v (v128)
  const f64load = (off: number): number[] => [0x2b, 3, ...uleb(off)];
  const f64store = (off: number): number[] => [0x39, 3, ...uleb(off)];
  const F64MAX = 0xa5, F64ADD = 0xa0;
  const F2MAX = [0xfd, 0xf5, 0x01];
  const at8 = (base: number, idx: number): number[] => [...get(base), ...get(idx), ...i32k(3), SHL, ADD];
  const sumOf = (arr: number, n: number, iv: number): number[] => [
    ...i32k(0), ...set(iv),
    ...loopWhile([...get(iv), ...get(n), LTU], [...get(13), ...at8(arr, iv), ...f64load(0), F64ADD, ...set(13), ...get(iv), ...i32k(1), ADD, ...set(iv)]),
  ];
  const setsum = body([[4, I32], [3, F64], [2, V128]], [
    // cm = the first row
    ...i32k(0), ...set(8),
    ...loopWhile([...get(8), ...get(2), LTU], [...at8(4, 8), ...at8(0, 8), ...f64load(0), ...f64store(0), ...get(8), ...i32k(1), ADD, ...set(8)]),
    ...i32k(0), ...set(7),
    ...loopWhile([...get(7), ...get(1), LTU], [
      ...get(0), ...get(7), ...get(3), MUL, ...i32k(3), SHL, ADD, ...set(9),
      ...f64const(Number.NEGATIVE_INFINITY), 0xfd, 0x14, ...set(14),
      ...i32k(0), ...set(8),
      ...loopWhile([...get(8), ...i32k(2), ADD, ...get(2), LEU], [
        ...at8(9, 8), ...loadV(0), ...set(15),
        ...get(14), ...get(15), ...F2MAX, ...set(14),
        ...at8(4, 8), ...set(10),
        ...get(10), ...get(10), ...loadV(0), ...get(15), ...F2MAX, ...storeV(0),
        ...get(8), ...i32k(2), ADD, ...set(8),
      ]),
      ...get(14), 0xfd, 0x21, 0, ...get(14), 0xfd, 0x21, 1, F64MAX, ...set(11),
      ...ifThen([...get(8), ...get(2), LTU], [
        ...at8(9, 8), ...f64load(0), ...set(12),
        ...get(11), ...get(12), F64MAX, ...set(11),
        ...at8(4, 8), ...set(10),
        ...get(10), ...get(10), ...f64load(0), ...get(12), F64MAX, ...f64store(0),
      ]),
      ...at8(5, 7), ...get(11), ...f64store(0),
      ...get(7), ...i32k(1), ADD, ...set(7),
    ]),
    ...f64const(0), ...set(13),
    ...get(6), 0x04, 0x40, ...sumOf(5, 1, 7), ...sumOf(4, 2, 8), 0x05, ...sumOf(4, 2, 8), ...sumOf(5, 1, 7), 0x0b,
    ...get(13), ...get(1), ...get(2), ADD, 0xb7, 0xa3,
  ]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 6, I32, I32, I32, I32, I32, I32, 0], [0x60, 4, I32, I32, I32, I32, 0], [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 1, F64]])),
    // With `sharedMemory`: the memory is imported (env.memory, shared, limits flag 3), not defined.
    ...(sharedMemory ? section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x03, ...uleb(sharedMemory.minPages), ...uleb(sharedMemory.maxPages)]])) : []),
    ...section(3, vec([[0], [1], [1], [2]])),
    ...(sharedMemory ? [] : section(5, vec([[0x00, 1]]))),
    ...section(7, vec([[...str('memory'), 0x02, 0], [...str('gemm'), 0x00, 0], [...str('gather'), 0x00, 1], [...str('gather32'), 0x00, 2], [...str('setsum'), 0x00, 3]])),
    ...section(10, [...uleb(4), ...gemm, ...gather, ...gather32, ...setsum]),
  ];
  return new Uint8Array(bytes);
}

/**
 * Canonical float64 cosines of feature rows given by index, for the many small verification blocks: the
 * float32 feature matrix is copied once into the kernel's memory (kept while the same array is passed), the
 * rows of a block are gathered there (no packed copy in JavaScript; A's promoted to float64, B's kept float32 in
 * pairs and promoted as they are multiplied), then multiplied in 4 × 4 tiles.
 * Every output has the bits of `s += a[k]·b[k]` in index order in float64 (exactDot).
 */
export interface IndexedGemm64 {
  /**
   * out[i·ld + j] = canonical ⟨F row ia[i], F row ib[j]⟩ for i < nA, j < nB, where `fill(ia, ib)` writes the
   * nA row indices of A and the nB of B. F is copied into the kernel once and kept while the same array is
   * passed (it must not change in between). Returns a view valid until the next call.
   */
  run(F: Float32Array, nA: number, nB: number, fill: (ia: Int32Array, ib: Int32Array) => void): { out: Float64Array; ld: number };
  /**
   * The set-min-mean of a block of the last {@link run}'s output: nr rows (of its A rows) × nc columns from element
   * `off` (row stride: that run's `ld`), summed in float64 in the pair's order (the rows first when `rowsFirst`,
   * else the columns) and divided by nr + nc: template-scores.ts blockSetScore's bits for canonical cosines (no NaN,
   * no −0; its MATLAB-quirk case stays there).
   */
  setScore(off: number, nr: number, nc: number, rowsFirst: boolean): number;
  /** Whether F is the matrix copied into the kernel now (a {@link run} with it copies nothing). */
  holds(F: Float32Array): boolean;
}

const indexedCache = new Map<number, IndexedGemm64 | null>();

/**
 * Where {@link indexedKernel} keeps the features and its scratch: `scratch(F, bytes)` gives the byte offset of
 * `bytes` bytes of scratch (growing the memory as needed), after making sure the features F (and a zero row after
 * them) are at byte 0; `holds(F)`: whether they are there now.
 */
interface IndexedLayout {
  scratch(F: Float32Array, bytes: number): number;
  holds(F: Float32Array): boolean;
}

/** The {@link IndexedGemm64} of an instance of {@link indexedModuleBytes}, with the features and scratch where `layout` puts them. */
function indexedKernel(d: number, inst: WebAssembly.Instance, mem: WebAssembly.Memory, layout: IndexedLayout): IndexedGemm64 {
  const gemm = inst.exports.gemm as (a: number, nA: number, b: number, nB: number, out: number, ldo: number) => void;
  const gather = inst.exports.gather as (src: number, idx: number, nPairs: number, dst: number) => void;
  const gather32 = inst.exports.gather32 as (src: number, idx: number, nPairs: number, dst: number) => void;
  const setsum = inst.exports.setsum as (s: number, nr: number, nc: number, ld: number, cm: number, rm: number, rowsFirst: number) => number;
  // The last run's output (byte offset, row stride) and its set-score scratch (column, row maxima).
  let lastOut = 0;
  let lastLd = 0;
  let lastRows = 0;
  let cmAt = 0;
  let rmAt = 0;
  const pairBytes = d * 16;
  return {
    run(F, nA, nB, fill) {
      if (F.length % d !== 0) throw new RangeError(`indexedGemm64: ${F.length} values are not rows of ${d}`);
      const nF = F.length / d;
      const pA = (nA + 1) >> 1;
      const pB = (nB + 1) >> 1;
      const nBe = 2 * pB;
      // Scratch: the indices (2 per pair), the staged rows, the result, then the set scores' column maxima (≤ nBe)
      // and row maxima (≤ nA). Row nF (after the features) is a zero row: the partner of an odd count's last row.
      const sa0 = (8 * (pA + pB) + 15) & ~15;
      const sb0 = sa0 + pA * pairBytes;
      const o0 = (sb0 + pB * (pairBytes / 2) + 15) & ~15;
      const at = layout.scratch(F, o0 + nA * nBe * 8 + 8 * (nBe + nA));
      const sa = at + sa0;
      const sb = at + sb0;
      const o = at + o0;
      const all = new Int32Array(mem.buffer, at, 2 * (pA + pB));
      all[2 * pA - 1] = nF;
      all[2 * (pA + pB) - 1] = nF;
      const ia = all.subarray(0, nA);
      const ib = all.subarray(2 * pA, 2 * pA + nB);
      fill(ia, ib);
      for (const x of [ia, ib]) for (let t = 0; t < x.length; t++) if (!(x[t]! >= 0 && x[t]! < nF)) throw new RangeError(`indexedGemm64: row ${x[t]} is not a row of the features (${nF} rows)`);
      gather(0, at, pA, sa);
      gather32(0, at + 8 * pA, pB, sb);
      gemm(sa, nA, sb, nBe, o, nBe);
      lastOut = o;
      lastLd = nBe;
      lastRows = nA;
      cmAt = o + nA * nBe * 8;
      rmAt = cmAt + 8 * nBe;
      return { out: new Float64Array(mem.buffer, o, nA * nBe), ld: nBe };
    },
    holds: (F) => layout.holds(F),
    setScore(off, nr, nc, rowsFirst) {
      if (!(nr >= 1 && nc >= 1 && nr <= lastRows && off >= 0 && Math.floor(off / lastLd) + nr <= lastRows && (off % lastLd) + nc <= lastLd))
        throw new RangeError(`indexedGemm64.setScore: ${nr} × ${nc} at ${off} is outside the last output (${lastRows} × ${lastLd})`);
      return setsum(lastOut + 8 * off, nr, nc, lastLd, cmAt, rmAt, rowsFirst ? 1 : 0);
    },
  };
}

/** The {@link IndexedGemm64} for dimension d, or null without WebAssembly SIMD or when d % 4 ≠ 0. It copies the features into its own memory. */
export function indexedGemm64(d: number): IndexedGemm64 | null {
  const hit = indexedCache.get(d);
  if (hit !== undefined) return hit;
  let k: IndexedGemm64 | null = null;
  try {
    const bytes = d > 0 && d % 4 === 0 && typeof WebAssembly !== 'undefined' ? indexedModuleBytes(d) : null;
    if (bytes && WebAssembly.validate(bytes)) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      const mem = inst.exports.memory as WebAssembly.Memory;
      let resident: Float32Array | null = null;
      k = indexedKernel(d, inst, mem, {
        // The features and the zero row at byte 0, the scratch after them.
        scratch(F, bytes) {
          const at = (F.byteLength + d * 4 + 15) & ~15;
          if (at + bytes > mem.buffer.byteLength) mem.grow(Math.ceil((at + bytes - mem.buffer.byteLength) / 65536));
          if (resident !== F) {
            const f32 = new Float32Array(mem.buffer, 0, F.length + d);
            f32.set(F);
            f32.fill(0, F.length);
            resident = F;
          }
          return at;
        },
        holds: (F) => resident === F,
      });
    }
  } catch {
    k = null;
  }
  indexedCache.set(d, k);
  return k;
}

// ---------- features in a shared WebAssembly.Memory: the indexed kernel reads them where they are ----------

/** Largest shared feature memory, in 64 KiB pages (4 GiB: the wasm32 address space). */
const FEATURE_MEMORY_MAX_PAGES = 65536;

/** The shared WebAssembly.Memory of each buffer made by {@link sharedFeatureBuffer} (or registered in a worker). */
const featureMemories = new WeakMap<SharedArrayBuffer, WebAssembly.Memory>();

/**
 * A SharedArrayBuffer of at least `bytes` bytes, zero-filled, that is the buffer of a shared WebAssembly.Memory with
 * room for one more row of `rowBytes` zero bytes after the `bytes` (the indexed kernel's zero row): worker threads
 * that get it with {@link registerFeatureMemory} score from it without copying it into a memory of their own
 * ({@link indexedGemm64For}). A plain SharedArrayBuffer where such a memory cannot be made. Use the first `bytes`
 * bytes (the buffer is a whole number of 64 KiB pages).
 */
export function sharedFeatureBuffer(bytes: number, rowBytes: number): SharedArrayBuffer {
  const pages = Math.ceil((bytes + rowBytes) / 65536);
  try {
    if (typeof WebAssembly !== 'undefined' && pages < FEATURE_MEMORY_MAX_PAGES) {
      const memory = new WebAssembly.Memory({ initial: Math.max(1, pages), maximum: FEATURE_MEMORY_MAX_PAGES, shared: true });
      const buffer = memory.buffer as unknown as SharedArrayBuffer;
      featureMemories.set(buffer, memory);
      return buffer;
    }
  } catch {
    // no shared wasm memory here
  }
  return new SharedArrayBuffer(bytes);
}

/** The shared WebAssembly.Memory whose buffer `buffer` is (made by {@link sharedFeatureBuffer} or registered), if any. */
export function featureMemoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined {
  return buffer instanceof SharedArrayBuffer ? featureMemories.get(buffer) : undefined;
}

/** Records that `buffer` (e.g. as a worker received it) is the start of `memory` (as the same worker received it). */
export function registerFeatureMemory(buffer: SharedArrayBuffer, memory: WebAssembly.Memory): void {
  featureMemories.set(buffer, memory);
}

const sharedIndexed = new WeakMap<WebAssembly.Memory, Map<number, IndexedGemm64 | null>>();

/**
 * The {@link IndexedGemm64} for `F` when F starts a shared feature memory ({@link sharedFeatureBuffer}): it reads
 * the features in place (nothing copied; a zero row follows them) and keeps its scratch in regions of that memory it
 * grows for itself (`memory.grow` is atomic: each thread's regions are its own). Else {@link indexedGemm64}(d).
 */
export function indexedGemm64For(F: Float32Array, d: number): IndexedGemm64 | null {
  const memory = F.byteOffset === 0 ? featureMemoryOf(F.buffer) : undefined;
  if (!memory || d <= 0 || d % 4 !== 0) return indexedGemm64(d);
  let byD = sharedIndexed.get(memory);
  if (!byD) sharedIndexed.set(memory, (byD = new Map()));
  const hit = byD.get(d);
  if (hit !== undefined) return hit?.holds(F) ? hit : indexedGemm64(d);
  let k: IndexedGemm64 | null = null;
  try {
    const pages = memory.buffer.byteLength / 65536;
    const bytes = indexedModuleBytes(d, { minPages: pages, maxPages: FEATURE_MEMORY_MAX_PAGES });
    if (WebAssembly.validate(bytes)) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      const nFeatures = F.length;
      // This thread's scratch region [start, end), grown at least twofold when too small.
      let start = 0;
      let end = 0;
      k = indexedKernel(d, inst, memory, {
        scratch(G, need) {
          if (!this.holds(G)) throw new RangeError('indexedGemm64For: the kernel reads only the features it was made for');
          if (end - start < need) {
            const pages = Math.max(Math.ceil(need / 65536), (2 * (end - start)) / 65536);
            start = memory.grow(pages) * 65536;
            end = start + pages * 65536;
          }
          return start;
        },
        // Any buffer of this memory (each thread has its own SharedArrayBuffer objects for it), from its start.
        holds: (G) => G.byteOffset === 0 && G.length === nFeatures && featureMemoryOf(G.buffer) === memory,
      });
    }
  } catch {
    k = null;
  }
  byD.set(d, k);
  return k?.holds(F) ? k : indexedGemm64(d);
}

// ---------- set-score reductions (a second module with its own memory: the reduction heap) ----------

const F32LT = 0x5d, GTU = 0x4b, SELECT = 0x1b;
const PROMOTE = 0xbb, DEMOTE = 0xb6, DADD = 0xa0, DDIV = 0xa3;
const F4PMAX = [0xfd, 0xeb, 0x01];
const v128store = (offset: number): number[] => [0xfd, 0x0b, 2, ...uleb(offset)];
/**
 * `dst[b] = max(dst[b], src[b])` (f32x4.pmax, then one float at a time: `m = v > m ? v : m`) for byte offsets b from
 * local `b` up to local `end` (locals dst, src: bases; x, w: f32 scratch locals). Shared by vmax and rowred.
 */
const maxIntoCode = (dst: number, src: number, b: number, end: number, x: number, w: number): number[] => [
  0x02, 0x40, 0x03, 0x40,
  ...get(b), ...i32c(16), ADD, ...get(end), GTU, 0x0d, 1,
  ...get(dst), ...get(b), ADD,
  ...get(dst), ...get(b), ADD, ...v128load(0), ...get(src), ...get(b), ADD, ...v128load(0), ...F4PMAX,
  ...v128store(0),
  ...get(b), ...i32c(16), ADD, ...set(b),
  0x0c, 0, 0x0b, 0x0b,
  ...loopWhileLt(b, end, [
    ...get(src), ...get(b), ADD, ...f32load, ...set(x),
    ...get(dst), ...get(b), ADD, ...f32load, ...set(w),
    ...get(dst), ...get(b), ADD,
    ...get(x), ...get(w), ...get(w), ...get(x), F32LT, SELECT,
    ...f32store,
    ...get(b), ...i32c(4), ADD, ...set(b),
  ]),
];
const f32load = [0x2a, 2, 0], f32store = [0x38, 2, 0], i32load = [0x28, 2, 0];

function reduceModuleBytes(): Uint8Array<ArrayBuffer> {
  // Maxima with the semantics of `m = v > m ? v : m` (f32x4.pmax / select on m < v): NaN never replaces, ±0 keep the first.
  // func 0: rowred(s, cs, nCC, buf, cc) (byte offsets; cs: nCC + 1 nondecreasing int32 float offsets):
  //   buf[b] = max(buf[b], S[b]) over [4·cs[0], 4·cs[nCC]) (one vector pass), then for k < nCC cc[k] = max S[b] over
  //   [4·cs[k], 4·cs[k+1]): a segment of ≥ 4 floats in vectors (the last one overlapping the one before: a maximum
  //   may read a value twice), a shorter one as one vector with the lanes past its end set to −∞ (it reads up to 12
  //   bytes past the segment: the heap keeps 16 bytes of slack), then the 4 lanes by two shuffles.
  //   params 0 s, 1 cs, 2 nCC, 3 buf, 4 cc | locals 5 k, 6 b, 7 e, 8 b0 (i32) | 9 m (v128) | 10 x, 11 w (f32)
  const vconst = (bytes: number[]): number[] => [0xfd, 0x0c, ...bytes];
  const f32bytes = (v: number): number[] => Array.from(new Uint8Array(new Float32Array([v]).buffer));
  const negInf4 = vconst([0, 1, 2, 3].flatMap(() => f32bytes(Number.NEGATIVE_INFINITY)));
  const laneBytes = vconst([0, 4, 8, 12].flatMap((v) => [v, 0, 0, 0]));
  const shuf = (lanes: number[]): number[] => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
  const I4SPLAT = [0xfd, 0x11], I4LTS = [0xfd, 0x39], BITSELECT = [0xfd, 0x52], SUB = 0x6b, LTS = 0x48;
  const csAt = (k: number[]): number[] => [...get(1), ...k, ...i32c(2), SHL, ADD, ...i32load, ...i32c(2), SHL];
  const rowred = body([[4, I32], [1, V128], [2, F32]], [
    // the column maxima, over the whole row
    ...csAt(i32c(0)), ...set(6),
    ...csAt(get(2)), ...set(7),
    ...maxIntoCode(3, 0, 6, 7, 10, 11),
    // the segment maxima
    ...loopWhileLt(5, 2, [
      ...csAt(get(5)), ...set(8),
      ...csAt([...get(5), ...i32c(1), ADD]), ...set(7),
      ...get(0), ...get(8), ADD, ...v128load(0), ...set(9),
      ...get(7), ...get(8), SUB, ...i32c(16), LTS,
      0x04, 0x40,
      // shorter than 4 floats: lanes at byte 4i ≥ its length become −∞
      ...get(9), ...negInf4, ...laneBytes, ...get(7), ...get(8), SUB, ...I4SPLAT, ...I4LTS, ...BITSELECT, ...set(9),
      0x05,
      ...get(8), ...i32c(16), ADD, ...set(6),
      0x02, 0x40, 0x03, 0x40,
      ...get(6), ...i32c(16), ADD, ...get(7), GTU, 0x0d, 1,
      ...get(9), ...get(0), ...get(6), ADD, ...v128load(0), ...F4PMAX, ...set(9),
      ...get(6), ...i32c(16), ADD, ...set(6),
      0x0c, 0, 0x0b, 0x0b,
      ...get(9), ...get(0), ...get(7), ADD, ...i32c(16), SUB, ...v128load(0), ...F4PMAX, ...set(9),
      0x0b,
      ...get(9), ...get(9), ...get(9), ...shuf([2, 3, 0, 1]), ...F4PMAX, ...set(9),
      ...get(4), ...get(5), ...i32c(2), SHL, ADD,
      ...get(9), ...get(9), ...get(9), ...shuf([1, 0, 3, 2]), ...F4PMAX, ...lane(0),
      ...f32store,
      ...get(5), ...i32c(1), ADD, ...set(5),
    ]),
  ]);
  // func 1: vmax(dst, src, nBytes): dst[b] = max(dst[b], src[b]). locals 3 b (i32) | 4 x, 5 w (f32)
  const vmax = body([[1, I32], [2, F32]], maxIntoCode(0, 1, 3, 2, 4, 5));
  const NE = 0x47;
  const f64ld = [0x2b, 3, 0], f64st = [0x39, 3, 0];
  const CONVERT_I32 = 0xb7;
  const F2ADD = [0xfd, 0xf0, 0x01], PROMOTE_LOW = [0xfd, 0x5f];
  // func 2: accrows(acc, rows, nRows, n) (byte offsets; acc: n float64): acc[k] = Σ_j S_j[k] in j order, S_j the float32
  //   row at float offset i32 rows[j]; two float64 lanes per k pair (each lane sums in j order: JavaScript's bits).
  //   params 0 acc, 1 rows, 2 nRows, 3 n | locals 4 j, 5 k, 6 r (i32) | 7 v (v128)
  const accrows = body([[3, I32], [1, V128]], [
    ...loopWhileLt(5, 3, [...get(0), ...get(5), ...i32c(3), SHL, ADD, ...f64const(0), ...f64st, ...get(5), ...i32c(1), ADD, ...set(5)]),
    ...loopWhileLt(4, 2, [
      ...get(1), ...get(4), ...i32c(2), SHL, ADD, ...i32load, ...i32c(2), SHL, ...set(6),
      ...i32c(0), ...set(5),
      // while k + 4 ≤ n
      0x02, 0x40, 0x03, 0x40, ...get(5), ...i32c(4), ADD, ...get(3), GTU, 0x0d, 1,
      ...[
        ...get(6), ...get(5), ...i32c(2), SHL, ADD, ...v128load(0), ...set(7),
        ...get(0), ...get(5), ...i32c(3), SHL, ADD,
        ...get(0), ...get(5), ...i32c(3), SHL, ADD, ...v128load(0), ...get(7), ...PROMOTE_LOW, ...F2ADD, ...v128store(0),
        ...get(0), ...get(5), ...i32c(3), SHL, ADD,
        ...get(0), ...get(5), ...i32c(3), SHL, ADD, ...v128load(16), ...get(7), ...get(7), 0xfd, 0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15,
        ...PROMOTE_LOW, ...F2ADD, ...v128store(16),
        ...get(5), ...i32c(4), ADD, ...set(5),
      ],
      0x0c, 0, 0x0b, 0x0b,
      ...loopWhileLt(5, 3, [
        ...get(0), ...get(5), ...i32c(3), SHL, ADD,
        ...get(0), ...get(5), ...i32c(3), SHL, ADD, ...f64ld, ...get(6), ...get(5), ...i32c(2), SHL, ADD, ...f32load, PROMOTE, DADD, ...f64st,
        ...get(5), ...i32c(1), ADD, ...set(5),
      ]),
      ...get(4), ...i32c(1), ADD, ...set(4),
    ]),
  ]);
  // func 3: setsums(acc, col, go, n, n1, out) (byte offsets): out[k] = (acc[k] + Σ col[b] over b in [go[k], go[k+1]), in
  //   order) / (n1 + go[k+1] − go[k]) rounded to float32, NaN for an empty range (col: float32, indexed by go's floats).
  //   params 0 acc, 1 col, 2 go, 3 n, 4 n1, 5 out | locals 6 k, 7 b, 8 e (i32) | 9 s, 10 divisor (f64)
  const setsums = body([[3, I32], [2, F64]], [
    ...loopWhileLt(6, 3, [
      ...get(2), ...get(6), ...i32c(2), SHL, ADD, ...i32load, ...set(7),
      ...get(2), ...get(6), ...i32c(2), SHL, ADD, 0x28, 2, 4, ...set(8),
      ...get(5), ...get(6), ...i32c(2), SHL, ADD,
      ...get(7), ...get(8), NE,
      0x04, F32,
      ...get(0), ...get(6), ...i32c(3), SHL, ADD, ...f64ld, ...set(9),
      ...get(4), ...get(8), ADD, ...get(7), 0x6b, CONVERT_I32, ...set(10),
      ...loopWhileLt(7, 8, [
        ...get(9), ...get(1), ...get(7), ...i32c(2), SHL, ADD, ...f32load, PROMOTE, DADD, ...set(9),
        ...get(7), ...i32c(1), ADD, ...set(7),
      ]),
      ...get(9), ...get(10), DDIV, DEMOTE,
      0x05,
      0x43, 0x00, 0x00, 0xc0, 0x7f,
      0x0b,
      ...f32store,
      ...get(6), ...i32c(1), ADD, ...set(6),
    ]),
  ]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 5, I32, I32, I32, I32, I32, 0], [0x60, 3, I32, I32, I32, 0], [0x60, 4, I32, I32, I32, I32, 0], [0x60, 6, I32, I32, I32, I32, I32, I32, 0]])),
    ...section(3, vec([[0], [1], [2], [3]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('memory'), 0x02, 0], [...str('rowred'), 0x00, 0], [...str('vmax'), 0x00, 1], [...str('accrows'), 0x00, 2], [...str('setsums'), 0x00, 3]])),
    ...section(10, [...uleb(4), ...rowred, ...vmax, ...accrows, ...setsums]),
  ];
  return new Uint8Array(bytes);
}

/**
 * A float32 heap for the set-score reductions (set-matrix.ts) with its two kernels: in this thread's
 * wasm memory (SIMD) when available, else a plain ArrayBuffer with the same kernels in JavaScript.
 * Offsets are in floats from the heap's start. Maxima follow `m = v > m ? v : m`; SIMD and JS differ
 * only in which of +0 and −0 a segment maximum of zero returns (scores/refine.ts settles such ties).
 * The wasm memory holds one heap at a time: a heap asked for while another is live (not yet
 * {@link ReduceHeap.release}d, e.g. two scorings interleaved by `await`) is a JS heap, since growing
 * the memory would detach the live heap's views.
 */
export interface ReduceHeap {
  f32: Float32Array;
  i32: Int32Array;
  simd: boolean;
  /** For k < nCC: cc[k] = max S[s + i], buf[i] = max(buf[i], S[s + i]) over i in [cs[k], cs[k + 1]) (cs: int32 offset). */
  rowred(s: number, cs: number, nCC: number, buf: number, cc: number): void;
  /** dst[i] = max(dst[i], src[i]) for i < n. */
  vmax(dst: number, src: number, n: number): void;
  /**
   * The float64 row sums of set scores: acc[k] = Σ_j f32[i32[rows + j] + k] for k < n, summed in j order (acc: a float
   * offset, even: n float64 values over 2n floats).
   */
  accRows(acc: number, rows: number, nRows: number, n: number): void;
  /**
   * Set scores from {@link accRows}' sums: out[k] = fround((acc[k] + Σ f32[col + b] over b in [i32[go + k], i32[go + k + 1]),
   * in order) / (n1 + the range's length)), NaN for an empty range.
   */
  setSums(acc: number, col: number, go: number, n: number, n1: number, out: number): void;
  /** Ends this heap's use (the wasm memory may then be handed out again). Idempotent. */
  release(): void;
}

let wasmHeapLive = false;

let reduceInst:
  | { mem: WebAssembly.Memory; rowred: (...a: number[]) => void; vmax: (...a: number[]) => void; accrows: (...a: number[]) => void; setsums: (...a: number[]) => void }
  | null
  | undefined;

function jsHeap(floats: number): ReduceHeap {
  const buf = new ArrayBuffer(floats * 4);
  const f32 = new Float32Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf, 0, floats >> 1);
  return {
    f32,
    i32,
    simd: false,
    release() {},
    accRows(acc, rows, nRows, n) {
      const a = acc >> 1;
      f64.fill(0, a, a + n);
      for (let j = 0; j < nRows; j++) {
        const r = i32[rows + j]!;
        for (let k = 0; k < n; k++) f64[a + k]! += f32[r + k]!;
      }
    },
    setSums(acc, col, go, n, n1, out) {
      const a = acc >> 1;
      for (let k = 0; k < n; k++) {
        const b0 = i32[go + k]!;
        const b1 = i32[go + k + 1]!;
        if (b0 === b1) {
          f32[out + k] = Number.NaN;
          continue;
        }
        let s = f64[a + k]!;
        for (let b = b0; b < b1; b++) s += f32[col + b]!;
        f32[out + k] = s / (n1 + b1 - b0);
      }
    },
    rowred(s, cs, nCC, b, cc) {
      let i = i32[cs]!;
      for (let k = 0; k < nCC; k++) {
        const e = i32[cs + k + 1]!;
        let m = Number.NEGATIVE_INFINITY;
        for (; i < e; i++) {
          const v = f32[s + i]!;
          m = v > m ? v : m;
          const w = f32[b + i]!;
          f32[b + i] = v > w ? v : w;
        }
        f32[cc + k] = m;
      }
    },
    vmax(dst, src, n) {
      for (let i = 0; i < n; i++) {
        const v = f32[src + i]!;
        const w = f32[dst + i]!;
        f32[dst + i] = v > w ? v : w;
      }
    },
  };
}

/** A reduction heap of at least `floats` floats (see {@link ReduceHeap}); `simd: false` forces the JS kernels. */
export function reduceHeap(floats: number, opts: { simd?: boolean } = {}): ReduceHeap {
  if (reduceInst === undefined) {
    try {
      const bytes = reduceModuleBytes();
      if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) reduceInst = null;
      else {
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
        const x = inst.exports;
        reduceInst = { mem: x.memory as WebAssembly.Memory, rowred: x.rowred as never, vmax: x.vmax as never, accrows: x.accrows as never, setsums: x.setsums as never };
      }
    } catch {
      reduceInst = null;
    }
  }
  if (!reduceInst || opts.simd === false || wasmHeapLive) return jsHeap(floats);
  const { mem, rowred, vmax, accrows, setsums } = reduceInst;
  const bytes = floats * 4 + 16; // rowred may read up to 12 bytes past a segment
  if (bytes > mem.buffer.byteLength) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
  const f32 = new Float32Array(mem.buffer, 0, floats);
  const i32 = new Int32Array(mem.buffer, 0, floats);
  wasmHeapLive = true;
  let released = false;
  return {
    f32,
    i32,
    simd: true,
    release() {
      if (!released) wasmHeapLive = false;
      released = true;
    },
    rowred: (s, cs, nCC, b, cc) => rowred(4 * s, 4 * cs, nCC, 4 * b, 4 * cc),
    vmax: (dst, src, n) => vmax(4 * dst, 4 * src, 4 * n),
    accRows: (acc, rows, nRows, n) => accrows(4 * acc, 4 * rows, nRows, n),
    setSums: (acc, col, go, n, n1, out) => setsums(4 * acc, 4 * col, 4 * go, n, n1, 4 * out),
  };
}

// ---------- L2 row normalisation (core's `l2NormalizeRows`, bit for bit) with a finiteness count ----------


/**
 * func 0 norm(p, rows, dim) -> non-finite rows: each row of `dim` float32 values at p (in place) becomes
 * row · inv with s = Σ x² in float64 in index order, inv = s > 0 ? 1 / max(√s, 1e-12) : 0, each product
 * rounded once to float32: core's `l2NormalizeRows` step for step (float32 products of float32 values are
 * exact in float64, and every other operation is one correctly rounded IEEE operation in both). Counts
 * the rows whose s is not finite (a NaN or ±Infinity value: a finite float32 row cannot overflow float64).
 */
function normalizeModuleBytes(): Uint8Array<ArrayBuffer> {
  const DSUB = 0xa1, DMUL = 0xa2, DMAX = 0xa5, DSQRT = 0x9f, DNE = 0x62, DGT = 0x64;
  // params 0 p, 1 rows, 2 dim | locals 3 r, 4 e, 5 q, 6 bad (i32) | 7 s, 8 inv, 9 x (f64)
  const norm = body([[4, I32], [3, F64]], [
    ...loopWhileLt(3, 1, [
      ...get(0), ...get(2), ...i32c(2), SHL, ADD, ...set(4),
      ...f64const(0), ...set(7),
      ...get(0), ...set(5),
      ...loopWhileLt(5, 4, [
        ...get(5), ...f32load, PROMOTE, ...set(9),
        ...get(7), ...get(9), ...get(9), DMUL, DADD, ...set(7),
        ...get(5), ...i32c(4), ADD, ...set(5),
      ]),
      // s − s is 0 exactly when s is finite.
      ...get(6), ...get(7), ...get(7), DSUB, ...f64const(0), DNE, ADD, ...set(6),
      ...f64const(1), ...get(7), DSQRT, ...f64const(1e-12), DMAX, DDIV, ...f64const(0), ...get(7), ...f64const(0), DGT, SELECT, ...set(8),
      ...get(0), ...set(5),
      ...loopWhileLt(5, 4, [
        ...get(5), ...get(5), ...f32load, PROMOTE, ...get(8), DMUL, DEMOTE, ...f32store,
        ...get(5), ...i32c(4), ADD, ...set(5),
      ]),
      ...get(4), ...set(0),
      ...get(3), ...i32c(1), ADD, ...set(3),
    ]),
    ...get(6),
  ]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 3, I32, I32, I32, 1, I32]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('memory'), 0x02, 0], [...str('norm'), 0x00, 0]])),
    ...section(10, [...uleb(1), ...norm]),
  ];
  return new Uint8Array(bytes);
}

let normInst: { mem: WebAssembly.Memory; norm: (p: number, rows: number, dim: number) => number } | null | undefined;

/** Rows per pass of {@link normalizeRowsChecked}'s kernel: blocks of ≈ 256 KiB stay in cache between the copies. */
const NORM_BLOCK_BYTES = 1 << 18;

/**
 * `l2NormalizeRows(src, n, dim, dst)` of core (default eps), the same bits, returning how many rows hold a
 * non-finite value (a NaN or ±Infinity; such a row normalises to NaN / 0 values, as core gives). On a
 * WebAssembly kernel (blocks of rows copied through its memory) where available: ≈ 10× the JavaScript
 * loop on a cold start, which is when it runs (once per process or worker). `dst` may be `src`.
 */
export function normalizeRowsChecked(src: Float32Array, n: number, dim: number, dst: Float32Array): number {
  if (src.length !== n * dim) throw new RangeError(`normalizeRowsChecked: ${src.length} values, expected ${n} × ${dim}`);
  if (dst.length !== n * dim) throw new RangeError(`normalizeRowsChecked: dst has ${dst.length} values, expected ${n} × ${dim}`);
  if (normInst === undefined) {
    try {
      const bytes = normalizeModuleBytes();
      if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) normInst = null;
      else {
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
        normInst = { mem: inst.exports.memory as WebAssembly.Memory, norm: inst.exports.norm as never };
      }
    } catch {
      normInst = null;
    }
  }
  if (!normInst || dim === 0) {
    let bad = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = i * dim; k < (i + 1) * dim; k++) s += src[k]! * 0;
      if (s !== 0) bad++; // NaN: a value was NaN or ±Infinity
    }
    l2NormalizeRows(src, n, dim, dst);
    return bad;
  }
  const { mem, norm } = normInst;
  const per = Math.max(1, Math.floor(NORM_BLOCK_BYTES / (4 * dim)));
  const need = Math.min(per, n) * dim * 4;
  if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const f32 = new Float32Array(mem.buffer, 0, Math.min(per, n) * dim);
  let bad = 0;
  for (let r0 = 0; r0 < n; r0 += per) {
    const m = Math.min(per, n - r0);
    const block = f32.subarray(0, m * dim);
    block.set(src.subarray(r0 * dim, (r0 + m) * dim));
    bad += norm(0, m, dim);
    dst.set(block, r0 * dim);
  }
  return bad;
}

/** Normalised row matrices made by {@link unitRows} (or a worker's shares) and checked finite: never written again. */
const finiteUnits = new WeakSet<Float32Array>();

/**
 * Records that `unit` (normalised rows this package made, checked finite by {@link normalizeRowsChecked}, and
 * not written afterwards) holds only finite values: the set scores then skip their per-block scan for
 * non-finite rows. Internal: never call it on an array a caller can still change.
 */
export function markUnitFinite(unit: Float32Array): void {
  finiteUnits.add(unit);
}

/** Whether `unit` was recorded by {@link markUnitFinite}. */
export function unitKnownFinite(unit: Float32Array | undefined): boolean {
  return unit !== undefined && finiteUnits.has(unit);
}

/** `l2NormalizeRows` of the features into a new array (normalizeRowsChecked), recorded as finite when it is. */
export function unitRows(data: Float32Array, n: number, dim: number): Float32Array {
  const unit = new Float32Array(n * dim);
  if (normalizeRowsChecked(data, n, dim, unit) === 0) markUnitFinite(unit);
  return unit;
}
