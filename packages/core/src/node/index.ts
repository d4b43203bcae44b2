/**
 * `@interpret-fr/core/node`: Node-only file helpers (atomic writes, JSON files, checkpoint
 * directories). Kept out of the main entry so `@interpret-fr/core` stays browser-safe.
 *
 * @packageDocumentation
 */
export * from './fs.ts';
export * from './checkpoint-dir.ts';
export * from './paths.ts';
