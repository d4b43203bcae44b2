/**
 * `@interpret-fr/trainer`: Interpret-FR training in tfjs — the app-level API: configs and presets,
 * `train()` with its events, image sources and batches, occlusion, run directories and checkpoints,
 * the loss chart, teacher tables. Its declarations reference no tfjs type (a loaded backend's `tf`
 * is `unknown` here), so an app type-checks it with `skipLibCheck: false`.
 *
 * The tfjs building blocks (network, losses, parameters, train step, the training stages) are the
 * trainer's internals: `@interpret-fr/trainer/internal`, resolvable in this repository only.
 *
 * @packageDocumentation
 */
export { filterGradFor, getWasmCanTrain, setWasmCanTrain } from './backend-info.ts';
export type { BackendAttempt, BackendInfo, BackendName, FilterGrad, LoadBackendOptions } from './backend-info.ts';
export { DEFAULT_WEIGHTS, defaultWeightsFor, embeddingDim, mapsKernelName } from './loss-weights.ts';
export type { LossTerms, LossWeights } from './loss-weights.ts';
export { drawOcclusionRect, occludeBatch, occlusionPolygon, warpToFace } from './occlusion.ts';
export type { FaceFrame, OccluderImage, OcclusionOptions } from './occlusion.ts';
export { DataError } from './data/types.ts';
export type { Batch, DataPosition, Dataset, DatasetInfo, DataWarning, ImageSource, SourceImage } from './data/types.ts';
export { createDataset } from './data/dataset.ts';
export type { BatchOptions } from './data/dataset.ts';
export { detectFormat, openSource } from './data/open.ts';
export { openListFile } from './data/list-file.ts';
export { openImageFolder } from './data/folder.ts';
export { openDatBlob } from './data/dat-blob.ts';
export { openSynthetic, ensureSynthetic } from './data/synthetic.ts';
export { applySet, ConfigError, DEFAULT_CONFIG, mergeConfig, PRESETS, resolveConfig, validateConfig } from './config.ts';
export type { ConfigSources, DataConfig, LossWeightsConfig, TrainConfig } from './config.ts';
export type { BackendEvent, CheckpointEvent, DataWarningEvent, DivergedEvent, DoneEvent, StartEvent, StepEvent, TrainEvent, WarningEvent } from './events.ts';
export { loadBackend, train } from './train.ts';
export { TrainingDivergedError } from './train-types.ts';
export type { TrainOptions, TrainResult } from './train-types.ts';
export { latestCheckpoint, readModelCheckpoint, readTrainState, resolveCheckpointPath } from './run-dir.ts';
export type { TrainState } from './run-dir.ts';
export { lossCurveSvg } from './plot.ts';
export { readTeacher, teacherBatch } from './teacher.ts';
export type { TeacherTable } from './teacher.ts';
