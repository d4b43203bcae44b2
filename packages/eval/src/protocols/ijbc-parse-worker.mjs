// Worker of the parallel IJB-C pair-file reader (ijbc-pairs-parallel.ts): runs ijbc-parse-worker-main (compiled
// in dist/, else the TypeScript source; ../worker-entry.mjs).
import { runWorkerMain } from '../worker-entry.mjs';

await runWorkerMain(import.meta.url, 'ijbc-parse-worker-main');
