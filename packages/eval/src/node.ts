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
