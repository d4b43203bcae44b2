/**
 * Native GEMM for Node through onnxruntime-node (MLAS SGEMM, and DGEMM for the float64 verification
 * scores): a one-node ONNX graph `Y = A · Bᵀ`
 * (`onnx-gemm-model.ts`, hand-encoded so eval depends on neither model-export nor the trainer),
 * run with `intraOpNumThreads` = the cores. Loaded lazily with a dynamic import; when the binding is
 * missing, {@link nativeGemm} resolves to null and callers keep the wasm SIMD kernel.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { gemm64FromFloatModelBytes, gemmModelBytes, ONNX_FLOAT } from './onnx-gemm-model.ts';
import type { AsyncGemm } from './gemm.ts';

interface OrtLike {
  Tensor: new (type: 'float32' | 'float64', data: Float32Array | Float64Array, dims: readonly number[]) => unknown;
  InferenceSession: {
    create(
      bytes: Uint8Array,
      opts: Record<string, unknown>,
    ): Promise<{ run(feeds: Record<string, unknown>, fetches?: Record<string, unknown>): Promise<Record<string, { data: unknown }>>; release(): Promise<void> }>;
  };
}

let cached: Promise<AsyncGemm | null> | undefined;

/**
 * Frees onnxruntime-node's copy of a preallocated output at once. The binding returns every output in a new
 * ArrayBuffer, a copy even when the caller preallocated it (`OrtValueToNapiValue`); V8 frees that copy only at its
 * next collection, and until then each call's copy lands on fresh pages (on our VMs a page fault costs ≈ 8 µs:
 * IJB-A's 10 real-size splits took ≈ 115k faults, ≈ 0.9 s of system time). Detaching it
 * (`ArrayBuffer.prototype.transfer(0)`) gives its memory back to malloc now, which hands the same, already mapped
 * pages to the next call's copy. `out` is what the call returned, `mine` the preallocated output's buffer (never
 * detached); without `transfer` (node 20 without {@link enableBufferTransfer}), or for a buffer that cannot be
 * detached, the copy is left to the collector, as before.
 */
export function dropOutputCopy(out: { buffer: ArrayBufferLike } | undefined, mine: ArrayBufferLike): void {
  const b = out?.buffer as (ArrayBufferLike & { transfer?: (n: number) => ArrayBuffer }) | undefined;
  if (!b || b === mine || typeof b.transfer !== 'function') return;
  try {
    b.transfer(0);
  } catch {
    // not detachable (e.g. shared or wasm memory): the collector frees it
  }
}

/** Whether {@link enableBufferTransfer} has set the V8 flag. */
let transferFlagSet = false;

/**
 * Makes `ArrayBuffer.prototype.transfer` (what {@link dropOutputCopy} uses) available in the worker threads started
 * after this call, on node 20 (V8 11.3, where it is behind `--harmony-rab-gsab-transfer`; from node 21 on it is
 * there by default and this does nothing). A V8 flag only adds the method to contexts created later: the calling
 * thread keeps its own as it was.
 */
export function enableBufferTransfer(): void {
  if (transferFlagSet || typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function') return;
  if (!/^11\./.test(process.versions.v8)) return;
  setFlagsFromString('--harmony-rab-gsab-transfer');
  transferFlagSet = true; // (this thread's own ArrayBuffer never gets the method: set the flag once)
}

/** Why the native kernel is unavailable (set when {@link nativeGemm} resolved to null). */
export let nativeGemmUnavailable: string | null = null;

/** The onnxruntime-node SGEMM, or null when onnxruntime-node cannot be loaded. */
export function nativeGemm(opts: { threads?: number } = {}): Promise<AsyncGemm | null> {
  if (cached && opts.threads === undefined) return cached;
  const p = (async (): Promise<AsyncGemm | null> => {
    let ort: OrtLike;
    try {
      ort = (await import('onnxruntime-node')) as unknown as OrtLike;
    } catch (e) {
      nativeGemmUnavailable = `onnxruntime-node cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
      return null;
    }
    const threads = opts.threads ?? Math.max(1, availableParallelism());
    // No spinning: idle pool threads would burn the (shared) cores between the many small calls.
    const so = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    const session = await ort.InferenceSession.create(gemmModelBytes(ONNX_FLOAT), so);
    const session64 = await ort.InferenceSession.create(gemm64FromFloatModelBytes(), so);
    return {
      name: `ort-node-mlas (${threads} threads)`,
      maxOutput: 1 << 21, // 8 MiB output blocks: large enough for MLAS, small enough that the two buffers stay cheap to allocate
      // The search's row blocks: 4 MiB (session 15: ≈ 7 % fewer page faults, 44 ABBA pairs over two sessions faster in 27,
      // −0.025 to −0.06 s); verification groups keep the 8 MiB cap.
      blockOutput: 1 << 20,
      minWork: 1 << 21,
      // float64 groups from ~2M multiply-adds (e.g. 20 × 320 rows, d = 320): below, the indexed wasm canonical kernel
      // (≈ 5–6 G multiply-adds/s, no packing in JavaScript, no boundary check) costs less than a call, its packing and its check.
      minWork64: 1 << 21, // float64 groups from ~400 cosines (d = 320): below, the wasm f64x2 canonical kernel beats a call (~20–60 µs)
      async abt(A, nA, B, nB, d, into) {
        const feeds = { A: new ort.Tensor('float32', A.subarray(0, nA * d), [nA, d]), B: new ort.Tensor('float32', B.subarray(0, nB * d), [nB, d]) };
        if (!into) return (await session.run(feeds)).Y!.data as Float32Array;
        // A preallocated output: no 32 MiB allocation (and its garbage collection) per block.
        const y = into.subarray(0, nA * nB);
        dropOutputCopy((await session.run(feeds, { Y: new ort.Tensor('float32', y, [nA, nB]) })).Y?.data as Float32Array | undefined, y.buffer);
        return y;
      },
      async release() {
        await session.release();
        await session64.release();
      },
      async abt64(A, nA, B, nB, d, into) {
        // float32 in, Cast to double inside the graph: no conversion in JS.
        const feeds = { A: new ort.Tensor('float32', A.subarray(0, nA * d), [nA, d]), B: new ort.Tensor('float32', B.subarray(0, nB * d), [nB, d]) };
        if (!into) return (await session64.run(feeds)).Y!.data as Float64Array;
        const y = into.subarray(0, nA * nB);
        dropOutputCopy((await session64.run(feeds, { Y: new ort.Tensor('float64', y, [nA, nB]) })).Y?.data as Float64Array | undefined, y.buffer);
        return y;
      },
    };
  })();
  if (opts.threads === undefined) cached = p;
  return p;
}
