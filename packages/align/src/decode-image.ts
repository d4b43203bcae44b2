/**
 * Node image decoding for the prepare CLI and the benchmarks: JPEG/PNG/WebP/… through `sharp`, binary
 * PGM (`P5`, maxval ≤ 255, the AT&T/ORL format sharp's libvips cannot read) parsed directly. Images
 * above {@link MAX_INPUT_PIXELS} are refused; images with a side above `maxSide` are decoded at a
 * reduced size (the returned `scale` maps decoded coordinates back to the file's).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { InterpretFrError, type Pixels } from '@interpret-fr/core';

/** Largest image (width × height) accepted: 100 megapixels. */
export const MAX_INPUT_PIXELS = 100_000_000;

/** A decoded image and the factor from decoded to original pixel coordinates. */
export interface DecodedImage {
  pixels: Pixels;
  /** original = decoded × scale (1 unless the image was shrunk to `maxSide`). */
  scale: number;
  /** The file's own dimensions. */
  width: number;
  height: number;
}

/** One image that could not be decoded; the message names the file and the reason. */
export class ImageDecodeError extends InterpretFrError {
  override name = 'ImageDecodeError';
}

/** Parses a binary PGM (P5, maxval ≤ 255). */
export function decodePgm(bytes: Uint8Array, file = '<pgm>'): Pixels {
  let pos = 0;
  const tokens: string[] = [];
  const space = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
  while (tokens.length < 4) {
    while (pos < bytes.length && space(bytes[pos])) pos++;
    if (bytes[pos] === 0x23) { while (pos < bytes.length && bytes[pos] !== 0x0a) pos++; continue; }
    let t = '';
    while (pos < bytes.length && !space(bytes[pos]) && t.length < 16) t += String.fromCharCode(bytes[pos++]!);
    if (t === '') throw new ImageDecodeError(`${file}: truncated PGM header`);
    tokens.push(t);
  }
  pos++;
  const [magic, w, h, max] = [tokens[0], Number(tokens[1]), Number(tokens[2]), Number(tokens[3])];
  if (magic !== 'P5') throw new ImageDecodeError(`${file}: PGM magic '${magic}', expected 'P5'`);
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new ImageDecodeError(`${file}: PGM size ${tokens[1]}×${tokens[2]}, expected positive integers`);
  if (w * h > MAX_INPUT_PIXELS) throw new ImageDecodeError(`${file}: ${w}×${h} exceeds the ${MAX_INPUT_PIXELS}-pixel limit`);
  if (!(max > 0 && max <= 255)) throw new ImageDecodeError(`${file}: PGM maxval ${max}, expected 1..255`);
  if (bytes.length - pos < w * h) throw new ImageDecodeError(`${file}: PGM has ${bytes.length - pos} data bytes, ${w}×${h} needs ${w * h}`);
  return { data: bytes.slice(pos, pos + w * h), width: w, height: h, channels: 1 };
}

/**
 * Decodes an image file to 8-bit gray/RGB/RGBA pixels, shrinking it (area filter) so that its
 * longer side is at most `maxSide` (default 2048).
 *
 * @throws ImageDecodeError naming the file: empty, unreadable, corrupt, too many pixels.
 */
export async function decodeImageFile(path: string, opts: { maxSide?: number } = {}): Promise<DecodedImage> {
  const maxSide = opts.maxSide ?? 2048;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new ImageDecodeError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.length === 0) throw new ImageDecodeError(`${path}: empty file (0 bytes)`);
  if (/\.pgm$/i.test(path) || (bytes[0] === 0x50 && bytes[1] === 0x35)) {
    const px = decodePgm(bytes, path);
    return { pixels: px, scale: 1, width: px.width, height: px.height };
  }
  const sharp = (await import('sharp')).default;
  try {
    const img = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error('no image dimensions');
    const big = Math.max(meta.width, meta.height);
    let pipe = img.rotate();
    let scale = 1;
    if (big > maxSide) {
      scale = big / maxSide;
      pipe = pipe.resize({ width: Math.round(meta.width / scale), height: Math.round(meta.height / scale), fit: 'fill' });
    }
    const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
    const ch = info.channels;
    if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`decoded to ${ch} channels, expected 1, 3 or 4`);
    if (scale !== 1) scale = meta.width / info.width;
    return { pixels: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: ch }, scale, width: meta.width, height: meta.height };
  } catch (e) {
    throw new ImageDecodeError(`${path}: not a readable image (${(e as Error).message.split('\n')[0]})`);
  }
}
