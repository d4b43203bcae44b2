/**
 * `@interpret-fr/trainer`: Interpret-FR training in tfjs.
 *
 * @packageDocumentation
 */
export { filterGradFor, getWasmCanTrain, loadBackend, setWasmCanTrain } from './backend.ts';
export type { BackendAttempt, BackendInfo, BackendName, LoadBackendOptions, Tf } from './backend.ts';
export { disposeParams, initParams, loadParams, param, paramsToTensorEntries, trainableVariables } from './params.ts';
export type { LoadParamsOptions, Params } from './params.ts';
export { buildNet, dropout, l2normalize, noGrad, topkMask } from './net.ts';
export type { BuildNetOptions, ForwardOptions, ForwardOut, Net } from './net.ts';
export { accuracy, crossEntropy } from './losses/cross-entropy.ts';
export { gaussian3x3, sadLoss } from './losses/sad.ts';
export type { SadOptions } from './losses/sad.ts';
export { weightDiversityLoss } from './losses/weight-diversity.ts';
export { fadLoss } from './losses/fad.ts';
export { DEFAULT_WEIGHTS, defaultWeightsFor, embeddingDim, mapsKernelName, objective } from './objective.ts';
export type { LossTerms, LossWeights, TermTensors, TrainBatch } from './objective.ts';
export { createOptimizer, loadOptimizerState, makeTrainStep, optimizerStateEntries } from './train-step.ts';
export type { AdamOptions, StepOptions, TrainStep } from './train-step.ts';
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
export { buildData, buildModel, finalize, openRunDir, restore, train, TrainingDivergedError, trainLoop } from './loop.ts';
export type { DataStage, LoopOutcome, ModelStage, Progress, RunContext, TrainOptions, TrainResult } from './loop.ts';
export { latestCheckpoint, readModelCheckpoint, readTrainState, resolveCheckpointPath } from './run-dir.ts';
export type { TrainState } from './run-dir.ts';
export { lossCurveSvg } from './plot.ts';
export { readTeacher, teacherBatch } from './teacher.ts';
export type { TeacherTable } from './teacher.ts';
