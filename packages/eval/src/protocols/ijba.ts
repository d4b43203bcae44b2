/**
 * IJB-A 1:1 verification and 1:N identification over precomputed image features, per split and as
 * mean ± std (N − 1) over splits (method.md §6.2–6.5, evaluation.md). Features are looked up by
 * SIGHTING_ID; images without a feature are dropped, templates left empty are skipped (with their
 * pairs or probes) and counted.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core/errors';
import type { Embeddings } from '@interpret-fr/core';
import { verificationMetrics, type VerificationMetrics } from '../metrics/roc.ts';
import { cmc, probeRanks, tpirAtFpir, type TpirAtFpir } from '../metrics/identification.ts';
import { meanStd } from '../metrics/stats.ts';
import { buildTemplates, selectTemplates, templateIndex, type Templates } from '../scores/templates.ts';
import {
  prepareTemplates,
  scoreErrorBound,
  scoreTemplateMatrix,
  scoreTemplateMatrixAsync,
  scoreTemplatePairsAsync,
  scoreTemplatePairsExact,
  type PairScoreStats,
  type PreparedTemplates,
  type TemplateScore,
} from '../scores/template-scores.ts';
import { unitRows } from '../scores/simd.ts';
import { refineSteps } from '../scores/refine.ts';
import type { AsyncGemm } from '../scores/gemm.ts';
import { firstNonFinite } from '../io/npy.ts';
import { IjbaFormatError, type IjbaComparisons, type IjbaMetadata } from './ijba-csv.ts';

/** The four files of one split. */
export interface IjbaSplitData {
  split: number;
  verifyMetadata: IjbaMetadata;
  comparisons: IjbaComparisons;
  probe: IjbaMetadata;
  gallery: IjbaMetadata;
}

/** Image subsets. `natural-occlusion`: rows whose three visibility flags are not all 1 (NaN kept). */
export type IjbaSubset = 'all' | 'natural-occlusion';

/** Options of {@link evaluateIjbaSplit}. */
export interface IjbaOptions {
  score?: TemplateScore;
  subset?: IjbaSubset;
  farTargets?: readonly number[];
  ranks?: readonly number[];
  fpirTargets?: readonly number[];
}

/** Per-split result. */
export interface IjbaSplitResult {
  split: number;
  verify: VerificationMetrics & { pairs: number; skippedPairs: number; templates: number; emptyTemplates: number };
  search: {
    ranks: number[];
    rates: number[];
    tpir: TpirAtFpir[];
    probes: number;
    mated: number;
    skippedProbes: number;
    gallery: number;
    skippedGallery: number;
    /** CMC curve over all gallery positions (for figures). */
    cmcCurve: Float64Array;
  };
  /** Scores replaced by their canonical value so every kernel reports the same metrics (scores/refine.ts). */
  refined?: RefineCounts;
}

/** A features table keyed by string id (IJB-A: the SIGHTING_ID). */
export interface FeatureTable {
  features: Embeddings;
  index: Map<string, number>;
}

/** Non-finite features: names their source, the row and the image id. */
export class FeatureValueError extends InterpretFrError {
  constructor(
    readonly source: string,
    override readonly row: number,
    message: string,
  ) {
    super(`${source}: row ${row} (0-based): ${message}`, { code: 'data' });
    this.name = 'FeatureValueError';
  }
}

/**
 * Builds a {@link FeatureTable} from features and their ids (duplicate ids are an error). Every value
 * must be finite: a NaN would silently drop out of the `>` comparisons of the scores and change the
 * metrics, so it is refused here, naming `source` (the .npy file or the model), the row and its id.
 */
export function featureTable(features: Embeddings, ids: readonly string[], source = 'features'): FeatureTable {
  if (ids.length !== features.n) throw new RangeError(`featureTable: ${ids.length} ids for ${features.n} feature rows`);
  const bad = firstNonFinite(features.data);
  if (bad >= 0) {
    const r = Math.floor(bad / features.dim);
    throw new FeatureValueError(source, r, `id '${ids[r]}', value ${bad % features.dim} is ${features.data[bad]}; features must be finite`);
  }
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw new RangeError(`featureTable: id '${id}' appears twice (rows ${index.get(id)} and ${i})`);
    index.set(id, i);
  });
  return { features, index };
}

/** Keeps row r of the metadata under the subset rule. */
export function subsetFilter(m: IjbaMetadata, subset: IjbaSubset): ((r: number) => boolean) | undefined {
  if (subset === 'all') return undefined;
  return (r) => !(m.visibility[3 * r] === 1 && m.visibility[3 * r + 1] === 1 && m.visibility[3 * r + 2] === 1);
}

/** Feature row by numeric SIGHTING_ID (−1: none): a dense table over 0..max id when that is small enough, else a Map. */
type NumericRows = Int32Array | Map<number, number>;

/**
 * The table's ids as numbers, row by row, when every one is a canonical integer (`String(Number(id)) === id`,
 * a safe integer): IJB-A's SIGHTING_IDs. Else null (ids are then looked up as strings).
 */
export function numericIds(table: FeatureTable): Float64Array | null {
  const ids = new Float64Array(table.features.n).fill(Number.NaN);
  for (const [id, row] of table.index) {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || String(n) !== id) return null;
    ids[row] = n;
  }
  return ids;
}

function numericRows(ids: Float64Array): NumericRows {
  let lo = 0;
  let hi = -1;
  for (const id of ids) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  // Dense when the ids are non-negative and the table stays within a few times the rows (IJB-A: ≈ 0.5 MB).
  if (lo >= 0 && hi < 8 * ids.length + (1 << 20)) {
    const dense = new Int32Array(hi + 1).fill(-1);
    ids.forEach((id, row) => {
      if (!Number.isNaN(id)) dense[id] = row;
    });
    return dense;
  }
  const m = new Map<number, number>();
  ids.forEach((id, row) => {
    if (!Number.isNaN(id)) m.set(id, row);
  });
  return m;
}

const numericIndex = new WeakMap<FeatureTable, NumericRows | null>();
/** Feature rows by numeric SIGHTING_ID (no string per lookup), when the table's ids are canonical integers; else null. */
function rowBySighting(table: FeatureTable): NumericRows | null {
  let m = numericIndex.get(table);
  if (m !== undefined) return m;
  const ids = numericIds(table);
  m = ids ? numericRows(ids) : null;
  numericIndex.set(table, m);
  return m;
}

/**
 * A {@link FeatureTable} over `features` whose row r has the integer id `ids[r]` (as {@link numericIds} gives,
 * distinct): looked up by number, and the string index built only if something asks for it (a worker gets the
 * ids as numbers: no 25k strings to clone, map and collect).
 */
export function numericFeatureTable(features: Embeddings, ids: Float64Array): FeatureTable {
  let index: Map<string, number> | undefined;
  const table: FeatureTable = {
    features,
    get index(): Map<string, number> {
      index ??= new Map(Array.from(ids, (id, row) => [String(id), row]));
      return index;
    },
  };
  numericIndex.set(table, numericRows(ids));
  return table;
}

function templatesOf(m: IjbaMetadata, table: FeatureTable, subset: IjbaSubset): Templates {
  const rows = new Int32Array(m.n);
  const byNumber = rowBySighting(table);
  const sid = m.sightingId;
  if (byNumber instanceof Int32Array)
    for (let r = 0; r < m.n; r++) {
      const id = sid[r]!;
      rows[r] = id >= 0 && id < byNumber.length ? byNumber[id]! : -1;
    }
  else if (byNumber) for (let r = 0; r < m.n; r++) rows[r] = byNumber.get(sid[r]!) ?? -1;
  else for (let r = 0; r < m.n; r++) rows[r] = table.index.get(String(sid[r])) ?? -1;
  return buildTemplates(m.templateId, rows, m.mediaId, subsetFilter(m, subset));
}

function subjectOf(m: IjbaMetadata): Map<number, number> {
  const s = new Map<number, number>();
  for (let r = 0; r < m.n; r++) {
    const t = m.templateId[r]!;
    const prev = s.get(t);
    if (prev !== undefined && prev !== m.subjectId[r])
      throw new IjbaFormatError(m.file, m.line[r]!, `TEMPLATE_ID ${t} has SUBJECT_ID ${m.subjectId[r]} here and ${prev} on an earlier line`);
    s.set(t, m.subjectId[r]!);
  }
  return s;
}

const sizeOf = (t: Templates, i: number): number => t.offsets[i + 1]! - t.offsets[i]!;

/** Counts of the refinement step (scores replaced by their canonical value, see scores/refine.ts). */
export interface RefineCounts {
  verify: number;
  search: number;
}

/** How one split's template scores are computed: synchronously (wasm SIMD / JS) or on an {@link AsyncGemm}. */
type Scorer = {
  stats: PairScoreStats;
  pairs(A: PreparedTemplates, pa: Int32Array, pb: Int32Array): Float32Array | Promise<Float32Array>;
  matrix(P: PreparedTemplates, G: PreparedTemplates): Float32Array | Promise<Float32Array>;
  /** Canonical scores of (probe, gallery) template pairs (the refinement's near-ties), as exactTemplateScore gives them. */
  rescore(P: PreparedTemplates, G: PreparedTemplates, pa: Int32Array, pb: Int32Array): Float32Array | Promise<Float32Array>;
};

/** The scored verification pairs of a split (template indices into `vt`), their labels (and how many are genuine) and source rows; pairs with an empty template are skipped. */
function verificationPairs(d: IjbaSplitData, vt: Templates): { pa: Int32Array; pb: Int32Array; labels: Uint8Array; src: Int32Array; skipped: number; genuine: number } {
  const vIdx = templateIndex(vt);
  const vSubj = subjectOf(d.verifyMetadata);
  const c = d.comparisons;
  const n = c.a.length;
  const pa = new Int32Array(n);
  const pb = new Int32Array(n);
  const labels = new Uint8Array(n);
  const src = new Int32Array(n);
  let k = 0;
  let genuine = 0;
  for (let p = 0; p < n; p++) {
    const i = vIdx.get(c.a[p]!);
    const j = vIdx.get(c.b[p]!);
    if (i === undefined || j === undefined) throw new IjbaFormatError(c.file, c.line[p]!, `TEMPLATE_ID ${i === undefined ? c.a[p] : c.b[p]} is not in ${d.verifyMetadata.file}`);
    if (sizeOf(vt, i) === 0 || sizeOf(vt, j) === 0) continue;
    pa[k] = i;
    pb[k] = j;
    src[k] = p;
    labels[k] = vSubj.get(c.a[p]!) === vSubj.get(c.b[p]!) ? 1 : 0;
    genuine += labels[k]!;
    k++;
  }
  return { pa: pa.slice(0, k), pb: pb.slice(0, k), labels: labels.slice(0, k), src: src.slice(0, k), skipped: n - k, genuine };
}

/** Indices of the non-empty templates. */
function nonEmpty(t: Templates): Int32Array {
  const keep = new Int32Array(t.ids.length);
  let k = 0;
  for (let i = 0; i < t.ids.length; i++) if (sizeOf(t, i) > 0) keep[k++] = i;
  return keep.slice(0, k);
}

/** The SUBJECT_ID of each template id of `ids` (checked consistent within each template). */
function subjectsOf(m: IjbaMetadata, ids: Int32Array): Int32Array {
  const s = subjectOf(m);
  return Int32Array.from(ids, (id) => s.get(id)!);
}

/** The two halves of a split, which may run on different threads ({@link ijbaPool}): 1:1 verification and 1:N search. */
export type IjbaPart = 'verify' | 'search';

/** One half of a split's result ({@link evaluateIjbaPartAsync}); {@link joinIjbaParts} makes the split's result of the two. */
export type IjbaPartResult =
  | { part: 'verify'; split: number; verify: IjbaSplitResult['verify']; recomputed: number }
  | { part: 'search'; split: number; search: IjbaSplitResult['search']; refined: number };

type Steps<R> = Generator<Float32Array | Promise<Float32Array>, R, Float32Array>;

/**
 * A split's verification as a generator: yields its scoring job, then returns its metrics. The sync and the
 * async evaluators drive it with their own kernels; everything else (pairs, labels, subsets, metrics) is this
 * one code path.
 */
function* verifySteps(d: IjbaSplitData, table: FeatureTable, opts: IjbaOptions, u: Float32Array, scorer: Scorer): Steps<IjbaPartResult & { part: 'verify' }> {
  const score = opts.score ?? 'set-min-mean';
  const subset = opts.subset ?? 'all';
  // The loops live in plain functions (verificationPairs, nonEmpty, …): a generator holding them is
  // re-optimised (on-stack replacement, then deoptimised at the next phase) several times per split.
  const vt = templatesOf(d.verifyMetadata, table, subset);
  const c = d.comparisons;
  const vp = verificationPairs(d, vt);
  // TAR@FAR needs genuine and impostor pairs: a subset (or missing features) can leave a class empty.
  if (vp.genuine === 0 || vp.genuine === vp.labels.length)
    throw new InterpretFrError(
      `split ${d.split}: ${vp.genuine} genuine and ${vp.labels.length - vp.genuine} impostor pairs left to score (${vp.skipped} of ${c.a.length} compare a template with no image${subset === 'all' ? ' that has a feature' : ` in --subset ${subset}`}); TAR@FAR needs both`,
      { code: 'data', file: c.file },
    );
  const vs = yield scorer.pairs(prepareTemplates(table.features, vt, score, u), vp.pa, vp.pb);
  const describePair = (k: number): string => {
    const p = vp.src[k]!;
    return `${c.file}:${c.line[p]} (templates ${c.a[p]} vs ${c.b[p]}, split ${d.split})`;
  };
  // Verification scores are canonical bits on every kernel (scoreTemplatePairsExact), so no refinement is needed here.
  const vm = verificationMetrics(vs, vp.labels, { farTargets: opts.farTargets ?? [1e-2, 1e-3], describePair });
  const emptyV = vt.ids.length - nonEmpty(vt).length;
  return {
    part: 'verify',
    split: d.split,
    verify: { ...vm, pairs: vp.pa.length, skippedPairs: vp.skipped, templates: vt.ids.length, emptyTemplates: emptyV },
    recomputed: scorer.stats.recomputed,
  };
}

/** A split's search (1:N identification) as a generator, like {@link verifySteps}: the score matrix, its refinement, the metrics. */
function* searchSteps(d: IjbaSplitData, table: FeatureTable, opts: IjbaOptions, u: Float32Array, scorer: Scorer): Steps<IjbaPartResult & { part: 'search' }> {
  const score = opts.score ?? 'set-min-mean';
  const subset = opts.subset ?? 'all';
  const feats = table.features;
  const pt = templatesOf(d.probe, table, subset);
  const gt = templatesOf(d.gallery, table, subset);
  const P = selectTemplates(pt, nonEmpty(pt));
  const G = selectTemplates(gt, nonEmpty(gt));
  const ps = subjectsOf(d.probe, P.ids);
  const gs = subjectsOf(d.gallery, G.ids);
  const PP = prepareTemplates(feats, P, score, u);
  const GP = prepareTemplates(feats, G, score, u);
  const M = yield scorer.matrix(PP, GP);
  const fpirTargets = opts.fpirTargets ?? [0.01, 0.1];
  // Non-mated tops are refined only near these targets' thresholds: the only read-out that uses them (tpirAtFpir below).
  const refine = refineSteps(M, ps, gs, scoreErrorBound(feats.dim), fpirTargets);
  let step = refine.next();
  while (!step.done) step = refine.next(yield scorer.rescore(PP, GP, step.value[0], step.value[1]));
  const refinedS = step.value;
  // Closed set: probes whose subject is not in the gallery are dropped for the CMC, kept as non-mated for TPIR@FPIR.
  const ranked = probeRanks(M, ps, gs);
  const c1 = cmc(M, ps, gs, opts.ranks ?? [1, 5, 10], ranked);
  const tp =
    ranked.nMated < ps.length ? tpirAtFpir(M, ps, gs, fpirTargets, ranked) : fpirTargets.map((target) => ({ target, tpir: Number.NaN, fpir: Number.NaN, threshold: Number.NaN }));
  return {
    part: 'search',
    split: d.split,
    search: {
      ranks: c1.ranks,
      rates: c1.rates,
      tpir: tp,
      probes: P.ids.length,
      mated: c1.nMated,
      skippedProbes: pt.ids.length - P.ids.length,
      gallery: G.ids.length,
      skippedGallery: gt.ids.length - G.ids.length,
      cmcCurve: c1.curve,
    },
    refined: refinedS,
  };
}

/** A split's result from its two halves (of the same split). */
export function joinIjbaParts(v: IjbaPartResult & { part: 'verify' }, s: IjbaPartResult & { part: 'search' }): IjbaSplitResult {
  if (v.split !== s.split) throw new RangeError(`joinIjbaParts: verification of split ${v.split}, search of split ${s.split}`);
  return { split: v.split, verify: v.verify, search: s.search, refined: { verify: v.recomputed, search: s.refined } };
}

/** One split as a generator: verification, then search (a split's errors come in this order), then the result. */
function* splitSteps(d: IjbaSplitData, table: FeatureTable, opts: IjbaOptions, unit: Float32Array | undefined, scorer: Scorer): Steps<IjbaSplitResult> {
  const feats = table.features;
  const u = unit ?? unitRows(feats.data, feats.n, feats.dim);
  const v = yield* verifySteps(d, table, opts, u, scorer);
  const s = yield* searchSteps(d, table, opts, u, scorer);
  return joinIjbaParts(v, s);
}

/** The steps of one half of a split. */
function partSteps(d: IjbaSplitData, table: FeatureTable, opts: IjbaOptions, unit: Float32Array | undefined, scorer: Scorer, part: IjbaPart): Steps<IjbaPartResult> {
  const u = unit ?? unitRows(table.features.data, table.features.n, table.features.dim);
  return part === 'verify' ? verifySteps(d, table, opts, u, scorer) : searchSteps(d, table, opts, u, scorer);
}

const syncScorer = (): Scorer => ({
  stats: { recomputed: 0, native: 0 },
  pairs: (A, pa, pb) => scoreTemplatePairsExact(A, A, pa, pb),
  matrix: (P, G) => scoreTemplateMatrix(P, G),
  rescore: (P, G, pa, pb) => scoreTemplatePairsExact(P, G, pa, pb),
});

const asyncScorer = (gemm: AsyncGemm): Scorer => {
  const stats: PairScoreStats = { recomputed: 0, native: 0 };
  return {
    stats,
    pairs: (A, pa, pb) => scoreTemplatePairsAsync(A, A, pa, pb, gemm, stats),
    matrix: (P, G) => scoreTemplateMatrixAsync(P, G, gemm),
    // Bits of exactTemplateScore: float64 native GEMM, checked against float32 rounding boundaries (see scoreTemplatePairsAsync).
    rescore: (P, G, pa, pb) => scoreTemplatePairsAsync(P, G, pa, pb, gemm),
  };
};

function driveSync<R>(it: Steps<R>): R {
  let r = it.next();
  while (!r.done) r = it.next(r.value as Float32Array);
  return r.value;
}

async function driveAsync<R>(it: Steps<R>): Promise<R> {
  let r = it.next();
  while (!r.done) r = it.next(await r.value);
  return r.value;
}

/** Evaluates one split on the synchronous kernel. `unit` may pass already L2-normalised features (shared across splits). */
export function evaluateIjbaSplit(d: IjbaSplitData, table: FeatureTable, opts: IjbaOptions = {}, unit?: Float32Array): IjbaSplitResult {
  return driveSync(splitSteps(d, table, opts, unit, syncScorer()));
}

/** Evaluates one split with the dot products on `gemm` (e.g. {@link nativeGemm}); same metrics as {@link evaluateIjbaSplit}, to the bit. */
export function evaluateIjbaSplitAsync(d: IjbaSplitData, table: FeatureTable, gemm: AsyncGemm, opts: IjbaOptions = {}, unit?: Float32Array): Promise<IjbaSplitResult> {
  return driveAsync(splitSteps(d, table, opts, unit, asyncScorer(gemm)));
}

/**
 * One half of a split (its verification or its search), on `gemm` or, when it is null, on the synchronous
 * kernel: the same code and bits as that half of {@link evaluateIjbaSplitAsync}; {@link joinIjbaParts} makes the
 * split's result of the two halves.
 */
export async function evaluateIjbaPartAsync(
  d: IjbaSplitData,
  table: FeatureTable,
  gemm: AsyncGemm | null,
  part: IjbaPart,
  opts: IjbaOptions = {},
  unit?: Float32Array,
): Promise<IjbaPartResult> {
  return gemm ? driveAsync(partSteps(d, table, opts, unit, asyncScorer(gemm), part)) : driveSync(partSteps(d, table, opts, unit, syncScorer(), part));
}

/** A value over splits. */
export interface OverSplits {
  mean: number;
  std: number;
  splits: number[];
}

/** The report block of an IJB-A run (keys as scripts rely on them: docs/issue 6). */
export interface IjbaSummary {
  protocol: 'ijba';
  subset: IjbaSubset;
  score: TemplateScore;
  stdKind: 'sample (N-1)';
  verify: Record<string, { nearest: OverSplits; matlab: OverSplits; interpolated: OverSplits }>;
  auc: OverSplits;
  eer: OverSplits;
  search: Record<string, OverSplits>;
  counts: { pairs: number[]; skippedPairs: number[]; emptyTemplates: number[]; probes: number[]; mated: number[]; skippedProbes: number[]; skippedGallery: number[] };
}

const over = (v: number[]): OverSplits => ({ ...meanStd(v), splits: v });

/** Formats a target as it appears in report keys (`tar@far=0.01`). */
export const targetKey = (prefix: string, x: number): string => `${prefix}=${String(x)}`;

/** Evaluates all splits and summarises them (mean ± sample std over splits). */
export function evaluateIjba(splits: readonly IjbaSplitData[], table: FeatureTable, opts: IjbaOptions = {}): { summary: IjbaSummary; perSplit: IjbaSplitResult[] } {
  const f = table.features;
  const unit = unitRows(f.data, f.n, f.dim);
  return summarizeIjba(
    splits.map((s) => evaluateIjbaSplit(s, table, opts, unit)),
    opts,
  );
}

/** {@link evaluateIjba} with the dot products on `gemm` (onnxruntime-node's MLAS via {@link nativeGemm}); the same report to the bit. */
export async function evaluateIjbaAsync(
  splits: readonly IjbaSplitData[],
  table: FeatureTable,
  gemm: AsyncGemm,
  opts: IjbaOptions = {},
): Promise<{ summary: IjbaSummary; perSplit: IjbaSplitResult[] }> {
  const f = table.features;
  const unit = unitRows(f.data, f.n, f.dim);
  const perSplit: IjbaSplitResult[] = [];
  for (const s of splits) perSplit.push(await evaluateIjbaSplitAsync(s, table, gemm, opts, unit));
  return summarizeIjba(perSplit, opts);
}

/** The mean ± sample std over splits of per-split results (in split order), as {@link evaluateIjba} reports them. */
export function summarizeIjba(perSplit: IjbaSplitResult[], opts: IjbaOptions): { summary: IjbaSummary; perSplit: IjbaSplitResult[] } {
  const fars = opts.farTargets ?? [1e-2, 1e-3];
  const verify: IjbaSummary['verify'] = {};
  fars.forEach((t, j) => {
    verify[targetKey('tar@far', t)] = {
      nearest: over(perSplit.map((r) => r.verify.tarAtFar[j]!.nearest.tar)),
      matlab: over(perSplit.map((r) => r.verify.tarAtFar[j]!.matlab.tar)),
      interpolated: over(perSplit.map((r) => r.verify.tarAtFar[j]!.interpolated)),
    };
  });
  const search: Record<string, OverSplits> = {};
  (opts.ranks ?? [1, 5, 10]).forEach((k, j) => {
    search[`rank-${k}`] = over(perSplit.map((r) => r.search.rates[j]!));
  });
  (opts.fpirTargets ?? [0.01, 0.1]).forEach((t, j) => {
    search[targetKey('tpir@fpir', t)] = over(perSplit.map((r) => r.search.tpir[j]!.tpir));
  });
  const col = (g: (r: IjbaSplitResult) => number): number[] => perSplit.map(g);
  return {
    perSplit,
    summary: {
      protocol: 'ijba',
      subset: opts.subset ?? 'all',
      score: opts.score ?? 'set-min-mean',
      stdKind: 'sample (N-1)',
      verify,
      auc: over(col((r) => r.verify.auc)),
      eer: over(col((r) => r.verify.eer)),
      search,
      counts: {
        pairs: col((r) => r.verify.pairs),
        skippedPairs: col((r) => r.verify.skippedPairs),
        emptyTemplates: col((r) => r.verify.emptyTemplates),
        probes: col((r) => r.search.probes),
        mated: col((r) => r.search.mated),
        skippedProbes: col((r) => r.search.skippedProbes),
        skippedGallery: col((r) => r.search.skippedGallery),
      },
    },
  };
}
