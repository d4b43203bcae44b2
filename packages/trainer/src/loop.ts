/**
 * The one training loop (method.md §5, §10): data → (occlusion) → one Adam step of the weighted
 * objective → events, checkpoints every N steps and at the end, exact resume, abort = save and return.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Rng, countParams, presetSpec } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import type { BackendInfo } from './backend.ts';
import { loadBackend } from './backend.ts';
import type { TrainConfig } from './config.ts';
import { validateConfig } from './config.ts';
import { createDataset } from './data/dataset.ts';
import { openSource } from './data/open.ts';
import type { Batch, DataPosition, Dataset } from './data/types.ts';
import type { TrainEvent } from './events.ts';
import { loadOccluder, evaluateAccuracy } from './loop-helpers.ts';
import { buildNet } from './net.ts';
import type { LossTerms } from './objective.ts';
import { defaultWeightsFor } from './objective.ts';
import { drawOcclusionRect, occludeBatch } from './occlusion.ts';
import type { OcclusionOptions } from './occlusion.ts';
import { disposeParams, initParams, loadParams, paramsToTensorEntries } from './params.ts';
import type { Params } from './params.ts';
import { appendEvent, initRunDir, latestCheckpoint, readModelCheckpoint, readTrainState, resolveCheckpointPath, saveCheckpoint } from './run-dir.ts';
import { writeRunReport } from './run-report.ts';
import { createOptimizer, loadOptimizerState, makeTrainStep, optimizerStateEntries } from './train-step.ts';

/** Options of {@link train}. */
export interface TrainOptions {
  /** The run directory (created; must not hold checkpoints unless `resume`). */
  runDir: string;
  /** Continue from the run directory's latest checkpoint (weights, Adam state, RNG, data position, step). */
  resume?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** Abort = save a checkpoint and return (`reason: 'aborted'`). */
  signal?: AbortSignal;
  /** An already loaded backend (otherwise `config.backend` is loaded). */
  backend?: BackendInfo;
}

/** What {@link train} returns. */
export interface TrainResult {
  runDir: string;
  reason: 'completed' | 'aborted';
  step: number;
  checkpoint: string;
  /** Last loss terms read during training. */
  final: LossTerms | null;
  /** Accuracy in inference mode on `evalImages` centre-cropped training images (null when skipped). */
  evalAccuracy: number | null;
  wallSeconds: number;
  skippedImages: number;
  /** The spec trained (numClasses from the data). */
  spec: ModelSpec;
}

/**
 * Trains a model as `config` says and leaves a complete run directory.
 *
 * @example
 * const res = await train(resolveConfig({ preset: 'tiny' }), { runDir: 'runs/tiny', onEvent: console.log });
 */
export async function train(config: TrainConfig, opts: TrainOptions): Promise<TrainResult> {
  validateConfig(config);
  const t0 = performance.now();
  const runDir = resolve(opts.runDir);
  const latest = await latestCheckpoint(runDir);
  if (opts.resume && !latest) throw new Error(`--resume: ${runDir} has no checkpoint to resume from`);
  if (!opts.resume && latest && existsSync(latest)) throw new Error(`${runDir} already holds a run (checkpoint ${latest}); resume it or choose another output folder`);
  await initRunDir(runDir, config);
  const emit = async (e: TrainEvent): Promise<void> => {
    await appendEvent(runDir, e);
    opts.onEvent?.(e);
  };
  const be = opts.backend ?? (await loadBackend(config.backend, { forTraining: true }));
  const { tf } = be;
  // The stock wasm backend cannot train convolutions; the trainer's wasm kernels (issue 4) add the gradients.
  await emit({ type: 'backend', name: be.name, attempts: be.attempts });

  const source = await openSource(config.data, config.model.numClasses);
  const numClasses = source.numClasses;
  const spec = presetSpec(config.model.spec, { numClasses, topkCompare: config.model.topkCompare });
  let skippedWarned = 0;
  const pending: Promise<void>[] = [];
  const dataset: Dataset = createDataset(source, {
    batchSize: config.batchSize,
    inputSize: spec.inputSize,
    sourceSize: config.data.sourceSize,
    cropSize: config.data.cropSize,
    crop: config.data.crop,
    order: config.data.order,
    seed: (Math.imul(config.seed, 2654435761) + 12345) >>> 0,
    numClasses,
    cacheBytes: config.data.cacheBytes,
    onWarning: (w) => void pending.push(emit({ type: 'data-warning', path: w.path, reason: w.reason, skipped: ++skippedWarned })),
  });
  const info = dataset.describe();
  const totalSteps = config.steps ?? (config.epochs ?? 1) * info.batchesPerEpoch;

  const root = new Rng(config.seed);
  const initRng = root.fork();
  const stepRng = root.fork();
  const occRng = root.fork();
  let params: Params = initParams(tf, spec, initRng);
  const optimizer = createOptimizer(tf, config.optimizer);
  const { fadKeep, ...lossRest } = config.loss;
  const weights = defaultWeightsFor(spec, fadKeep === null ? lossRest : { ...lossRest, fadKeep });
  let step = 0;
  let position: DataPosition = dataset.initialPosition();
  let skippedBefore = 0;
  let initFrom: string | null = null;
  if (opts.resume) {
    const dir = latest!;
    const ck = await readModelCheckpoint(dir);
    params = loadParams(tf, spec, ck.tensors, { into: params });
    const st = await readTrainState(dir);
    await loadOptimizerState(tf, optimizer, spec, params, st.optimizer);
    step = st.step;
    stepRng.setState(st.rng.step);
    occRng.setState(st.rng.occlusion);
    position = st.data;
    skippedBefore = st.skippedImages;
  } else if (config.init.from) {
    initFrom = await resolveCheckpointPath(config.init.from);
    const ck = await readModelCheckpoint(initFrom);
    const bb = new Set(spec.outputs.backbone);
    const only = (n: string): boolean => bb.has(n.slice(0, n.lastIndexOf('/'))) && (config.init.loadRunningStats || !/\/moving_(mean|variance)$/.test(n));
    params = loadParams(tf, spec, ck.tensors, { into: params, only });
  }
  const trainStep = makeTrainStep(tf, spec, params, optimizer, weights, stepRng, { filterGrad: be.filterGrad });
  const occOpts: OcclusionOptions = { positions: config.occlusion.positions, size: config.occlusion.size, occluder: await loadOccluder(config.occlusion.occluder) };
  const needOcc = config.loss.ceOcc > 0 || config.loss.fad > 0 || config.loss.sadOcc > 0;

  await emit({
    type: 'start',
    time: new Date().toISOString(),
    runDir,
    preset: config.preset,
    spec: spec.name,
    numClasses,
    params: countParams(spec),
    totalSteps,
    resumedFrom: opts.resume ? step : null,
    initFrom,
    data: info,
  });

  const save = async (): Promise<string> => {
    const tensors = paramsToTensorEntries(params);
    const { path, removed } = await saveCheckpoint(
      runDir,
      { spec, tensors, meta: { step, preset: config.preset, numClasses, data: info.path } },
      {
        step,
        rng: { step: stepRng.state(), occlusion: occRng.state() },
        data: position,
        skippedImages: skippedBefore + dataset.skipped,
        optimizer: await optimizerStateEntries(optimizer, spec, params),
      },
      config.keepLast,
    );
    await emit({ type: 'checkpoint', step, path, removed });
    return path;
  };

  let final: LossTerms | null = null;
  let reason: TrainResult['reason'] = 'completed';
  let checkpoint = latest ?? '';
  let lastSaved = opts.resume ? step : -1;
  const iter = dataset.batches(position)[Symbol.asyncIterator]();
  const startStep = step;
  const tLoop = performance.now();
  let tLast = tLoop;
  let stepsSince = 0;
  while (step < totalSteps) {
    if (opts.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    const next = await iter.next();
    const b = next.value as Batch;
    let xOccData: Float32Array | null = null;
    if (needOcc) {
      const rect = drawOcclusionRect(occRng, occOpts);
      xOccData = Float32Array.from(b.x);
      occludeBatch(xOccData, b.n, b.size, 3, b.faces, rect, occOpts, config.data.sourceSize);
    }
    const x = tf.tensor4d(b.x, [b.n, b.size, b.size, 3]);
    const xOcc = xOccData ? tf.tensor4d(xOccData, [b.n, b.size, b.size, 3]) : null;
    const labels = tf.tensor1d(b.labels, 'int32');
    const read = (step + 1) % config.logEvery === 0 || step + 1 === totalSteps || step === startStep;
    const losses = trainStep({ x, xOcc, labels }, { readLosses: read });
    x.dispose();
    xOcc?.dispose();
    labels.dispose();
    step++;
    stepsSince++;
    position = b.position;
    if (losses) final = losses;
    const now = performance.now();
    const perStep = (now - tLoop) / 1000 / (step - startStep);
    const ips = (stepsSince * b.n) / Math.max(1e-9, (now - tLast) / 1000);
    if (losses || step === totalSteps) {
      await Promise.all(pending.splice(0));
      await emit({ type: 'step', step, totalSteps, epoch: b.epoch, losses, imagesPerSecond: ips, elapsedSeconds: (now - t0) / 1000, etaSeconds: perStep * (totalSteps - step) });
      tLast = now;
      stepsSince = 0;
    }
    if (step % config.checkpointEvery === 0 && step < totalSteps) {
      checkpoint = await save();
      lastSaved = step;
    }
    await new Promise((r) => setImmediate(r));
  }
  await iter.return?.();
  await Promise.all(pending.splice(0));
  if (lastSaved !== step) checkpoint = await save();
  const evalAccuracy = reason === 'completed' && config.evalImages > 0 ? await evaluateAccuracy(tf, buildNet(tf, spec, params, { filterGrad: be.filterGrad }), source, spec, config, numClasses) : null;
  await source.close?.();
  const wallSeconds = (performance.now() - t0) / 1000;
  const skippedImages = skippedBefore + dataset.skipped;
  await emit({ type: 'done', reason, step, runDir, checkpoint, wallSeconds, final, evalAccuracy, skippedImages });
  await writeRunReport(runDir, { reason, step, totalSteps, wallSeconds, evalAccuracy, skippedImages, final, data: info, preset: config.preset, spec: spec.name, backend: be.name });
  disposeParams(params);
  optimizer.dispose();
  return { runDir, reason, step, checkpoint, final, evalAccuracy, wallSeconds, skippedImages, spec };
}
