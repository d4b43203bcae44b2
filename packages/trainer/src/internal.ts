/**
 * `@interpret-fr/trainer/internal`: the trainer's tfjs building blocks — backend loading with the
 * `tf` namespace typed, parameters, the network, the losses and objective, the Adam step and the
 * training stages `train()` runs. Their declarations are tfjs-core's types, so this entry is not
 * published: `package.json` maps it under the `@interpret-fr/source` condition only, for this
 * repository's tests, benchmarks and scripts. Apps use the main entry.
 *
 * @module
 */
export { isLoadedBackend, loadBackend } from './backend.ts';
export type { LoadedBackend, Tf } from './backend.ts';
export { disposeParams, initParams, loadParams, param, paramsToTensorEntries, trainableVariables } from './params.ts';
export type { LoadParamsOptions, Params } from './params.ts';
export { buildNet, dropout, l2normalize, noGrad, topkMask } from './net.ts';
export type { BuildNetOptions, ForwardOptions, ForwardOut, Net } from './net.ts';
export { accuracy, crossEntropy } from './losses/cross-entropy.ts';
export { gaussian3x3, sadLoss } from './losses/sad.ts';
export type { SadOptions } from './losses/sad.ts';
export { weightDiversityLoss } from './losses/weight-diversity.ts';
export { fadLoss } from './losses/fad.ts';
export { objective } from './objective.ts';
export type { TermTensors, TrainBatch } from './objective.ts';
export { createOptimizer, loadOptimizerState, makeTrainStep, optimizerStateEntries } from './train-step.ts';
export type { AdamOptions, StepOptions, TrainStep } from './train-step.ts';
export { buildData, buildModel, finalize, openRunDir, restore, trainLoop } from './loop.ts';
export type { DataStage, LoopOutcome, ModelStage, Progress, RunContext } from './loop.ts';
