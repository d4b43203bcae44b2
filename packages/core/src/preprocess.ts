/**
 * Preprocessing: THE pixels → model-input function ({@link preprocess}), used by the trainer's data
 * path, the recognizer (and its pool), eval, the demo and the fixture script, so a trainer batch and
 * the recognizer's input for the same image and crop are the same floats.
 *
 * 8-bit pixels → the model's float32 input, the original's `x / 127.5 − 1` (method.md §2.1, §3) by
 * default or a per-channel `(x − mean)·scale` in RGB/BGR order, gray replicated to 3 channels, RGBA's
 * alpha dropped, written straight into a caller-provided buffer in NHWC (tfjs) or NCHW (ONNX) layout.
 *
 * The input is a square window of the image (`crop`, at `x`, `y`; by default centred; with
 * `fit: 'center-square'` the largest centred square), resampled to `size` when their sides differ:
 * an area average when the window side is a multiple of `size` (the trainer's 96 → 48), bilinear with
 * half-pixel centres otherwise; resampled values stay floats (no 8-bit rounding). Bilinear without
 * prefiltering aliases beyond about 2× downscaling: resize large photos with an area filter first.
 *
 * @module
 */
import { InterpretFrError } from './errors.ts';
import type { ImageBatch, Layout, Pixels } from './buffers.ts';

/**
 * `x / 127.5 − 1` computed in float64 and rounded once to float32, as the original does (numpy
 * promotes the uint8 array to float64; TF then casts to float32). Index = byte value.
 */
export const PIXEL_TO_FLOAT: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 127.5 - 1;
  return t;
})();

/**
 * How bytes become floats: `(x − mean[c])·scale[c]` with the model's channels in `channelOrder`.
 * {@link ORIGINAL_NORMALIZATION} (`x/127.5 − 1`, RGB) is computed as the original does (see
 * {@link PIXEL_TO_FLOAT}), bit-exact with the trainer.
 */
export interface Normalization {
  /** In 0..255 units, per model channel (or one for all). */
  mean: number | readonly number[];
  /** Multiplier after subtracting the mean, per model channel (or one for all). */
  scale: number | readonly number[];
  channelOrder: 'RGB' | 'BGR';
}

/** The original's normalisation: x/127.5 − 1, RGB. */
export const ORIGINAL_NORMALIZATION: Normalization = { mean: 127.5, scale: 1 / 127.5, channelOrder: 'RGB' };

/** Options of {@link preprocess}. */
export interface PreprocessOptions {
  /** `'NHWC'` (tfjs) or `'NCHW'` (ONNX). */
  layout: Layout;
  /** Element (not byte) offset into `out` where this image starts (image i of a batch: i·3·H·W). */
  offset?: number;
  /**
   * The model's square input side. When omitted, the whole image is used as is (any W×H; no
   * `crop`, `x`, `y` or `fit`).
   */
  size?: number;
  /** Side of the square window that becomes the input (default `size`); resampled to `size` when different. */
  crop?: number;
  /** Left column of the window (default: centred, rounded down). */
  x?: number;
  /** Top row of the window (default: centred, rounded down). */
  y?: number;
  /**
   * Without `crop`/`x`/`y`, an image that is not `size`×`size` is an error (`'exact'`, the default) or
   * its largest centred square is used (`'center-square'`, what the recognizer does).
   */
  fit?: 'exact' | 'center-square';
  /** Default {@link ORIGINAL_NORMALIZATION}. */
  normalization?: Normalization;
}

/** Bad pixels or options for {@link preprocess}; the message says what was expected. */
export class PreprocessError extends InterpretFrError {
  override name = 'PreprocessError';
}

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Checks that `p` is a well-formed {@link Pixels}; `what` prefixes the message. */
export function checkPixels(p: Pixels, what = 'pixels'): void {
  if (typeof p !== 'object' || p === null) throw new PreprocessError(`${what}: expected {data, width, height, channels}, got ${String(p)}`);
  if (!(p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray)) {
    throw new PreprocessError(`${what}: data must be a Uint8Array or Uint8ClampedArray, got ${(p.data as object)?.constructor?.name ?? typeof p.data}`);
  }
  if (!isNat(p.width) || !isNat(p.height) || p.width === 0 || p.height === 0) {
    throw new PreprocessError(`${what}: width and height must be positive integers, got ${String(p.width)}×${String(p.height)}`);
  }
  if (p.channels !== 1 && p.channels !== 3 && p.channels !== 4) {
    throw new PreprocessError(`${what}: channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got ${String(p.channels)}`);
  }
  const want = p.width * p.height * p.channels;
  if (p.data.length !== want) {
    throw new PreprocessError(`${what}: ${p.width}×${p.height}×${p.channels} needs ${want} bytes, data has ${p.data.length}`);
  }
}

const perChannel = (v: number | readonly number[], what: string): [number, number, number] => {
  const a = typeof v === 'number' ? [v, v, v] : [...v];
  if (a.length !== 3 || !a.every(Number.isFinite)) throw new PreprocessError(`preprocess: normalization.${what} must be a number or 3 finite numbers, got ${JSON.stringify(v)}`);
  return a as [number, number, number];
};

/** True for the original's x/127.5 − 1 on RGB (computed through {@link PIXEL_TO_FLOAT}). */
function isOriginalNormalization(n: Normalization): boolean {
  const m = perChannel(n.mean, 'mean');
  const s = perChannel(n.scale, 'scale');
  return n.channelOrder === 'RGB' && m.every((v) => v === 127.5) && s.every((v) => v === 1 / 127.5);
}

/**
 * Writes one image into `out` at element `offset` as 3 × size × size floats (see the module doc for
 * the window, the resampling and the normalisation). Returns `out`.
 *
 * @example
 * const out = new Float32Array(3 * 96 * 96);
 * preprocess(face, out, { layout: 'NCHW', size: 96 });
 * // a 110×110 face, random 96 training crop, into a 48 model input (area average 2×2):
 * preprocess(face110, batch.data, { layout: 'NHWC', size: 48, crop: 96, x: rng.int(15), y: rng.int(15), offset: i * 3 * 48 * 48 });
 * // any photo, the recognizer's way:
 * preprocess(photo, out, { layout: 'NCHW', size: 96, fit: 'center-square' });
 */
export function preprocess(pixels: Pixels, out: Float32Array, opts: PreprocessOptions): Float32Array {
  checkPixels(pixels);
  if (!(out instanceof Float32Array)) throw new PreprocessError(`preprocess: out must be a Float32Array`);
  const { layout } = opts;
  if (layout !== 'NHWC' && layout !== 'NCHW') throw new PreprocessError(`preprocess: layout must be "NHWC" or "NCHW", got ${JSON.stringify(layout)}`);
  const offset = opts.offset ?? 0;
  if (!isNat(offset)) throw new PreprocessError(`preprocess: offset must be a non-negative integer, got ${String(offset)}`);
  const norm = opts.normalization ?? ORIGINAL_NORMALIZATION;
  if (norm.channelOrder !== 'RGB' && norm.channelOrder !== 'BGR')
    throw new PreprocessError(`preprocess: normalization.channelOrder must be 'RGB' or 'BGR', got ${JSON.stringify(norm.channelOrder)}`);
  const W0 = pixels.width,
    H0 = pixels.height;
  // The window [x0, x0 + side) × [y0, y0 + side) (or the whole image) and the output side.
  let x0 = 0,
    y0 = 0,
    sideW = W0,
    sideH = H0,
    outW = W0,
    outH = H0;
  if (opts.size !== undefined) {
    const s = opts.size;
    if (!isNat(s) || s === 0) throw new PreprocessError(`preprocess: size must be a positive integer, got ${String(s)}`);
    let side = s;
    if (opts.crop !== undefined || opts.x !== undefined || opts.y !== undefined) {
      side = opts.crop ?? s;
      if (!isNat(side) || side === 0) throw new PreprocessError(`preprocess: crop must be a positive integer, got ${String(opts.crop)}`);
      x0 = opts.x ?? Math.floor((W0 - side) / 2);
      y0 = opts.y ?? Math.floor((H0 - side) / 2);
      if (!isNat(x0) || !isNat(y0) || x0 + side > W0 || y0 + side > H0) {
        throw new PreprocessError(`preprocess: a ${side}×${side} window at x=${String(x0)}, y=${String(y0)} does not fit in the ${W0}×${H0} image`);
      }
    } else if (W0 !== s || H0 !== s) {
      if (opts.fit !== 'center-square') {
        throw new PreprocessError(`preprocess: image is ${W0}×${H0} but the model takes ${s}×${s}; pass fit: 'center-square', a crop window (crop, x, y), or resize first`);
      }
      side = Math.min(W0, H0);
      x0 = Math.floor((W0 - side) / 2);
      y0 = Math.floor((H0 - side) / 2);
    }
    sideW = sideH = side;
    outW = outH = s;
  } else if (opts.x !== undefined || opts.y !== undefined || opts.crop !== undefined) {
    throw new PreprocessError('preprocess: x, y and crop need size (the model input side)');
  }
  const plane = outW * outH;
  if (offset + 3 * plane > out.length) {
    throw new PreprocessError(`preprocess: out has ${out.length} floats, the image needs ${3 * plane} from offset ${offset} (up to ${offset + 3 * plane})`);
  }
  const original = isOriginalNormalization(norm);
  const ch = pixels.channels;
  // Source channel of each model channel.
  const srcCh = ch === 1 ? [0, 0, 0] : norm.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const mean = perChannel(norm.mean, 'mean');
  const scale = perChannel(norm.scale, 'scale');
  // Element index of (model channel k, output pixel i = y·outW + x).
  const cStride = layout === 'NCHW' ? plane : 1;
  const pStride = layout === 'NCHW' ? 1 : 3;
  if (sideW === outW && sideH === outH) copyWindow(pixels, out, offset, x0, y0, outW, outH, layout, original, srcCh, mean, scale);
  else resampleWindow(pixels, out, offset, x0, y0, sideW, outW, original, srcCh, mean, scale, cStride, pStride);
  return out;
}

/** Same-size window: one byte per value, through {@link PIXEL_TO_FLOAT} for the original normalisation. */
function copyWindow(
  pixels: Pixels,
  out: Float32Array,
  offset: number,
  x0: number,
  y0: number,
  W: number,
  H: number,
  layout: Layout,
  original: boolean,
  srcCh: number[],
  mean: number[],
  scale: number[],
): void {
  const src = pixels.data;
  const ch = pixels.channels;
  const stride = pixels.width * ch;
  const plane = W * H;
  if (!original) {
    const cStride = layout === 'NCHW' ? plane : 1;
    const pStride = layout === 'NCHW' ? 1 : 3;
    for (let k = 0; k < 3; k++) {
      const sc = srcCh[k]!,
        m = mean[k]!,
        f = scale[k]!;
      for (let y = 0; y < H; y++) {
        let s = (y0 + y) * stride + x0 * ch + sc;
        let o = offset + k * cStride + y * W * pStride;
        for (let x = 0; x < W; x++, s += ch, o += pStride) out[o] = (src[s]! - m) * f;
      }
    }
    return;
  }
  const lut = PIXEL_TO_FLOAT;
  for (let y = 0; y < H; y++) {
    let s = (y0 + y) * stride + x0 * ch;
    if (layout === 'NCHW') {
      let o = offset + y * W;
      const o1 = plane,
        o2 = 2 * plane;
      if (ch === 1) {
        for (let x = 0; x < W; x++, s++, o++) {
          const v = lut[src[s]!]!;
          out[o] = v;
          out[o + o1] = v;
          out[o + o2] = v;
        }
      } else {
        for (let x = 0; x < W; x++, s += ch, o++) {
          out[o] = lut[src[s]!]!;
          out[o + o1] = lut[src[s + 1]!]!;
          out[o + o2] = lut[src[s + 2]!]!;
        }
      }
    } else {
      let o = offset + y * W * 3;
      if (ch === 1) {
        for (let x = 0; x < W; x++, s++, o += 3) {
          const v = lut[src[s]!]!;
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        }
      } else {
        for (let x = 0; x < W; x++, s += ch, o += 3) {
          out[o] = lut[src[s]!]!;
          out[o + 1] = lut[src[s + 1]!]!;
          out[o + 2] = lut[src[s + 2]!]!;
        }
      }
    }
  }
}

/**
 * A `side`×`side` window resampled to `size`×`size` in float64: the mean of each f×f block when
 * side = f·size, else bilinear with half-pixel centres (src = (dst + 0.5)·side/size − 0.5, clamped).
 * The original normalisation is `mean/127.5 − 1` (area: `sum·1/(f²·127.5) − 1`), as the trainer always did.
 */
function resampleWindow(
  pixels: Pixels,
  out: Float32Array,
  offset: number,
  x0: number,
  y0: number,
  side: number,
  size: number,
  original: boolean,
  srcCh: number[],
  mean: number[],
  scale: number[],
  cStride: number,
  pStride: number,
): void {
  const src = pixels.data;
  const ch = pixels.channels;
  const W = pixels.width;
  const at = (y: number, x: number, c: number): number => src[((y0 + y) * W + x0 + x) * ch + c]!;
  if (side % size === 0) {
    const f = side / size;
    const inv = 1 / (f * f * 127.5);
    const area = f * f;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const o = offset + (r * size + c) * pStride;
        for (let k = 0; k < 3; k++) {
          const sc = srcCh[k]!;
          let acc = 0;
          for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) acc += at(r * f + dy, c * f + dx, sc);
          out[o + k * cStride] = original ? acc * inv - 1 : (acc / area - mean[k]!) * scale[k]!;
        }
      }
    }
    return;
  }
  const ratio = side / size;
  for (let r = 0; r < size; r++) {
    const sy = Math.min(Math.max((r + 0.5) * ratio - 0.5, 0), side - 1);
    const ya = Math.floor(sy);
    const yb = Math.min(ya + 1, side - 1);
    const fy = sy - ya;
    for (let c = 0; c < size; c++) {
      const sx = Math.min(Math.max((c + 0.5) * ratio - 0.5, 0), side - 1);
      const xa = Math.floor(sx);
      const xb = Math.min(xa + 1, side - 1);
      const fx = sx - xa;
      const o = offset + (r * size + c) * pStride;
      for (let k = 0; k < 3; k++) {
        const sc = srcCh[k]!;
        const v = (1 - fy) * ((1 - fx) * at(ya, xa, sc) + fx * at(ya, xb, sc)) + fy * ((1 - fx) * at(yb, xa, sc) + fx * at(yb, xb, sc));
        out[o + k * cStride] = original ? v / 127.5 - 1 : (v - mean[k]!) * scale[k]!;
      }
    }
  }
}

/**
 * Preprocesses equally sized images into a new {@link ImageBatch} (3 channels). Every image
 * must be the same W×H (or `size`×`size` when `size` is given); mismatches name the image.
 *
 * @example const batch = preprocessBatch(faces, 'NCHW', { size: 96 }); // batch.data: N·3·96·96
 */
export function preprocessBatch(images: readonly Pixels[], layout: Layout, opts: { size?: number } = {}): ImageBatch {
  if (!Array.isArray(images) || images.length === 0) throw new PreprocessError('preprocessBatch: expected a non-empty array of images');
  images.forEach((p, i) => checkPixels(p, `image ${i}`));
  const w = opts.size ?? images[0]!.width;
  const h = opts.size ?? images[0]!.height;
  images.forEach((p, i) => {
    if (p.width !== w || p.height !== h)
      throw new PreprocessError(`preprocessBatch: image ${i} is ${p.width}×${p.height}, expected ${w}×${h} like ${opts.size ? 'size' : 'image 0'}`);
  });
  const per = 3 * w * h;
  const data = new Float32Array(images.length * per);
  images.forEach((p, i) => preprocess(p, data, { layout, offset: i * per }));
  return { data, n: images.length, height: h, width: w, channels: 3, layout };
}

/**
 * Copies the `width`×`height` window at (`x`, `y`) into new {@link Pixels} (same channels).
 *
 * @example const face96 = cropPixels(face110, 7, 7, 96, 96); // the centre 96 of a 110 face
 */
export function cropPixels(pixels: Pixels, x: number, y: number, width: number, height: number): Pixels {
  checkPixels(pixels);
  if (![x, y].every(isNat) || ![width, height].every((v) => isNat(v) && v > 0) || x + width > pixels.width || y + height > pixels.height) {
    throw new PreprocessError(`cropPixels: a ${width}×${height} window at x=${x}, y=${y} does not fit in the ${pixels.width}×${pixels.height} image`);
  }
  const ch = pixels.channels;
  const data = new Uint8Array(width * height * ch);
  const row = width * ch;
  for (let r = 0; r < height; r++) {
    const s = ((y + r) * pixels.width + x) * ch;
    data.set(pixels.data.subarray(s, s + row), r * row);
  }
  return { data, width, height, channels: ch };
}

/**
 * The centred `size`×`size` window (offsets rounded down), or the whole extent along a side that is not
 * larger, e.g. the 96×96 centre of a 110×110 alignment (offsets 7, 7).
 *
 * @example const face96 = centerCrop(face110, 96);
 */
export function centerCrop(pixels: Pixels, size: number): Pixels {
  checkPixels(pixels);
  if (!isNat(size) || size === 0) throw new PreprocessError(`centerCrop: size must be a positive integer, got ${String(size)}`);
  const w = Math.min(size, pixels.width);
  const h = Math.min(size, pixels.height);
  return cropPixels(pixels, (pixels.width - w) >> 1, (pixels.height - h) >> 1, w, h);
}

/**
 * The largest centred square (offsets rounded down), e.g. 640×480 → the 480×480 window at x = 80.
 *
 * @example const model = resizeBilinearPixels(centerCropSquare(photo), 96, 96);
 */
export function centerCropSquare(pixels: Pixels): Pixels {
  checkPixels(pixels);
  const s = Math.min(pixels.width, pixels.height);
  return cropPixels(pixels, (pixels.width - s) >> 1, (pixels.height - s) >> 1, s, s);
}

/** Source coordinate convention of {@link resizeBilinearPixels} (same names as the `resize` block). */
export type ResizeCoordinate = 'half_pixel' | 'asymmetric' | 'align_corners';

/** Per output index: left/top source index, right/bottom source index, weight of the second. */
function axis(inSize: number, outSize: number, coord: ResizeCoordinate): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outSize),
    i1 = new Int32Array(outSize),
    f = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    let src = coord === 'half_pixel' ? (o + 0.5) * scale - 0.5 : coord === 'asymmetric' ? o * scale : outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    src = Math.min(Math.max(src, 0), inSize - 1);
    const a = Math.floor(src);
    i0[o] = a;
    i1[o] = Math.min(a + 1, inSize - 1);
    f[o] = src - a;
  }
  return { i0, i1, f };
}

/**
 * Bilinear resize of 8-bit pixels to `width`×`height` (same channels), rounding to nearest.
 * Default coordinates `'half_pixel'` (pixel centres aligned: OpenCV `INTER_LINEAR`, PIL without
 * antialiasing); `'asymmetric'` and `'align_corners'` as in the spec's resize block. No
 * antialiasing, so downscaling by more than about 2× aliases.
 *
 * @example const small = resizeBilinearPixels(photo, 96, 96);
 */
export function resizeBilinearPixels(pixels: Pixels, width: number, height: number, opts: { coordinate?: ResizeCoordinate } = {}): Pixels {
  checkPixels(pixels);
  if (!isNat(width) || !isNat(height) || width === 0 || height === 0) {
    throw new PreprocessError(`resizeBilinearPixels: target size must be positive integers, got ${width}×${height}`);
  }
  const coord = opts.coordinate ?? 'half_pixel';
  if (coord !== 'half_pixel' && coord !== 'asymmetric' && coord !== 'align_corners') {
    throw new PreprocessError(`resizeBilinearPixels: coordinate must be half_pixel|asymmetric|align_corners, got ${JSON.stringify(coord)}`);
  }
  const ch = pixels.channels;
  const src = pixels.data;
  const stride = pixels.width * ch;
  const xs = axis(pixels.width, width, coord);
  const ys = axis(pixels.height, height, coord);
  const out = new Uint8Array(width * height * ch);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y]! * stride,
      r1 = ys.i1[y]! * stride,
      fy = ys.f[y]!;
    for (let x = 0; x < width; x++) {
      const c0 = xs.i0[x]! * ch,
        c1 = xs.i1[x]! * ch,
        fx = xs.f[x]!;
      for (let c = 0; c < ch; c++) {
        const a = src[r0 + c0 + c]!,
          b = src[r0 + c1 + c]!,
          d = src[r1 + c0 + c]!,
          e = src[r1 + c1 + c]!;
        const top = a + (b - a) * fx;
        const bot = d + (e - d) * fx;
        out[o++] = (top + (bot - top) * fy + 0.5) | 0;
      }
    }
  }
  return { data: out, width, height, channels: ch };
}
