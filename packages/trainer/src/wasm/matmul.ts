/**
 * `BatchMatMul` for the wasm backend that always reaches XNNPACK's fast path.
 *
 * The stock kernel is fast (≈ 40 GFLOP/s on one core) only for a single, untransposed product;
 * with transposeA/transposeB or a batch dimension it falls back to a scalar loop (1–3.5 GFLOP/s).
 * Here transposed operands are transposed explicitly first (the wasm Transpose kernel: a memory
 * pass, cheap next to the product), a shared right operand folds the batch into the rows, and
 * other batches run as one fast product per batch element. Products of ≤ 4 rows (batch norm's
 * ones[1, M]·x[M, C] column sums) are a JS loop instead: XNNPACK would first pack all of x as
 * its weight matrix. Mixed batch broadcasting is left to the stock kernel.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, callKernel, free, heapF32, matMulNN, offsetOf, releaseSubview, setStockBatchMatMul, sizeOf, subview, view } from './heap.ts';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

let stock: KernelConfig | undefined;

/** `t` as [batch, r, c] made contiguous in the untransposed orientation. */
function untranspose(b: WasmBackendLike, t: TensorInfo, batch: number, rows: number, cols: number, transposed: boolean): TensorInfo {
  if (!transposed) return t;
  return callKernel('Transpose', b, { x: view(t, [batch, cols, rows]) }, { perm: [0, 2, 1] });
}

/** Products with at most this many rows run as a JS loop (XNNPACK would pack all of b as weights). */
const GEMV_ROWS = 4;

/**
 * out[i, :] = Σ_k a[i, k]·b[k, :] for i < m (m ≤ {@link GEMV_ROWS}): one pass over b with float64
 * accumulators. This is batch norm's column sums, ones[1, M]·x[M, C].
 */
function gemv(heap: Float32Array, a: number, bOff: number, out: number, m: number, k: number, n: number): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const ai = a + i * k;
    let j = 0;
    // four rows of b per pass: a quarter of the accumulator loads and stores
    for (; j + 4 <= k; j += 4) {
      const v0 = heap[ai + j]!;
      const v1 = heap[ai + j + 1]!;
      const v2 = heap[ai + j + 2]!;
      const v3 = heap[ai + j + 3]!;
      const r0 = bOff + j * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let c = 0; c < n; c++) acc[c]! += v0 * heap[r0 + c]! + v1 * heap[r1 + c]! + v2 * heap[r2 + c]! + v3 * heap[r3 + c]!;
    }
    for (; j < k; j++) {
      const v = heap[ai + j]!;
      const row = bOff + j * n;
      for (let c = 0; c < n; c++) acc[c]! += v * heap[row + c]!;
    }
    for (let c = 0; c < n; c++) heap[out + i * n + c] = acc[c]!;
  }
}

function batchMatMul({ inputs, backend, attrs }: Args): TensorInfo {
  const b = backend as WasmBackendLike;
  const { a, b: bm } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const ra = a.shape.length;
  const rb = bm.shape.length;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(bm.shape.slice(0, -2));
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? bm.shape[rb - 1]! : bm.shape[rb - 2]!;
  const n = transposeB ? bm.shape[rb - 2]! : bm.shape[rb - 1]!;
  const simple = a.dtype === 'float32' && bm.dtype === 'float32' && k === kb && (batchA === batchB || batchA === 1 || batchB === 1);
  if (!simple || m * n * k === 0) {
    if (!stock) throw new Error(`wasm BatchMatMul: unsupported [${a.shape}]·[${bm.shape}] and no stock kernel`);
    return stock.kernelFunc({ inputs, backend: backend as never, attrs: attrs ?? {} }) as TensorInfo;
  }
  const outShape = [...broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), bm.shape.slice(0, -2)), m, n];
  const batch = Math.max(batchA, batchB);
  const an = untranspose(b, a, batchA, m, k, transposeA);
  const bn = untranspose(b, bm, batchB, k, n, transposeB);
  let out: TensorInfo;
  try {
    if (m <= GEMV_ROWS) {
      out = alloc(b, outShape);
      const heap = heapF32(b);
      const ao = offsetOf(b, an);
      const bo = offsetOf(b, bn);
      const oo = offsetOf(b, out);
      for (let i = 0; i < batch; i++) gemv(heap, ao + (batchA === 1 ? 0 : i * m * k), bo + (batchB === 1 ? 0 : i * k * n), oo + i * m * n, m, k, n);
    } else if (batchB === 1) {
      // one product with the batch folded into the rows: [batchA·m, k]·[k, n]
      const r = matMulNN(b, an, bn, batchA * m, k, n);
      out = view(r, outShape);
    } else {
      out = alloc(b, outShape);
      for (let i = 0; i < batch; i++) {
        const ai = subview(b, an, batchA === 1 ? 0 : i * m * k, [m, k]);
        const bi = subview(b, bn, i * k * n, [k, n]);
        const r = matMulNN(b, ai, bi, m, k, n);
        releaseSubview(b, ai);
        releaseSubview(b, bi);
        const heap = heapF32(b);
        const src = offsetOf(b, r);
        heap.copyWithin(offsetOf(b, out) + i * m * n, src, src + m * n);
        free(b, r);
      }
    }
  } finally {
    if (an !== a) free(b, an);
    if (bn !== bm) free(b, bn);
  }
  return out;
}

/** Kernel registration for the wasm backend (replaces the stock kernel, which it wraps). */
export const batchMatMulConfig: KernelConfig & { wrap(s: KernelConfig | undefined): KernelConfig } = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
  wrap(s) {
    stock = s;
    setStockBatchMatMul(s);
    return this;
  },
};
