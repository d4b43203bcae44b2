/**
 * `OneHot` for the wasm backend. The stock kernel's C++ always writes int32 values, so
 * `tf.oneHot(…, 'float32')` came out as denormal floats ≈ 0 (1 read as 1.4e−45): the FAD
 * loss's kept-dimension mask (a sum of float one-hots) was all zeros on wasm. This JS kernel
 * writes the requested dtype.
 *
 * @module
 */
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { sizeOf } from './heap.ts';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
type Backend = WasmBackendLike & { typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array };

function oneHot({ inputs, backend, attrs }: Args): TensorInfo {
  const b = backend as Backend;
  const { indices } = inputs as { indices: TensorInfo };
  const { dtype, depth, onValue, offValue } = attrs as unknown as { dtype: DataType; depth: number; onValue: number; offValue: number };
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`wasm OneHot: dtype ${dtype} is not supported (float32 or int32)`);
  const out = b.makeOutput([...indices.shape, depth], dtype);
  const idx = b.typedArrayFromHeap(indices);
  const o = b.typedArrayFromHeap(out);
  o.fill(offValue);
  const n = sizeOf(indices.shape);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (j >= 0 && j < depth) o[i * depth + j] = onValue;
  }
  return out;
}

/** `OneHot` writing float32 or int32 as requested. */
export const oneHotConfig: KernelConfig = { kernelName: 'OneHot', backendName: 'wasm', kernelFunc: oneHot as unknown as KernelFunc };
