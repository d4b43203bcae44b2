/**
 * Crop-box maths: which square of the source image becomes the model's S × S input.
 *
 * Policy (documented in the README): the default box is the **centred square of side
 * round(min(w, h) · 96/110)**, the original's "centre 96 of a 110 alignment" framing, offsets
 * floor((w − side)/2), floor((h − side)/2). The user can move and resize it; boxes are always integer,
 * square, at least {@link MIN_CROP} pixels (or the whole image when smaller), and inside the image.
 * The box's pixels are then resized to S × S (bilinear, half-pixel centres; core's
 * `resizeBilinearPixels`).
 *
 * @module
 */

/** A square window of the source image, in integer source pixels. */
export interface CropBox {
  x: number;
  y: number;
  size: number;
}

/** Smallest crop side the editor allows. */
export const MIN_CROP = 8;

/** Fraction of the shorter side the default crop keeps (the original's 96 of 110). */
export const DEFAULT_CROP_FRACTION = 96 / 110;

/** The default (centred) crop box of a `width × height` image. */
export function defaultCrop(width: number, height: number, fraction = DEFAULT_CROP_FRACTION): CropBox {
  checkSize(width, height);
  const side = Math.max(1, Math.min(Math.min(width, height), Math.round(Math.min(width, height) * fraction)));
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), size: side };
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`crop: image size must be positive integers, got ${width}×${height}`);
  }
}

/** Rounds a box to integers, limits its side to [min(MIN_CROP, shorter side), shorter side] and moves it inside the image. */
export function clampCrop(box: CropBox, width: number, height: number): CropBox {
  checkSize(width, height);
  const maxSide = Math.min(width, height);
  const size = Math.min(maxSide, Math.max(Math.min(MIN_CROP, maxSide), Math.round(Number.isFinite(box.size) ? box.size : maxSide)));
  const x = Math.min(width - size, Math.max(0, Math.round(Number.isFinite(box.x) ? box.x : 0)));
  const y = Math.min(height - size, Math.max(0, Math.round(Number.isFinite(box.y) ? box.y : 0)));
  return { x, y, size };
}

/** The box moved by (dx, dy) source pixels, kept inside the image. */
export function moveCrop(box: CropBox, dx: number, dy: number, width: number, height: number): CropBox {
  return clampCrop({ x: box.x + dx, y: box.y + dy, size: box.size }, width, height);
}

/** The box resized to `size` around its centre (the size slider), kept inside the image. */
export function resizeCropAroundCentre(box: CropBox, size: number, width: number, height: number): CropBox {
  const cx = box.x + box.size / 2;
  const cy = box.y + box.size / 2;
  const s = clampCrop({ x: 0, y: 0, size }, width, height).size;
  return clampCrop({ x: cx - s / 2, y: cy - s / 2, size: s }, width, height);
}

/** Corner handle of the box. */
export type Corner = 'nw' | 'ne' | 'sw' | 'se';

/**
 * The box after dragging `corner` to source point (px, py): the opposite corner stays fixed, the side
 * is the larger of the two distances, limited so the box stays inside the image.
 */
export function resizeCropFromCorner(box: CropBox, corner: Corner, px: number, py: number, width: number, height: number): CropBox {
  checkSize(width, height);
  const west = corner === 'nw' || corner === 'sw';
  const north = corner === 'nw' || corner === 'ne';
  const ax = west ? box.x + box.size : box.x; // fixed corner
  const ay = north ? box.y + box.size : box.y;
  const room = Math.min(west ? ax : width - ax, north ? ay : height - ay);
  const want = Math.round(Math.max(Math.abs(px - ax), Math.abs(py - ay)));
  const size = Math.max(Math.min(MIN_CROP, room), Math.min(room, want));
  return clampCrop({ x: west ? ax - size : ax, y: north ? ay - size : ay, size }, width, height);
}

/** Which handle (or the inside) a source point hits, with a tolerance in source pixels; null when outside. */
export function hitCrop(box: CropBox, px: number, py: number, tolerance: number): Corner | 'inside' | null {
  const corners: [Corner, number, number][] = [
    ['nw', box.x, box.y],
    ['ne', box.x + box.size, box.y],
    ['sw', box.x, box.y + box.size],
    ['se', box.x + box.size, box.y + box.size],
  ];
  for (const [c, x, y] of corners) if (Math.abs(px - x) <= tolerance && Math.abs(py - y) <= tolerance) return c;
  if (px >= box.x && px <= box.x + box.size && py >= box.y && py <= box.y + box.size) return 'inside';
  return null;
}

/** How a `width × height` image is drawn into a `viewWidth × viewHeight` canvas (fit, centred). */
export interface ViewTransform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Fits an image into a view, preserving aspect ratio, centred. */
export function fitView(width: number, height: number, viewWidth: number, viewHeight: number): ViewTransform {
  const scale = Math.min(viewWidth / width, viewHeight / height);
  return { scale, offsetX: (viewWidth - width * scale) / 2, offsetY: (viewHeight - height * scale) / 2 };
}

/** View (canvas) point → source point. */
export function viewToSource(t: ViewTransform, vx: number, vy: number): [number, number] {
  return [(vx - t.offsetX) / t.scale, (vy - t.offsetY) / t.scale];
}

/** Source point → view point. */
export function sourceToView(t: ViewTransform, sx: number, sy: number): [number, number] {
  return [sx * t.scale + t.offsetX, sy * t.scale + t.offsetY];
}
