/**
 * Training kernels for the tfjs `wasm` backend (issue 4): registration entry points.
 *
 * - {@link registerWasmTrainingKernels}: adds `Conv2DBackpropFilter` (missing in
 *   tfjs-backend-wasm) and replaces its slow `Conv2DBackpropInput`, both built on the backend's
 *   XNNPACK convolution and matmul, and gives `Sum`/`Mean` a fast path for leading-axis
 *   reductions (batch-norm statistics and broadcast gradients), makes `BatchMatMul` always use
 *   XNNPACK (explicit transposes, per-batch products), and adds the depthwise-convolution
 *   gradients (SAD loss); `Identity` and same-dtype `Cast` share data instead of copying
 *   (halves the memory of the tensors kept for the backward pass); `OneHot` honours dtype
 *   float32 (the stock kernel writes int32 bits whatever the dtype: FAD's mask was all zeros).
 * - {@link useThreadedWasm}: loads the multithreaded binary in Node.
 *
 * @module
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv-backprop-input.ts';
import { meanConfig, sumConfig } from './reduce.ts';
import { batchMatMulConfig } from './matmul.ts';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise.ts';
import { castConfig, identityConfig } from './identity.ts';
import { oneHotConfig } from './one-hot.ts';

export { useThreadedWasm } from './threads.ts';
export type { ThreadedWasmOptions } from './threads.ts';
export { conv2DBackpropFilterConfig, im2colT, convGeom, IM2COL_MAX_FLOATS, setFilterGradChunk } from './conv-backprop-filter.ts';
export { conv2DBackpropInputConfig, phaseAxis } from './conv-backprop-input.ts';
export { sumConfig, meanConfig, leadingAxes } from './reduce.ts';
export { batchMatMulConfig } from './matmul.ts';
export { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise.ts';
export { castConfig, identityConfig } from './identity.ts';
export { oneHotConfig } from './one-hot.ts';

/** The kernels {@link registerWasmTrainingKernels} installs for the `wasm` backend. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  sumConfig,
  meanConfig,
  batchMatMulConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  identityConfig,
  castConfig,
  oneHotConfig,
];

const replaced = new Map<string, KernelConfig | undefined>();

/**
 * Registers the training kernels for `wasm` (idempotent). Works before or after the backend is
 * initialised (the kernels need no setup). Requires `@tensorflow/tfjs-backend-wasm` to be
 * imported (its kernels are the building blocks). `only`: register just these kernel names
 * (benchmarks of partial configurations).
 */
export function registerWasmTrainingKernels(only?: readonly string[]): void {
  for (const k of WASM_TRAINING_KERNELS) {
    if (only && !only.includes(k.kernelName)) continue;
    const cur = getKernel(k.kernelName, 'wasm');
    if (cur?.kernelFunc === k.kernelFunc) continue;
    if (!replaced.has(k.kernelName)) replaced.set(k.kernelName, cur);
    if (cur) unregisterKernel(k.kernelName, 'wasm');
    // kernels with a fast path defer the other cases to the stock kernel
    if ('wrap' in k) (k as { wrap(s: KernelConfig | undefined): void }).wrap(cur);
    // keep the stock kernel's setup (run at backend init) so that it still works once restored
    registerKernel({ ...k, setupFunc: cur?.setupFunc, disposeFunc: cur?.disposeFunc });
  }
}

/** Restores the stock wasm kernels (for benchmarks comparing before and after). */
export function unregisterWasmTrainingKernels(): void {
  for (const k of WASM_TRAINING_KERNELS) {
    if (getKernel(k.kernelName, 'wasm')?.kernelFunc === k.kernelFunc) unregisterKernel(k.kernelName, 'wasm');
    const orig = replaced.get(k.kernelName);
    if (orig) registerKernel(orig);
    if ('wrap' in k) (k as { wrap(s: KernelConfig | undefined): void }).wrap(undefined);
  }
  replaced.clear();
}
