/**
 * One optimisation step of the objective, the Adam optimiser of method.md §5, and the optimiser
 * state as checkpoint entries (exact resume).
 *
 * @module
 */
import type { Optimizer, Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { ModelSpec, Rng, TensorEntry } from '@interpret-fr/core';
import { paramInfos } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import { buildNet } from './net.ts';
import type { BuildNetOptions } from './net.ts';
import type { Params } from './params.ts';
import { trainableVariables } from './params.ts';
import type { LossTerms, LossWeights } from './loss-weights.ts';
import type { TrainBatch } from './objective.ts';
import { objective } from './objective.ts';

/** Adam hyper-parameters. */
export interface AdamOptions {
  /** Learning rate (1e-3: the original's README and run script; its flag default is 2e-4). */
  lr?: number;
  /** First-moment decay (0.5 in the original). */
  beta1?: number;
  /** Second-moment decay (TF default 0.999). */
  beta2?: number;
  /** TF default 1e-8 (tfjs' own default would be 1e-7). */
  epsilon?: number;
}

/**
 * Adam as in the original (lr 1e-3, β1 0.5, β2 0.999, ε 1e-8; no decay). tfjs applies ε to the
 * bias-corrected √v̂ while TF1 applies it to √v (TF's ε is ε·√(1−β2^t) in tfjs terms): identical
 * except when √v̂ is of the order of ε.
 */
export function createOptimizer(tf: Tf, o: AdamOptions = {}): Optimizer {
  return tf.train.adam(o.lr ?? 1e-3, o.beta1 ?? 0.5, o.beta2 ?? 0.999, o.epsilon ?? 1e-8);
}

/** Options of one step. */
export interface StepOptions {
  /** Read the loss terms back (a device sync); otherwise the step returns null. */
  readLosses?: boolean;
}

/** A training step function made by {@link makeTrainStep}. */
export type TrainStep = (batch: TrainBatch, opts?: StepOptions) => LossTerms | null;

const TERM_ORDER: (keyof LossTerms)[] = ['ce', 'ceOcc', 'sad', 'sadOcc', 'weightDiversity', 'fad', 'distill', 'accuracy', 'accuracyOcc', 'embeddingNorm'];

/**
 * Builds the step: one `optimizer.minimize` of the weighted objective ({@link objective}) over the
 * trainable parameters only, inside tfjs' gradient tidy (no tensor survives the step except the
 * updated variables and optimiser slots). BN moving statistics update in place during the forward
 * passes; dropout masks come from `rng`. With `readLosses` the loss terms are read back once (one
 * sync) and returned as numbers. `netOptions` go to {@link buildNet} (e.g. the conv filter-gradient path).
 */
export function makeTrainStep(tf: Tf, spec: ModelSpec, params: Params, optimizer: Optimizer, weights: LossWeights, rng: Rng, netOptions: BuildNetOptions = {}): TrainStep {
  const net = buildNet(tf, spec, params, netOptions);
  const vars = trainableVariables(spec, params);
  return (batch, opts = {}) => {
    const read = opts.readLosses === true;
    const kept: [keyof LossTerms, Scalar][] = [];
    const cost = optimizer.minimize(
      () => {
        const { total, terms } = objective(tf, spec, net, params, batch, weights, rng, read);
        if (read) for (const k of TERM_ORDER) if (terms[k]) kept.push([k, tf.keep(terms[k]!)]);
        return total;
      },
      read,
      vars,
    );
    if (!read) return null;
    const all: Tensor[] = [cost!, ...kept.map(([, t]) => t)];
    const stacked = tf.tidy(() => tf.stack(all.map((t) => tf.reshape(t, []))));
    const values = stacked.dataSync();
    stacked.dispose();
    all.forEach((t) => t.dispose());
    const out: Partial<LossTerms> = { total: values[0]! };
    kept.forEach(([k], i) => (out[k] = values[i + 1]!));
    return out as LossTerms;
  };
}

const PREFIX = 'optimizer/';

/**
 * The Adam state as checkpoint entries: `optimizer/iterations` (int32 [1]), `optimizer/acc_beta1`
 * and `optimizer/acc_beta2` (float32 [1], β^(t+1) as accumulated, for a bit-exact resume) and, per
 * trainable parameter that has slots, `optimizer/<param>/m` and `optimizer/<param>/v` (float32).
 */
export async function optimizerStateEntries(optimizer: Optimizer, _spec: ModelSpec, params: Params): Promise<TensorEntry[]> {
  if (optimizer.getClassName() !== 'Adam') throw new Error(`optimizerStateEntries: only Adam is supported, got ${optimizer.getClassName()}`);
  const toParam = new Map<string, string>();
  for (const [name, v] of params) toParam.set(v.name, name);
  const ws = await optimizer.getWeights();
  const out: TensorEntry[] = [];
  for (const { name, tensor } of ws) {
    if (name === 'iter') {
      out.push({ name: `${PREFIX}iterations`, shape: [1], dtype: 'int32', data: Int32Array.from(await tensor.data()) });
      const adam = optimizer as unknown as AdamInternals;
      if (adam.accBeta1 && adam.accBeta2) {
        out.push({ name: `${PREFIX}acc_beta1`, shape: [1], dtype: 'float32', data: Float32Array.from(await adam.accBeta1.data()) });
        out.push({ name: `${PREFIX}acc_beta2`, shape: [1], dtype: 'float32', data: Float32Array.from(await adam.accBeta2.data()) });
      }
      continue;
    }
    const slot = name.slice(name.lastIndexOf('/') + 1);
    const p = toParam.get(name.slice(0, name.lastIndexOf('/')));
    if (!p || (slot !== 'm' && slot !== 'v')) throw new Error(`optimizerStateEntries: optimiser weight "${name}" belongs to no parameter`);
    out.push({ name: `${PREFIX}${p}/${slot}`, shape: [...tensor.shape], dtype: 'float32', data: Float32Array.from(await tensor.data()) });
  }
  return out;
}

/**
 * Restores {@link optimizerStateEntries} output into an Adam optimiser for `params` (exact resume:
 * the step count fixes the bias corrections). Entries without `optimizer/` are ignored; a
 * parameter with `m` but no `v` (or the wrong shape) is an error naming it.
 */
export async function loadOptimizerState(tf: Tf, optimizer: Optimizer, spec: ModelSpec, params: Params, entries: TensorEntry[]): Promise<void> {
  if (optimizer.getClassName() !== 'Adam') throw new Error(`loadOptimizerState: only Adam is supported, got ${optimizer.getClassName()}`);
  const by = new Map(entries.filter((e) => e.name.startsWith(PREFIX)).map((e) => [e.name.slice(PREFIX.length), e]));
  const it = by.get('iterations');
  if (!it) throw new Error('loadOptimizerState: entry "optimizer/iterations" missing');
  const m: { name: string; tensor: Tensor }[] = [];
  const v: { name: string; tensor: Tensor }[] = [];
  const vars = new Set(trainableVariables(spec, params));
  for (const p of paramInfos(spec).filter((q) => q.trainable)) {
    const em = by.get(`${p.name}/m`);
    const ev = by.get(`${p.name}/v`);
    if (!em && !ev) continue;
    if (!em || !ev) throw new Error(`loadOptimizerState: parameter "${p.name}" has only one of its Adam slots m/v`);
    for (const e of [em, ev]) {
      if (e.shape.join() !== p.shape.join()) throw new Error(`loadOptimizerState: "${PREFIX}${e.name}" has shape [${e.shape}], expected [${p.shape}]`);
    }
    const varName = params.get(p.name)!.name;
    if (!vars.has(params.get(p.name)!)) throw new Error(`loadOptimizerState: "${p.name}" is not trainable`);
    m.push({ name: `${varName}/m`, tensor: tf.tensor(Float32Array.from(em.data), p.shape, 'float32') });
    v.push({ name: `${varName}/v`, tensor: tf.tensor(Float32Array.from(ev.data), p.shape, 'float32') });
  }
  const iter = tf.scalar(Number(it.data[0]), 'int32');
  await optimizer.setWeights([{ name: 'iter', tensor: iter }, ...m, ...v]);
  iter.dispose();
  [...m, ...v].forEach((w) => w.tensor.dispose());
  // tfjs sets β^(t+1) with pow(); a straight run reaches it by t float32 multiplications, which can
  // differ in the last bit, and conv biases before BN (gradient ≈ 0, Adam-normalised noise) amplify
  // that. Restore the saved products, or replay the multiplications.
  const adam = optimizer as unknown as AdamInternals;
  for (const [slot, beta] of [
    ['accBeta1', adam.beta1],
    ['accBeta2', adam.beta2],
  ] as const) {
    const saved = by.get(slot === 'accBeta1' ? 'acc_beta1' : 'acc_beta2');
    const value = saved ? Number(saved.data[0]) : replayPower(beta, Number(it.data[0]));
    if (adam[slot]) tf.tidy(() => adam[slot]!.assign(tf.scalar(value)));
  }
}

/** Private fields of tfjs' AdamOptimizer used for the exact bias-correction state. */
interface AdamInternals {
  beta1: number;
  beta2: number;
  accBeta1?: import('@tensorflow/tfjs-core').Variable;
  accBeta2?: import('@tensorflow/tfjs-core').Variable;
}

/** β^(t+1) as tfjs Adam accumulates it: start at β, then t float32 multiplications by β. */
function replayPower(beta: number, t: number): number {
  const b = Math.fround(beta);
  let a = b;
  for (let i = 0; i < t; i++) a = Math.fround(a * b);
  return a;
}
