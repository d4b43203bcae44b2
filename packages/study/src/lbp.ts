/**
 * The LBP baseline of the study: uniform LBP u2 with P = 8 samples on a circle of radius R = 2
 * (bilinear interpolation, Ojala et al. 2002), 59-bin histograms (58 uniform patterns + one bin for
 * all others) over a 7 × 7 grid of cells, each cell's histogram normalised to sum 1, compared by the
 * χ² distance Σ (a − b)² / (a + b) (Ahonen et al. 2006, without region weights). Pure functions.
 *
 * @module
 */

/** Number of u2 bins for P = 8. */
export const LBP_BINS = 59;

/** Maps an 8-bit pattern to its u2 bin (0..57 uniform, 58 = non-uniform). */
export const U2_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  let next = 0;
  for (let c = 0; c < 256; c++) {
    let transitions = 0;
    for (let k = 0; k < 8; k++) if (((c >> k) & 1) !== ((c >> ((k + 1) % 8)) & 1)) transitions++;
    t[c] = transitions <= 2 ? next++ : 58;
  }
  if (next !== 58) throw new Error(`u2 table: ${next} uniform patterns, expected 58`);
  return t;
})();

/**
 * LBP(8, 2) u2 codes of a grey image (row-major, width × height); pixels within 2 of the border get
 * code −1 (not counted). Sample k sits at angle 2πk/8 (x = R cos, y = −R sin), bilinear; bit k is
 * set when the sample is ≥ the centre.
 */
export function lbpCodes(grey: ArrayLike<number>, width: number, height: number, radius = 2): Int16Array {
  const out = new Int16Array(width * height).fill(-1);
  const offs: [number, number][] = [];
  for (let k = 0; k < 8; k++) {
    const a = (2 * Math.PI * k) / 8;
    const dx = radius * Math.cos(a);
    const dy = -radius * Math.sin(a);
    offs.push([Math.abs(dx) < 1e-9 ? 0 : dx, Math.abs(dy) < 1e-9 ? 0 : dy]);
  }
  const at = (x: number, y: number): number => grey[y * width + x]!;
  for (let y = radius; y < height - radius; y++) {
    for (let x = radius; x < width - radius; x++) {
      const c = at(x, y);
      let code = 0;
      for (let k = 0; k < 8; k++) {
        const sx = x + offs[k]![0];
        const sy = y + offs[k]![1];
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const x1 = Math.min(x0 + 1, width - 1);
        const y1 = Math.min(y0 + 1, height - 1);
        const v = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
        if (v >= c - 1e-9) code |= 1 << k;
      }
      out[y * width + x] = U2_TABLE[code]!;
    }
  }
  return out;
}

/** The 7 × 7 × 59 descriptor (each cell's histogram sums to 1; empty cells are all zero). */
export function lbpDescriptor(grey: ArrayLike<number>, width: number, height: number, grid = 7): Float32Array {
  const codes = lbpCodes(grey, width, height);
  const d = new Float32Array(grid * grid * LBP_BINS);
  for (let gy = 0; gy < grid; gy++) {
    const y0 = Math.floor((gy * height) / grid);
    const y1 = Math.floor(((gy + 1) * height) / grid);
    for (let gx = 0; gx < grid; gx++) {
      const x0 = Math.floor((gx * width) / grid);
      const x1 = Math.floor(((gx + 1) * width) / grid);
      const base = (gy * grid + gx) * LBP_BINS;
      let n = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const c = codes[y * width + x]!;
          if (c < 0) continue;
          d[base + c]!++;
          n++;
        }
      if (n > 0) for (let b = 0; b < LBP_BINS; b++) d[base + b]! /= n;
    }
  }
  return d;
}

/** χ² distance Σ (a − b)² / (a + b) over bins with a + b > 0. */
export function chiSquare(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`chiSquare: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const u = a[i]!;
    const v = b[i]!;
    const t = u + v;
    if (t > 0) s += ((u - v) * (u - v)) / t;
  }
  return s;
}
