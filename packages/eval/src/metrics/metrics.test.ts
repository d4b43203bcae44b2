import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { verificationMetrics, roc } from './roc.ts';
import { cmc, tpirAtFpir } from './identification.ts';
import { lfwTenFold } from './ten-fold.ts';
import { meanStd } from './stats.ts';

// ---------- brute-force references (all thresholds, O(n^2)) ----------
function bruteRoc(s: ArrayLike<number>, l: ArrayLike<number>) {
  const th = [...new Set(Array.from(s))].sort((a, b) => b - a);
  let nG = 0;
  for (let i = 0; i < l.length; i++) nG += l[i]!;
  const nI = l.length - nG;
  return th.map((t) => {
    let tp = 0,
      fp = 0;
    for (let i = 0; i < s.length; i++) if (s[i]! >= t) l[i] ? tp++ : fp++;
    return { t, tar: tp / nG, far: fp / nI };
  });
}
function bruteNearest(pts: ReturnType<typeof bruteRoc>, f: number) {
  let best = pts[0]!;
  for (const p of pts) if (Math.abs(p.far - f) < Math.abs(best.far - f)) best = p;
  return best;
}
function bruteInterp(pts: ReturnType<typeof bruteRoc>, f: number) {
  const all = [{ far: 0, tar: 0 }, ...pts];
  let best = -1;
  for (let k = 0; k + 1 < all.length; k++) {
    const a = all[k]!,
      b = all[k + 1]!;
    if (a.far <= f && f <= b.far) {
      if (a.far === b.far) best = Math.max(best, a.tar, b.tar);
      else best = Math.max(best, a.tar + ((b.tar - a.tar) * (f - a.far)) / (b.far - a.far));
    }
  }
  return best;
}
function bruteAuc(s: ArrayLike<number>, l: ArrayLike<number>) {
  let num = 0,
    den = 0;
  for (let i = 0; i < s.length; i++)
    if (l[i])
      for (let j = 0; j < s.length; j++)
        if (!l[j]) {
          den++;
          num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
  return num / den;
}
function randomCase(rng: Rng, n: number, levels: number) {
  const s = new Float32Array(n),
    l = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    l[i] = rng.float() < 0.3 ? 1 : 0;
    // Quantised scores create many ties.
    s[i] = Math.round((rng.normal() + l[i]! * 1.2) * levels) / levels;
  }
  l[0] = 1;
  l[1] = 0;
  return { s, l };
}

describe('verification metrics', () => {
  it('hand-worked case with ties', () => {
    const s = new Float32Array([0.9, 0.8, 0.8, 0.5, 0.5, 0.3]);
    const l = new Uint8Array([1, 0, 1, 0, 0, 1]);
    const m = verificationMetrics(s, l, { farTargets: [0.01, 0.5] });
    expect(m.tarAtFar[0]!.nearest.tar).toBeCloseTo(1 / 3, 12);
    expect(m.tarAtFar[0]!.nearest.threshold).toBeCloseTo(0.9, 6);
    expect(m.tarAtFar[0]!.interpolated).toBeCloseTo(1 / 3 + 0.01, 12);
    expect(m.tarAtFar[1]!.nearest.tar).toBeCloseTo(2 / 3, 12);
    expect(m.tarAtFar[1]!.interpolated).toBeCloseTo(2 / 3, 12);
    expect(m.auc).toBeCloseTo(11 / 18, 12);
    expect(m.eer).toBeCloseTo(1 / 3, 12);
    const r = roc(s, l);
    expect(Array.from(r.far)).toEqual([0, 1 / 3, 1, 1]);
    expect(Array.from(r.tar)).toEqual([1 / 3, 2 / 3, 2 / 3, 1]);
  });

  it('nearest picks the first cut on equal distance, interpolated takes the top of a vertical segment', () => {
    // far points: 0 (tar .5), .5 (tar .5), .5 (tar 1) ; target .25 is equidistant from 0 and .5.
    const s = new Float32Array([4, 3, 2, 1]);
    const l = new Uint8Array([1, 0, 1, 0]);
    const m = verificationMetrics(s, l, { farTargets: [0.25, 0.5] });
    expect(m.tarAtFar[0]!.nearest.far).toBe(0);
    expect(m.tarAtFar[0]!.nearest.tar).toBe(0.5);
    expect(m.tarAtFar[1]!.nearest.tar).toBe(0.5); // first cut with FAR .5
    expect(m.tarAtFar[1]!.interpolated).toBe(1); // top of the vertical segment at FAR .5
  });

  it('matches brute force over all thresholds on random data with ties', () => {
    const rng = new Rng(7);
    for (let rep = 0; rep < 25; rep++) {
      const { s, l } = randomCase(rng, 50 + rng.int(250), rep % 2 ? 4 : 1000);
      const targets = [1e-3, 0.01, 0.05, 0.1, 0.3, 0.77, 1];
      const m = verificationMetrics(s, l, { farTargets: targets });
      const pts = bruteRoc(s, l);
      targets.forEach((f, j) => {
        const b = bruteNearest(pts, f);
        expect(m.tarAtFar[j]!.nearest.tar).toBeCloseTo(b.tar, 12);
        expect(m.tarAtFar[j]!.nearest.threshold).toBe(b.t);
        expect(m.tarAtFar[j]!.interpolated).toBeCloseTo(bruteInterp(pts, f), 12);
      });
      expect(m.auc).toBeCloseTo(bruteAuc(s, l), 12);
      // The EER lies on the curve: at FAR = eer some point of the curve has 1 - TAR = eer.
      const all = [{ far: 0, tar: 0 }, ...pts];
      let ok = false;
      for (let k = 0; k + 1 < all.length; k++) {
        const a = all[k]!,
          b = all[k + 1]!;
        const fa = a.far - (1 - a.tar),
          fb = b.far - (1 - b.tar);
        if (fa <= 1e-12 && fb >= -1e-12) {
          const lam = fb === fa ? 0 : -fa / (fb - fa);
          if (Math.abs(a.far + lam * (b.far - a.far) - m.eer) < 1e-9) ok = true;
          break;
        }
      }
      expect(ok).toBe(true);
      const r = roc(s, l);
      expect(Array.from(r.far)).toEqual(pts.map((p) => p.far));
    }
  });

  it('rejects NaN scores and missing classes', () => {
    expect(() => verificationMetrics(new Float32Array([NaN, 1]), new Uint8Array([1, 0]))).toThrow(/score of pair 0 \(0-based\) is NaN/);
    expect(() => verificationMetrics(new Float32Array([0, 1]), new Uint8Array([1, 1]))).toThrow(/0 impostor/);
  });
});

function bruteRank(row: number[], gal: number[], subj: number) {
  const idx = row.map((_, g) => g).sort((a, b) => row[b]! - row[a]!); // stable
  const pos = idx.findIndex((g) => gal[g] === subj);
  return pos < 0 ? 0 : pos + 1;
}

describe('identification metrics', () => {
  const gal = [10, 20, 30];
  const probes = [20, 10, 99, 30, 98];
  const S = new Float32Array([0.5, 0.5, 0.1, 0.5, 0.5, 0.1, 0.7, 0.2, 0.0, 0.2, 0.1, 0.3, 0.4, 0.4, 0.1]);
  it('hand-worked CMC with ties (stable order)', () => {
    const c = cmc(S, probes, gal, [1, 2, 3]);
    expect(c.nMated).toBe(3);
    expect(c.rates).toEqual([2 / 3, 1, 1]);
  });
  it('hand-worked TPIR@FPIR', () => {
    const t = tpirAtFpir(S, probes, gal, [0, 0.5, 1]);
    expect(t[0]!.tpir).toBe(0);
    expect(t[1]!.tpir).toBeCloseTo(1 / 3, 12);
    expect(t[1]!.fpir).toBe(0.5);
    expect(t[2]!.tpir).toBeCloseTo(2 / 3, 12);
  });
  it('CMC and TPIR@FPIR match brute force on random data', () => {
    const rng = new Rng(3);
    for (let rep = 0; rep < 20; rep++) {
      const nG = 3 + rng.int(20),
        nP = 20 + rng.int(80);
      const gs = Array.from({ length: nG }, (_, g) => g % Math.max(1, nG - 2)); // some subjects twice
      const ps = Array.from({ length: nP }, () => rng.int(nG + 5));
      const M = new Float32Array(nP * nG);
      for (let i = 0; i < M.length; i++) M[i] = Math.round(rng.normal() * 3) / 3;
      const ranks = ps.map((p, i) => bruteRank(Array.from(M.subarray(i * nG, (i + 1) * nG)), gs, p));
      const mated = ranks.filter((r) => r > 0).length;
      const ks = [1, 2, 5, 10];
      const c = cmc(M, ps, gs, ks);
      ks.forEach((k, j) => expect(c.rates[j]).toBeCloseTo(ranks.filter((r) => r > 0 && r <= k).length / mated, 12));
      if (mated === nP) continue;
      const top = ps.map((_, i) => Math.max(...M.subarray(i * nG, (i + 1) * nG)));
      const mate = ps.map((p, i) => Math.max(...Array.from(M.subarray(i * nG, (i + 1) * nG)).filter((_, g) => gs[g] === p)));
      const cand = [Infinity, ...Array.from(M)];
      for (const target of [0, 0.01, 0.1, 0.25, 0.5, 1]) {
        let best = -1;
        for (const t of cand) {
          let fa = 0,
            nm = 0,
            hit = 0;
          ps.forEach((_, i) => {
            if (ranks[i] === 0) {
              nm++;
              if (top[i]! >= t) fa++;
            } else if (ranks[i] === 1 && mate[i]! >= t) hit++;
          });
          if (fa / nm <= target) best = Math.max(best, hit / mated);
        }
        expect(tpirAtFpir(M, ps, gs, [target])[0]!.tpir).toBeCloseTo(best, 12);
      }
    }
  });
});

describe('lfwTenFold', () => {
  it('hand-worked two-fold case with ties → smallest threshold, std N-1', () => {
    const s = new Float32Array([0.9, 0.2, 0.6, 0.6, 0.1]);
    const l = new Uint8Array([1, 0, 1, 0, 0]);
    const r = lfwTenFold(s, l, [0, 0, 1, 1, 1], 2);
    expect(r.thresholds[0]).toBeCloseTo(0.6, 6);
    expect(r.thresholds[1]).toBeCloseTo(0.9, 6);
    expect(r.accuracy.folds[0]).toBe(1);
    expect(r.accuracy.folds[1]).toBeCloseTo(2 / 3, 12);
    expect(r.accuracy.mean).toBeCloseTo(5 / 6, 12);
    expect(r.accuracy.std).toBeCloseTo(Math.sqrt(2 / 36), 12);
    expect(r.stdKind).toBe('sample (N-1)');
  });
  it('matches brute force over all thresholds on random data', () => {
    const rng = new Rng(11);
    for (let rep = 0; rep < 10; rep++) {
      const n = 200;
      const { s, l } = randomCase(rng, n, rep % 2 ? 3 : 1000);
      const fold = Array.from({ length: n }, (_, i) => i % 10);
      const r = lfwTenFold(s, l, fold);
      for (let f = 0; f < 10; f++) {
        const cand = [Infinity, ...Array.from(s).filter((_, i) => fold[i] !== f)];
        let bestAcc = -1,
          bestT = Infinity;
        for (const t of cand) {
          let ok = 0;
          for (let i = 0; i < n; i++) if (fold[i] !== f && (s[i]! >= t ? 1 : 0) === l[i]) ok++;
          if (ok > bestAcc || (ok === bestAcc && t < bestT)) {
            bestAcc = ok;
            bestT = t;
          }
        }
        let ok = 0,
          m = 0;
        for (let i = 0; i < n; i++)
          if (fold[i] === f) {
            m++;
            if ((s[i]! >= bestT ? 1 : 0) === l[i]) ok++;
          }
        expect(r.thresholds[f]).toBe(bestT);
        expect(r.accuracy.folds[f]).toBeCloseTo(ok / m, 12);
      }
    }
  });
  it('meanStd uses N-1', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
  });
});
