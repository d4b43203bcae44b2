/**
 * `@interpret-fr/eval/node`: the Node-only parts: file I/O (atomic writes, .npy features + ids,
 * IJB-A protocol folders), the on-disk feature cache and batched extraction.
 *
 * @packageDocumentation
 */
export * from './index.ts';
export * from './io/files.ts';
export * from './io/feature-cache.ts';
export * from './io/images.ts';
export * from './report/write.ts';
export * from './io/list-dataset.ts';
export { main as cliMain } from './cli/main.ts';
export { nativeGemm } from './scores/native-gemm.ts';
export { loadOnRuntime, runtimeChoice, RUNTIMES, RUNTIME_DEVICES, TFJS_EMBEDDER_ENTRY } from './cli/runtimes.ts';
export type { Runtime, RuntimeModel } from './cli/runtimes.ts';
