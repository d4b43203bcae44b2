/**
 * Weight handling for the exporter: looking parameters up by the names of `paramInfos(spec)`,
 * the HWIO → OIHW kernel transpose (the only place it happens), and batch-norm folding.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import { paramInfos } from '@interpret-fr/core';

/**
 * A named tensor, structurally the checkpoint codec's `TensorEntry`
 * (`{ name, shape, dtype, data }`), so checkpoint tensors can be passed as they are.
 */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  data: ArrayLike<number>;
}

/** Weights accepted by the exporter: a name → float32 map, or checkpoint tensor entries. */
export type Weights = Map<string, Float32Array> | readonly WeightEntry[];

/** A weight is missing, has the wrong size/shape, or the wrong dtype. */
export class WeightError extends InterpretFrError {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message, { code: 'model' });
    this.name = 'WeightError';
  }
}

/**
 * Resolves every parameter of `spec` from `weights`, checking sizes (and shapes and dtypes for
 * entries). Extra tensors (optimizer state, step counters) are ignored.
 */
export function resolveWeights(spec: ModelSpec, weights: Weights): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const entries = weights instanceof Map ? null : new Map(weights.map((e) => [e.name, e]));
  for (const p of paramInfos(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (entries) {
      const e = entries.get(p.name);
      if (!e) throw new WeightError(`weights: parameter "${p.name}" (shape [${p.shape}]) is missing`, p.name);
      if (e.dtype !== 'float32') throw new WeightError(`weights: parameter "${p.name}" has dtype ${e.dtype}, expected float32`, p.name);
      if (e.shape.length !== p.shape.length || e.shape.some((d, i) => d !== p.shape[i])) {
        throw new WeightError(`weights: parameter "${p.name}" has shape [${e.shape}], expected [${p.shape}]`, p.name);
      }
      data = e.data instanceof Float32Array ? e.data : Float32Array.from(e.data);
    } else {
      const d = (weights as Map<string, Float32Array>).get(p.name);
      if (!d) throw new WeightError(`weights: parameter "${p.name}" (shape [${p.shape}]) is missing`, p.name);
      data = d;
    }
    if (data.length !== n) throw new WeightError(`weights: parameter "${p.name}" has ${data.length} values, expected ${n} for shape [${p.shape}]`, p.name);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) throw new WeightError(`weights: parameter "${p.name}" has a non-finite value ${data[i]} at index ${i}`, p.name);
    }
    out.set(p.name, data);
  }
  return out;
}

/** HWIO `[kh, kw, in, out]` → OIHW `[out, in, kh, kw]`. */
export function hwioToOihw(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[src + o]!;
      }
    }
  }
  return out;
}

/** Batch-norm parameters of one block. */
export interface BnParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * Folds inference-mode batch norm into an OIHW conv: with s = γ / √(var + ε),
 * W'[o] = W[o]·s[o] and b'[o] = (b[o] − mean[o])·s[o] + β[o]. Computed in float64, rounded once.
 */
export function foldBatchNorm(w: Float32Array, bias: Float32Array | null, bn: BnParams): { weight: Float32Array; bias: Float32Array } {
  const cout = bn.gamma.length;
  const per = w.length / cout;
  const weight = new Float32Array(w.length);
  const b = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const s = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + bn.epsilon);
    for (let j = 0; j < per; j++) weight[o * per + j] = w[o * per + j]! * s;
    b[o] = ((bias ? bias[o]! : 0) - bn.mean[o]!) * s + bn.beta[o]!;
  }
  return { weight, bias: b };
}
