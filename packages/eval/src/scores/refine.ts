/**
 * Kernel-independent identification metrics. The native SGEMM, the wasm SIMD kernel and the JS loop
 * sum float32 products in different orders, so a probe × gallery template score can differ by a few
 * ulps between them. Ranks and TPIR@FPIR depend on those scores only through comparisons (and one
 * reported threshold), so each kernel's matrix is "refined": any score within 2δ
 * (δ = {@link scoreErrorBound}, a proven bound on any float32 kernel's error) of a score it is compared
 * with is replaced by its canonical value ({@link exactTemplateScore}: float64 accumulation in index
 * order, rounded once to float32). Scores farther apart than 2δ are ordered the same by every kernel
 * and by the canonical scores; near ties, exact ties included, are settled on canonical values (ties
 * then keep gallery order). Verification scores need no refinement: they are canonical bits on every
 * kernel (template-scores.ts `scoreTemplatePairsExact` / `scoreTemplatePairsAsync`).
 * test/gemm-parity.test.ts checks the whole report with a kernel that adds noise up to the bound.
 *
 * @module
 */

/**
 * Refines a probe × gallery score matrix for closed-set ranks and open-set TPIR@FPIR: per probe,
 * every gallery score within 2δ of a mate's score (rank decisions) and, for non-mated probes, every
 * score within 2δ of the row's top (the top-score list that sets the thresholds); then mated scores
 * within 2δ of a non-mated top. Returns how many scores were refined. `rescore(p, g)` is the
 * canonical score of one pair; {@link refineSteps} is the same refinement in batches.
 */
export function refineIdentification(
  M: Float32Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  delta: number,
  rescore: (p: number, g: number) => number,
): number {
  const it = refineSteps(M, probeSubject, gallerySubject, delta);
  let r = it.next();
  while (!r.done) {
    const [pp, gg] = r.value;
    r = it.next(Float32Array.from(pp, (p, k) => rescore(p, gg[k]!)));
  }
  return r.value;
}

/**
 * {@link refineIdentification} as a generator of batches: yields the (probe, gallery) pairs to
 * rescore (two phases: the near-ties of each row, then the mated scores near a non-mated top, which
 * are only known once the first phase has settled the tops) and takes their canonical scores back,
 * so that a caller can score a batch on a native kernel (`scoreTemplatePairsAsync`). Returns how
 * many scores were refined.
 */
export function* refineSteps(
  M: Float32Array,
  probeSubject: ArrayLike<number>,
  gallerySubject: ArrayLike<number>,
  delta: number,
): Generator<[Int32Array, Int32Array], number, Float32Array> {
  const nP = probeSubject.length;
  const nG = gallerySubject.length;
  const w = 2 * delta;
  const done = new Uint8Array(nP * nG);
  let c = 0;
  let batch: number[] = [];
  const fix = (p: number, g: number): void => {
    const k = p * nG + g;
    if (!done[k]) {
      done[k] = 1;
      batch.push(k);
      c++;
    }
  };
  function* flush(): Generator<[Int32Array, Int32Array], void, Float32Array> {
    if (!batch.length) return;
    const ks = batch;
    batch = [];
    const v = yield [Int32Array.from(ks, (k) => Math.floor(k / nG)), Int32Array.from(ks, (k) => k % nG)];
    ks.forEach((k, i) => {
      M[k] = v[i]!;
    });
  }
  const matedProbes: number[] = [];
  const nonMated: number[] = [];
  for (let p = 0; p < nP; p++) {
    const off = p * nG;
    let mated = false;
    for (let g = 0; g < nG; g++)
      if (gallerySubject[g] === probeSubject[p]) {
        mated = true;
        const m = M[off + g]!;
        let near = false;
        for (let h = 0; h < nG; h++)
          if (h !== g && Math.abs(M[off + h]! - m) <= w) {
            fix(p, h);
            near = true;
          }
        if (near) fix(p, g);
      }
    if (mated) {
      matedProbes.push(p);
      continue;
    }
    nonMated.push(p);
    let top = -Infinity;
    for (let g = 0; g < nG; g++) if (M[off + g]! > top) top = M[off + g]!;
    for (let g = 0; g < nG; g++) if (M[off + g]! >= top - w) fix(p, g);
  }
  yield* flush();
  const nmTops: number[] = [];
  for (const p of nonMated) {
    let top = -Infinity;
    for (let g = 0; g < nG; g++) if (M[p * nG + g]! > top) top = M[p * nG + g]!;
    nmTops.push(top);
  }
  // Mated scores compared with the (now canonical) non-mated tops.
  nmTops.sort((a, b) => a - b);
  const nearTop = (x: number): boolean => {
    let lo = 0,
      hi = nmTops.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nmTops[mid]! < x - w) lo = mid + 1;
      else hi = mid;
    }
    return lo < nmTops.length && nmTops[lo]! <= x + w;
  };
  for (const p of matedProbes) for (let g = 0; g < nG; g++) if (gallerySubject[g] === probeSubject[p] && nearTop(M[p * nG + g]!)) fix(p, g);
  yield* flush();
  return c;
}
