/**
 * Image decoding for extraction (Node): JPEG/PNG/… through `sharp` (loaded on first use), binary
 * PGM (`P5`, maxval ≤ 255) parsed directly since sharp's libvips build cannot read it.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Pixels } from '@interpret-fr/core';

/** Parses a binary PGM (P5, maxval ≤ 255). */
export function decodePgm(bytes: Uint8Array, file = '<pgm>'): Pixels {
  let pos = 0;
  const tokens: string[] = [];
  while (tokens.length < 4) {
    while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
    if (bytes[pos] === 0x23) {
      while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
      continue;
    }
    let t = '';
    while (pos < bytes.length && !/\s/.test(String.fromCharCode(bytes[pos]!))) t += String.fromCharCode(bytes[pos++]!);
    if (t === '') throw new Error(`${file}: truncated PGM header`);
    tokens.push(t);
  }
  pos++;
  const [magic, w, h, max] = [tokens[0], Number(tokens[1]), Number(tokens[2]), Number(tokens[3])];
  if (magic !== 'P5') throw new Error(`${file}: PGM magic '${magic}', expected 'P5'`);
  if (!(max > 0 && max <= 255)) throw new Error(`${file}: PGM maxval ${max}, expected 1..255`);
  if (bytes.length - pos < w * h) throw new Error(`${file}: PGM has ${bytes.length - pos} data bytes, ${w}×${h} needs ${w * h}`);
  return { data: bytes.slice(pos, pos + w * h), width: w, height: h, channels: 1 };
}

/** Decodes an image file to 8-bit pixels (gray, RGB or RGBA as stored). */
export async function decodeImageFile(path: string): Promise<Pixels> {
  const bytes = new Uint8Array(await readFile(path));
  if (/\.pgm$/i.test(path)) return decodePgm(bytes, path);
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`${path}: decoded to ${ch} channels, expected 1, 3 or 4`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: ch };
}
