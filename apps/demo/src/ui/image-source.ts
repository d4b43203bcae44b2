/**
 * Getting face images into the page: files (picker, drag-and-drop) and webcam frames, decoded to RGBA
 * {@link Pixels} plus an `ImageBitmap` for drawing.
 *
 * Decoding uses `createImageBitmap` without colour-space conversion or premultiplication, so a PNG's
 * bytes reach the model unchanged (the e2e test relies on this). Images whose longer side exceeds
 * {@link MAX_SIDE} are downscaled by the browser's high-quality resampler first.
 *
 * Core's pixel limit (`DEFAULT_MAX_PIXELS`, 40 MP) is checked on the file's header *before* the
 * browser decodes it ({@link checkImageBlob}): a 140 KB 12000×12000 PNG is refused instead of
 * decoding to 576 MB of RGBA. Formats whose header core does not read are checked after decoding.
 *
 * @module
 */
import { checkImageSize, DEFAULT_MAX_PIXELS, readImageHeader } from '@interpret-fr/core';
import type { ImageHeader, Pixels } from '@interpret-fr/core';

/** Longest side kept from a picked image. */
export const MAX_SIDE = 2048;

/** A decoded face image. */
export interface LoadedImage {
  name: string;
  pixels: Pixels;
  bitmap: ImageBitmap;
}

function readPixels(source: CanvasImageSource, width: number, height: number): Pixels {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D canvas');
  ctx.drawImage(source, 0, 0, width, height);
  const img = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
  return { data: new Uint8Array(img.data.buffer), width, height, channels: 4 };
}

/** Bytes read for the header check (JPEG frames can follow up to 64 KB of EXIF and other segments). */
const HEADER_BYTES = 256 * 1024;

/**
 * Reads the header of an image blob and refuses (core's `ImageDecodeError`, naming the file) one that
 * declares more than `maxPixels`; returns the header, or null when core does not know the format.
 */
export async function checkImageBlob(blob: Blob, name: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<ImageHeader | null> {
  const head = readImageHeader(new Uint8Array(await blob.slice(0, HEADER_BYTES).arrayBuffer()));
  if (head) checkImageSize(head.width, head.height, name, maxPixels);
  return head;
}

/** Decodes an image file or blob (refused before decoding when it declares more than `maxPixels`). */
export async function decodeImage(blob: Blob, name: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<LoadedImage> {
  await checkImageBlob(blob, name, maxPixels);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch {
    throw new Error(`could not decode “${name}” (${blob.type || 'unknown type'}, ${blob.size} bytes) as an image; use PNG, JPEG, WebP or GIF`);
  }
  try {
    checkImageSize(bitmap.width, bitmap.height, name, maxPixels);
  } catch (e) {
    bitmap.close();
    throw e;
  }
  const long = Math.max(bitmap.width, bitmap.height);
  if (long > MAX_SIDE) {
    const k = MAX_SIDE / long;
    const small = await createImageBitmap(bitmap, {
      resizeWidth: Math.max(1, Math.round(bitmap.width * k)),
      resizeHeight: Math.max(1, Math.round(bitmap.height * k)),
      resizeQuality: 'high',
    });
    bitmap.close();
    bitmap = small;
  }
  return { name, pixels: readPixels(bitmap, bitmap.width, bitmap.height), bitmap };
}

/** True when the browser offers a camera API (the button is hidden otherwise). */
export function cameraAvailable(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;
}

/** Starts the front camera in `video`; returns a stop function. */
export async function startCamera(video: HTMLVideoElement): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  video.srcObject = stream;
  await video.play();
  return () => {
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
}

/** The current video frame as an image. */
export async function captureFrame(video: HTMLVideoElement): Promise<LoadedImage> {
  const w = video.videoWidth,
    h = video.videoHeight;
  if (!w || !h) throw new Error('the camera has not delivered a frame yet');
  const pixels = readPixels(video, w, h);
  const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(pixels.data.buffer as ArrayBuffer), w, h));
  return { name: `camera ${new Date().toLocaleTimeString()}`, pixels, bitmap };
}
