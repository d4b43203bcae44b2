/**
 * Template-to-template similarity scores (evaluation.md "Scores and templates"). All scores are
 * similarities (higher = same identity); distances of the original are 1 − cos.
 *
 * - `set-min-mean` (original "s3"): D = 1 − cos between the two image sets; s3 = mean of
 *   [row minima of D, column minima of D] (n1 + n2 values); score = 1 − s3.
 * - `set-min-mean-matlab`: as above, but when either template has exactly one image the score is
 *   1 − global min of D (the MATLAB `min` over a vector quirk), reproducing the published numbers.
 * - `mean-feature`: mean of L2-normalised image features, re-normalised, then cosine.
 * - `media-pool` (insightface IJB-B/C): mean of the normalised features within each media id, sum over
 *   media, L2-normalise, cosine.
 *
 * @module
 */
import { l2NormalizeRows } from '@interpret-fr/core';
import type { Embeddings } from '@interpret-fr/core';
import { dot, dotBlock } from './cosine.ts';
import type { Templates } from './templates.ts';
import { simdKernels } from './simd.ts';

/** Template score names. */
export type TemplateScore = 'set-min-mean' | 'set-min-mean-matlab' | 'mean-feature' | 'media-pool';
export const TEMPLATE_SCORES: readonly TemplateScore[] = ['set-min-mean', 'set-min-mean-matlab', 'mean-feature', 'media-pool'];

/** Packs the (normalised) member features of each template contiguously, in template order. */
function pack(unit: Float32Array, dim: number, t: Templates): Float32Array {
  const out = new Float32Array(t.rows.length * dim);
  for (let i = 0; i < t.rows.length; i++) out.set(unit.subarray(t.rows[i]! * dim, (t.rows[i]! + 1) * dim), i * dim);
  return out;
}

/** One pooled, unit-norm feature per template (`mean-feature` or `media-pool`); empty templates give zeros. */
export function poolTemplates(unit: Float32Array, dim: number, t: Templates, method: 'mean-feature' | 'media-pool'): Float32Array {
  const nT = t.ids.length;
  const out = new Float32Array(nT * dim);
  const acc = new Float64Array(dim);
  const med = new Float64Array(dim);
  for (let i = 0; i < nT; i++) {
    acc.fill(0);
    const a = t.offsets[i]!;
    const b = t.offsets[i + 1]!;
    if (method === 'mean-feature') {
      for (let m = a; m < b; m++) { const o = t.rows[m]! * dim; for (let k = 0; k < dim; k++) acc[k]! += unit[o + k]!; }
    } else {
      // Members of one media need not be adjacent: pool each distinct media id once.
      const seen = new Set<number>();
      for (let m = a; m < b; m++) {
        const id = t.media[m]!;
        if (seen.has(id)) continue;
        seen.add(id);
        med.fill(0);
        let c = 0;
        for (let q = m; q < b; q++) {
          if (t.media[q] !== id) continue;
          c++;
          const o = t.rows[q]! * dim;
          for (let k = 0; k < dim; k++) med[k]! += unit[o + k]!;
        }
        for (let k = 0; k < dim; k++) acc[k]! += med[k]! / c;
      }
    }
    let s = 0;
    for (let k = 0; k < dim; k++) s += acc[k]! * acc[k]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = acc[k]! * inv;
  }
  return out;
}

/** Prepared features for repeated scoring (normalised once, packed per template). */
export interface PreparedTemplates {
  templates: Templates;
  dim: number;
  method: TemplateScore;
  /** set-min-mean: packed member features; pooled methods: one row per template. */
  data: Float32Array;
}

/** Normalises and packs (or pools) features for one template set. */
export function prepareTemplates(features: Embeddings, templates: Templates, method: TemplateScore, normalized?: Float32Array): PreparedTemplates {
  const unit = normalized ?? l2NormalizeRows(features.data, features.n, features.dim);
  const data = method === 'mean-feature' || method === 'media-pool' ? poolTemplates(unit, features.dim, templates, method) : pack(unit, features.dim, templates);
  return { templates, dim: features.dim, method, data };
}

/**
 * Scores template pairs (indices into the two prepared sets, which may be the same object).
 * Pairs with an empty template get NaN (callers skip and count them).
 */
export function scoreTemplatePairs(A: PreparedTemplates, B: PreparedTemplates, pa: Int32Array, pb: Int32Array): Float32Array {
  if (pa.length !== pb.length) throw new RangeError(`scoreTemplatePairs: ${pa.length} vs ${pb.length} pair indices`);
  const out = new Float32Array(pa.length);
  const d = A.dim;
  const pooled = A.method === 'mean-feature' || A.method === 'media-pool';
  const quirk = A.method === 'set-min-mean-matlab';
  let scratch = new Float32Array(256);
  const oa = A.templates.offsets;
  const ob = B.templates.offsets;
  const order = pooled && pa.length > 50_000 ? tileOrder(pa, pb, Math.max(1, Math.floor((1 << 20) / (4 * d)))) : null;
  const simd = pooled && A === B && d % 8 === 0 && pa.length >= 4096 ? simdKernels() : null;
  if (simd) {
    const BS = 1 << 16;
    const ia = new Int32Array(BS);
    const ib = new Int32Array(BS);
    const res = new Float32Array(BS);
    const empty = (t: Templates, i: number): boolean => t.offsets[i + 1] === t.offsets[i];
    for (let s = 0; s < pa.length; s += BS) {
      const e = Math.min(pa.length, s + BS);
      for (let q = s; q < e; q++) { const p = order ? order[q]! : q; ia[q - s] = pa[p]!; ib[q - s] = pb[p]!; }
      simd.pairDots(A.data, d, ia.subarray(0, e - s), ib.subarray(0, e - s), res);
      for (let q = s; q < e; q++) {
        const p = order ? order[q]! : q;
        out[p] = empty(A.templates, pa[p]!) || empty(B.templates, pb[p]!) ? Number.NaN : res[q - s]!;
      }
    }
    return out;
  }
  for (let q = 0; q < pa.length; q++) {
    const p = order ? order[q]! : q;
    const i = pa[p]!;
    const j = pb[p]!;
    const n1 = oa[i + 1]! - oa[i]!;
    const n2 = ob[j + 1]! - ob[j]!;
    if (n1 === 0 || n2 === 0) { out[p] = Number.NaN; continue; }
    if (pooled) { out[p] = dot(A.data, i * d, B.data, j * d, d); continue; }
    if (scratch.length < n1 * n2) scratch = new Float32Array(n1 * n2 * 2);
    dotBlock(A.data, oa[i]!, n1, B.data, ob[j]!, n2, d, scratch, n2);
    out[p] = setScore(scratch, 0, n1, n2, n2, quirk);
  }
  return out;
}

/**
 * Pair indices grouped by (i / tile, j / tile) with a counting sort, so that the rows each group
 * touches (2 × tile rows) stay in cache: large random pair lists (IJB-C) become cache-friendly.
 */
export function tileOrder(pa: Int32Array, pb: Int32Array, tile: number): Uint32Array {
  let mi = 0;
  let mj = 0;
  for (let p = 0; p < pa.length; p++) { if (pa[p]! > mi) mi = pa[p]!; if (pb[p]! > mj) mj = pb[p]!; }
  const ti = Math.floor(mi / tile) + 1;
  const tj = Math.floor(mj / tile) + 1;
  const start = new Uint32Array(ti * tj + 1);
  for (let p = 0; p < pa.length; p++) start[Math.floor(pa[p]! / tile) * tj + Math.floor(pb[p]! / tile) + 1]!++;
  for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
  const order = new Uint32Array(pa.length);
  for (let p = 0; p < pa.length; p++) order[start[Math.floor(pa[p]! / tile) * tj + Math.floor(pb[p]! / tile)]!++] = p;
  return order;
}

/** max(m, v) that propagates NaN (a plain `v > m` skips it and would hide a bad feature). */
const maxNaN = (m: number, v: number): number => (v > m ? v : Number.isNaN(v) ? Number.NaN : m);

/** Set-min-mean similarity from an n1 × n2 cosine block with row stride ld; NaN when any cosine is NaN. */
function setScore(S: Float32Array, off: number, n1: number, n2: number, ld: number, quirk: boolean): number {
  if (quirk && (n1 === 1 || n2 === 1)) {
    let m = -Infinity;
    for (let a = 0; a < n1; a++) for (let b = 0; b < n2; b++) m = maxNaN(m, S[off + a * ld + b]!);
    return m;
  }
  let sum = 0;
  for (let a = 0; a < n1; a++) {
    let m = -Infinity;
    for (let b = 0; b < n2; b++) m = maxNaN(m, S[off + a * ld + b]!);
    sum += m;
  }
  for (let b = 0; b < n2; b++) {
    let m = -Infinity;
    for (let a = 0; a < n1; a++) m = maxNaN(m, S[off + a * ld + b]!);
    sum += m;
  }
  return sum / (n1 + n2);
}

/**
 * Full probe × gallery score matrix (row-major nProbe × nGallery). For the set scores, each probe
 * template's images are scored against all gallery images in one blocked product.
 */
export function scoreTemplateMatrix(P: PreparedTemplates, G: PreparedTemplates): Float32Array {
  const nP = P.templates.ids.length;
  const nG = G.templates.ids.length;
  const d = P.dim;
  const out = new Float32Array(nP * nG);
  if (P.method === 'mean-feature' || P.method === 'media-pool') {
    dotBlock(P.data, 0, nP, G.data, 0, nG, d, out, nG);
    for (let p = 0; p < nP; p++) if (P.templates.offsets[p + 1] === P.templates.offsets[p]) out.fill(Number.NaN, p * nG, (p + 1) * nG);
    for (let g = 0; g < nG; g++) if (G.templates.offsets[g + 1] === G.templates.offsets[g]) for (let p = 0; p < nP; p++) out[p * nG + g] = Number.NaN;
    return out;
  }
  const quirk = P.method === 'set-min-mean-matlab';
  const nGi = G.templates.rows.length;
  const go = G.templates.offsets;
  let block = new Float32Array(0);
  for (let p = 0; p < nP; p++) {
    const a = P.templates.offsets[p]!;
    const n1 = P.templates.offsets[p + 1]! - a;
    if (n1 === 0) { out.fill(Number.NaN, p * nG, (p + 1) * nG); continue; }
    if (block.length < n1 * nGi) block = new Float32Array(n1 * nGi);
    dotBlock(P.data, a, n1, G.data, 0, nGi, d, block, nGi, { keepB: true });
    for (let g = 0; g < nG; g++) {
      const n2 = go[g + 1]! - go[g]!;
      out[p * nG + g] = n2 === 0 ? Number.NaN : setScore(block, go[g]!, n1, n2, nGi, quirk);
    }
  }
  return out;
}
