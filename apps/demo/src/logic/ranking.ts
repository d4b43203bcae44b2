/**
 * Per-filter statistics of `[C, H, W]` response maps and the rankings the filter list offers.
 *
 * @module
 */

/** Largest positive response of each filter (0 when it never fires positively). */
export function peakStrength(maps: Float32Array, channels: number, cells: number): Float32Array {
  checkMaps(maps, channels, cells);
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    const o = c * cells;
    for (let j = 0; j < cells; j++) if (maps[o + j]! > m) m = maps[o + j]!;
    out[c] = m;
  }
  return out;
}

function checkMaps(maps: Float32Array, channels: number, cells: number): void {
  if (maps.length !== channels * cells) throw new RangeError(`ranking: maps have ${maps.length} values, expected ${channels}×${cells}`);
}

/**
 * Per filter c: ‖a_c − b_c‖₂ / (‖a_c‖₂ + ‖b_c‖₂), in [0, 1]: 0 = identical maps, 1 = maps with no
 * overlap or of opposite sign (0 when both are silent). Used for "how different are the two faces'
 * responses" and "how much did the occlusion change this filter".
 */
export function relativeDifference(a: Float32Array, b: Float32Array, channels: number, cells: number): Float32Array {
  checkMaps(a, channels, cells);
  checkMaps(b, channels, cells);
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let d = 0,
      na = 0,
      nb = 0;
    const o = c * cells;
    for (let j = 0; j < cells; j++) {
      const x = a[o + j]!,
        y = b[o + j]!;
      d += (x - y) * (x - y);
      na += x * x;
      nb += y * y;
    }
    const den = Math.sqrt(na) + Math.sqrt(nb);
    out[c] = den > 0 ? Math.sqrt(d) / den : 0;
  }
  return out;
}

/** Element-wise mean of score vectors of equal length. */
export function meanScores(list: readonly Float32Array[]): Float32Array {
  if (list.length === 0) throw new RangeError('meanScores: no score vectors');
  const out = new Float32Array(list[0]!.length);
  for (const s of list) {
    if (s.length !== out.length) throw new RangeError(`meanScores: lengths differ (${s.length} vs ${out.length})`);
    for (let i = 0; i < s.length; i++) out[i]! += s[i]! / list.length;
  }
  return out;
}

/** Filter indices ordered by score, highest first; ties keep the lower index first; NaN scores last. */
export function rankByScore(scores: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number) => (Number.isNaN(scores[i]!) ? -Infinity : scores[i]!);
  idx.sort((i, j) => key(j) - key(i) || i - j);
  return Int32Array.from(idx);
}

/** The `[H, W]` view of filter `c` in `[C, H, W]` maps. */
export function filterMap(maps: Float32Array, c: number, cells: number): Float32Array {
  return maps.subarray(c * cells, (c + 1) * cells);
}

/** a − b element-wise (for the difference overlay). */
export function subtractMaps(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`subtractMaps: lengths differ (${a.length} vs ${b.length})`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}
