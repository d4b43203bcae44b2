/**
 * Synthetic IJB-B/C-format data (insightface meta layout) with identity-structured random features,
 * for tests and the IJB-C-sized benchmark. Everything is typed arrays.
 *
 * @module
 */
import { Rng } from '@interpret-fr/core';
import type { FaceTidMid, TemplatePairs } from './ijbc.ts';

/** Options of {@link syntheticIjbc}. */
export interface SyntheticIjbcOptions {
  seed: number;
  templates: number;
  templatesPerSubject?: number;
  /** Mean images per template (1 + geometric). */
  meanImages?: number;
  dim?: number;
  pairs: number;
  genuinePairs: number;
  noise?: number;
}

/** Generates meta, pairs, features (N × dim) and ids (image names). */
export function syntheticIjbc(o: SyntheticIjbcOptions): { meta: FaceTidMid; pairs: TemplatePairs; features: Float32Array; dim: number; ids: string[] } {
  const rng = new Rng(o.seed);
  const dim = o.dim ?? 512;
  const tps = o.templatesPerSubject ?? 6;
  const nSubj = Math.ceil(o.templates / tps);
  if (nSubj < 2 && o.pairs > o.genuinePairs) throw new RangeError(`syntheticIjbc: ${o.templates} templates at ${tps} per subject make one subject: no impostor pairs possible`);
  const extra = (o.meanImages ?? 3) - 1;
  const sizes = new Int32Array(o.templates);
  let nImg = 0;
  for (let t = 0; t < o.templates; t++) {
    let s = 1;
    while (rng.float() < extra / (1 + extra)) s++;
    sizes[t] = s;
    nImg += s;
  }
  const centres = new Float32Array(nSubj * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  const features = new Float32Array(nImg * dim);
  const templateId = new Int32Array(nImg);
  const mediaId = new Int32Array(nImg);
  const names: string[] = new Array(nImg);
  const noise = o.noise ?? 1.2;
  let r = 0;
  let media = 0;
  for (let t = 0; t < o.templates; t++) {
    const subj = t % nSubj;
    for (let i = 0; i < sizes[t]!; i++) {
      if (i === 0 || rng.float() < 0.4) media++;
      templateId[r] = t + 1;
      mediaId[r] = media;
      names[r] = `${r + 1}.jpg`;
      const o2 = r * dim;
      const c = subj * dim;
      for (let k = 0; k < dim; k++) features[o2 + k] = centres[c + k]! + noise * rng.normal();
      r++;
    }
  }
  const a = new Int32Array(o.pairs);
  const b = new Int32Array(o.pairs);
  const label = new Uint8Array(o.pairs);
  for (let p = 0; p < o.pairs; p++) {
    const t1 = rng.int(o.templates);
    let t2: number;
    if (p < o.genuinePairs) {
      // Another template of the same subject (subject = t mod nSubj).
      const subj = t1 % nSubj;
      const count = Math.floor((o.templates - 1 - subj) / nSubj) + 1;
      let k = rng.int(count);
      if (subj + k * nSubj === t1 && count > 1) k = (k + 1) % count;
      t2 = subj + k * nSubj;
      label[p] = 1;
    } else {
      do t2 = rng.int(o.templates);
      while (t2 % nSubj === t1 % nSubj);
    }
    a[p] = t1 + 1;
    b[p] = t2 + 1;
  }
  return {
    meta: { file: 'synthetic/ijbc_face_tid_mid.txt', names, templateId, mediaId },
    pairs: { file: 'synthetic/ijbc_template_pair_label.txt', a, b, label },
    features,
    dim,
    ids: names,
  };
}
