/**
 * Low-level access to the tfjs wasm backend from custom kernels: tensor memory as typed-array
 * views of the wasm heap, output allocation, and calls into the backend's own registered kernels
 * (XNNPACK convolution, matmul, transpose) without going through the engine (no tape, no tidy).
 *
 * Heap views are invalidated by any allocation (the heap may grow): take them after the last
 * allocation that precedes their use.
 *
 * @module
 */
import type { DataType, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` that the custom kernels use. */
export interface WasmBackendLike {
  wasm: {
    HEAPU8: Uint8Array;
    wasmMemory?: WebAssembly.Memory;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdNextNumber: number;
  dataIdMap: {
    get(dataId: object): { memoryOffset: number; id: number } | undefined;
    set(dataId: object, v: { id: number; memoryOffset: number; shape: number[]; dtype: DataType; refCount: number }): void;
    delete(dataId: object): boolean;
  };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The current wasm heap buffer (the shared memory's buffer in the threaded build). */
function heapBuffer(b: WasmBackendLike): ArrayBufferLike {
  return b.wasm.wasmMemory?.buffer ?? b.wasm.HEAPU8.buffer;
}

/** Element count of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array view of a float32 tensor's memory (valid until the next allocation). */
export function f32(b: WasmBackendLike, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm kernel: expected a float32 tensor, got ${t.dtype} of shape [${t.shape.join(',')}]`);
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`wasm kernel: tensor of shape [${t.shape.join(',')}] is not on the wasm backend`);
  return new Float32Array(heapBuffer(b), d.memoryOffset, sizeOf(t.shape));
}

/** The whole wasm heap as floats (valid until the next allocation). */
export function heapF32(b: WasmBackendLike): Float32Array {
  const buf = heapBuffer(b);
  return new Float32Array(buf, 0, Math.floor(buf.byteLength / 4));
}

/** A float32 tensor's position in {@link heapF32}, in floats. */
export function offsetOf(b: WasmBackendLike, t: TensorInfo): number {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`wasm kernel: tensor of shape [${t.shape.join(',')}] is not on the wasm backend`);
  if (d.memoryOffset % 4 !== 0) throw new Error(`wasm kernel: float tensor at unaligned heap offset ${d.memoryOffset}`);
  return d.memoryOffset / 4;
}

/** Allocates an uninitialised float32 tensor on the wasm heap. */
export function alloc(b: WasmBackendLike, shape: number[]): TensorInfo {
  return b.makeOutput(shape, 'float32');
}

/** Releases a tensor made by {@link alloc} or returned by {@link callKernel}. */
export function free(b: WasmBackendLike, t: TensorInfo): void {
  b.disposeData(t.dataId);
}

/** The same memory seen with another shape of equal size (no copy; do not free it separately). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  if (sizeOf(shape) !== sizeOf(t.shape)) throw new Error(`wasm kernel: cannot view [${t.shape.join(',')}] as [${shape.join(',')}]`);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * Runs a kernel registered for the wasm backend directly (as the backend's kernels call each
 * other). The result is owned by the caller.
 */
export function callKernel(name: string, b: WasmBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel "${name}" is not registered (is @tensorflow/tfjs-backend-wasm imported?)`);
  const out = k.kernelFunc({ inputs, backend: b as never, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel "${name}" returned ${out.length} outputs, expected one`);
  return out;
}

/**
 * A tensor aliasing `count = size(shape)` floats of `t` from float `offset` on (no copy). It
 * gets a fresh backend id, so XNNPACK caches keyed by id never see stale contents. Release it
 * with {@link releaseSubview}, never {@link free} (its memory belongs to `t`).
 */
export function subview(b: WasmBackendLike, t: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`wasm kernel: tensor of shape [${t.shape.join(',')}] is not on the wasm backend`);
  const size = sizeOf(shape);
  if (offset < 0 || offset + size > sizeOf(t.shape)) throw new Error(`wasm kernel: subview [${offset}, ${offset + size}) outside a tensor of ${sizeOf(t.shape)} floats`);
  const id = b.dataIdNextNumber++;
  const dataId = { id };
  const memoryOffset = d.memoryOffset + 4 * offset;
  b.dataIdMap.set(dataId, { id, memoryOffset, shape, dtype: 'float32', refCount: 1 });
  b.wasm.tfjs.registerTensor(id, size, memoryOffset);
  return { dataId, shape, dtype: 'float32' };
}

/** Forgets a {@link subview} (runs the backend's disposal callbacks for its id; frees nothing). */
export function releaseSubview(b: WasmBackendLike, t: TensorInfo): void {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) return;
  b.wasm.tfjs.disposeData(d.id);
  b.dataIdMap.delete(t.dataId);
}

let stockBatchMatMul: KernelConfig | undefined;

/** The stock wasm BatchMatMul, recorded when our wrapper replaces it (see matmul.ts). */
export function setStockBatchMatMul(k: KernelConfig | undefined): void {
  stockBatchMatMul = k;
}

/** `a[M,K] · b[K,N]` with the stock wasm BatchMatMul's fast path (one untransposed product: XNNPACK). */
export function matMulNN(b: WasmBackendLike, a: TensorInfo, bm: TensorInfo, m: number, k: number, n: number): TensorInfo {
  const inputs = { a: view(a, [1, m, k]), b: view(bm, [1, k, n]) };
  const attrs = { transposeA: false, transposeB: false };
  if (stockBatchMatMul) return stockBatchMatMul.kernelFunc({ inputs, backend: b as never, attrs }) as TensorInfo;
  return callKernel('BatchMatMul', b, inputs, attrs);
}
