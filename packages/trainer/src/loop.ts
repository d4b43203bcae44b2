/**
 * The one training loop (method.md §5, §10): data → (occlusion) → one Adam step of the weighted
 * objective → events, checkpoints every N steps and at the end, exact resume, abort = save and return.
 *
 * `train()` (train.ts) runs these named stages, each exported and testable on its own:
 * {@link openRunDir} (lock, crash clean-up, config.json) → {@link buildData} → {@link buildModel}
 * → {@link restore} (resume or `init.from`) → {@link trainLoop} → {@link finalize}.
 * They are the trainer's internals (tfjs types; `@interpret-fr/trainer/internal` in this repository).
 * A non-finite loss or weight stops the run with a {@link TrainingDivergedError}; the last good
 * checkpoint stays the latest (a non-finite one is never written).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { InterpretFrError, Rng, countParams, firstNonFinite, presetSpec } from '@interpret-fr/core';
import type { ModelSpec, TensorEntry } from '@interpret-fr/core';
import { acquireRunLock, ensureDir, latestCheckpoint, removeOrphanTemps, runPaths } from '@interpret-fr/core/node';
import type { RunLock, RunPaths } from '@interpret-fr/core/node';
import type { FilterGrad } from './backend-info.ts';
import type { Tf } from './backend.ts';
import type { TrainConfig } from './config.ts';
import { createDataset } from './data/dataset.ts';
import { openSource } from './data/open.ts';
import type { Batch, DataPosition, Dataset, DatasetInfo, ImageSource } from './data/types.ts';
import type { TrainEvent } from './events.ts';
import { loadOccluder, evaluateAccuracy } from './loop-helpers.ts';
import { readTeacher, teacherBatch } from './teacher.ts';
import type { TeacherTable } from './teacher.ts';
import { buildNet } from './net.ts';
import { defaultWeightsFor } from './loss-weights.ts';
import type { LossTerms, LossWeights } from './loss-weights.ts';
import { drawOcclusionRect, occludeBatch } from './occlusion.ts';
import type { OcclusionOptions } from './occlusion.ts';
import { initParams, loadParams, paramsToTensorEntries } from './params.ts';
import type { Params } from './params.ts';
import { appendEvent, assertFinite, initRunDir, readModelCheckpoint, readTrainState, repairEvents, resolveCheckpointPath, saveCheckpoint } from './run-dir.ts';
import { writeRunReport } from './run-report.ts';
import type { Optimizer } from '@tensorflow/tfjs-core';
import { createOptimizer, loadOptimizerState, makeTrainStep, optimizerStateEntries } from './train-step.ts';
import { TrainingDivergedError } from './train-types.ts';
import type { TrainOptions, TrainResult } from './train-types.ts';

/** An open run directory: paths, the held lock, the latest checkpoint found, the event sink. */
export interface RunContext {
  runDir: string;
  paths: RunPaths;
  lock: RunLock;
  /** Latest checkpoint at open time (null for a fresh run). */
  latest: string | null;
  resume: boolean;
  emit: (e: TrainEvent) => Promise<void>;
  t0: number;
}

/**
 * Stage 1: creates/opens the run directory (refusing `/proc`-like places), takes its lock (a second
 * writer gets an error naming the holder's pid), removes a crashed writer's temp files, cuts a torn
 * last line off `events.jsonl`, checks resume vs fresh, writes `config.json`.
 */
export async function openRunDir(config: TrainConfig, opts: Pick<TrainOptions, 'runDir' | 'resume' | 'onEvent'>): Promise<RunContext> {
  const t0 = performance.now();
  const runDir = ensureDir(opts.runDir);
  const paths = runPaths(runDir);
  const lock = acquireRunLock(runDir);
  const emit = async (e: TrainEvent): Promise<void> => {
    appendEvent(runDir, e);
    opts.onEvent?.(e);
  };
  try {
    const orphans = removeOrphanTemps(runDir);
    const torn = repairEvents(runDir);
    const latest = latestCheckpoint(runDir);
    if (opts.resume && !latest) throw new InterpretFrError(`--resume: ${runDir} has no checkpoint to resume from`, { code: 'usage' });
    if (!opts.resume && latest && existsSync(latest))
      throw new InterpretFrError(`${runDir} already holds a run (checkpoint ${latest}); resume it or choose another output folder`, { code: 'usage' });
    initRunDir(runDir, config);
    if (orphans.length > 0) await emit({ type: 'warning', message: `removed ${orphans.length} temporary file(s) left by an interrupted run: ${orphans.join(', ')}` });
    if (torn !== null) await emit({ type: 'warning', message: `${paths.events}: removed a torn last line left by an interrupted run (${torn.length} characters)` });
    return { runDir, paths, lock, latest, resume: opts.resume === true, emit, t0 };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** The data stage's products. */
export interface DataStage {
  source: ImageSource & { numClasses: number };
  numClasses: number;
  dataset: Dataset;
  info: DatasetInfo;
  totalSteps: number;
  /** Data-warning events not yet awaited. */
  pending: Promise<void>[];
  /** Teacher descriptors of the distillation term (`data.teacher`), or null. */
  teacher: TeacherTable | null;
}

/** Stage 2: opens the image source and builds the batch stream. */
export async function buildData(config: TrainConfig, ctx: Pick<RunContext, 'emit'>): Promise<DataStage> {
  const source = await openSource(config.data, config.model.numClasses);
  const numClasses = source.numClasses;
  const inputSize = presetSpec(config.model.spec, { numClasses, topkCompare: config.model.topkCompare }).inputSize;
  let skippedWarned = 0;
  const pending: Promise<void>[] = [];
  const dataset = createDataset(source, {
    batchSize: config.batchSize,
    inputSize,
    sourceSize: config.data.sourceSize,
    cropSize: config.data.cropSize,
    crop: config.data.crop,
    order: config.data.order,
    seed: (Math.imul(config.seed, 2654435761) + 12345) >>> 0,
    numClasses,
    cacheBytes: config.data.cacheBytes,
    onWarning: (w) => void pending.push(ctx.emit({ type: 'data-warning', path: w.path, reason: w.reason, skipped: ++skippedWarned })),
  });
  const info = dataset.describe();
  const totalSteps = config.steps ?? (config.epochs ?? 1) * info.batchesPerEpoch;
  const teacher = config.data.teacher && config.model.distillDim ? await readTeacher(config.data.teacher, source.count, config.model.distillDim) : null;
  return { source, numClasses, dataset, info, totalSteps, pending, teacher };
}

/** The model stage's products: freshly initialised parameters, optimizer, loss weights, RNG streams. */
export interface ModelStage {
  tf: Tf;
  spec: ModelSpec;
  params: Params;
  optimizer: Optimizer;
  weights: LossWeights;
  stepRng: Rng;
  occRng: Rng;
  occOpts: OcclusionOptions;
  needOcc: boolean;
  /** The conv filter-gradient kernel for this backend (`BackendInfo.filterGrad`), passed to every net built. */
  filterGrad: FilterGrad;
}

/** Stage 3: the spec (classes from the data), initial parameters, Adam, loss weights, RNGs, occluder. */
export async function buildModel(tf: Tf, config: TrainConfig, numClasses: number, filterGrad: FilterGrad = 'native'): Promise<ModelStage> {
  const spec = presetSpec(config.model.spec, { numClasses, topkCompare: config.model.topkCompare, ...(config.model.distillDim ? { distillDim: config.model.distillDim } : {}) });
  const root = new Rng(config.seed);
  const initRng = root.fork();
  const stepRng = root.fork();
  const occRng = root.fork();
  const params = initParams(tf, spec, initRng);
  const optimizer = createOptimizer(tf, config.optimizer);
  const { fadKeep, ...lossRest } = config.loss;
  const weights = defaultWeightsFor(spec, fadKeep === null ? lossRest : { ...lossRest, fadKeep });
  const occOpts: OcclusionOptions = { positions: config.occlusion.positions, size: config.occlusion.size, occluder: await loadOccluder(config.occlusion.occluder) };
  const needOcc = config.loss.ceOcc > 0 || config.loss.fad > 0 || config.loss.sadOcc > 0;
  return { tf, spec, params, optimizer, weights, stepRng, occRng, occOpts, needOcc, filterGrad };
}

/** Where training starts. */
export interface Progress {
  step: number;
  position: DataPosition;
  skippedBefore: number;
  initFrom: string | null;
}

/**
 * Stage 4: on resume, loads weights, Adam state, RNGs, data position and step from the latest
 * checkpoint; with `init.from`, loads the backbone of another checkpoint. Non-finite weights are
 * refused naming the tensor and the file.
 */
export async function restore(ctx: RunContext, config: TrainConfig, model: ModelStage, data: DataStage): Promise<Progress> {
  const { tf, spec } = model;
  const warn = (message: string): void => void data.pending.push(ctx.emit({ type: 'warning', message }));
  const out: Progress = { step: 0, position: data.dataset.initialPosition(), skippedBefore: 0, initFrom: null };
  if (ctx.resume) {
    const dir = ctx.latest!;
    const ck = readModelCheckpoint(dir, warn);
    assertFinite(ck.tensors, `${dir}/weights.bin`);
    model.params = loadParams(tf, spec, ck.tensors, { into: model.params });
    const st = readTrainState(dir);
    await loadOptimizerState(tf, model.optimizer, spec, model.params, st.optimizer);
    model.stepRng.setState(st.rng.step);
    model.occRng.setState(st.rng.occlusion);
    Object.assign(out, { step: st.step, position: st.data, skippedBefore: st.skippedImages });
  } else if (config.init.from) {
    const from = resolveCheckpointPath(config.init.from);
    const ck = readModelCheckpoint(from, warn);
    const bb = new Set(spec.outputs.backbone);
    const only = (n: string): boolean => bb.has(n.slice(0, n.lastIndexOf('/'))) && (config.init.loadRunningStats || !/\/moving_(mean|variance)$/.test(n));
    assertFinite(
      ck.tensors.filter((t) => only(t.name)),
      `init.from ${from}/weights.bin`,
    );
    model.params = loadParams(tf, spec, ck.tensors, { into: model.params, only });
    out.initFrom = from;
  }
  return out;
}

/** What {@link trainLoop} ends with. */
export interface LoopOutcome {
  reason: TrainResult['reason'];
  step: number;
  checkpoint: string;
  final: LossTerms | null;
}

function nonFiniteLoss(l: LossTerms): string | null {
  for (const [k, v] of Object.entries(l)) if (typeof v === 'number' && !Number.isFinite(v)) return `loss "${k}" is ${v}`;
  return null;
}

/**
 * Stage 5: the step loop, with checkpoints every `checkpointEvery` steps and a last one at the
 * end or on abort. Stops with {@link TrainingDivergedError} on a non-finite loss (read every
 * `logEvery` steps) or before writing a checkpoint whose weights or Adam state are non-finite.
 */
export async function trainLoop(ctx: RunContext, config: TrainConfig, model: ModelStage, data: DataStage, progress: Progress, signal?: AbortSignal): Promise<LoopOutcome> {
  const { tf, spec, stepRng, occRng } = model;
  const { dataset, totalSteps, info, numClasses } = data;
  let { step, position } = progress;
  const trainStep = makeTrainStep(tf, spec, model.params, model.optimizer, model.weights, stepRng, { filterGrad: model.filterGrad });
  await ctx.emit({
    type: 'start',
    time: new Date().toISOString(),
    runDir: ctx.runDir,
    preset: config.preset,
    spec: spec.name,
    numClasses,
    params: countParams(spec),
    totalSteps,
    resumedFrom: ctx.resume ? step : null,
    initFrom: progress.initFrom,
    data: info,
  });
  let checkpoint = ctx.latest ?? '';
  let lastGood: string | null = ctx.latest;
  const diverged = async (why: string): Promise<never> => {
    await ctx.emit({ type: 'diverged', step, reason: why, lastCheckpoint: lastGood });
    const keep = lastGood ? `the last good checkpoint ${lastGood} is kept as the latest` : 'no checkpoint was written before it';
    throw new TrainingDivergedError(`training diverged at step ${step}: ${why}; ${keep}. Lower optimizer.lr (now ${config.optimizer.lr}) or check the data`, step, lastGood);
  };
  const save = async (): Promise<string> => {
    const tensors = paramsToTensorEntries(model.params);
    const optimizer: TensorEntry[] = await optimizerStateEntries(model.optimizer, spec, model.params);
    const bad = firstNonFinite(tensors) ?? firstNonFinite(optimizer);
    if (bad) return diverged(`tensor "${bad.name}" holds ${bad.value} at element ${bad.index} (not saved)`);
    const { path, removed } = saveCheckpoint(
      ctx.runDir,
      { spec, tensors, meta: { step, preset: config.preset, numClasses, data: info.path } },
      {
        step,
        rng: { step: stepRng.state(), occlusion: occRng.state() },
        data: position,
        skippedImages: progress.skippedBefore + dataset.skipped,
        optimizer,
      },
      config.keepLast,
    );
    lastGood = path;
    await ctx.emit({ type: 'checkpoint', step, path, removed });
    return path;
  };

  let final: LossTerms | null = null;
  let reason: TrainResult['reason'] = 'completed';
  let lastSaved = ctx.resume ? step : -1;
  const iter = dataset.batches(position)[Symbol.asyncIterator]();
  const startStep = step;
  const tLoop = performance.now();
  let tLast = tLoop;
  let stepsSince = 0;
  try {
    while (step < totalSteps) {
      if (signal?.aborted) {
        reason = 'aborted';
        break;
      }
      const next = await iter.next();
      const b = next.value as Batch;
      let xOccData: Float32Array | null = null;
      if (model.needOcc) {
        const rect = drawOcclusionRect(occRng, model.occOpts);
        xOccData = Float32Array.from(b.x);
        occludeBatch(xOccData, b.n, b.size, 3, b.faces, rect, model.occOpts, config.data.sourceSize);
      }
      const x = tf.tensor4d(b.x, [b.n, b.size, b.size, 3]);
      const xOcc = xOccData ? tf.tensor4d(xOccData, [b.n, b.size, b.size, 3]) : null;
      const labels = tf.tensor1d(b.labels, 'int32');
      const tb = data.teacher ? teacherBatch(data.teacher, b.indices, data.teacher.dim) : null;
      const teacher = tb ? { target: tf.tensor2d(tb.target, [b.n, data.teacher!.dim]), mask: tf.tensor1d(tb.mask) } : null;
      const read = (step + 1) % config.logEvery === 0 || step + 1 === totalSteps || step === startStep;
      const losses = trainStep({ x, xOcc, labels, teacher }, { readLosses: read });
      if (teacher) tf.dispose([teacher.target, teacher.mask]);
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
        await Promise.all(data.pending.splice(0));
        await ctx.emit({
          type: 'step',
          step,
          totalSteps,
          epoch: b.epoch,
          losses,
          imagesPerSecond: ips,
          elapsedSeconds: (now - ctx.t0) / 1000,
          etaSeconds: perStep * (totalSteps - step),
        });
        tLast = now;
        stepsSince = 0;
      }
      const bad = losses ? nonFiniteLoss(losses) : null;
      if (bad) await diverged(bad);
      if (step % config.checkpointEvery === 0 && step < totalSteps) {
        checkpoint = await save();
        lastSaved = step;
      }
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await iter.return?.();
  }
  await Promise.all(data.pending.splice(0));
  if (lastSaved !== step) checkpoint = await save();
  return { reason, step, checkpoint, final };
}

/** Stage 6: the inference-mode accuracy check, the `done` event, summary.json and loss.svg. */
export async function finalize(
  ctx: RunContext,
  config: TrainConfig,
  model: ModelStage,
  data: DataStage,
  progress: Progress,
  out: LoopOutcome,
  backendName: string,
): Promise<TrainResult> {
  const { tf, spec } = model;
  const evalAccuracy =
    out.reason === 'completed' && config.evalImages > 0
      ? await evaluateAccuracy(tf, buildNet(tf, spec, model.params, { filterGrad: model.filterGrad }), data.source, spec, config, data.numClasses)
      : null;
  const wallSeconds = (performance.now() - ctx.t0) / 1000;
  const skippedImages = progress.skippedBefore + data.dataset.skipped;
  await ctx.emit({ type: 'done', reason: out.reason, step: out.step, runDir: ctx.runDir, checkpoint: out.checkpoint, wallSeconds, final: out.final, evalAccuracy, skippedImages });
  await writeRunReport(ctx.runDir, {
    reason: out.reason,
    step: out.step,
    totalSteps: data.totalSteps,
    wallSeconds,
    evalAccuracy,
    skippedImages,
    final: out.final,
    data: data.info,
    preset: config.preset,
    spec: spec.name,
    backend: backendName,
  });
  return { runDir: ctx.runDir, reason: out.reason, step: out.step, checkpoint: out.checkpoint, final: out.final, evalAccuracy, wallSeconds, skippedImages, spec };
}
