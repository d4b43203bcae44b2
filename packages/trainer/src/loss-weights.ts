/**
 * The objective's weights and the loss values a step reports, plus the spec facts they depend on
 * (feature size, the maps' kernel). No tfjs types: config, events and the public training API use
 * these, `objective.ts` computes the terms.
 *
 * @module
 */
import type { ModelSpec } from '@interpret-fr/core';

/** Loss weights; a weight of 0 skips computing its term. */
export interface LossWeights {
  /** Clean identity cross-entropy (2). */
  ce: number;
  /** Occluded-branch identity cross-entropy on FC(dropout(τ ⊙ f̂)) (2). */
  ceOcc: number;
  /** SAD on the clean masked maps (1). */
  sad: number;
  /** SAD on the occluded masked maps (1). */
  sadOcc: number;
  /** Filter-weight diversity of the maps' conv kernel (100). */
  weightDiversity: number;
  /** FAD, multiplying the sum over kept dimensions (0.1). */
  fad: number;
  /** Number of feature dimensions FAD keeps (260 of 320). */
  fadKeep: number;
  /**
   * Teacher distillation (issue 13, NOT in the paper): mean over the images that have a teacher
   * descriptor t of 1 − cos(W·f, t), W the learned `distill` head. 0 (default) skips it.
   */
  distill?: number;
}

/** The original's weights (method.md §4.5), for the 320-d feature. */
export const DEFAULT_WEIGHTS: LossWeights = { ce: 2, ceOcc: 2, sad: 1, sadOcc: 1, weightDiversity: 100, fad: 0.1, fadKeep: 260 };

/**
 * {@link DEFAULT_WEIGHTS} for `spec`, with `fadKeep` scaled to its feature size D:
 * round(260/320 · D) (260 for the full specs, 33 of 40 for the tiny ones), then `overrides`.
 */
export function defaultWeightsFor(spec: ModelSpec, overrides: Partial<LossWeights> = {}): LossWeights {
  const d = embeddingDim(spec);
  return { ...DEFAULT_WEIGHTS, fadKeep: Math.min(d, Math.max(1, Math.round((260 / 320) * d))), ...overrides };
}

/** Loss values of one step (unweighted terms; `total` is the weighted sum). Accuracies in [0, 1]. */
export interface LossTerms {
  total: number;
  ce: number;
  ceOcc?: number;
  sad?: number;
  sadOcc?: number;
  weightDiversity?: number;
  fad?: number;
  distill?: number;
  accuracy: number;
  accuracyOcc?: number;
  /** Mean L2 norm of the clean features f. */
  embeddingNorm: number;
}

/** Size of the embedding of `spec` (channels of the block before the embedding's GAP). */
export function embeddingDim(spec: ModelSpec): number {
  const byName = new Map(spec.blocks.map((b) => [b.name, b]));
  let n = spec.outputs.embedding;
  for (;;) {
    const b = byName.get(n);
    if (!b) throw new Error(`embeddingDim: block "${n}" not found in spec "${spec.name}"`);
    if (b.kind === 'conv') return b.filters;
    if (b.kind === 'dense') return b.units;
    if (b.kind === 'concat') throw new Error(`embeddingDim: cannot infer through concat "${n}"`);
    n = b.input;
  }
}

/** The kernel parameter of the conv that produces the response maps (k5), or null when no maps. */
export function mapsKernelName(spec: ModelSpec): string | null {
  if (!spec.outputs.maps) return null;
  const byName = new Map(spec.blocks.map((b) => [b.name, b]));
  let n = spec.outputs.maps;
  for (;;) {
    const b = byName.get(n);
    if (!b || b.kind === 'concat') return null;
    if (b.kind === 'conv') return `${b.name}/kernel`;
    n = b.input;
  }
}
