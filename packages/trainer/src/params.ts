/**
 * The network's parameters as named tfjs variables: creation with the original's initialisers
 * (method.md §2.1, §10), conversion to and from checkpoint tensor entries.
 *
 * Names are those of `paramInfos(spec)` (`<block>/kernel|bias|gamma|beta|moving_mean|moving_variance`),
 * shared with the checkpoint codec and the ONNX exporter.
 *
 * @module
 */
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { paramInfos, Rng } from '@interpret-fr/core';
import type { ModelSpec, ParamInfo, TensorEntry } from '@interpret-fr/core';
import type { Tf } from './backend.ts';

/** Parameters by `paramInfos` name; BN running statistics are non-trainable variables. */
export type Params = Map<string, Variable>;

let instance = 0;

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Values of one parameter drawn with the original's initialiser. */
function initValues(p: ParamInfo, rng: Rng): Float32Array {
  const v = new Float32Array(size(p.shape));
  if (p.init === 'ones') v.fill(1);
  else if (p.init === 'truncatedNormal0.02') for (let i = 0; i < v.length; i++) v[i] = rng.truncatedNormal(0.02);
  else if (p.init === 'normal0.02') for (let i = 0; i < v.length; i++) v[i] = 0.02 * rng.normal();
  return v;
}

function makeVariable(tf: Tf, p: ParamInfo, values: Float32Array, tag: number): Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, p.shape, 'float32'), p.trainable, `p${tag}/${p.name}`));
}

/**
 * Creates every parameter of `spec` with the original initialisation: conv kernels truncated
 * normal σ 0.02 (±2σ, redrawn), dense kernels normal σ 0.02, biases and BN β 0, BN γ 1, moving mean 0,
 * moving variance 1. Draws come from `rng` in `paramInfos` order, so a seed fixes the network.
 * Variable names are `p<instance>/<param name>` (unique per call; tfjs names are global).
 */
export function initParams(tf: Tf, spec: ModelSpec, rng: Rng): Params {
  const tag = instance++;
  const params: Params = new Map();
  for (const p of paramInfos(spec)) params.set(p.name, makeVariable(tf, p, initValues(p, rng), tag));
  return params;
}

/** The trainable variables in `paramInfos` order (the optimiser's variable list). */
export function trainableVariables(spec: ModelSpec, params: Params): Variable[] {
  return paramInfos(spec)
    .filter((p) => p.trainable)
    .map((p) => {
      const v = params.get(p.name);
      if (!v) throw new Error(`trainableVariables: parameter "${p.name}" missing from params`);
      return v;
    });
}

/** Reads every parameter into float32 checkpoint entries (in map order = `paramInfos` order). */
export function paramsToTensorEntries(params: Params): TensorEntry[] {
  return [...params].map(([name, v]) => ({ name, shape: [...v.shape], dtype: 'float32', data: v.dataSync() as Float32Array }));
}

/** Options of {@link loadParams}. */
export interface LoadParamsOptions {
  /** Load only the parameters whose name passes (e.g. the backbone for a fine-tune); others keep their values. */
  only?: (name: string) => boolean;
  /** Assign into these existing variables instead of creating new ones. */
  into?: Params;
  /** When creating new params, the Rng of the initialisation of those not loaded (default seed 0). */
  rng?: Rng;
}

function entryFloats(e: TensorEntry): Float32Array {
  return e.data instanceof Float32Array ? e.data : Float32Array.from(e.data);
}

/**
 * Loads checkpoint entries into parameters of `spec`. Every selected parameter must be present with
 * its exact shape (error names the parameter, the expected and the found shape); extra entries are
 * ignored (e.g. optimiser state). Returns `opts.into` if given, else new params (unselected ones
 * initialised as {@link initParams} with `opts.rng`).
 */
export function loadParams(tf: Tf, spec: ModelSpec, entries: TensorEntry[], opts: LoadParamsOptions = {}): Params {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const only = opts.only ?? (() => true);
  const infos = paramInfos(spec).filter((p) => only(p.name));
  for (const p of infos) {
    const e = byName.get(p.name);
    if (!e) throw new Error(`loadParams: parameter "${p.name}" (shape [${p.shape}]) not found in the checkpoint entries`);
    if (e.shape.length !== p.shape.length || e.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`loadParams: parameter "${p.name}" has shape [${e.shape}] in the checkpoint, expected [${p.shape}] for spec "${spec.name}"`);
    }
    if (e.data.length !== size(p.shape)) throw new Error(`loadParams: parameter "${p.name}" has ${e.data.length} values, expected ${size(p.shape)}`);
  }
  const params = opts.into ?? initParams(tf, spec, opts.rng ?? new Rng(0));
  for (const p of infos) {
    const v = params.get(p.name);
    if (!v) throw new Error(`loadParams: target params lack "${p.name}"`);
    tf.tidy(() => v.assign(tf.tensor(entryFloats(byName.get(p.name)!), p.shape, 'float32')));
  }
  return params;
}

/** Disposes every variable of `params`. */
export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
}

/** Shorthand used by the net: the variable of a parameter, or a clear error. */
export function param(params: Params, name: string): Tensor {
  const v = params.get(name);
  if (!v) throw new Error(`parameter "${name}" missing from params`);
  return v;
}
