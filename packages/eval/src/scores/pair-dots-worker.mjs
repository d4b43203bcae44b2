// Worker of the pair-dots pool (pair-dots-pool.ts), which owns one wasm SIMD instance: runs pair-dots-worker-main
// (compiled in dist/, else the TypeScript source; ../worker-entry.mjs).
import { runWorkerMain } from '../worker-entry.mjs';

await runWorkerMain(import.meta.url, 'pair-dots-worker-main');
