/**
 * Per-kernel wall-time profile of the wasm backend without tfjs' DEBUG mode: every kernel
 * registered for `wasm` is wrapped with a timer (wasm kernels run synchronously, so the wall time
 * of the call is the kernel's time). Nested calls (our kernels calling Conv2D/BatchMatMul
 * through the registry) are counted in their caller's time (their calls are still counted).
 *
 * @module
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

/** Accumulated time and call count of one kernel. */
export interface KernelStat {
  name: string;
  calls: number;
  /** Wall time. */
  ms: number;
  /** Process CPU time (user + system, all threads): unlike wall time, not inflated by other processes. */
  cpuMs: number;
}

/** A running profile: read {@link KernelProfile.stats}, then {@link KernelProfile.stop}. */
export interface KernelProfile {
  /** Stats by kernel name, most CPU time first. */
  stats(): KernelStat[];
  /** Clears the accumulated stats. */
  reset(): void;
  /** Restores the unwrapped kernels. */
  stop(): void;
}

/** Wraps every kernel registered for `backend` (default `wasm`) with a timer. */
export function profileKernels(backend = 'wasm'): KernelProfile {
  const acc = new Map<string, KernelStat>();
  const originals: KernelConfig[] = [];
  let depth = 0;
  for (const k of getKernelsForBackend(backend)) {
    originals.push(k);
    const f = k.kernelFunc;
    const wrapped: KernelFunc = (args) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      depth++;
      let out;
      try {
        out = f(args);
      } finally {
        depth--;
      }
      const s = acc.get(k.kernelName) ?? { name: k.kernelName, calls: 0, ms: 0, cpuMs: 0 };
      s.calls++;
      if (depth === 0) {
        // nested calls count in their caller
        s.ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        s.cpuMs += (c.user + c.system) / 1000;
      }
      acc.set(k.kernelName, s);
      return out;
    };
    unregisterKernel(k.kernelName, backend);
    registerKernel({ ...k, kernelFunc: wrapped });
  }
  return {
    stats: () => [...acc.values()].sort((a, b) => b.cpuMs - a.cpuMs),
    reset: () => acc.clear(),
    stop: () => {
      for (const k of originals) {
        unregisterKernel(k.kernelName, backend);
        registerKernel(k);
      }
    },
  };
}
