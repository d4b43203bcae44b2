/**
 * What a tfjs backend is, without tfjs types: its name, what was tried, the filter-gradient kernel
 * that suits it, and the wasm training switch. The public entry's declarations reach only this
 * module (never `backend.ts`, the one that imports tfjs), so an app type-checking with
 * `skipLibCheck: false` never loads tfjs-core's own declarations.
 *
 * @module
 */

/** Backend choice: `auto` tries the others in the order of `loadBackend`. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/**
 * The conv filter-gradient kernel: `'native'` (the backend's Conv2DBackpropFilter) or `'conv'`
 * (the gradient as a convolution, faster on the cpu backend).
 */
export type FilterGrad = 'native' | 'conv';

/** One backend tried by `loadBackend`: whether it loaded and, if not, why. */
export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason?: string;
}

/**
 * The outcome of `loadBackend`. `T` is the tfjs-core namespace: `Tf` inside the trainer
 * (`LoadedBackend`); the public API leaves it `unknown`, so tfjs's declarations stay out of ours.
 */
export interface BackendInfo<T = unknown> {
  /** The tfjs namespace to use (for a native backend: the one its package bundles). */
  tf: T;
  /** The backend that loaded. */
  name: Exclude<BackendName, 'auto'>;
  /** Every backend tried, in order, with the failure reason of those that did not load. */
  attempts: BackendAttempt[];
  /**
   * The conv filter-gradient kernel to build networks with on this backend (pass it to `buildNet` /
   * `makeTrainStep` as `filterGrad`): `'conv'` on `cpu` (the stock Conv2DBackpropFilter is much slower
   * there), the backend's `'native'` kernel elsewhere.
   */
  filterGrad: FilterGrad;
}

/** Options of `loadBackend`. */
export interface LoadBackendOptions {
  /** The caller trains (needs convolution gradients): `auto` then skips wasm unless {@link setWasmCanTrain}(true). */
  forTraining?: boolean;
  /**
   * Threads of the wasm backend (ignored by the others). Default: the machine's core count (≤ 8)
   * when `forTraining`, else the stock single-threaded binary. Takes effect on the process's
   * first wasm initialisation only.
   */
  threads?: number;
}

/** The filter-gradient kernel that suits a backend (see {@link BackendInfo.filterGrad}). */
export function filterGradFor(name: Exclude<BackendName, 'auto'>): FilterGrad {
  return name === 'cpu' ? 'conv' : 'native';
}

let wasmCanTrain = true;

/**
 * Capability flag: whether `auto` may pick wasm for training. On by default: the trainer registers
 * its wasm training kernels (`src/wasm/`, issue 4: convolution gradients and faster matmul,
 * reductions, casts) whenever the wasm backend is loaded. Turn it off to make `auto` skip wasm.
 */
export function setWasmCanTrain(v: boolean): void {
  wasmCanTrain = v;
}

/** Current value of the {@link setWasmCanTrain} flag. */
export function getWasmCanTrain(): boolean {
  return wasmCanTrain;
}
