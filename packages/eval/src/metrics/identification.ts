/**
 * 1:N identification metrics over a probe × gallery score matrix (similarities, row-major
 * `Float32Array` of nProbe × nGallery).
 *
 * - **Closed-set CMC**: probes whose subject has no gallery template are dropped. The rank of a probe
 *   is the position of its best mate in the gallery sorted by descending score with a stable sort
 *   (ties keep gallery order, as MATLAB `sort`): rank = 1 + #{score > s_m} + #{score = s_m, index < m}.
 * - **Open-set TPIR@FPIR** (NIST IJB-B/C): non-mated probes are those whose subject is not in the
 *   gallery; with their top scores sorted descending s_(1) ≥ s_(2) ≥ …, k = ⌊target · N_nm⌋, a probe
 *   is accepted when its score is strictly above s_(k+1) (all accepted when k ≥ N_nm). This is the
 *   lowest threshold whose FPIR does not exceed the target. TPIR = fraction of mated probes whose
 *   mate is at rank 1 and accepted.
 *
 * @module
 */
import { sortFloat64 } from './radix-sort.ts';

/** Probe ranks (0 for non-mated probes) and the best mate's score. */
export interface ProbeRanks {
  /** 1-based rank of the best mate, 0 when the probe's subject is not in the gallery. */
  rank: Int32Array;
  /** Score of the best mate (NaN when non-mated). */
  mateScore: Float64Array;
  /** Highest gallery score of each probe (the open-set candidate score). */
  topScore: Float64Array;
  nMated: number;
}

function checkMatrix(scores: ArrayLike<number>, nP: number, nG: number): void {
  if (scores.length !== nP * nG) throw new RangeError(`identification: score matrix has ${scores.length} values, expected ${nP} probes × ${nG} gallery = ${nP * nG}`);
}

/** Ranks of each probe's best mate (stable-sort position, ties keep gallery order). */
export function probeRanks(scores: Float32Array | Float64Array, probeSubject: ArrayLike<number>, gallerySubject: ArrayLike<number>): ProbeRanks {
  const nP = probeSubject.length;
  const nG = gallerySubject.length;
  checkMatrix(scores, nP, nG);
  const rank = new Int32Array(nP);
  const mateScore = new Float64Array(nP).fill(Number.NaN);
  const topScore = new Float64Array(nP);
  let nMated = 0;
  for (let p = 0; p < nP; p++) {
    const off = p * nG;
    const subj = probeSubject[p];
    let best = -1;
    let bs = -Infinity;
    let top = -Infinity;
    for (let g = 0; g < nG; g++) {
      const s = scores[off + g]!;
      if (Number.isNaN(s)) throw new RangeError(`identification: score of probe ${p} vs gallery ${g} is NaN`);
      if (s > top) top = s;
      if (gallerySubject[g] === subj && (best < 0 || s > bs)) {
        best = g;
        bs = s;
      }
    }
    topScore[p] = top;
    if (best < 0) continue;
    nMated++;
    let r = 1;
    for (let g = 0; g < nG; g++) {
      const s = scores[off + g]!;
      if (s > bs || (s === bs && g < best)) r++;
    }
    rank[p] = r;
    mateScore[p] = bs;
  }
  return { rank, mateScore, topScore, nMated };
}

/** Closed-set CMC: fraction of mated probes with rank ≤ k, for each k asked (`ranked`: {@link probeRanks} of these scores, when already known). */
export function cmc(
  scores: Float32Array | Float64Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  ranks: readonly number[] = [1, 5, 10],
  ranked?: ProbeRanks,
): { ranks: number[]; rates: number[]; nMated: number; nProbes: number; curve: Float64Array } {
  const pr = ranked ?? probeRanks(scores, probeSubject, gallerySubject);
  const nG = gallerySubject.length;
  const hist = new Float64Array(nG + 1);
  for (let p = 0; p < pr.rank.length; p++) if (pr.rank[p]! > 0) hist[pr.rank[p]!]!++;
  const curve = new Float64Array(nG);
  let acc = 0;
  for (let r = 1; r <= nG; r++) {
    acc += hist[r]!;
    curve[r - 1] = pr.nMated ? acc / pr.nMated : Number.NaN;
  }
  const rates = ranks.map((k) => {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`cmc: rank ${k} must be a positive integer`);
    return curve[Math.min(k, nG) - 1] ?? Number.NaN;
  });
  return { ranks: [...ranks], rates, nMated: pr.nMated, nProbes: probeSubject.length, curve };
}

/** One TPIR@FPIR read-out. */
export interface TpirAtFpir {
  target: number;
  tpir: number;
  /** FPIR actually reached (≤ target). */
  fpir: number;
  /** Accept when score > threshold (−Infinity: all accepted). */
  threshold: number;
}

/**
 * k of the module doc for an FPIR target over `nNonMated` non-mated probes: the threshold is the (k + 1)-th highest
 * non-mated top score (−∞, all accepted, when k ≥ nNonMated).
 */
export function fpirCut(target: number, nNonMated: number): number {
  return Math.floor(target * nNonMated + 1e-9);
}

/** Open-set TPIR@FPIR (NIST definition, see module doc). Needs at least one non-mated probe. */
export function tpirAtFpir(
  scores: Float32Array | Float64Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  targets: readonly number[] = [0.01, 0.1],
  ranked?: ProbeRanks,
): TpirAtFpir[] {
  const pr = ranked ?? probeRanks(scores, probeSubject, gallerySubject);
  const nP = probeSubject.length;
  const nNm = nP - pr.nMated;
  if (nNm === 0) throw new RangeError('tpirAtFpir: no non-mated probes: open-set TPIR@FPIR is undefined');
  const nm = new Float64Array(nNm);
  let j = 0;
  for (let p = 0; p < nP; p++) if (pr.rank[p] === 0) nm[j++] = pr.topScore[p]!;
  sortFloat64(nm);
  return targets.map((target) => {
    if (!(target >= 0 && target <= 1)) throw new RangeError(`tpirAtFpir: FPIR target ${target} must be in [0, 1]`);
    const k = fpirCut(target, nNm);
    const thr = k >= nNm ? -Infinity : nm[nNm - 1 - k]!;
    let hits = 0;
    for (let p = 0; p < nP; p++) if (pr.rank[p] === 1 && pr.mateScore[p]! > thr) hits++;
    let fa = 0;
    for (let i = 0; i < nNm; i++) if (nm[i]! > thr) fa++;
    return { target, tpir: pr.nMated ? hits / pr.nMated : Number.NaN, fpir: fa / nNm, threshold: thr };
  });
}
