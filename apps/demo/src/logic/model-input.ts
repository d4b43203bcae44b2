/**
 * The model's view of a face: the crop box's pixels resized to S × S (see crop.ts for the policy).
 * The e2e test computes the reference similarity in Node with this same function.
 *
 * @module
 */
import { cropPixels, resizeBilinearPixels } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { clampCrop } from './crop.ts';
import type { CropBox } from './crop.ts';

/** `source`'s crop box (clamped into the image) resized to `size × size`, bilinear with half-pixel centres. */
export function modelInput(source: Pixels, crop: CropBox, size: number): Pixels {
  const box = clampCrop(crop, source.width, source.height);
  const window = cropPixels(source, box.x, box.y, box.size, box.size);
  return box.size === size ? window : resizeBilinearPixels(window, size, size, { coordinate: 'half_pixel' });
}
