import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { matlabCut, verificationMetrics } from './roc.ts';

/**
 * Naive reference written from method.md §6.2 step 4 (`CNN_single_verify.m`): sort the pairs by
 * ascending distance with a stable sort (ties keep the comparison-file order); for every cut
 * j = 1..n, TAR_j = #genuine among the first j / #genuine and FAR_j = #impostor among the first j /
 * #impostor; j* = argmin_j |FAR_j − target|, first index on ties; report TAR_{j*}.
 * Distances here are −score (exact, so ties are the same ties).
 */
function naiveMatlab(scores: ArrayLike<number>, labels: ArrayLike<number>, target: number) {
  const n = scores.length;
  const dist = Array.from({ length: n }, (_, i) => -scores[i]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a]! - dist[b]!); // Array.sort is stable
  let nG = 0;
  for (let i = 0; i < n; i++) nG += labels[i]!;
  const nI = n - nG;
  let tp = 0,
    fp = 0;
  let best = { j: 0, d: Infinity, tar: 0, far: 0 };
  for (let j = 1; j <= n; j++) {
    if (labels[order[j - 1]!] === 1) tp++;
    else fp++;
    const far = fp / nI;
    const d = Math.abs(far - target);
    if (d < best.d) best = { j, d, tar: tp / nG, far };
  }
  return best;
}

describe('TAR@FAR, MATLAB-exact read-out (every cut of the stable sort)', () => {
  it('a run of tied scores straddling the nearest cut: MATLAB cuts inside it, the tie-grouped read-out cannot', () => {
    // input (= comparison-file) order; the four pairs scored 0.5 are tied, impostor first.
    const s = Float32Array.from([0.95, 0.9, 0.8, 0.5, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.15, 0.1, 0.1, 0.05]);
    const l = Uint8Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    // nG = 4, nI = 10, target 0.3 → f* = 3 impostors; the 3rd impostor of the stable sort is index 4,
    // inside the tie; genuine before it: indices 0 and 3 → TAR = 2/4, cut j* = 5.
    const ref = naiveMatlab(s, l, 0.3);
    expect(ref).toMatchObject({ j: 5, tar: 0.5, far: 0.3 });
    const m = verificationMetrics(s, l, { farTargets: [0.3] }).tarAtFar[0]!;
    expect(m.matlab).toEqual({ tar: 0.5, far: 0.3, threshold: s[4], cut: 5 });
    // Tie-grouped: cuts at distinct thresholds have FAR 0.2 (after 0.8) or 0.4 (after the tie);
    // |0.2 − 0.3| < |0.4 − 0.3| in doubles, so the cut after 0.8 with TAR 1/4.
    expect(m.nearest).toEqual({ tar: 0.25, far: 0.2, threshold: s[2] });
    // Swapping the order inside the tie changes the MATLAB reading (and only it).
    const l2 = Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    const m2 = verificationMetrics(s, l2, { farTargets: [0.3] }).tarAtFar[0]!;
    expect(naiveMatlab(s, l2, 0.3)).toMatchObject({ j: 4, tar: 0.25 });
    expect(m2.matlab).toMatchObject({ tar: 0.25, cut: 4 });
    expect(m2.nearest).toEqual(m.nearest);
  });

  it('FAR 0 is a cut only when the first sorted pair is genuine (then j* = 1, TAR = 1/nG)', () => {
    const s = Float32Array.from([0.9, 0.9, 0.8, 0.1]);
    const m = verificationMetrics(s, Uint8Array.from([1, 1, 0, 0]), { farTargets: [1e-3] }).tarAtFar[0]!;
    expect(m.matlab).toEqual({ tar: 0.5, far: 0, threshold: s[0], cut: 1 });
    expect(m.nearest.tar).toBe(1); // both tied genuine pairs are accepted together
    const m2 = verificationMetrics(s, Uint8Array.from([0, 1, 1, 0]), { farTargets: [1e-3] }).tarAtFar[0]!;
    expect(naiveMatlab(s, [0, 1, 1, 0], 1e-3)).toMatchObject({ j: 1, tar: 0, far: 0.5 });
    expect(m2.matlab).toMatchObject({ tar: 0, far: 0.5, cut: 1 });
  });

  it('matches the naive reference on random scores with heavy ties (IJB-A-like targets and more)', () => {
    const rng = new Rng(14);
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + Math.floor(rng.float() * 400);
      const levels = 1 + Math.floor(rng.float() * 40); // few distinct values → long tie runs
      const s = new Float32Array(n);
      const l = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        l[i] = rng.float() < 0.2 ? 1 : 0;
        s[i] = Math.floor(rng.float() * levels + (l[i] ? levels * 0.3 : 0)) / levels;
      }
      l[0] = 1;
      l[1] = 0;
      const targets = [1e-3, 1e-2, 0.05, 0.1, 0.3, 0.5, 1];
      const m = verificationMetrics(s, l, { farTargets: targets });
      targets.forEach((t, k) => {
        const ref = naiveMatlab(s, l, t);
        const got = m.tarAtFar[k]!.matlab;
        expect(got.cut, `trial ${trial} target ${t}`).toBe(ref.j);
        expect(got.tar).toBe(ref.tar);
        expect(got.far).toBe(ref.far);
      });
    }
  });

  it('large inputs (radix-sorted halves, genuine pairs counted by binary search): ties at the cut and none, matlabCut agrees', () => {
    const rng = new Rng(1414);
    for (const levels of [0, 7, 300]) {
      const n = 6000 + rng.int(3000);
      const s = new Float32Array(n);
      const l = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        l[i] = rng.int(10) === 0 ? 1 : 0;
        const x = rng.float() + (l[i] ? 0.4 : 0);
        s[i] = levels ? Math.floor(x * levels) / levels - 0.5 : x - 0.5; // levels 0: continuous, no ties
      }
      l[0] = 1;
      l[1] = 0;
      let nG = 0;
      for (const x of l) nG += x;
      const targets = [1e-3, 1e-2, 0.05, 0.1, 0.3, 0.5, 1];
      const m = verificationMetrics(s, l, { farTargets: targets });
      targets.forEach((t, k) => {
        const ref = naiveMatlab(s, l, t);
        const got = m.tarAtFar[k]!.matlab;
        expect(got.cut, `levels ${levels} target ${t}`).toBe(ref.j);
        expect(got.tar).toBe(ref.tar);
        expect(got.far).toBe(ref.far);
        expect(matlabCut(s, l, t, nG, n - nG)).toEqual(got);
      });
    }
  });

  it('matlabCut with the impostors sorted by the caller (verificationMetrics, sorted once for every target) equals sorting them itself', () => {
    const rng = new Rng(41);
    for (let trial = 0; trial < 50; trial++) {
      const n = 20 + rng.int(400);
      const s = Float32Array.from({ length: n }, () => rng.int(12) / 11);
      const l = Uint8Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(3) === 0 ? 1 : 0));
      let nG = 0;
      for (const x of l) nG += x;
      const imp = Float32Array.from(s.filter((_, i) => l[i] === 0)).sort();
      for (const t of [1e-3, 0.05, 0.3]) expect(matlabCut(s, l, t, nG, n - nG, imp)).toEqual(matlabCut(s, l, t, nG, n - nG));
    }
  });
});
