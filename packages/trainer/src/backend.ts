/**
 * Obtaining tfjs: the only module of the trainer that imports a tfjs package. Everything else
 * receives the `tf` namespace as a parameter, so a native backend (whose package bundles its own
 * tfjs-core copy) and the pure-JS ones are interchangeable.
 *
 * @module
 */
import { filterGradFor, getWasmCanTrain } from './backend-info.ts';
import type { BackendAttempt, BackendInfo, BackendName, LoadBackendOptions } from './backend-info.ts';
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The tfjs-core namespace (ops, variables, optimisers, memory, backend control). */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** A backend {@link loadBackend} loaded: {@link BackendInfo} with its tfjs namespace typed. */
export type LoadedBackend = BackendInfo<Tf>;

/** Every backend {@link loadBackend} returned: what {@link isLoadedBackend} recognises. */
const loaded = new WeakSet<BackendInfo>();

/**
 * Whether `b` is a backend {@link loadBackend} returned (the public API types `BackendInfo.tf` as
 * `unknown`; this is how the trainer gets its `Tf` back without a cast).
 */
export function isLoadedBackend(b: BackendInfo): b is LoadedBackend {
  return loaded.has(b);
}

let wasmConfigured = false;

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
 * (`@tensorflow/tfjs-node`), `wasm` (skipped when `forTraining` and `setWasmCanTrain` is
 * off), then `cpu`; each failure reason is recorded in `attempts`. A named backend that fails
 * throws with its reason.
 *
 * @example
 * const { tf, name, attempts } = await loadBackend('auto', { forTraining: true });
 * // here: name === 'cpu', attempts[0].reason says the tfjs-node-gpu native addon is missing
 */
export async function loadBackend(name: BackendName, opts: LoadBackendOptions = {}): Promise<LoadedBackend> {
  const attempts: BackendAttempt[] = [];
  const order: Exclude<BackendName, 'auto'>[] = name === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [name];
  for (const n of order) {
    if (name === 'auto' && n === 'wasm' && opts.forTraining && !getWasmCanTrain()) {
      attempts.push({ name: n, ok: false, reason: 'skipped: the wasm backend cannot train convolutions yet (setWasmCanTrain is off)' });
      continue;
    }
    try {
      const tf = await tryOne(n, opts);
      attempts.push({ name: n, ok: true });
      const info: LoadedBackend = { tf, name: n, attempts, filterGrad: filterGradFor(n) };
      loaded.add(info);
      return info;
    } catch (e) {
      attempts.push({ name: n, ok: false, reason: message(e) });
    }
  }
  const why = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
  throw new Error(`loadBackend(${JSON.stringify(name)}): no backend loaded (${why})`);
}
