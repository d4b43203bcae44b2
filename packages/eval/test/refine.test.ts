import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { cmc, tpirAtFpir } from '../src/metrics/identification.ts';
import { refineIdentification } from '../src/scores/refine.ts';

/**
 * A probe × gallery matrix of "canonical" scores on a coarse grid (many exact ties, near-ties everywhere) and a
 * kernel's version of it: every score off by up to 0.99 δ.
 */
function protocol(seed: number, delta: number) {
  const rng = new Rng(seed);
  const nP = 300 + rng.int(200);
  const nG = 15 + rng.int(10);
  const gs = Int32Array.from({ length: nG }, (_, g) => g);
  // Subjects ≥ nG have no gallery template: about a third of the probes are non-mated.
  const ps = Int32Array.from({ length: nP }, () => rng.int(Math.round(nG * 1.5)));
  const canonical = new Float32Array(nP * nG);
  for (let p = 0; p < nP; p++) {
    const scale = 0.5 + rng.float() * 0.2;
    for (let g = 0; g < nG; g++) {
      // Non-mated rows: tops (the thresholds) spread over 0.5–0.7. A mated row: its mate in 0.5–0.7 (often tied with
      // a threshold), the rest below. Every score a multiple of 1/128 (or, now and then, off it by ~δ/2).
      const mated = ps[p]! < nG;
      const base = (mated ? (ps[p] === g ? 0.5 + rng.float() * 0.2 : rng.float() * 0.5) : rng.float() * scale) * 128;
      canonical[p * nG + g] = Math.round(base) / 128 + (rng.int(8) === 0 ? (rng.float() - 0.5) * delta : 0);
    }
  }
  const noisy = canonical.map((v) => Math.fround(v + (rng.float() * 2 - 1) * 0.99 * delta));
  return { nP, nG, ps, gs, canonical, noisy };
}

describe('refineIdentification: TPIR@FPIR and ranks are the canonical ones after refinement', () => {
  const delta = 1 / 512;
  const targets = [0, 0.01, 0.05, 0.1, 0.3, 1];

  it('with the FPIR targets, only rows near their thresholds (and mates near a threshold) are refined, and the metrics equal the canonical ones', () => {
    let fewer = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { nP, nG, ps, gs, canonical, noisy } = protocol(seed, delta);
      const want = { t: tpirAtFpir(canonical, ps, gs, targets), c: cmc(canonical, ps, gs, [1, 5]) };
      const rescored = new Set<number>();
      const targeted = noisy.slice();
      const nTargeted = refineIdentification(
        targeted,
        ps,
        gs,
        delta,
        (p, g) => {
          rescored.add(p * nG + g);
          return canonical[p * nG + g]!;
        },
        targets,
      );
      expect({ t: tpirAtFpir(targeted, ps, gs, targets), c: cmc(targeted, ps, gs, [1, 5]) }, `seed ${seed}`).toEqual(want);
      expect(rescored.size).toBe(nTargeted);
      // Without the targets: every non-mated top (any target reads the same), never fewer rescored.
      const all = noisy.slice();
      const nAll = refineIdentification(all, ps, gs, delta, (p, g) => canonical[p * nG + g]!);
      expect({ t: tpirAtFpir(all, ps, gs, targets), c: cmc(all, ps, gs, [1, 5]) }, `seed ${seed}`).toEqual(want);
      expect(nTargeted).toBeLessThanOrEqual(nAll);
      if (nTargeted < nAll) fewer++;
      // A non-mated row whose (kernel) top is farther than 2δ from every threshold is left as the kernel gave it.
      const nonMated = [...Array(nP).keys()].filter((p) => ps[p]! >= nG);
      const topOf = (m: Float32Array, p: number) => Math.max(...m.subarray(p * nG, (p + 1) * nG));
      const sorted = nonMated.map((p) => topOf(noisy, p)).sort((a, b) => b - a);
      const thr = targets
        .map((t) => Math.floor(t * nonMated.length + 1e-9))
        .filter((k) => k < nonMated.length)
        .map((k) => sorted[k]!);
      for (const p of nonMated) if (thr.every((t) => Math.abs(topOf(noisy, p) - t) > 2 * delta)) for (let g = 0; g < nG; g++) expect(targeted[p * nG + g]).toBe(noisy[p * nG + g]);
    }
    // The targets do save work: on most of these matrices fewer scores were rescored.
    expect(fewer).toBeGreaterThan(30);
  });

  it('a threshold held by an exact tie of canonical tops (one of them seen lower by the kernel) reads canonically', () => {
    // Non-mated probes 0..4 (subject 9; gallery subjects 0, 1), probe 5 mated to gallery 0.
    const ps = [9, 9, 9, 9, 9, 0];
    const gs = [0, 1];
    const canonical = Float32Array.from([0.5, 0.1, 0.5, 0.2, 0.4, 0.3, 0.7, 0.1, 0.2, 0.1, 0.5, 0.45]);
    // The kernel sees probe 0's top below probe 1's (equal canonically), probe 5's mate score just above 0.5.
    const noisy = Float32Array.from([0.499, 0.1, 0.5005, 0.2, 0.4, 0.3, 0.7, 0.1, 0.2, 0.1, 0.5008, 0.45]);
    const before = tpirAtFpir(noisy, ps, gs, [0.2, 0.4]);
    const m = noisy.slice();
    refineIdentification(m, ps, gs, 0.001, (p, g) => canonical[p * 2 + g]!, [0.2, 0.4]);
    expect(tpirAtFpir(m, ps, gs, [0.2, 0.4])).toEqual(tpirAtFpir(canonical, ps, gs, [0.2, 0.4]));
    // FPIR 0.2 (k = 1): the second-highest top, 0.5; probe 5's mate (0.5) is not strictly above it.
    expect(tpirAtFpir(m, ps, gs, [0.2])[0]).toMatchObject({ threshold: 0.5, tpir: 0, fpir: 0.2 });
    expect(before[0]!.tpir).toBe(1); // what the unrefined matrix would have said
  });
});
