/**
 * Multithreaded tfjs wasm backend in Node.
 *
 * tfjs-backend-wasm 4.22 never uses its threaded binary in Node: its `WASM_HAS_MULTITHREAD_SUPPORT`
 * flag is hard-wired to false there (tfjs issue #3830, because its pthread workers are started
 * from a Blob URL, which Node's `worker_threads` cannot load), and its C++ `init` caps the thread
 * count at `os.cpus().length / 2` (1 on a 2-core machine). This module re-registers the `wasm`
 * backend with a factory that loads `tfjs-backend-wasm-threaded-simd.wasm` from the package's
 * folder on disk (no network), starts the Emscripten pthread workers from a file (the package's
 * worker source written once to the OS temp folder), and lifts the core cap for the duration
 * of the module's initialisation. All kernels registered for `wasm` keep working (same name).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

type EmscriptenModule = Record<string, unknown> & { cwrap: (name: string, ret: string | null, args: string[]) => unknown };
type Factory = (cfg: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The worker script as a file (content-addressed in the temp folder; written atomically once). */
function workerFile(): string {
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  // The package embeds the worker in a template literal, so its "\n" escapes became newlines.
  const text = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'interpret-fr-tfjs-wasm');
  const path = join(dir, `worker-${hash}.cjs`);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return path;
}

/** Options of {@link useThreadedWasm}. */
export interface ThreadedWasmOptions {
  /** Threads of the XNNPACK thread pool (1–8; default: the machine's core count). */
  threads?: number;
}

/**
 * Makes the next `tf.setBackend('wasm')` load the threaded SIMD binary with `threads` pthreads.
 * Call before the wasm backend is first initialised (a live wasm backend is removed first).
 * Returns the thread count requested; `getThreadsCount()` of tfjs-backend-wasm reports the
 * count the pool actually got, once the backend is set.
 */
export function useThreadedWasm(opts: ThreadedWasmOptions = {}): number {
  const os = require('node:os') as typeof import('node:os');
  const threads = Math.max(1, Math.min(8, Math.floor(opts.threads ?? os.cpus().length)));
  const mainJs = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const wasmBin = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const worker = workerFile();
  setThreadsCount(threads);
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const factory = require(mainJs) as Factory;
      // The C++ init caps threads at emscripten_num_logical_cores() / 2 = os.cpus().length / 2.
      const cpus = os.cpus;
      const fake = cpus();
      os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => fake[i % Math.max(1, fake.length)]!);
      let mod: EmscriptenModule;
      try {
        mod = await factory({
          locateFile: (p: string, prefix: string) => (p.endsWith('.worker.js') ? worker : p.endsWith('.wasm') ? wasmBin : prefix + p),
          mainScriptUrlOrBlob: mainJs,
        });
      } finally {
        os.cpus = cpus;
      }
      // Emscripten's Node pthread workers keep the event loop alive: a script would never exit.
      const pt = mod.PThread as { unusedWorkers?: { unref?(): void }[]; runningWorkers?: { unref?(): void }[] } | undefined;
      for (const w of [...(pt?.unusedWorkers ?? []), ...(pt?.runningWorkers ?? [])]) w.unref?.();
      mod.tfjs = {
        init: mod.cwrap('init', null, []),
        initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
        registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: mod.cwrap('dispose_data', null, ['number']),
        dispose: mod.cwrap('dispose', null, []),
      };
      return new BackendWasm(mod as never);
    },
    2,
  );
  return threads;
}
