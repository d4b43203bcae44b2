/**
 * The one image-decoding contract of the project (trainer, eval, align, demo): what is accepted, what
 * is refused and how the refusal reads.
 *
 * - **Pixel limit**: an image whose header declares more than `maxPixels` (default
 *   {@link DEFAULT_MAX_PIXELS}, 40 MP) is refused *before* any pixel is decoded
 *   ({@link readImageHeader} reads PNG, JPEG, GIF, WebP, BMP and PGM dimensions from the first bytes);
 *   a 140 KB 12000×12000 PNG would otherwise decode to 432 MB.
 * - **Corrupt data is refused**, never decoded with grey fill: libvips warnings (a truncated JPEG,
 *   a bad CRC) are errors (`failOn: 'warning'`), the same in every package.
 * - Output: 8-bit gray, RGB or RGBA as stored (other colour spaces, e.g. CMYK, converted to sRGB);
 *   binary PGM (`P5`, maxval ≤ 255) is parsed here since libvips cannot read it.
 * - Every failure is an {@link ImageDecodeError} (an {@link InterpretFrError}, code `data`) whose
 *   message starts with the file.
 *
 * The codec (`sharp`) is injected ({@link SharpLike}): core stays dependency-free; `@interpret-fr/core/node`
 * adds `decodeImageFile` for paths.
 *
 * @module
 */
import { InterpretFrError } from './errors.ts';
import type { Pixels } from './buffers.ts';

/** Default pixel limit (width × height) of every decode: 40 megapixels. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** An image that cannot be decoded (unreadable, corrupt, unsupported, over the pixel limit); names the file. */
export class ImageDecodeError extends InterpretFrError {
  constructor(file: string, detail: string) {
    super(detail, { code: 'data', file });
    this.name = 'ImageDecodeError';
  }
}

/** Formats whose header {@link readImageHeader} understands. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'pgm';

/** Format and declared dimensions of encoded image bytes. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
const u32le = (b: Uint8Array, o: number): number => ((b[o + 3]! << 24) >>> 0) + ((b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!);
const i32le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);

function pgmHeader(b: Uint8Array): { width: number; height: number; maxval: number; dataStart: number } | null {
  let pos = 2;
  const tokens: number[] = [];
  const space = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  while (tokens.length < 3) {
    while (pos < b.length && space(b[pos])) pos++;
    if (b[pos] === 0x23) {
      while (pos < b.length && b[pos] !== 0x0a) pos++;
      continue;
    }
    let t = '';
    while (pos < b.length && b[pos]! >= 0x30 && b[pos]! <= 0x39 && t.length < 10) t += String.fromCharCode(b[pos++]!);
    if (t === '' || (pos < b.length && !space(b[pos]))) return null;
    tokens.push(Number(t));
  }
  if (pos >= b.length) return null;
  return { width: tokens[0]!, height: tokens[1]!, maxval: tokens[2]!, dataStart: pos + 1 };
}

/**
 * Reads the format and the declared width × height from the first bytes, without decoding pixels.
 * Returns null when the format is not one of {@link ImageFormat} or the header is cut short.
 */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  const n = b.length;
  if (n >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && u32be(b, 12) === 0x49484452) {
    return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (n >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the marker segments to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC).
    let o = 2;
    while (o + 4 <= n) {
      if (b[o] !== 0xff) return null;
      const m = b[o + 1]!;
      if (m === 0xff) {
        o++;
        continue;
      }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        o += 2;
        continue;
      }
      const len = u16be(b, o + 2);
      if (len < 2) return null;
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        if (o + 9 > n) return null;
        return { format: 'jpeg', width: u16be(b, o + 7), height: u16be(b, o + 5) };
      }
      if (m === 0xd9 || m === 0xda) return null; // end of image / start of scan before any frame
      o += 2 + len;
    }
    return null;
  }
  if (n >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  if (n >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) {
    const kind = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
    if (kind === 'VP8 ') return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    if (kind === 'VP8L') {
      const v = u32le(b, 21);
      return { format: 'webp', width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') return { format: 'webp', width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)), height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)) };
    return null;
  }
  if (n >= 26 && b[0] === 0x42 && b[1] === 0x4d) return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (n >= 3 && b[0] === 0x50 && b[1] === 0x35) {
    const h = pgmHeader(b);
    return h ? { format: 'pgm', width: h.width, height: h.height } : null;
  }
  return null;
}

/** Throws {@link ImageDecodeError} unless width × height are positive and within `maxPixels`. */
export function checkImageSize(width: number, height: number, file: string, maxPixels = DEFAULT_MAX_PIXELS): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new ImageDecodeError(file, `declares ${width}×${height} pixels, expected positive integers`);
  if (width * height > maxPixels)
    throw new ImageDecodeError(
      file,
      `${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP) exceeds the limit of ${maxPixels} pixels (raise it with maxPixels / --max-pixels)`,
    );
}

/** Parses a binary PGM (P5, maxval ≤ 255) within the pixel limit. */
export function decodePgm(bytes: Uint8Array, file = '<pgm>', maxPixels = DEFAULT_MAX_PIXELS): Pixels {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x35) throw new ImageDecodeError(file, `PGM magic '${String.fromCharCode(bytes[0] ?? 0x3f, bytes[1] ?? 0x3f)}', expected 'P5'`);
  const h = pgmHeader(bytes);
  if (!h) throw new ImageDecodeError(file, 'truncated or malformed PGM header');
  checkImageSize(h.width, h.height, file, maxPixels);
  if (!(h.maxval > 0 && h.maxval <= 255)) throw new ImageDecodeError(file, `PGM maxval ${h.maxval}, expected 1..255`);
  const need = h.width * h.height;
  if (bytes.length - h.dataStart < need) throw new ImageDecodeError(file, `PGM has ${bytes.length - h.dataStart} data bytes, ${h.width}×${h.height} needs ${need}`);
  const data = bytes.slice(h.dataStart, h.dataStart + need);
  if (h.maxval !== 255) for (let i = 0; i < need; i++) data[i] = Math.min(255, Math.round((data[i]! * 255) / h.maxval));
  return { data, width: h.width, height: h.height, channels: 1 };
}

/** The part of `sharp`'s API the decoder uses (pass `(await import('sharp')).default`). */
export type SharpLike = (
  input: Uint8Array,
  options?: { failOn?: 'none' | 'truncated' | 'error' | 'warning'; limitInputPixels?: number | false; raw?: { width: number; height: number; channels: 1 | 2 | 3 | 4 } },
) => SharpPipeline;
/** A sharp pipeline (structural). */
export interface SharpPipeline {
  metadata(): Promise<{ width?: number; height?: number; channels?: number; space?: string }>;
  rotate(): SharpPipeline;
  removeAlpha(): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  resize(width: number, height: number, options?: { fit?: 'fill'; kernel?: 'linear' | 'cubic' | 'lanczos3' | 'nearest' | 'mitchell' | 'lanczos2' }): SharpPipeline;
  raw(options?: { depth?: 'uchar' }): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }>;
}

/** Options of {@link decodeImageBytes}. */
export interface DecodeImageOptions {
  /** Names the image in errors (its path). */
  file?: string;
  /** Pixel limit (width × height) checked on the header before decoding; default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
  /** Apply the EXIF orientation (default false: pixels as stored, the frame landmark files refer to). */
  autoOrient?: boolean;
  /** Drop an alpha channel (default false). */
  dropAlpha?: boolean;
  /** Resample to exactly width × height (bilinear, aspect not kept) in the same pass. */
  resize?: { width: number; height: number };
  /** Shrink (area filter) so that the longer side is at most this (ignored with `resize`). */
  maxSide?: number;
}

/** A decoded image; `width`/`height` are the file's own dimensions (before any resize). */
export interface DecodedImage {
  pixels: Pixels;
  width: number;
  height: number;
}

/**
 * Decodes encoded image bytes under the project's contract (see the module docs). PGM is parsed in
 * JS; everything else goes through the injected `sharp`.
 *
 * @throws {ImageDecodeError} naming `opts.file`: empty, unknown format, over the pixel limit, corrupt.
 */
export async function decodeImageBytes(bytes: Uint8Array, sharp: SharpLike, opts: DecodeImageOptions = {}): Promise<DecodedImage> {
  const file = opts.file ?? '<image>';
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels >= 1)) throw new ImageDecodeError(file, `maxPixels must be ≥ 1, got ${maxPixels}`);
  if (bytes.length === 0) throw new ImageDecodeError(file, 'empty file (0 bytes)');
  const head = readImageHeader(bytes);
  if (head) checkImageSize(head.width, head.height, file, maxPixels);
  let pipe: SharpPipeline;
  let width: number;
  let height: number;
  try {
    if (head?.format === 'pgm' || (bytes[0] === 0x50 && bytes[1] === 0x35)) {
      const px = decodePgm(bytes, file, maxPixels);
      if (!opts.resize && !opts.maxSide) return { pixels: px, width: px.width, height: px.height };
      ({ width, height } = px);
      pipe = sharp(px.data as Uint8Array, { raw: { width, height, channels: 1 } });
    } else {
      // limitInputPixels also guards formats whose header readImageHeader does not parse (TIFF, AVIF…).
      const img = sharp(bytes, { failOn: 'warning', limitInputPixels: maxPixels });
      const meta = await img.metadata();
      if (!meta.width || !meta.height) throw new Error('no image dimensions');
      checkImageSize(meta.width, meta.height, file, maxPixels);
      ({ width, height } = meta);
      pipe = opts.autoOrient ? img.rotate() : img;
      pipe = pipe.toColourspace(meta.space === 'b-w' || meta.space === 'grey16' ? 'b-w' : 'srgb');
    }
    if (opts.dropAlpha) pipe = pipe.removeAlpha();
    if (opts.resize) pipe = pipe.resize(opts.resize.width, opts.resize.height, { fit: 'fill', kernel: 'linear' });
    else if (opts.maxSide && Math.max(width, height) > opts.maxSide) {
      const s = Math.max(width, height) / opts.maxSide;
      pipe = pipe.resize(Math.max(1, Math.round(width / s)), Math.max(1, Math.round(height / s)), { fit: 'fill' });
    }
    const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const ch = info.channels;
    if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`decoded to ${ch} channels, expected 1, 3 or 4`);
    if (data.length !== info.width * info.height * ch) throw new Error(`decoded ${data.length} bytes for ${info.width}×${info.height}×${ch}`);
    return { pixels: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: ch }, width, height };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(file, `not a readable image (${String((e as Error).message).split('\n')[0]})`);
  }
}
