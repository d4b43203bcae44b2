/**
 * `@interpret-fr/core/node`: Node-only file helpers (atomic writes, JSON files, checkpoint
 * directories) and the CLI kit. Kept out of the main entry so `@interpret-fr/core` stays browser-safe.
 *
 * @packageDocumentation
 */
export {
  assertReplaceable,
  atomicTempName,
  ensureDir,
  fsError,
  FsError,
  isAtomicTempName,
  JsonFileError,
  parseJsonLines,
  parseJsonText,
  pseudoFileSystem,
  readJsonFile,
  readJsonLines,
  writeFileAtomic,
} from './fs.ts';
export type { JsonLines } from './fs.ts';
export { readCheckpointDir, writeCheckpointDir } from './checkpoint-dir.ts';
export type { ReadCheckpointOptions, WrittenCheckpoint } from './checkpoint-dir.ts';
export {
  acquireRunLock,
  checkpointName,
  checkpointStep,
  isInside,
  LATEST_RUN_FILE,
  latestCheckpoint,
  listCheckpoints,
  locateRun,
  processAlive,
  readLatestRun,
  removeOrphanTemps,
  RUN_LAYOUT,
  RunDirError,
  runPaths,
  writeCheckpointPointer,
  writeLatestRun,
} from './run-dir.ts';
export type { CheckpointFolder, RunLocation, RunLock, RunPaths } from './run-dir.ts';
export { PathOutsideRootError, resolveUnderRoot, staysUnderRoot } from './paths.ts';
export type { UnderRootOptions } from './paths.ts';
export { decodeImageFile } from './image-file.ts';
export {
  choiceOption,
  createProgressReporter,
  defineCli,
  didYouMean,
  editDistance,
  helpText,
  intOption,
  parseCli,
  parseScriptArgs,
  processIo,
  reportError,
  requireOption,
  runCli,
  usageError,
} from './cli.ts';
export type { CliContext, CliIo, CliOption, CliOptions, CliSpec, CliStream, CliValues, ParsedCli, ProgressReporter } from './cli.ts';
