/**
 * Node image decoding for the prepare CLI, the scripts and the tests: core's one decoding contract
 * (`decodeImageFile` of `@interpret-fr/core/node`: pixel limit checked on the header, corrupt data
 * refused, {@link ImageDecodeError} naming the file, PGM parsed in JS) with sharp, EXIF orientation
 * applied (photos), and images with a side above `maxSide` shrunk in the same pass; `scale` maps the
 * decoded coordinates back to the file's.
 *
 * @module
 */
import { ImageDecodeError, type Pixels, type SharpLike } from '@interpret-fr/core';
import { decodeImageFile as decodeWith } from '@interpret-fr/core/node';

export { ImageDecodeError };

/** A decoded image and the factor from decoded to original pixel coordinates. */
export interface ScaledImage {
  pixels: Pixels;
  /** original = decoded × scale (1 unless the image was shrunk to `maxSide`). */
  scale: number;
  /** The file's own dimensions. */
  width: number;
  height: number;
}

/**
 * Decodes an image file to 8-bit gray/RGB/RGBA pixels, shrinking it (area filter) so that its
 * longer side is at most `maxSide` (default 2048).
 *
 * @throws ImageDecodeError naming the file: unreadable, empty, over the pixel limit, corrupt.
 */
export async function decodeImageFile(path: string, opts: { maxSide?: number; maxPixels?: number } = {}): Promise<ScaledImage> {
  const sharp = (await import('sharp')).default as unknown as SharpLike;
  const d = await decodeWith(path, sharp, { maxSide: opts.maxSide ?? 2048, autoOrient: true, ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}) });
  return { pixels: d.pixels, width: d.width, height: d.height, scale: d.width / d.pixels.width };
}
