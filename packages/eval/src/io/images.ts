/**
 * Image decoding for extraction (Node): core's one decoding contract (`decodeImageFile` from
 * `@interpret-fr/core/node`: pixel limit checked on the header, corrupt data refused, errors naming
 * the file) with `sharp` loaded on first use. PGM is parsed by core.
 *
 * @module
 */
import type { Pixels, SharpLike } from '@interpret-fr/core';
import { DEFAULT_MAX_PIXELS } from '@interpret-fr/core';
import { decodeImageFile as decodeWith } from '@interpret-fr/core/node';

export { decodePgm } from '@interpret-fr/core';

let sharpModule: SharpLike | null = null;
async function sharp(): Promise<SharpLike> {
  sharpModule ??= (await import('sharp')).default as unknown as SharpLike;
  return sharpModule;
}

/** Decodes an image file to 8-bit pixels (gray, RGB or RGBA as stored) under core's contract. */
export async function decodeImageFile(path: string, opts: { maxPixels?: number } = {}): Promise<Pixels> {
  return (await decodeWith(path, await sharp(), { maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS })).pixels;
}
