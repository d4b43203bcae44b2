/**
 * Preprocessing: 8-bit pixels → the model's float32 input, the original's `x / 127.5 − 1`
 * (method.md §2.1, §3), gray replicated to 3 channels, RGBA's alpha dropped, written straight
 * into a caller-provided buffer in NHWC (tfjs) or NCHW (ONNX) layout.
 *
 * No resizing happens here: the pixels must already be the model's size, or `x`/`y` select a
 * window of that size (the trainer's random 96×96 crop of a 110×110 face). Callers with arbitrary
 * photos choose a policy first, e.g. {@link centerCropSquare} then {@link resizeBilinearPixels}
 * (plain bilinear, no antialiasing: fine up to about 2× downscaling; for large photos decode at a
 * reduced size or resize with an image library first).
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

/** Options of {@link preprocess}. */
export interface PreprocessOptions {
  /** `'NHWC'` (tfjs) or `'NCHW'` (ONNX). */
  layout: Layout;
  /** Element (not byte) offset into `out` where this image starts (image i of a batch: i·3·H·W). */
  offset?: number;
  /**
   * Expected square side. When given, the image must be `size`×`size`, or `x` and `y` must place
   * a `size`×`size` window inside it. When omitted, the whole image is used (any W×H).
   */
  size?: number;
  /** Left column of the window (requires `size`). */
  x?: number;
  /** Top row of the window (requires `size`). */
  y?: number;
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
    throw new PreprocessError(`${what}: data has ${p.data.length} bytes, ${p.width}×${p.height}×${p.channels} needs ${want}`);
  }
}

/**
 * Writes one image into `out` at element `offset` as 3 × H × W floats in `x / 127.5 − 1`.
 * Gray is replicated to R = G = B; RGBA drops alpha (no premultiplication). Returns `out`.
 *
 * @example
 * const out = new Float32Array(3 * 96 * 96);
 * preprocess(face, out, { layout: 'NCHW', size: 96 });
 * // a 110×110 face, random training crop:
 * preprocess(face110, batch.data, { layout: 'NHWC', size: 96, x: rng.int(15), y: rng.int(15), offset: i * 3 * 96 * 96 });
 */
export function preprocess(pixels: Pixels, out: Float32Array, opts: PreprocessOptions): Float32Array {
  checkPixels(pixels);
  if (!(out instanceof Float32Array)) throw new PreprocessError(`preprocess: out must be a Float32Array`);
  const { layout } = opts;
  if (layout !== 'NHWC' && layout !== 'NCHW') throw new PreprocessError(`preprocess: layout must be "NHWC" or "NCHW", got ${JSON.stringify(layout)}`);
  const offset = opts.offset ?? 0;
  if (!isNat(offset)) throw new PreprocessError(`preprocess: offset must be a non-negative integer, got ${String(offset)}`);
  let x0 = 0,
    y0 = 0,
    W = pixels.width,
    H = pixels.height;
  if (opts.size !== undefined) {
    const s = opts.size;
    if (!isNat(s) || s === 0) throw new PreprocessError(`preprocess: size must be a positive integer, got ${String(s)}`);
    if (opts.x === undefined && opts.y === undefined) {
      if (W !== s || H !== s) {
        throw new PreprocessError(
          `preprocess: image is ${W}×${H} but the model takes ${s}×${s}; resize/crop first (resizeBilinearPixels, centerCropSquare) or pass x and y for a crop window`,
        );
      }
    } else {
      x0 = opts.x ?? 0;
      y0 = opts.y ?? 0;
      if (!isNat(x0) || !isNat(y0) || x0 + s > W || y0 + s > H) {
        throw new PreprocessError(`preprocess: a ${s}×${s} window at x=${String(opts.x)}, y=${String(opts.y)} does not fit in the ${W}×${H} image`);
      }
    }
    W = s;
    H = s;
  } else if (opts.x !== undefined || opts.y !== undefined) {
    throw new PreprocessError('preprocess: x and y need size (the window side)');
  }
  const plane = W * H;
  if (offset + 3 * plane > out.length) {
    throw new PreprocessError(`preprocess: out has ${out.length} floats, the image needs ${3 * plane} from offset ${offset} (up to ${offset + 3 * plane})`);
  }
  const src = pixels.data;
  const ch = pixels.channels;
  const stride = pixels.width * ch;
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
  return out;
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
