/**
 * Naive loop references of the losses (float64), written from method.md §4 independently of the
 * vectorised implementations, for the tests. Not exported by the package.
 *
 * @module
 */

/** (1/B) Σ_b −log softmax(logits_b)[y_b]; logits row-major [B, C]. */
export function naiveCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, b: number, c: number): number {
  let s = 0;
  for (let i = 0; i < b; i++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, logits[i * c + j]!);
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(logits[i * c + j]! - mx);
    s += -(logits[i * c + labels[i]!]! - mx - Math.log(z));
  }
  return s / b;
}

/** Mean squared cosine between distinct columns of a [P, K] matrix (ordered pairs); zero columns give cosine 0. */
function meanSquaredCosine(z: Float64Array, p: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      let dot = 0;
      let ni = 0;
      let nj = 0;
      for (let q = 0; q < p; q++) {
        dot += z[q * k + i]! * z[q * k + j]!;
        ni += z[q * k + i]! ** 2;
        nj += z[q * k + j]! ** 2;
      }
      const cos = ni === 0 || nj === 0 ? 0 : dot / Math.sqrt(ni * nj);
      s += cos * cos;
    }
  }
  return s / (k * (k - 1));
}

/** SAD of method.md §4.2 on NHWC maps [B, H, W, K] with the 3×3 Gaussian `g` (row-major), zero padding. */
export function naiveSad(maps: ArrayLike<number>, b: number, h: number, w: number, k: number, g: ArrayLike<number>): number {
  let total = 0;
  for (let n = 0; n < b; n++) {
    const z = new Float64Array(h * w * k);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < k; c++) {
          let v = 0;
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              v += g[(dy + 1) * 3 + (dx + 1)]! * maps[((n * h + yy) * w + xx) * k + c]!;
            }
          }
          z[(y * w + x) * k + c] = v;
        }
      }
    }
    total += meanSquaredCosine(z, h * w, k);
  }
  return total / b;
}

/** Weight diversity of method.md §4.3 on an HWIO kernel [kh, kw, cin, K]. */
export function naiveWeightDiversity(kernel: ArrayLike<number>, kh: number, kw: number, cin: number, k: number): number {
  let s = 0;
  for (let o = 0; o < k; o++) {
    const v = new Float64Array(cin * kh * kw); // [cin rows (as P), taps (as K)]
    for (let t = 0; t < kh * kw; t++) for (let c = 0; c < cin; c++) v[c * kh * kw + t] = kernel[(t * cin + c) * k + o]!;
    s += meanSquaredCosine(v, cin, kh * kw);
  }
  return s / k;
}

/** FAD of method.md §4.4: δ_d = mean_b |f − f̂|, keep the `keep` smallest δ, return Σ kept δ and the kept set. */
export function naiveFad(f: ArrayLike<number>, fo: ArrayLike<number>, b: number, d: number, keep: number): { loss: number; kept: Set<number> } {
  const delta = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < b; i++) s += Math.abs(f[i * d + j]! - fo[i * d + j]!);
    return s / b;
  });
  const order = delta.map((v, j) => [v, j] as const).sort((a, c) => a[0] - c[0]);
  const kept = new Set(order.slice(0, keep).map(([, j]) => j));
  let loss = 0;
  for (const j of kept) loss += delta[j]!;
  return { loss, kept };
}
