/**
 * The GEMM seam of template scoring: `out[i·ld + j] = ⟨A row i, B row j⟩` over row-major float32
 * blocks. Two implementations: the synchronous wasm SIMD / JS kernel of `cosine.ts` (browser and
 * fallback) and, in Node, onnxruntime-node's MLAS SGEMM (`native-gemm.ts`). Scoring code takes an
 * {@link AsyncGemm} so the native kernel can run off the JS thread; results are bit-identical in the
 * reported metrics whichever kernel ran (see `refine.ts`).
 *
 * @module
 */
import { dotBlock } from './cosine.ts';

/** An A·Bᵀ kernel. `rowsPerCall` bounds one call's output (blocking keeps memory bounded). */
export interface AsyncGemm {
  name: string;
  /** Largest nA · nB one call should be given (the caller blocks above it). */
  maxOutput: number;
  /**
   * nA · nB of one call of the probe × gallery set scores' row blocks, when smaller than {@link AsyncGemm.maxOutput}
   * (which still bounds a verification group's call): smaller blocks touch less fresh memory.
   */
  blockOutput?: number;
  /** Smallest nA · nB · d worth a call (smaller blocks use the synchronous kernel). */
  minWork: number;
  /** {@link AsyncGemm.minWork} for `abt64` (float64 calls), when different. */
  minWork64?: number;
  /** A·Bᵀ (nA × nB, row-major). `out` (length ≥ nA·nB) is a buffer the kernel may write into; callers use the returned array. */
  abt(A: Float32Array, nA: number, B: Float32Array, nB: number, d: number, out?: Float32Array): Promise<Float32Array>;
  /** The same product accumulated in float64 (any order), when the kernel has one (verification scores). */
  abt64?(A: Float32Array, nA: number, B: Float32Array, nB: number, d: number, out?: Float64Array): Promise<Float64Array>;
  /** Frees the kernel's native resources (a kernel of one's own, e.g. `nativeGemm({ threads })`); it must not be used after. */
  release?(): Promise<void>;
}

/** The synchronous wasm SIMD / JS kernel behind the {@link AsyncGemm} interface. */
export const wasmGemm: AsyncGemm = {
  name: 'wasm-simd',
  maxOutput: 1 << 22,
  minWork: 0,
  async abt(A, nA, B, nB, d, into) {
    const out = into ? into.subarray(0, nA * nB) : new Float32Array(nA * nB);
    dotBlock(A, 0, nA, B, 0, nB, d, out, nB);
    return out;
  },
};
