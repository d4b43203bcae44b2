/**
 * Pair-list verification: LFW `pairs.txt` (View 2: header `10\t300`, 10 folds of 300 same-person
 * lines `name i j` then 300 different-person lines `name1 i name2 j`), View 1 (`pairsDevTrain.txt`,
 * `pairsDevTest.txt`: header = pairs per class, one fold) and a generic list (`path1 path2 label`
 * per line, comma or whitespace separated, optional 4th column = fold) for other sets such as
 * masked-face pairs. Image ids are paths relative to the data root (`Name/Name_0001.jpg`).
 *
 * @module
 */
import { InterpretFrError, l2NormalizeRows } from '@interpret-fr/core';
import { lfwTenFold, trainTestAccuracy, type TenFoldResult, type TrainTestAccuracy } from '../metrics/ten-fold.ts';
import { verificationMetrics, type TarAtFar } from '../metrics/roc.ts';
import { dot } from '../scores/cosine.ts';
import type { PairNamer } from '../metrics/stats.ts';
import type { FeatureTable } from './ijba.ts';

/** A malformed pairs file: `file:line: message`. */
export class PairsFormatError extends InterpretFrError {
  constructor(
    override readonly file: string,
    override readonly line: number,
    message: string,
  ) {
    super(message, { code: 'format', file, line });
    this.name = 'PairsFormatError';
  }
}

/** Parsed pairs: image ids, labels (1 = same), folds. */
export interface PairList {
  file: string;
  a: string[];
  b: string[];
  label: Uint8Array;
  fold: Int32Array;
  nFolds: number;
  /** 1-based line of each pair in `file` (for error messages). */
  line: Int32Array;
}

/** LFW image path of a person's n-th image. */
export const lfwImagePath = (name: string, n: number): string => `${name}/${name}_${String(n).padStart(4, '0')}.jpg`;

function num(file: string, line: number, v: string, what: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new PairsFormatError(file, line, `${what} '${v}' is not a positive integer`);
  return x;
}

/** Parses LFW View 2 (`10\t300` header) or View 1 (`1100` header) pairs files. */
export function parseLfwPairs(text: string, file: string): PairList {
  const ls = text.split(/\r?\n/);
  while (ls.length && ls[ls.length - 1]!.trim() === '') ls.pop();
  const head = (ls[0] ?? '').trim().split(/\s+/);
  let nFolds: number;
  let per: number;
  if (head.length === 2) {
    nFolds = num(file, 1, head[0]!, 'fold count');
    per = num(file, 1, head[1]!, 'pairs per class');
  } else if (head.length === 1) {
    nFolds = 1;
    per = num(file, 1, head[0]!, 'pairs per class');
  } else throw new PairsFormatError(file, 1, `header '${ls[0]}', expected '<folds>\\t<pairs per class>' or '<pairs per class>'`);
  const want = nFolds * 2 * per;
  if (ls.length - 1 !== want) throw new PairsFormatError(file, ls.length, `${ls.length - 1} pair lines, the header promises ${nFolds} × 2 × ${per} = ${want}`);
  const out: PairList = { file, a: [], b: [], label: new Uint8Array(want), fold: new Int32Array(want), nFolds, line: Int32Array.from({ length: want }, (_, k) => k + 2) };
  for (let k = 0; k < want; k++) {
    const ln = k + 2;
    const f = ls[k + 1]!.trim().split(/\s+/);
    const same = k % (2 * per) < per;
    if (same) {
      if (f.length !== 3) throw new PairsFormatError(file, ln, `${f.length} fields, expected 'name i j' (same-person block)`);
      out.a.push(lfwImagePath(f[0]!, num(file, ln, f[1]!, 'image number')));
      out.b.push(lfwImagePath(f[0]!, num(file, ln, f[2]!, 'image number')));
    } else {
      if (f.length !== 4) throw new PairsFormatError(file, ln, `${f.length} fields, expected 'name1 i name2 j' (different-person block)`);
      out.a.push(lfwImagePath(f[0]!, num(file, ln, f[1]!, 'image number')));
      out.b.push(lfwImagePath(f[2]!, num(file, ln, f[3]!, 'image number')));
    }
    out.label[k] = same ? 1 : 0;
    out.fold[k] = Math.floor(k / (2 * per));
  }
  return out;
}

/** Largest fold index of a generic list (folds are dense 0..k−1 in practice; this bounds the per-fold arrays). */
export const MAX_FOLD = 999;

/** Parses a generic list: `path1 path2 label [fold]` per line (comma or whitespace); `#` comments. */
export function parsePairList(text: string, file: string): PairList {
  const a: string[] = [];
  const b: string[] = [];
  const lab: number[] = [];
  const fo: number[] = [];
  const ln: number[] = [];
  let maxFold = -1;
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const f = l.split(/\s*,\s*|\s+/);
    if (f.length !== 3 && f.length !== 4) throw new PairsFormatError(file, i + 1, `${f.length} fields, expected 'path1 path2 label [fold]'`);
    if (f[2] !== '0' && f[2] !== '1') throw new PairsFormatError(file, i + 1, `label '${f[2]}', expected 0 or 1`);
    const fold = f.length === 4 ? Number(f[3]) : 0;
    if (!Number.isInteger(fold) || fold < 0) throw new PairsFormatError(file, i + 1, `fold '${f[3]}', expected a non-negative integer`);
    if (fold > MAX_FOLD) throw new PairsFormatError(file, i + 1, `fold ${fold}, expected at most ${MAX_FOLD}`);
    a.push(f[0]!);
    b.push(f[1]!);
    lab.push(Number(f[2]));
    fo.push(fold);
    ln.push(i + 1);
    if (fold > maxFold) maxFold = fold;
  });
  // A loop, not Math.max(...fo): spreading a data-sized array overflows the call stack (~125k lines).
  return { file, a, b, label: Uint8Array.from(lab), fold: Int32Array.from(fo), nFolds: maxFold + 1, line: Int32Array.from(ln) };
}

/** Result of {@link evaluatePairs}. */
export interface PairsResult {
  pairs: number;
  skippedPairs: number;
  accuracy: TenFoldResult['accuracy'] | null;
  thresholds: number[];
  stdKind: 'sample (N-1)';
  auc: number;
  eer: number;
  tarAtFar: TarAtFar[];
  curve: { far: Float64Array; tar: Float64Array };
  scores: Float32Array;
  labels: Uint8Array;
  /** With a separate training list: its file, pair count, and the accuracy at the threshold learnt on it. */
  trainThreshold?: TrainTestAccuracy & { file: string; pairs: number; skippedPairs: number };
}

/** Cosine scores of the pairs (pairs with a missing image feature are skipped and counted). */
export function scorePairs(p: PairList, table: FeatureTable): { scores: Float32Array; labels: Uint8Array; fold: Int32Array; skipped: number; source: Int32Array } {
  const { data, n, dim } = table.features;
  const unit = l2NormalizeRows(data, n, dim);
  const s: number[] = [];
  const l: number[] = [];
  const f: number[] = [];
  const src: number[] = [];
  let skipped = 0;
  for (let k = 0; k < p.a.length; k++) {
    const i = table.index.get(p.a[k]!);
    const j = table.index.get(p.b[k]!);
    if (i === undefined || j === undefined) {
      skipped++;
      continue;
    }
    s.push(dot(unit, i * dim, unit, j * dim, dim));
    l.push(p.label[k]!);
    f.push(p.fold[k]!);
    src.push(k);
  }
  return { scores: Float32Array.from(s), labels: Uint8Array.from(l), fold: Int32Array.from(f), skipped, source: Int32Array.from(src) };
}

/** k-fold accuracy (when the list has ≥ 2 folds), AUC, EER and TAR@FAR over all pairs. */
export function evaluatePairScores(
  scores: Float32Array,
  labels: Uint8Array,
  fold: Int32Array,
  nFolds: number,
  farTargets: readonly number[] = [1e-3, 1e-2],
  describePair?: PairNamer,
): Omit<PairsResult, 'pairs' | 'skippedPairs'> {
  const vm = verificationMetrics(scores, labels, { farTargets, describePair });
  const tf = nFolds >= 2 ? lfwTenFold(scores, labels, fold, nFolds, describePair) : null;
  return {
    accuracy: tf?.accuracy ?? null,
    thresholds: tf?.thresholds ?? [],
    stdKind: 'sample (N-1)',
    auc: vm.auc,
    eer: vm.eer,
    tarAtFar: vm.tarAtFar,
    curve: vm.curve,
    scores,
    labels,
  };
}

/** Scores and evaluates a pair list against a feature table. */
export function evaluatePairs(p: PairList, table: FeatureTable, farTargets?: readonly number[], train?: PairList): PairsResult {
  const sp = scorePairs(p, table);
  const describe: PairNamer = (i) => {
    const k = sp.source[i]!;
    return `${p.file}:${p.line[k]} (${p.a[k]} vs ${p.b[k]})`;
  };
  const r: PairsResult = { pairs: sp.scores.length, skippedPairs: sp.skipped, ...evaluatePairScores(sp.scores, sp.labels, sp.fold, p.nFolds, farTargets, describe) };
  if (train) {
    const st = scorePairs(train, table);
    r.trainThreshold = { file: train.file, pairs: st.scores.length, skippedPairs: st.skipped, ...trainTestAccuracy(st.scores, st.labels, sp.scores, sp.labels) };
  }
  return r;
}
