/**
 * `interpret-fr-eval occlusion | peaks | synthetic`: model-driven commands over a labelled image
 * list (`list.txt` + optional `landmarks.txt`, the synthetic/trainer layout).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadListDataset } from '../io/list-dataset.ts';
import { buildPairs, evaluateSyntheticSet, occlusionFigure, peakFigure, peakStatistics, type MapsEmbedder } from '../model-eval.ts';
import { occlusionStudy, type OcclusionResult } from '../occlusion.ts';
import type { SignStats } from '../peak-stats.ts';
import type { TarAtFar, VerificationMetrics } from '../metrics/roc.ts';
import { DEFINITIONS } from '../report/reports.ts';
import { checksums, writeReport } from '../report/write.ts';
import { choiceOption, defineCli, intOption, requireOption, usageError } from '@interpret-fr/core/node';
import { InterpretFrError } from '@interpret-fr/core';
import type { CliContext, ParsedCli } from '@interpret-fr/core/node';
import { loadModel, OUTSIDE_ROOT_OPTION, VERIFY_OPTION } from './common.ts';

const D_DEF = 'd = mean Euclidean distance of the per-filter average peak locations from their centroid, pixels of the 96x96 frame (our definition; the paper gives none)';
const ALIGN = 'pass-through (pre-aligned list; images larger than 96 are centre-cropped to 96, the original 110 -> 96)';

const readouts = (t: readonly TarAtFar[]): Record<string, { nearest: number; matlab: number; interpolated: number }> =>
  Object.fromEntries(t.map((x) => [`tar@far=${x.target}`, { nearest: x.nearest.tar, matlab: x.matlab.tar, interpolated: x.interpolated }]));
const vm = (m: VerificationMetrics): Record<string, unknown> => ({ auc: m.auc, eer: m.eer, verify: readouts(m.tarAtFar) });

function occlusionJson(r: OcclusionResult): Record<string, unknown> {
  const top = (k: number): number[] => {
    const row = Array.from(r.meanAbsDelta.subarray(k * r.dim, (k + 1) * r.dim));
    return row
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 10)
      .map((x) => x[1]);
  };
  return {
    protocol: 'second image of each pair covered by a black 32x12 window (96 frame) at the region, moved through landmarks when given',
    clean: vm(r.clean),
    regions: Object.fromEntries(
      r.perRegion.map((p, k) => [
        p.region,
        { ...vm(p.metrics), aucDrop: r.clean.auc - p.metrics.auc, topFilters: top(k), meanAbsDelta: Array.from(r.meanAbsDelta.subarray(k * r.dim, (k + 1) * r.dim)) },
      ]),
    ),
  };
}

function occlusionMd(r: OcclusionResult): string[] {
  const l = [
    '## Occlusion per region',
    '',
    '| region | AUC (%) | EER (%) | ΔAUC vs clean | top filters by mean |Δf| |',
    '|---|---|---|---|---|',
    `| clean | ${(100 * r.clean.auc).toFixed(2)} | ${(100 * r.clean.eer).toFixed(2)} | | |`,
  ];
  r.perRegion.forEach((p, k) => {
    const row = Array.from(r.meanAbsDelta.subarray(k * r.dim, (k + 1) * r.dim))
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5);
    l.push(
      `| ${p.region} | ${(100 * p.metrics.auc).toFixed(2)} | ${(100 * p.metrics.eer).toFixed(2)} | ${(100 * (r.clean.auc - p.metrics.auc)).toFixed(2)} | ${row.map(([v, i]) => `${i} (${v.toFixed(3)})`).join(', ')} |`,
    );
  });
  return [...l, ''];
}

const peaksJson = (p: { positive: SignStats; negative: SignStats; images: number }): Record<string, unknown> => ({
  definition: D_DEF,
  images: p.images,
  positive: { d: p.positive.d, filters: p.positive.filters, mean: p.positive.mean, spread: p.positive.spread, count: p.positive.count },
  negative: { d: p.negative.d, filters: p.negative.filters, mean: p.negative.mean, spread: p.negative.spread, count: p.negative.count },
});

async function model(path: string, verify = true): Promise<MapsEmbedder & { meta: Record<string, unknown>; dispose?: () => Promise<void> }> {
  const m = await loadModel(path, 1, { verify });
  if (typeof m.responseMaps !== 'function') throw new Error(`${path}: the recognizer has no responseMaps`);
  return m as MapsEmbedder & { meta: Record<string, unknown> };
}

const MODEL_DATA = {
  model: { type: 'string', arg: 'FILE.onnx', description: 'the model (required)' },
  data: { type: 'string', arg: 'DIR', description: 'dataset folder with list.txt [landmarks.txt] (required)' },
  out: { type: 'string', arg: 'DIR', description: 'report folder (required)' },
  ...VERIFY_OPTION,
} as const;

/** `interpret-fr-eval occlusion`. */
export const OCCLUSION_CLI = defineCli({
  name: 'interpret-fr-eval occlusion',
  summary: 'verification with black windows at face regions + per-filter |Δf| table and heat map',
  usage: '--model <file.onnx> --data <dir with list.txt [landmarks.txt]> --out <dir> [--max-images N] [--seed S]',
  options: {
    ...MODEL_DATA,
    'max-images': { type: 'string', arg: 'N', description: 'images read from the list (default 600)' },
    seed: { type: 'string', arg: 'S', description: 'pair sampling seed, 0..2^32-1 (default 1)' },
    align: {
      type: 'string',
      arg: 'NAME',
      description:
        'pass-through | detect: pass-through (default): list.txt holds aligned crops; detect: raw photos,\naligned first with interpret-fr-prepare into <out>/aligned (resumable; landmarks move the windows)',
    },
    ...OUTSIDE_ROOT_OPTION,
    ...VERIFY_OPTION,
  },
  epilog: `Verification with black 32x12 windows (96 frame) at forehead, left eye, right eye, nose, mouth, cheek (moved through
landmarks when landmarks.txt exists), per region vs clean; per-filter mean |Δf| table and heat map (occlusion-heatmap.svg).`,
});

export async function occlusionCommand({ values: v }: ParsedCli<typeof OCCLUSION_CLI.options>, ctx: CliContext): Promise<number> {
  const [mp, dir, out] = [requireOption(v.model, 'model'), requireOption(v.data, 'data'), requireOption(v.out, 'out')];
  const maxImages = intOption(v['max-images'], 'max-images', 600, { min: 1 });
  const seed = intOption(v.seed, 'seed', 1, { min: 0, max: 2 ** 32 - 1 });
  const align = choiceOption(v.align, 'align', ['pass-through', 'detect'], 'pass-through');
  let dataDir = dir;
  let alignment = ALIGN;
  if (align === 'detect') {
    const { prepareImages } = await import('@interpret-fr/align/node');
    dataDir = join(out, 'aligned');
    const progress = ctx.progress();
    const rep = await prepareImages(
      { images: join(dir, 'list.txt'), out: dataDir },
      {
        signal: ctx.io.signal,
        onEvent: (e) => {
          if (e.type === 'progress')
            progress.update({ what: 'align', ...e }, `align: ${e.done}/${e.total} (${e.imagesPerSecond.toFixed(1)} images/s)`, { final: e.done === e.total });
        },
      },
    );
    if (rep.pending > 0) throw new InterpretFrError(`occlusion --align detect: interrupted with ${rep.pending} images left; rerun to resume`);
    alignment = `detect (interpret-fr-prepare into ${dataDir}: ${rep.aligned} aligned, ${rep.fallback} centred-box fallback, ${rep.failed} failed; centre 96 of the 110 template crop)`;
  }
  const data = await loadListDataset(dataDir, { maxImages, crop: 96, allowOutsideRoot: v['allow-outside-root'] === true });
  const m = await model(mp, v['no-verify'] !== true);
  try {
    const pairs = buildPairs(data.labels, seed);
    const r = await occlusionStudy(m, data.images, pairs, { landmarks: data.landmarks });
    const md = ['# Occlusion robustness', '', `alignment: ${alignment}; images ${data.images.length}, pairs ${pairs.a.length}`, '', ...occlusionMd(r)].join('\n');
    await writeReport(
      out,
      {
        protocol: 'occlusion',
        score: 'cosine',
        alignment,
        occlusion: occlusionJson(r),
        model: m.meta,
        data: await checksums({ list: join(dataDir, 'list.txt') }),
        skippedImages: { count: data.skipped.length, images: data.skipped },
        definitions: DEFINITIONS,
      },
      md,
      { 'occlusion-heatmap.svg': occlusionFigure(r) },
    );
    ctx.io.stdout.write(md + '\n');
  } finally {
    await m.dispose?.();
  }
  return 0;
}

/** `interpret-fr-eval peaks`. */
export const PEAKS_CLI = defineCli({
  name: 'interpret-fr-eval peaks',
  summary: 'per-filter average peak locations, spreads and d from response maps (+ figure)',
  usage: '--model <a.onnx> [--model <b.onnx> …] [--name base --name ours …] --data <dir with list.txt [landmarks.txt]> --out <dir> [--max-images 1000]',
  options: {
    ...MODEL_DATA,
    model: { type: 'string', multiple: true, arg: 'FILE.onnx', description: 'a model (required; repeat it for several models)' },
    name: { type: 'string', multiple: true, arg: 'NAME', description: 'the name of each --model, in order (default "model 1", …)' },
    'max-images': { type: 'string', arg: 'N', description: 'images read from the list (default 1000)' },
    ...OUTSIDE_ROOT_OPTION,
    ...VERIFY_OPTION,
  },
  epilog: `Per-filter average peak location μ_j and spread σ_j (positive and negative peaks, weighted by |peak|, warped into the
template frame through landmarks.txt when present), d, and peaks.svg (one pair of panels per model, side by side).`,
});

export async function peaksCommand({ values: v }: ParsedCli<typeof PEAKS_CLI.options>, ctx: CliContext): Promise<number> {
  const models = v.model ?? [];
  const names = v.name ?? [];
  if (models.length === 0 || models.some((x) => x === '')) throw usageError('--model <file.onnx> is required (repeat it for several models)');
  if (names.length > models.length) throw usageError(`${names.length} --name for ${models.length} --model`);
  const [dir, out] = [requireOption(v.data, 'data'), requireOption(v.out, 'out')];
  const data = await loadListDataset(dir, { maxImages: intOption(v['max-images'], 'max-images', 1000, { min: 1 }), crop: 96, allowOutsideRoot: v['allow-outside-root'] === true });
  const results: { name: string; path: string; meta: Record<string, unknown>; positive: SignStats; negative: SignStats; images: number }[] = [];
  for (const [k, p] of models.entries()) {
    const m = await model(p, v['no-verify'] !== true);
    try {
      results.push({ name: names[k] ?? `model ${k + 1}`, path: p, meta: m.meta, ...(await peakStatistics(m, data.images, data.landmarks)) });
    } finally {
      await m.dispose?.();
    }
  }
  const md = [
    '# Peak-location statistics',
    '',
    D_DEF,
    '',
    `images: ${data.images.length}; landmarks: ${data.landmarks ? 'yes (warped to the template frame)' : 'no (identity)'}`,
    '',
    '| model | d positive | d negative | filters with peaks (pos / neg) |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.positive.d.toFixed(2)} | ${r.negative.d.toFixed(2)} | ${r.positive.filters} / ${r.negative.filters} |`),
    '',
  ].join('\n');
  await writeReport(
    out,
    {
      protocol: 'peaks',
      alignment: ALIGN,
      models: results.map((r) => ({ name: r.name, model: r.meta, peaks: peaksJson(r) })),
      data: await checksums({ list: join(dir, 'list.txt') }),
      skippedImages: { count: data.skipped.length, images: data.skipped },
    },
    md,
    { 'peaks.svg': peakFigure(results) },
  );
  ctx.io.stdout.write(md + '\n');
  return 0;
}

/** `interpret-fr-eval synthetic`. */
export const SYNTHETIC_CLI = defineCli({
  name: 'interpret-fr-eval synthetic',
  summary: "the main job's evaluation on the built-in synthetic set (pairs, occlusion, peaks)",
  usage: '--model <file.onnx> --data <synthetic dataset dir> --out <dir> [--max-images 600] [--seed 1]',
  options: {
    ...MODEL_DATA,
    'max-images': { type: 'string', arg: 'N', description: 'images read from the list (default 600)' },
    seed: { type: 'string', arg: 'S', description: 'pair sampling seed, 0..2^32-1 (default 1)' },
    ...OUTSIDE_ROOT_OPTION,
    ...VERIFY_OPTION,
  },
  epilog: `The main job's final evaluation on the built-in synthetic set (list.txt, landmarks.txt, images/… as written by the
trainer's synthetic writer): verification pairs (10-fold accuracy, AUC, EER, TAR@FAR), occlusion per region, peak figure.`,
});

export async function syntheticCommand({ values: v }: ParsedCli<typeof SYNTHETIC_CLI.options>, ctx: CliContext): Promise<number> {
  const [mp, dir, out] = [requireOption(v.model, 'model'), requireOption(v.data, 'data'), requireOption(v.out, 'out')];
  const maxImages = intOption(v['max-images'], 'max-images', 600, { min: 1 });
  const seed = intOption(v.seed, 'seed', 1, { min: 0, max: 2 ** 32 - 1 });
  const data = await loadListDataset(dir, { maxImages, crop: 96, allowOutsideRoot: v['allow-outside-root'] === true });
  const m = await model(mp, v['no-verify'] !== true);
  try {
    const progress = ctx.progress();
    const r = await evaluateSyntheticSet(m, data, {
      seed,
      onProgress: (stage, done, total) => progress.update({ type: 'progress', stage, done, total }, `${stage}: ${done}/${total}`, { final: done === total }),
    });
    const p = r.pairs;
    const json = {
      protocol: 'synthetic',
      score: 'cosine',
      alignment: ALIGN,
      stdKind: 'sample (N-1)',
      accuracy: p.accuracy,
      auc: p.auc,
      eer: p.eer,
      verify: readouts(p.tarAtFar),
      counts: { images: data.images.length, pairs: p.pairs, skippedImages: data.skipped.length },
      skippedImages: { count: data.skipped.length, images: data.skipped },
      occlusion: occlusionJson(r.occlusion),
      peaks: peaksJson(r.peaks),
      model: m.meta,
      data: await checksums({ list: join(dir, 'list.txt'), ...(existsSync(join(dir, 'dataset.json')) ? { dataset: join(dir, 'dataset.json') } : {}) }),
      definitions: DEFINITIONS,
    };
    const md = [
      '# Synthetic-set evaluation',
      '',
      `alignment: ${ALIGN}; images ${data.images.length}; pairs ${p.pairs}`,
      '',
      `Accuracy (10-fold, std N − 1): **${(100 * p.accuracy!.mean).toFixed(2)} ± ${(100 * p.accuracy!.std).toFixed(2)} %**; AUC ${(100 * p.auc).toFixed(2)} %; EER ${(100 * p.eer).toFixed(2)} %`,
      '',
      ...occlusionMd(r.occlusion),
      '## Peak locations',
      '',
      D_DEF,
      '',
      `d (positive) = ${r.peaks.positive.d.toFixed(2)} px over ${r.peaks.positive.filters} filters; d (negative) = ${r.peaks.negative.d.toFixed(2)} px over ${r.peaks.negative.filters} filters`,
      '',
      'Figures: roc.svg, occlusion-heatmap.svg, peaks.svg',
      '',
    ].join('\n');
    await writeReport(out, json, md, r.figures);
    ctx.io.stdout.write(md + '\n');
  } finally {
    await m.dispose?.();
  }
  return 0;
}
