/**
 * Image warps by a 2-D similarity (the aligned-crop warp used by eval's IJB-A alignment and by
 * `@interpret-fr/align`): every output pixel is mapped back through the inverse transform and
 * sampled bilinearly; samples outside the source are black (0).
 *
 * @module
 */
import type { Pixels } from './buffers.ts';
import type { Similarity } from './geometry.ts';

/**
 * Bilinear warp of `src` through the inverse of `t` (`t` maps source → output coordinates) into a
 * `size`×`size` image (or `width`×`height` when given), same channel count, 8-bit rounded.
 *
 * @example const crop = warpSimilarity(photo, similarityTransform(landmarks, template), 110);
 * @throws RangeError when `t` has zero scale or is not finite.
 */
export function warpSimilarity(src: Pixels, t: Similarity, size: number, height: number = size): Pixels {
  const c = src.channels;
  const width = size;
  const out = new Uint8Array(width * height * c);
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0) || !Number.isFinite(det + t.tx + t.ty)) throw new RangeError('warpSimilarity: degenerate transform');
  const W = src.width;
  const H = src.height;
  const d = src.data;
  const ia = t.a / det;
  const ib = t.b / det;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const du = u - t.tx;
      const dv = v - t.ty;
      const x = ia * du + ib * dv;
      const y = -ib * du + ia * dv;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const o = (v * width + u) * c;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const i00 = (y0 * W + x0) * c;
        const i10 = i00 + c;
        const i01 = i00 + W * c;
        const i11 = i01 + c;
        const w00 = (1 - fx) * (1 - fy),
          w10 = fx * (1 - fy),
          w01 = (1 - fx) * fy,
          w11 = fx * fy;
        for (let k = 0; k < c; k++) out[o + k] = Math.round(w00 * d[i00 + k]! + w10 * d[i10 + k]! + w01 * d[i01 + k]! + w11 * d[i11 + k]!);
        continue;
      }
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let q = 0; q < 4; q++) {
          const xx = x0 + (q & 1);
          const yy = y0 + (q >> 1);
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const w = (q & 1 ? fx : 1 - fx) * (q >> 1 ? fy : 1 - fy);
          acc += w * d[(yy * W + xx) * c + k]!;
        }
        out[o + k] = Math.round(acc);
      }
    }
  }
  return { data: out, width, height, channels: c };
}
