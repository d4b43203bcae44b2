/**
 * Per-filter response-map peaks (evaluation.md "Peak of filter j on image i"; method.md §7): the one
 * peak finder, used by the recognizer's `peaks`, the demo and eval's peak statistics.
 *
 * For each image i and filter c of an `[N, C, H, W]` map: the **positive peak** is the argmax, kept only
 * if the max is > 0; the **negative peak** is the argmin, kept only if the min is < 0. Ties go to the
 * first index in row-major order. Map cell (r, c) is converted to pixels of the S × S model-input frame
 * by one of two conventions:
 *
 * - `'center'` (default): the cell's centre, `row = (r + 0.5)·S/H`, `col = (c + 0.5)·S/W`
 *   (0-based continuous pixel coordinates; cell (0,0) of a 24×24 map over 96 px is (2, 2)).
 * - `'original'`: the original MATLAB script's `(row, col)·4` with 1-based indices, generalised to
 *   `row = (r + 1)·S/H` (cell (0,0) → (4, 4); cell (23,23) → (96, 96)).
 *
 * @module
 */
import type { ResponseMaps } from './buffers.ts';

/** Pixel-coordinate convention for peaks. */
export type PeakConvention = 'center' | 'original';

/** Peaks of one sign, struct-of-arrays over `n × channels` (index i·C + c). */
export interface SignedPeaks {
  /** Row in input pixels; NaN when there is no peak of this sign. */
  row: Float32Array;
  /** Column in input pixels; NaN when there is no peak. */
  col: Float32Array;
  /** Peak value (> 0 for positive, < 0 for negative); 0 when there is none. */
  value: Float32Array;
  /** Flat map cell index r·W + c, or −1 when there is none. */
  cell: Int32Array;
}

/** Positive and negative peaks of every filter of every image. */
export interface Peaks {
  n: number;
  channels: number;
  mapHeight: number;
  mapWidth: number;
  inputSize: number;
  convention: PeakConvention;
  positive: SignedPeaks;
  negative: SignedPeaks;
}

/** One peak as an object (convenience accessor; hot loops should read the arrays). */
export interface Peak {
  row: number;
  col: number;
  value: number;
}

function signed(len: number): SignedPeaks {
  return { row: new Float32Array(len).fill(NaN), col: new Float32Array(len).fill(NaN), value: new Float32Array(len), cell: new Int32Array(len).fill(-1) };
}

/** Converts map cell (r, c) to input pixels. */
export function cellToPixel(r: number, c: number, mapHeight: number, mapWidth: number, inputSize: number, convention: PeakConvention): [number, number] {
  const off = convention === 'center' ? 0.5 : 1;
  return [((r + off) * inputSize) / mapHeight, ((c + off) * inputSize) / mapWidth];
}

/** Finds the peaks of every map (one pass per map). */
export function findPeaks(maps: ResponseMaps, inputSize: number, convention: PeakConvention = 'center'): Peaks {
  const { n, channels: C, height: H, width: W, data } = maps;
  const len = n * C;
  const pos = signed(len);
  const neg = signed(len);
  const hw = H * W;
  for (let k = 0; k < len; k++) {
    const base = k * hw;
    let maxV = -Infinity,
      maxI = -1,
      minV = Infinity,
      minI = -1;
    for (let j = 0; j < hw; j++) {
      const v = data[base + j]!;
      if (v > maxV) {
        maxV = v;
        maxI = j;
      }
      if (v < minV) {
        minV = v;
        minI = j;
      }
    }
    if (maxV > 0) {
      const [r, c] = cellToPixel(Math.floor(maxI / W), maxI % W, H, W, inputSize, convention);
      pos.row[k] = r;
      pos.col[k] = c;
      pos.value[k] = maxV;
      pos.cell[k] = maxI;
    }
    if (minV < 0) {
      const [r, c] = cellToPixel(Math.floor(minI / W), minI % W, H, W, inputSize, convention);
      neg.row[k] = r;
      neg.col[k] = c;
      neg.value[k] = minV;
      neg.cell[k] = minI;
    }
  }
  return { n, channels: C, mapHeight: H, mapWidth: W, inputSize, convention, positive: pos, negative: neg };
}

/** The peak of filter `c` of image `i` of one sign, or null when that filter has none. */
export function peakAt(p: Peaks, i: number, c: number, sign: 'positive' | 'negative'): Peak | null {
  if (!Number.isInteger(i) || i < 0 || i >= p.n) throw new RangeError(`peakAt: image ${i} out of [0, ${p.n})`);
  if (!Number.isInteger(c) || c < 0 || c >= p.channels) throw new RangeError(`peakAt: filter ${c} out of [0, ${p.channels})`);
  const s = p[sign];
  const k = i * p.channels + c;
  if (s.cell[k]! < 0) return null;
  return { row: s.row[k]!, col: s.col[k]!, value: s.value[k]! };
}
