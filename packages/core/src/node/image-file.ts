/**
 * {@link decodeImageFile}: core's image-decoding contract (`decodeImageBytes`: pixel limit checked
 * on the header, corrupt data refused, errors naming the file) for a path.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { decodeImageBytes, ImageDecodeError } from '../image-decode.ts';
import type { DecodedImage, DecodeImageOptions, SharpLike } from '../image-decode.ts';

/** Reads and decodes an image file; unreadable files are {@link ImageDecodeError}s naming the path too. */
export async function decodeImageFile(path: string, sharp: SharpLike, opts: Omit<DecodeImageOptions, 'file'> = {}): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new ImageDecodeError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeImageBytes(bytes, sharp, { ...opts, file: path });
}
