/**
 * `train()`: runs the stages of `loop.ts` in order,
 * openRunDir (lock, crash clean-up, config.json) → buildData → buildModel → restore (resume or
 * `init.from`) → trainLoop → finalize, and leaves a complete run directory. A non-finite loss or
 * weight stops the run with a `TrainingDivergedError` (train-types.ts). Also the public backend loader.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { BackendInfo, BackendName, LoadBackendOptions } from './backend-info.ts';
import { isLoadedBackend, loadBackend as loadTfBackend } from './backend.ts';
import type { TrainConfig } from './config.ts';
import { validateConfig } from './config.ts';
import { buildData, buildModel, finalize, openRunDir, restore, trainLoop } from './loop.ts';
import type { DataStage, ModelStage } from './loop.ts';
import { disposeParams } from './params.ts';
import type { TrainOptions, TrainResult } from './train-types.ts';

/**
 * Loads a tfjs backend and makes it the active one (`auto` tries tensorflow-gpu, tensorflow, wasm,
 * then cpu; `attempts` says why each failed). Pass the result to {@link train} as `backend` to load
 * it once; its `tf` is typed `unknown` here (the tfjs-level API is the trainer's internals).
 */
export const loadBackend: (name: BackendName, opts?: LoadBackendOptions) => Promise<BackendInfo> = loadTfBackend;

/**
 * Trains a model as `config` says and leaves a complete run directory.
 *
 * @example
 * const res = await train(resolveConfig({ preset: 'tiny' }), { runDir: 'runs/tiny', onEvent: console.log });
 */
export async function train(config: TrainConfig, opts: TrainOptions): Promise<TrainResult> {
  validateConfig(config);
  if (opts.backend && !isLoadedBackend(opts.backend))
    throw new InterpretFrError('train: options.backend is not a backend loadBackend() returned; pass loadBackend(name) or leave it out', { code: 'usage' });
  const ctx = await openRunDir(config, opts);
  let data: DataStage | null = null;
  let model: ModelStage | null = null;
  try {
    const be = opts.backend ?? (await loadTfBackend(config.backend, { forTraining: true }));
    // The stock wasm backend cannot train convolutions; the trainer's wasm kernels (issue 4) add the gradients.
    await ctx.emit({ type: 'backend', name: be.name, attempts: be.attempts });
    data = await buildData(config, ctx);
    model = await buildModel(be.tf, config, data.numClasses, be.filterGrad);
    const progress = await restore(ctx, config, model, data);
    const out = await trainLoop(ctx, config, model, data, progress, opts.signal);
    return await finalize(ctx, config, model, data, progress, out, be.name);
  } finally {
    await data?.source.close?.();
    if (model) {
      disposeParams(model.params);
      model.optimizer.dispose();
    }
    ctx.lock.release();
  }
}
