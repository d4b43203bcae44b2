/**
 * Crop + resize + normalise (method.md §3.1): a `crop × crop` window at (ox, oy) of a `source × source`
 * RGB uint8 image, downscaled to `out × out` when the network input is smaller than the crop
 * (area average for integer factors, bilinear with half-pixel centres otherwise), written as x/127.5 − 1
 * into an NHWC float buffer.
 *
 * @module
 */

/**
 * Writes one cropped, normalised image into `dst` at `dstOffset` (NHWC, 3 channels).
 *
 * @example cropInto(pixels, 110, 7, 7, 96, 96, batchX, b * 96 * 96 * 3);
 */
export function cropInto(src: Uint8Array, source: number, ox: number, oy: number, crop: number, out: number, dst: Float32Array, dstOffset: number): void {
  if (ox < 0 || oy < 0 || ox + crop > source || oy + crop > source) throw new RangeError(`cropInto: window ${crop} at (${ox}, ${oy}) leaves the ${source}×${source} image`);
  if (out === crop) {
    for (let r = 0; r < crop; r++) {
      const s = ((oy + r) * source + ox) * 3;
      const d = dstOffset + r * crop * 3;
      for (let i = 0; i < crop * 3; i++) dst[d + i] = src[s + i]! / 127.5 - 1;
    }
    return;
  }
  if (crop % out === 0) {
    const f = crop / out;
    const inv = 1 / (f * f * 127.5);
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < out; c++) {
        for (let k = 0; k < 3; k++) {
          let acc = 0;
          for (let dy = 0; dy < f; dy++) {
            const row = ((oy + r * f + dy) * source + ox + c * f) * 3 + k;
            for (let dx = 0; dx < f; dx++) acc += src[row + dx * 3]!;
          }
          dst[dstOffset + (r * out + c) * 3 + k] = acc * inv - 1;
        }
      }
    }
    return;
  }
  const scale = crop / out;
  for (let r = 0; r < out; r++) {
    const sy = Math.min(Math.max((r + 0.5) * scale - 0.5, 0), crop - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, crop - 1);
    const fy = sy - y0;
    for (let c = 0; c < out; c++) {
      const sx = Math.min(Math.max((c + 0.5) * scale - 0.5, 0), crop - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, crop - 1);
      const fx = sx - x0;
      for (let k = 0; k < 3; k++) {
        const at = (y: number, x: number): number => src[((oy + y) * source + ox + x) * 3 + k]!;
        const v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
        dst[dstOffset + (r * out + c) * 3 + k] = v / 127.5 - 1;
      }
    }
  }
}
