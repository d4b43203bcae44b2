/**
 * `@interpret-fr/core/node`: Node-only file helpers (atomic writes, JSON files, checkpoint
 * directories). Kept out of the main entry so `@interpret-fr/core` stays browser-safe.
 *
 * @packageDocumentation
 */
export * from './fs.ts';
export * from './checkpoint-dir.ts';
export { acquireRunLock, checkpointName, checkpointStep, isInside, LATEST_RUN_FILE, latestCheckpoint, listCheckpoints, locateRun, processAlive, readLatestRun, removeOrphanTemps, RUN_LAYOUT, RunDirError, runPaths, writeCheckpointPointer, writeLatestRun } from './run-dir.ts';
export type { CheckpointFolder, RunLocation, RunLock, RunPaths } from './run-dir.ts';
