/**
 * Obtaining tfjs: the only module of the trainer that imports a tfjs package. Everything else
 * receives the `tf` namespace as a parameter, so a native backend (whose package bundles its own
 * tfjs-core copy) and the pure-JS ones are interchangeable.
 *
 * @module
 */
import type { FilterGrad } from './conv.ts';
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Backend choice: `auto` tries the others in the order of {@link loadBackend}. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The tfjs-core namespace (ops, variables, optimisers, memory, backend control). */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** One backend tried by {@link loadBackend}: whether it loaded and, if not, why. */
export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason?: string;
}

/** The outcome of {@link loadBackend}. */
export interface BackendInfo {
  /** The tfjs namespace to use (for a native backend: the one its package bundles). */
  tf: Tf;
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

/** The filter-gradient kernel that suits a backend (see {@link BackendInfo.filterGrad}). */
export function filterGradFor(name: Exclude<BackendName, 'auto'>): FilterGrad {
  return name === 'cpu' ? 'conv' : 'native';
}

/** Options of {@link loadBackend}. */
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

let wasmCanTrain = true;
let wasmConfigured = false;

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

const require = createRequire(import.meta.url);
const NATIVE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * Why a native tfjs package cannot load, or null if it looks loadable. Checked before importing,
 * because a failed import of tfjs-node still registers its kernels globally (with warnings).
 */
function nativeProblem(pkg: string): string | null {
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return `${pkg} is not installed (it is an optional dependency)`;
  }
  const lib = join(dir, 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')));
  if (!found) return `${pkg}: native addon missing (no ${join(lib, 'napi-v*', 'tfjs_binding.node')}; its install script did not download libtensorflow)`;
  return null;
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<Tf> {
  const pkg = NATIVE[name];
  const problem = nativeProblem(pkg);
  if (problem) throw new Error(problem);
  const mod = (await import(pkg)) as Tf & { default?: Tf };
  const tf = (mod.default ?? mod) as Tf;
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but tf.setBackend('tensorflow') failed`);
  await tf.ready();
  return tf;
}

/**
 * tfjs-core's Node bundle registers no gradient functions (`register_all_gradients` ships only in
 * its ESM build, which Node cannot load); the union package `@tensorflow/tfjs` registers them in
 * the global registry shared by every tfjs-core copy. Imported only when gradients are missing.
 */
async function ensureGradients(tf: Tf): Promise<void> {
  if (tf.getGradient('Conv2D') && tf.getGradient('AddN')) return;
  await import('@tensorflow/tfjs');
  if (!tf.getGradient('Conv2D')) throw new Error('gradient functions could not be registered (importing @tensorflow/tfjs did not register Conv2D)');
}

async function tryWasm(opts: LoadBackendOptions): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await ensureGradients(tf);
  const kernels = await import('./wasm/index.ts');
  kernels.registerWasmTrainingKernels();
  if (!wasmConfigured) {
    wasmConfigured = true;
    const { cpus } = await import('node:os');
    const envThreads = Number(process.env.INTERPRET_FR_WASM_THREADS ?? '');
    // INTERPRET_FR_WASM_THREADS overrides the default (one thread per core): on a machine loaded by other
    // jobs one thread avoids the pthread pool's waits.
    const threads = opts.threads ?? (Number.isInteger(envThreads) && envThreads >= 1 ? envThreads : opts.forTraining ? Math.min(8, cpus().length) : 1);
    // The threaded SIMD binary (measured: casia-net batch 16 trains at 7.5–7.8 images/s on 2 threads vs 5.5 on 1).
    if (threads > 1) kernels.useThreadedWasm({ threads });
  }
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed (wasm binary could not be loaded)");
  await tf.ready();
  return tf;
}

async function tryCpu(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await ensureGradients(tf);
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
  await tf.ready();
  return tf;
}

async function tryOne(name: Exclude<BackendName, 'auto'>, opts: LoadBackendOptions): Promise<Tf> {
  if (name === 'cpu') return tryCpu();
  if (name === 'wasm') return tryWasm(opts);
  return tryNative(name);
}

/**
 * Loads a tfjs backend and makes it the active one.
 *
 * `auto` tries, in order: `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`), `tensorflow`
 * (`@tensorflow/tfjs-node`), `wasm` (skipped when `forTraining` and {@link setWasmCanTrain} is
 * off), then `cpu`; each failure reason is recorded in `attempts`. A named backend that fails
 * throws with its reason.
 *
 * @example
 * const { tf, name, attempts } = await loadBackend('auto', { forTraining: true });
 * // here: name === 'cpu', attempts[0].reason says the tfjs-node-gpu native addon is missing
 */
export async function loadBackend(name: BackendName, opts: LoadBackendOptions = {}): Promise<BackendInfo> {
  const attempts: BackendAttempt[] = [];
  const order: Exclude<BackendName, 'auto'>[] = name === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [name];
  for (const n of order) {
    if (name === 'auto' && n === 'wasm' && opts.forTraining && !wasmCanTrain) {
      attempts.push({ name: n, ok: false, reason: 'skipped: the wasm backend cannot train convolutions yet (setWasmCanTrain is off)' });
      continue;
    }
    try {
      const tf = await tryOne(n, opts);
      attempts.push({ name: n, ok: true });
      return { tf, name: n, attempts, filterGrad: filterGradFor(n) };
    } catch (e) {
      attempts.push({ name: n, ok: false, reason: message(e) });
    }
  }
  const why = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
  throw new Error(`loadBackend(${JSON.stringify(name)}): no backend loaded (${why})`);
}
