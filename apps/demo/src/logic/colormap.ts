/**
 * Colour maps and the response-map overlay image.
 *
 * - {@link SEQUENTIAL} ("inferno"-like, 5 stops): a filter's own response, `t = max(v, 0) / scale`.
 * - {@link DIVERGING} (blue → light grey → red, "coolwarm"-like): signed values such as the difference
 *   of two faces' maps, `t = v / scale` in [−1, 1].
 *
 * Colours between stops are linearly interpolated per channel and rounded to the nearest byte.
 *
 * @module
 */

/** A colour map as stops `[t, r, g, b]` with t increasing from the first stop's t to the last's. */
export type ColorStops = readonly (readonly [number, number, number, number])[];

/** Sequential map for non-negative responses (t ∈ [0, 1]). */
export const SEQUENTIAL: ColorStops = [
  [0, 0, 0, 4],
  [0.25, 87, 16, 110],
  [0.5, 188, 55, 84],
  [0.75, 249, 142, 9],
  [1, 252, 255, 164],
];

/** Diverging map for signed values (t ∈ [−1, 1]): blue for negative, red for positive. */
export const DIVERGING: ColorStops = [
  [-1, 59, 76, 192],
  [0, 221, 221, 221],
  [1, 180, 4, 38],
];

/** The colour at `t` (clamped to the stops' range; NaN maps to the first stop). */
export function colorAt(stops: ColorStops, t: number): [number, number, number] {
  const first = stops[0]!;
  const last = stops[stops.length - 1]!;
  if (!(t > first[0])) return [first[1], first[2], first[3]];
  if (t >= last[0]) return [last[1], last[2], last[3]];
  let k = 1;
  while (stops[k]![0] < t) k++;
  const a = stops[k - 1]!,
    b = stops[k]!;
  const f = (t - a[0]) / (b[0] - a[0]);
  return [Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f), Math.round(a[3] + (b[3] - a[3]) * f)];
}

/** How an overlay maps values to colour and opacity. */
export interface OverlayStyle {
  /** `'response'`: sequential on max(v, 0); `'signed'`: diverging on v. */
  kind: 'response' | 'signed';
  /** Value mapped to the end of the colour map (> 0; e.g. the largest response of this filter on both faces). */
  scale: number;
  /** Opacity (0–1) at |t| = 1; it is maxAlpha·√|t|, so silent cells leave the face visible and weak ones still show. */
  maxAlpha: number;
}

/**
 * RGBA bytes (`width × height × 4`, row-major) colouring one `height × width` map.
 *
 * @example overlayRgba(mapView(maps, 0, 7), 12, 12, { kind: 'response', scale: 3.1, maxAlpha: 0.75 })
 */
export function overlayRgba(map: ArrayLike<number>, height: number, width: number, style: OverlayStyle, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = height * width;
  if (map.length < n) throw new RangeError(`overlayRgba: map has ${map.length} values, expected ${height}×${width} = ${n}`);
  if (!(style.scale > 0)) throw new RangeError(`overlayRgba: scale must be > 0, got ${style.scale}`);
  const rgba = out ?? new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = map[i]!;
    let t: number;
    let c: [number, number, number];
    if (style.kind === 'response') {
      t = Math.min(Math.max(v, 0) / style.scale, 1);
      c = colorAt(SEQUENTIAL, t);
    } else {
      t = Math.max(-1, Math.min(1, v / style.scale));
      c = colorAt(DIVERGING, t);
    }
    rgba[4 * i] = c[0];
    rgba[4 * i + 1] = c[1];
    rgba[4 * i + 2] = c[2];
    rgba[4 * i + 3] = Math.round(Math.sqrt(Math.abs(t)) * style.maxAlpha * 255);
  }
  return rgba;
}

/** Largest |value| (or largest positive value with `positiveOnly`) over several maps; 1 when all are 0. */
export function sharedScale(maps: readonly ArrayLike<number>[], positiveOnly: boolean): number {
  let m = 0;
  for (const a of maps) for (let i = 0; i < a.length; i++) m = Math.max(m, positiveOnly ? a[i]! : Math.abs(a[i]!));
  return m > 0 ? m : 1;
}
