/**
 * Occlusion: a rectangle drawn over the model view (a D × D display of the S × S model input) becomes
 * an integer rectangle of the model frame whose pixels are set to black (0, the darkest input value,
 * −1 after preprocessing) before inference.
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';

/** Integer rectangle in model-frame pixels, `x + width ≤ S`, `y + height ≤ S`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The model-frame rectangle covering every model pixel that the display rectangle with corners
 * (x0, y0), (x1, y1) touches (any corner order; clamped to the frame). Null when it covers nothing.
 *
 * @param viewSize display side D in the same units as the corners.
 * @param modelSize model input side S.
 */
export function viewRectToModelRect(x0: number, y0: number, x1: number, y1: number, viewSize: number, modelSize: number): Rect | null {
  if (!(viewSize > 0) || !Number.isInteger(modelSize) || modelSize < 1) throw new RangeError(`occlusion: bad sizes view ${viewSize}, model ${modelSize}`);
  const k = modelSize / viewSize;
  const clamp = (v: number) => Math.min(modelSize, Math.max(0, v));
  const left = clamp(Math.floor(Math.min(x0, x1) * k));
  const right = clamp(Math.ceil(Math.max(x0, x1) * k));
  const top = clamp(Math.floor(Math.min(y0, y1) * k));
  const bottom = clamp(Math.ceil(Math.max(y0, y1) * k));
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** A rectangle given as fractions of the frame → model-frame rectangle (for keyboard presets). */
export function fractionRect(fx0: number, fy0: number, fx1: number, fy1: number, modelSize: number): Rect | null {
  return viewRectToModelRect(fx0, fy0, fx1, fy1, 1, modelSize);
}

/** Named occluder presets as fractions of the model frame (x0, y0, x1, y1), for keyboard use. */
export const OCCLUSION_PRESETS: Record<string, readonly [number, number, number, number]> = {
  eyes: [0.1, 0.25, 0.9, 0.47],
  nose: [0.38, 0.38, 0.62, 0.66],
  mouth: [0.26, 0.64, 0.74, 0.86],
  'upper half': [0, 0, 1, 0.5],
  'lower half': [0, 0.5, 1, 1],
  'left half': [0, 0, 0.5, 1],
  'right half': [0.5, 0, 1, 1],
};

/** A copy of `pixels` with the rectangle's colour channels set to 0 (alpha untouched). */
export function applyOcclusion(pixels: Pixels, rect: Rect | null): Pixels {
  const data = new Uint8Array(pixels.data);
  if (rect) {
    const ch = pixels.channels;
    const colour = ch === 4 ? 3 : ch;
    const x1 = Math.min(pixels.width, rect.x + rect.width);
    const y1 = Math.min(pixels.height, rect.y + rect.height);
    for (let y = Math.max(0, rect.y); y < y1; y++) {
      for (let x = Math.max(0, rect.x); x < x1; x++) {
        const o = (y * pixels.width + x) * ch;
        for (let c = 0; c < colour; c++) data[o + c] = 0;
      }
    }
  }
  return { data, width: pixels.width, height: pixels.height, channels: pixels.channels };
}
