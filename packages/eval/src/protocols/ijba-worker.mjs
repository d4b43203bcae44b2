// Worker of the split-parallel IJB-A evaluator (src/protocols/ijba-parallel.ts): runs ijba-worker-main (compiled
// in dist/, else the TypeScript source; ../worker-entry.mjs).
import { runWorkerMain } from '../worker-entry.mjs';

await runWorkerMain(import.meta.url, 'ijba-worker-main');
