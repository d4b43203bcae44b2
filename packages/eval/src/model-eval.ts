/**
 * Model-driven evaluations over decoded, aligned images: pair verification, occlusion per region,
 * and peak-location statistics; plus {@link evaluateSyntheticSet}, the main job's final step.
 *
 * @module
 */
import { l2NormalizeRows, lineChartSvg, Rng, type Embedder, type Pixels, type ResponseMaps } from '@interpret-fr/core';
import { evaluatePairScores, type PairsResult } from './protocols/pairs.ts';
import { dot } from './scores/cosine.ts';
import { occlusionStudy, type OcclusionResult } from './occlusion.ts';
import { PeakStats, templateOutline96, type SignStats } from './peak-stats.ts';
import { heatmapSvg, scatterPanelsSvg } from './report/svg.ts';

/** An Embedder that can also return response maps (`@interpret-fr/inference` recognizers are). */
export interface MapsEmbedder extends Embedder {
  responseMaps(images: Pixels[]): Promise<ResponseMaps>;
}

/** Verification pairs from labels: every genuine pair (capped) and `impostorRatio` × as many impostors; 10 folds. */
export function buildPairs(
  labels: ArrayLike<number>,
  seed: number,
  opts: { maxGenuine?: number; impostorRatio?: number } = {},
): { a: Int32Array; b: Int32Array; label: Uint8Array; fold: Int32Array } {
  const rng = new Rng(seed);
  const gen: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (labels[i] === labels[j]) gen.push([i, j]);
  rng.shuffle(gen);
  const g = gen.slice(0, opts.maxGenuine ?? 3000);
  const nImp = Math.round(g.length * (opts.impostorRatio ?? 1));
  const imp: [number, number][] = [];
  for (let t = 0; imp.length < nImp && t < nImp * 50; t++) {
    const i = rng.int(labels.length),
      j = rng.int(labels.length);
    if (labels[i] !== labels[j]) imp.push([i, j]);
  }
  const all = rng.shuffle([...g.map((p) => [...p, 1]), ...imp.map((p) => [...p, 0])]);
  return { a: Int32Array.from(all, (p) => p[0]!), b: Int32Array.from(all, (p) => p[1]!), label: Uint8Array.from(all, (p) => p[2]!), fold: Int32Array.from(all, (_, k) => k % 10) };
}

/** Embeds images in batches and L2-normalises. */
export async function embedNormalized(e: Embedder, images: readonly Pixels[], batch = 32): Promise<Float32Array> {
  const raw = new Float32Array(images.length * e.dim);
  for (let s = 0; s < images.length; s += batch) raw.set((await e.embed(images.slice(s, s + batch) as Pixels[])).data, s * e.dim);
  return l2NormalizeRows(raw, images.length, e.dim);
}

/** Peak statistics over images (landmarks in the images' frame, scaled to the model input by the caller's size). */
export async function peakStatistics(
  m: MapsEmbedder,
  images: readonly Pixels[],
  landmarks?: readonly (ArrayLike<number> | undefined)[],
  batch = 16,
): Promise<{ positive: SignStats; negative: SignStats; images: number }> {
  const st = new PeakStats();
  for (let s = 0; s < images.length; s += batch) {
    const px = images.slice(s, s + batch) as Pixels[];
    const maps = await m.responseMaps(px);
    // Landmarks are in each image's own frame; maps cover the model input (inputSize).
    const lms = landmarks?.slice(s, s + batch).map((l, k) => (l ? Float32Array.from(l, (v) => (v * m.inputSize) / px[k]!.width) : undefined));
    st.add(maps, m.inputSize, lms);
  }
  return { positive: st.result('positive'), negative: st.result('negative'), images: images.length };
}

/** The figure of the original: μ_j per filter coloured by σ_j, positive and negative side by side, per model. */
export function peakFigure(models: readonly { name: string; positive: SignStats; negative: SignStats }[]): string {
  const outline = templateOutline96();
  const panels = models.flatMap((m) =>
    (['positive', 'negative'] as const).map((s) => {
      const st = m[s];
      const C = st.spread.length;
      return {
        title: `${m.name} ${s} (d = ${st.d.toFixed(1)})`,
        x: Float32Array.from({ length: C }, (_, c) => st.mean[2 * c]!),
        y: Float32Array.from({ length: C }, (_, c) => st.mean[2 * c + 1]!),
        value: st.spread,
        background: { outline },
      };
    }),
  );
  return scatterPanelsSvg(panels, { title: 'Average peak location per filter (96 frame), colour = spread σ (px)', size: 96, scale: 3, valueLabel: 'σ (px)' });
}

/** Occlusion study figures: |Δf| heat map (regions × filters). */
export function occlusionFigure(r: OcclusionResult): string {
  return heatmapSvg(r.meanAbsDelta, r.regions, r.dim, { title: 'Mean |Δf| per filter when a region is covered', xLabel: 'filter' });
}

/** Result of {@link evaluateSyntheticSet}. */
export interface SyntheticEvalResult {
  pairs: PairsResult;
  occlusion: OcclusionResult;
  peaks: { positive: SignStats; negative: SignStats; images: number };
  figures: Record<string, string>;
}

/**
 * The main job's evaluation on an aligned, labelled image set (the built-in synthetic faces):
 * verification pairs (10-fold accuracy, AUC, EER, TAR@FAR), occlusion per region with landmarks,
 * and the peak-location statistics and figure.
 */
export async function evaluateSyntheticSet(
  m: MapsEmbedder,
  data: { images: Pixels[]; labels: Int32Array; landmarks?: Float32Array[] },
  opts: { seed?: number; onProgress?: (stage: string, done: number, total: number) => void } = {},
): Promise<SyntheticEvalResult> {
  const pairs = buildPairs(data.labels, opts.seed ?? 1);
  const feats = await embedNormalized(m, data.images);
  const d = m.dim;
  const scores = Float32Array.from(pairs.a, (a, p) => dot(feats, a * d, feats, pairs.b[p]! * d, d));
  const pr = evaluatePairScores(scores, pairs.label, pairs.fold, 10, [1e-3, 1e-2, 1e-1]);
  opts.onProgress?.('pairs', 1, 1);
  const occ = await occlusionStudy(m, data.images, pairs, { landmarks: data.landmarks, onProgress: (a, b) => opts.onProgress?.('occlusion', a, b) });
  const peaks = await peakStatistics(m, data.images, data.landmarks);
  opts.onProgress?.('peaks', 1, 1);
  const roc = lineChartSvg(
    [{ name: 'clean', x: pr.curve.far, y: pr.curve.tar }, ...occ.perRegion.map((r) => ({ name: r.region, x: r.metrics.curve.far, y: r.metrics.curve.tar }))],
    { title: 'Synthetic set ROC (clean and per occluded region)', xLabel: 'FAR', yLabel: 'TAR', xLog: true, xMin: 1e-3, xMax: 1 },
  );
  return {
    pairs: { pairs: scores.length, skippedPairs: 0, ...pr },
    occlusion: occ,
    peaks,
    figures: { 'roc.svg': roc, 'occlusion-heatmap.svg': occlusionFigure(occ), 'peaks.svg': peakFigure([{ name: 'model', ...peaks }]) },
  };
}
