import { beforeAll, describe, expect, it } from 'vitest';
import { filterGradFor } from './backend-info.ts';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { presetSpec, Rng } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import { disposeParams, initParams, loadParams, paramsToTensorEntries } from './params.ts';
import type { Params } from './params.ts';
import { createOptimizer, loadOptimizerState, makeTrainStep, optimizerStateEntries } from './train-step.ts';
import { DEFAULT_WEIGHTS, defaultWeightsFor } from './loss-weights.ts';
import type { LossTerms } from './loss-weights.ts';
import type { TrainBatch } from './objective.ts';
import { cpuTf, maxAbsDiff, randn } from '../test/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = await cpuTf();
});

// The tests run on the cpu backend: build with the filter gradient loadBackend('cpu') would pick.
const CPU_NET = { filterGrad: filterGradFor('cpu') };
const spec = presetSpec('interpretable-tiny', { numClasses: 4 });

/** A fixed batch: smooth random images, the occluded copy blacks out a horizontal bar. */
function makeBatch(b: number, seed: number): TrainBatch {
  const s = spec.inputSize;
  const x = tf.tidy(() => tf.tanh(tf.avgPool(tf.tensor4d(randn(seed, b * s * s * 3, 2), [b, s, s, 3]), 3, 1, 'same'))) as Tensor4D;
  const bar = new Float32Array(b * s * s * 3).fill(1);
  for (let n = 0; n < b; n++) for (let y = 14; y < 22; y++) for (let xx = 8; xx < 40; xx++) for (let c = 0; c < 3; c++) bar[((n * s + y) * s + xx) * 3 + c] = 0;
  const xOcc = tf.tidy(() => tf.sub(tf.mul(tf.add(x, 1), tf.tensor4d(bar, [b, s, s, 3])), 1)) as Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: b }, (_, i) => i % 4),
    'int32',
  ) as Tensor1D;
  return { x, xOcc, labels };
}
const disposeBatch = (b: TrainBatch): void => tf.dispose([b.x, b.labels, ...(b.xOcc ? [b.xOcc] : [])]);

describe('defaultWeightsFor', () => {
  it('keeps the original weights and scales fadKeep to the feature size', () => {
    expect(defaultWeightsFor(presetSpec('interpretable'))).toEqual(DEFAULT_WEIGHTS);
    expect(defaultWeightsFor(spec)).toEqual({ ...DEFAULT_WEIGHTS, fadKeep: 33 }); // round(260/320·40)
  });
});

describe('makeTrainStep on interpretable-tiny', () => {
  it('leaks no tensor over 20 steps (clean + occluded branches)', () => {
    const params = initParams(tf, spec, new Rng(1));
    const opt = createOptimizer(tf);
    const step = makeTrainStep(tf, spec, params, opt, defaultWeightsFor(spec), new Rng(2), CPU_NET);
    const batch = makeBatch(1, 3);
    step(batch, { readLosses: true });
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step(batch, { readLosses: i % 3 === 0 });
    expect(tf.memory().numTensors).toBe(n0);
    disposeBatch(batch);
    opt.dispose();
    disposeParams(params);
  });

  it('reports every term, total = weighted sum, and the loss falls on a fixed batch', () => {
    const params = initParams(tf, spec, new Rng(4));
    const opt = createOptimizer(tf, { lr: 3e-3 });
    const w = defaultWeightsFor(spec);
    const step = makeTrainStep(tf, spec, params, opt, w, new Rng(5), CPU_NET);
    const batch = makeBatch(2, 6);
    const hist: LossTerms[] = [];
    for (let i = 0; i < 6; i++) hist.push(step(batch, { readLosses: true })!);
    const first = hist[0]!;
    for (const k of ['ce', 'ceOcc', 'sad', 'sadOcc', 'weightDiversity', 'fad', 'accuracy', 'accuracyOcc', 'embeddingNorm'] as const) {
      expect(Number.isFinite(first[k]), k).toBe(true);
    }
    const sum = w.ce * first.ce + w.ceOcc * first.ceOcc! + w.sad * first.sad! + w.sadOcc * first.sadOcc! + w.weightDiversity * first.weightDiversity! + w.fad * first.fad!;
    expect(Math.abs(first.total - sum)).toBeLessThan(1e-4 * Math.abs(sum));
    const last = hist[hist.length - 1]!;
    expect(last.total).toBeLessThan(first.total);
    expect(last.ce).toBeLessThan(first.ce);
    disposeBatch(batch);
    opt.dispose();
    disposeParams(params);
  });

  it('a weight of 0 skips its term; no occluded branch without xOcc', () => {
    const params = initParams(tf, spec, new Rng(7));
    const opt = createOptimizer(tf);
    const step = makeTrainStep(tf, spec, params, opt, { ...defaultWeightsFor(spec), sad: 0, weightDiversity: 0 }, new Rng(8), CPU_NET);
    const batch = makeBatch(2, 9);
    const r = step({ ...batch, xOcc: null }, { readLosses: true })!;
    expect(r.sad).toBeUndefined();
    expect(r.weightDiversity).toBeUndefined();
    expect(r.ceOcc).toBeUndefined();
    expect(r.fad).toBeUndefined();
    expect(Math.abs(r.total - 2 * r.ce)).toBeLessThan(1e-5);
    disposeBatch(batch);
    opt.dispose();
    disposeParams(params);
  });

  it('resumes exactly: 2 steps + save/restore (params, BN stats, Adam state, Rng) + 2 steps = 4 straight steps', async () => {
    const w = defaultWeightsFor(spec);
    const batch = makeBatch(2, 10);
    const run = (params: Params, opt: ReturnType<typeof createOptimizer>, rng: Rng, n: number): void => {
      const step = makeTrainStep(tf, spec, params, opt, w, rng, CPU_NET);
      for (let i = 0; i < n; i++) step(batch);
    };
    const pa = initParams(tf, spec, new Rng(11));
    const oa = createOptimizer(tf);
    const ra = new Rng(12);
    run(pa, oa, ra, 4);

    const pb = initParams(tf, spec, new Rng(11));
    const ob = createOptimizer(tf);
    const rb = new Rng(12);
    run(pb, ob, rb, 2);
    const saved = [...paramsToTensorEntries(pb), ...(await optimizerStateEntries(ob, spec, pb))];
    const rngState = JSON.parse(JSON.stringify(rb.state()));
    expect(saved.find((e) => e.name === 'optimizer/iterations')!.data[0]).toBe(2);

    const pc = loadParams(tf, spec, saved, { rng: new Rng(99) });
    const oc = createOptimizer(tf);
    await loadOptimizerState(tf, oc, spec, pc, saved);
    run(pc, oc, new Rng(0).setState(rngState), 2);
    for (const [name, v] of pa) expect(maxAbsDiff(v.dataSync(), pc.get(name)!.dataSync()), name).toBeLessThanOrEqual(1e-6);
    disposeBatch(batch);
    [oa, ob, oc].forEach((o) => o.dispose());
    [pa, pb, pc].forEach(disposeParams);
  });
});
