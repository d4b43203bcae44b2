/**
 * A synthetic IJB-A-format protocol generator: the official CSV files for N splits plus image
 * features with identity structure, for tests and benchmarks.
 *
 * `mode: 'exact'` gives metrics known in closed form: every subject has an orthogonal direction
 * c_k (a basis vector); images of good templates are positive multiples of c_k, images of "bad"
 * templates (template 0 of a chosen subset of subjects) are negative multiples. So good genuine
 * scores are 1, impostor scores exactly 0, bad genuine scores −1, for every template score; the
 * generator returns the expected TAR (both read-outs, any FAR target < 1), AUC, EER, rank-k and
 * TPIR@FPIR per split, for the full set and the natural-occlusion subset, honouring templates whose
 * features are withheld. `mode: 'noisy'` draws c_k at random and adds Gaussian noise (for benchmarks).
 *
 * @module
 */
import { Rng } from '@interpret-fr/core';
import { formatIjbaMetadata, type IjbaRow } from './ijba-csv.ts';

/** Generator options. */
export interface SyntheticIjbaOptions {
  seed: number;
  splits?: number;
  subjects?: number;
  gallerySubjects?: number;
  templatesPerSubject?: number;
  /** Mean extra images per template (sizes are 1 + geometric). */
  meanExtraImages?: number;
  dim?: number;
  mode?: 'exact' | 'noisy';
  noise?: number;
  badFraction?: number;
  /** Genuine pairs per split (default: all within-subject template pairs). */
  genuinePairs?: number;
  impostorPairs?: number;
  /** Templates per split whose features are withheld (chosen among non-gallery subjects). */
  missingTemplates?: number;
}

/** Expected metrics of one split (exact mode). */
export interface ExpectedIjba {
  tar: number;
  auc: number;
  eer: number;
  rank: (k: number) => number;
  tpir: number;
  pairs: number;
  skippedPairs: number;
  probes: number;
  mated: number;
  skippedProbes: number;
}

/** Generator output: files by relative path, features (N × dim) and ids (SIGHTING_IDs). */
export interface SyntheticIjba {
  files: Map<string, string>;
  features: Float32Array;
  dim: number;
  ids: string[];
  expected: { all: ExpectedIjba[]; naturalOcclusion: ExpectedIjba[] };
}

interface Tmpl {
  id: number;
  subject: number;
  k: number;
  images: number[];
  bad: boolean;
  missing: boolean;
  occl: 'none' | 'all' | 'mixed';
}

/** Generates the protocol (deterministic for a seed). */
export function syntheticIjba(o: SyntheticIjbaOptions): SyntheticIjba {
  const rng = new Rng(o.seed);
  const nSplits = o.splits ?? 10;
  const S = o.subjects ?? 24;
  const Gs = o.gallerySubjects ?? Math.round((S * 2) / 3);
  const T = o.templatesPerSubject ?? 4;
  const mode = o.mode ?? 'exact';
  const dim = o.dim ?? Math.max(S + 1, 16);
  if (mode === 'exact' && dim < S) throw new RangeError(`syntheticIjba: exact mode needs dim ≥ subjects (${dim} < ${S})`);
  if (T < 3) throw new RangeError('syntheticIjba: templatesPerSubject must be ≥ 3');
  const meanExtra = o.meanExtraImages ?? 1.5;
  const feats: Float32Array[] = [];
  const ids: string[] = [];
  const files = new Map<string, string>();
  const expAll: ExpectedIjba[] = [];
  const expOcc: ExpectedIjba[] = [];
  let nextSighting = 1000;
  let nextTemplate = 1;
  let nextMedia = 5000;
  for (let s = 1; s <= nSplits; s++) {
    const centres: Float32Array[] = [];
    for (let k = 0; k < S; k++) {
      const c = new Float32Array(dim);
      if (mode === 'exact') c[(k + s) % dim] = 1;
      else {
        let n = 0;
        for (let q = 0; q < dim; q++) {
          c[q] = rng.normal();
          n += c[q]! ** 2;
        }
        for (let q = 0; q < dim; q++) c[q]! /= Math.sqrt(n);
      }
      centres.push(c);
    }
    const tm: Tmpl[] = [];
    const rows = new Map<number, IjbaRow>();
    const badSubj = new Set<number>();
    for (let k = 0; k < S; k++) if (mode === 'exact' && rng.float() < (o.badFraction ?? 0.25)) badSubj.add(k);
    for (let k = 0; k < S; k++) {
      for (let t = 0; t < T; t++) {
        let size = 1;
        while (t > 0 && rng.float() < meanExtra / (1 + meanExtra)) size++;
        const occl = t === 1 ? 'mixed' : t === 0 ? 'all' : rng.float() < 0.5 ? 'all' : rng.float() < 0.5 ? 'none' : 'mixed';
        const tpl: Tmpl = { id: nextTemplate++, subject: 100 * s + k, k, images: [], bad: t === 0 && badSubj.has(k), missing: false, occl };
        let media = nextMedia++;
        for (let i = 0; i < size; i++) {
          if (i > 0 && rng.float() < 0.3) media = nextMedia++;
          const sid = nextSighting++;
          tpl.images.push(sid);
          const flagged = occl === 'all' || (occl === 'mixed' && i % 2 === 0);
          const vis = flagged ? (rng.float() < 0.2 ? [Number.NaN, Number.NaN, Number.NaN] : [1, 0, 1]) : [1, 1, 1];
          const frame = rng.float() < 0.5 ? Number.NaN : rng.int(300);
          rows.set(sid, {
            templateId: tpl.id,
            subjectId: tpl.subject,
            file: Number.isNaN(frame) ? `img/${sid}.jpg` : `frame/${media}_${frame}.png`,
            mediaId: media,
            sightingId: sid,
            frame,
            bbox: [rng.int(200), rng.int(200), 60 + rng.int(100), 80 + rng.int(100)],
            landmarks: rng.float() < 0.1 ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN] : [40, 50, 80, 50, 60, 75],
            yaw: rng.float() < 0.5 ? Number.NaN : Math.round(rng.uniform(-60, 60)),
            visibility: vis,
          });
          const f = new Float32Array(dim);
          const scale = (tpl.bad ? -1 : 1) * (0.5 + rng.float());
          for (let q = 0; q < dim; q++) f[q] = scale * centres[k]![q]! + (mode === 'noisy' ? (o.noise ?? 0.05) * rng.normal() : 0);
          feats.push(f);
          ids.push(String(sid));
        }
        tm.push(tpl);
      }
    }
    // Withheld features: template 2 of the last non-gallery subjects.
    for (let m = 0; m < (o.missingTemplates ?? 1) && Gs + m < S; m++) tm[(S - 1 - m) * T + 2]!.missing = true;
    const missingSids = new Set(tm.filter((t) => t.missing).flatMap((t) => t.images));

    // Verification pairs.
    const genAll: [number, number][] = [];
    for (let k = 0; k < S; k++) for (let a = 0; a < T; a++) for (let b = a + 1; b < T; b++) genAll.push([k * T + a, k * T + b]);
    rng.shuffle(genAll);
    const gen = genAll.slice(0, o.genuinePairs ?? genAll.length);
    const imp: [number, number][] = [];
    const nImp = o.impostorPairs ?? gen.length * 5;
    while (imp.length < nImp) {
      const a = rng.int(S * T),
        b = rng.int(S * T);
      if (tm[a]!.k !== tm[b]!.k) imp.push([a, b]);
    }
    const pairs = rng.shuffle([...gen, ...imp]);
    const probeIdx: number[] = [];
    const galIdx: number[] = [];
    for (let k = 0; k < S; k++) for (let t = 0; t < T; t++) (k < Gs && t === 1 ? galIdx : probeIdx).push(k * T + t);

    const dirn = `split${s}`;
    const meta = (idx: number[]): string => formatIjbaMetadata(idx.flatMap((i) => tm[i]!.images.map((sid) => rows.get(sid)!)));
    files.set(`${dirn}/verify_metadata_${s}.csv`, meta([...tm.keys()]));
    files.set(`${dirn}/verify_comparisons_${s}.csv`, pairs.map(([a, b]) => `${tm[a]!.id},${tm[b]!.id}`).join('\n') + '\n');
    files.set(`${dirn}/search_probe_${s}.csv`, meta(probeIdx));
    files.set(`${dirn}/search_gallery_${s}.csv`, meta(galIdx));

    const expect = (subset: boolean): ExpectedIjba => {
      const alive = (i: number): boolean => !tm[i]!.missing && (!subset || tm[i]!.occl !== 'none');
      let g = 0,
        good = 0,
        kept = 0;
      for (const [a, b] of pairs) {
        if (!alive(a) || !alive(b)) continue;
        kept++;
        if (tm[a]!.k === tm[b]!.k) {
          g++;
          if (!tm[a]!.bad && !tm[b]!.bad) good++;
        }
      }
      const gf = good / g;
      const probes = probeIdx.filter(alive);
      const mated = probes.filter((i) => tm[i]!.k < Gs);
      const goodMated = mated.filter((i) => !tm[i]!.bad).length;
      const gal = galIdx.filter(alive).length;
      return {
        tar: gf,
        auc: gf,
        eer: 1 - gf,
        pairs: kept,
        skippedPairs: pairs.length - kept,
        rank: (k: number) => (goodMated + (gal <= k ? mated.length - goodMated : 0)) / mated.length,
        tpir: goodMated / mated.length,
        probes: probes.length,
        mated: mated.length,
        skippedProbes: probeIdx.length - probes.length,
      };
    };
    expAll.push(expect(false));
    expOcc.push(expect(true));
    // Drop withheld features.
    for (let i = ids.length - 1; i >= 0; i--)
      if (missingSids.has(Number(ids[i]))) {
        ids.splice(i, 1);
        feats.splice(i, 1);
      }
  }
  // Shuffle the feature order so lookups are exercised, and add unused distractors.
  const order = rng.permutation(ids.length);
  const out = new Float32Array((ids.length + 3) * dim);
  const outIds: string[] = [];
  order.forEach((src, i) => {
    out.set(feats[src]!, i * dim);
    outIds.push(ids[src]!);
  });
  for (let e = 0; e < 3; e++) {
    for (let q = 0; q < dim; q++) out[(ids.length + e) * dim + q] = rng.normal();
    outIds.push(String(900_000_000 + e));
  }
  return { files, features: out, dim, ids: outIds, expected: { all: expAll, naturalOcclusion: expOcc } };
}
