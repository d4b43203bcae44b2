/**
 * Copy-free `Identity` and same-dtype `Cast` for the wasm backend.
 *
 * tfjs' engine saves every tensor a gradient needs with `keep(clone(t))`, and `clone` runs the
 * `Identity` kernel; the gradients of `mul` also `cast` float32 operands to float32. The cpu
 * backend answers both by sharing the data (a reference count), the stock wasm kernels copy it:
 * during a training step that doubled the memory of every activation kept for the backward pass
 * (≈ 450 MB of copies per step for `interpretable` at batch 4) and cost the copy time. Tensor
 * data is immutable in tfjs (variables swap their data, kernels never write their inputs), so
 * sharing is safe; the backend's own `Reshape` does the same.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
type Shared = { incRef(dataId: object): void };

function share(backend: unknown, x: TensorInfo): TensorInfo {
  (backend as Shared).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity({ inputs, backend }: Args): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') throw new Error('wasm Identity: string tensors are not supported');
  return share(backend, x);
}

/** `Identity` sharing its input's data. */
export const identityConfig: KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as unknown as KernelFunc };

let stockCast: KernelConfig | undefined;

function cast({ inputs, backend, attrs }: Args): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as { dtype: string };
  if (dtype === x.dtype) return share(backend, x);
  if (!stockCast) throw new Error(`wasm Cast ${x.dtype}→${dtype}: stock kernel missing`);
  return stockCast.kernelFunc({ inputs, backend: backend as never, attrs: attrs ?? {} }) as TensorInfo;
}

/** `Cast` sharing the data when the dtype does not change (other casts: the stock kernel). */
export const castConfig: KernelConfig & { wrap(s: KernelConfig | undefined): KernelConfig } = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
  wrap(s) {
    stockCast = s;
    return this;
  },
};
