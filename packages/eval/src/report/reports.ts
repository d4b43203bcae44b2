/**
 * Report builders: machine-readable JSON objects (protocol, score, read-out and alignment names,
 * model metadata, data checksums; values as fractions in [0, 1]) and Markdown summaries (percent).
 *
 * @module
 */
import type { IjbaSplitResult, IjbaSummary, OverSplits } from '../protocols/ijba.ts';
import type { PairsResult } from '../protocols/pairs.ts';
import { lineChartSvg } from '@interpret-fr/core';

/** Definitions quoted in every report, so numbers are never ambiguous. */
export const DEFINITIONS = {
  scores: 'similarities (cosine); distance = 1 - cos',
  'tar@far.nearest': 'tie-grouped: TAR at the distinct-threshold ROC cut whose FAR is closest to the target (first cut on ties); tied scores are accepted together',
  'tar@far.matlab':
    'MATLAB-exact (CNN_single_verify.m): pairs stably sorted (ties keep the comparison-file order), every cut j = 1..n, first j minimising |FAR_j - target|; a cut may split a run of tied scores',
  'tar@far.interpolated': 'TAR linearly interpolated on the ROC at exactly the target FAR',
  auc: 'trapezoidal area under the ROC (ties count 1/2)',
  eer: 'FAR where FAR = 1 - TAR on the piecewise-linear ROC',
  cmc: 'closed set: probes whose subject is not in the gallery are dropped; stable ranking (ties keep gallery order)',
  'tpir@fpir':
    'NIST open set: accept scores strictly above the (k+1)-th highest non-mated top score, k = floor(FPIR * N_nonmated); TPIR counts mated probes at rank 1 and accepted',
  std: 'sample standard deviation over splits/folds (N - 1)',
  accuracy: 'per fold, the threshold maximising accuracy on the other folds (ties: smallest threshold)',
} as const;

/** Extra context for a report. */
export interface ReportContext {
  alignment: string;
  model?: Record<string, unknown> | null;
  data?: Record<string, unknown>;
  /** Images that could not be decoded (skipped, not fatal): id and reason. */
  skippedImages?: readonly { id: string; reason: string }[];
}

/** `skippedImages` block of report.json: count and every skipped image (id, reason). */
const skippedBlock = (ctx: ReportContext): { count: number; images: readonly { id: string; reason: string }[] } => ({
  count: ctx.skippedImages?.length ?? 0,
  images: ctx.skippedImages ?? [],
});

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(2) : 'n/a');
const pm = (o: OverSplits): string => `${pct(o.mean)} ± ${pct(o.std)}`;

/** The IJB-A report object (the keys scripts rely on: verify, search, protocol, score). */
export function ijbaReport(summary: IjbaSummary, perSplit: readonly IjbaSplitResult[], ctx: ReportContext): Record<string, unknown> {
  return {
    ...summary,
    alignment: ctx.alignment,
    model: ctx.model ?? null,
    data: ctx.data ?? {},
    skippedImages: skippedBlock(ctx),
    definitions: DEFINITIONS,
    perSplit: perSplit.map((r) => ({
      split: r.split,
      verify: {
        pairs: r.verify.pairs,
        skippedPairs: r.verify.skippedPairs,
        templates: r.verify.templates,
        emptyTemplates: r.verify.emptyTemplates,
        nGenuine: r.verify.nGenuine,
        nImpostor: r.verify.nImpostor,
        auc: r.verify.auc,
        eer: r.verify.eer,
        tarAtFar: r.verify.tarAtFar,
      },
      search: {
        probes: r.search.probes,
        mated: r.search.mated,
        skippedProbes: r.search.skippedProbes,
        gallery: r.search.gallery,
        skippedGallery: r.search.skippedGallery,
        ranks: r.search.ranks,
        rates: r.search.rates,
        tpir: r.search.tpir,
      },
    })),
  };
}

/** Markdown summary of an IJB-A run. */
export function ijbaMarkdown(summary: IjbaSummary, ctx: ReportContext): string {
  const l: string[] = [];
  l.push(`# IJB-A evaluation (${summary.subset})`, '');
  l.push(`- template score: \`${summary.score}\``, `- alignment: \`${ctx.alignment}\``, `- splits: ${summary.auc.splits.length}; values in %, mean ± std (N − 1) over splits`, '');
  const headline = summary.score === 'set-min-mean-matlab' ? 'matlab' : 'nearest';
  l.push(
    '## 1:1 verification',
    '',
    `Read-outs: \`matlab\` = every cut of the stable sort in comparison-file order (a cut may split tied scores, as \`CNN_single_verify.m\`); \`nearest\` = tie-grouped (tied scores accepted together); \`interpolated\` = on the ROC at exactly the target. Headline for \`${summary.score}\`: **${headline}**.`,
    '',
  );
  l.push('| read-out | matlab | nearest (tie-grouped) | interpolated |', '|---|---|---|---|');
  for (const [k, v] of Object.entries(summary.verify)) l.push(`| ${k.toUpperCase()} | ${pm(v.matlab)} | ${pm(v.nearest)} | ${pm(v.interpolated)} |`);
  l.push(`| AUC | ${pm(summary.auc)} | | |`, `| EER | ${pm(summary.eer)} | | |`, '');
  l.push('## 1:N identification', '', '| read-out | value |', '|---|---|');
  for (const [k, v] of Object.entries(summary.search)) l.push(`| ${k} | ${pm(v)} |`);
  l.push('', '## Counts per split', '', '| split | pairs | skipped pairs | empty templates | probes | mated | skipped probes |', '|---|---|---|---|---|---|---|');
  const c = summary.counts;
  c.pairs.forEach((_, i) => l.push(`| ${i + 1} | ${c.pairs[i]} | ${c.skippedPairs[i]} | ${c.emptyTemplates[i]} | ${c.probes[i]} | ${c.mated[i]} | ${c.skippedProbes[i]} |`));
  l.push('', 'Figures: `roc.svg`, `cmc.svg`.', '');
  return l.join('\n');
}

/** ROC (log FAR) and CMC figures of an IJB-A run, one line per split. */
export function ijbaFigures(perSplit: readonly IjbaSplitResult[]): Record<string, string> {
  const roc = lineChartSvg(
    perSplit.map((r) => ({ name: `split ${r.split}`, x: r.verify.curve.far, y: r.verify.curve.tar })),
    { title: 'IJB-A 1:1 ROC', xLabel: 'FAR', yLabel: 'TAR', xLog: true, xMin: 1e-4, xMax: 1 },
  );
  const cmcs = perSplit.map((r) => ({ name: `split ${r.split}`, x: Float64Array.from(r.search.cmcCurve, (_, i) => i + 1), y: r.search.cmcCurve }));
  const maxRank = Math.min(50, Math.max(1, ...perSplit.map((r) => r.search.cmcCurve.length)));
  const cmc = lineChartSvg(
    cmcs.map((s) => ({ ...s, x: s.x.subarray(0, maxRank), y: s.y.subarray(0, maxRank) })),
    { title: 'IJB-A 1:N CMC (closed set)', xLabel: 'rank', yLabel: 'identification rate', xMin: 1, xMax: maxRank },
  );
  return { 'roc.svg': roc, 'cmc.svg': cmc };
}

/** The pairs report object: accuracy = {mean, std, folds}, auc, eer, TAR@FAR. */
export function pairsReport(r: PairsResult, ctx: ReportContext & { protocol: string }): Record<string, unknown> {
  const verify: Record<string, { nearest: number; matlab: number; interpolated: number }> = {};
  for (const t of r.tarAtFar) verify[`tar@far=${t.target}`] = { nearest: t.nearest.tar, matlab: t.matlab.tar, interpolated: t.interpolated };
  return {
    protocol: ctx.protocol,
    score: 'cosine',
    alignment: ctx.alignment,
    stdKind: r.stdKind,
    accuracy: r.accuracy,
    thresholds: r.thresholds,
    trainThreshold: r.trainThreshold ?? null,
    auc: r.auc,
    eer: r.eer,
    verify,
    counts: { pairs: r.pairs, skippedPairs: r.skippedPairs },
    model: ctx.model ?? null,
    data: ctx.data ?? {},
    skippedImages: skippedBlock(ctx),
    definitions: DEFINITIONS,
  };
}

/** Markdown summary of a pairs run. */
export function pairsMarkdown(r: PairsResult, ctx: ReportContext & { protocol: string }): string {
  const l = [
    `# Pair verification (${ctx.protocol})`,
    '',
    `- score: cosine; alignment: \`${ctx.alignment}\``,
    `- pairs: ${r.pairs} (skipped, missing features: ${r.skippedPairs})`,
    '',
  ];
  if (r.accuracy) l.push(`Accuracy (${r.accuracy.folds.length}-fold, std N − 1): **${pct(r.accuracy.mean)} ± ${pct(r.accuracy.std)} %**`, '');
  if (r.trainThreshold) {
    const t = r.trainThreshold;
    l.push(
      `Accuracy at the threshold chosen on \`${t.file}\` (${t.pairs} pairs, ${t.skippedPairs} skipped; threshold ${t.threshold.toFixed(4)}, train accuracy ${pct(t.trainAccuracy)} %): **${pct(t.accuracy)} %**`,
      '',
    );
  }
  l.push('| metric | value (%) |', '|---|---|', `| AUC | ${pct(r.auc)} |`, `| EER | ${pct(r.eer)} |`);
  for (const t of r.tarAtFar)
    l.push(`| TAR@FAR=${t.target} matlab / nearest (tie-grouped) / interpolated | ${pct(t.matlab.tar)} / ${pct(t.nearest.tar)} / ${pct(t.interpolated)} |`);
  l.push('', 'Figure: `roc.svg`.', '');
  return l.join('\n');
}
