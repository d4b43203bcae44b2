/**
 * Automatic face detection and alignment of a picked photo, on `@interpret-fr/align/web` (face-api's
 * TinyFaceDetector + 68-landmark net on tfjs's WebAssembly backend, in the page's main thread).
 *
 * The networks and tfjs's `.wasm` come from the app's own origin (`models/face-api/`, `tfjs-wasm/`,
 * copied from the npm packages by `vite.config.ts`); the aligner is created on the first photo, so a
 * page that never aligns never loads them. The crop is the one `createFacePipeline` and eval's
 * `--align detect` make: `chooseFace` picks the face a one-subject photo means, `alignFace` maps it
 * onto the 110 template frame, and the model sees the centre 96 (see `logic/aligned-input.ts`).
 *
 * @module
 */
import { FRAME_SIZE } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { alignFace, chooseFace } from '@interpret-fr/align';
import type { AlignedFace, DetectOptions, DetectedFace, FaceAligner } from '@interpret-fr/align';

/** Detection options of the demo: the library defaults (no centred-box fallback: the manual editor is the fallback). */
export const DEMO_DETECT_OPTIONS: DetectOptions = {};

/** The faces of one photo and the aligned crop of the chosen one. */
export interface PhotoAlignment {
  /** All faces, highest detector score first. */
  faces: DetectedFace[];
  /** Index of the aligned face in `faces` (−1 when none was found). */
  chosen: number;
  /** The chosen face on the 110 template frame (null when none was found). */
  aligned: AlignedFace | null;
  /** Time of detect + landmarks (ms) and of the alignment warp (ms). */
  detectMs: number;
  alignMs: number;
  /** tfjs backend that ran the networks. */
  backend: string;
}

let alignerPromise: Promise<FaceAligner> | null = null;

/** The page's aligner (created on first use; the same promise afterwards, a failed one is retried). */
export function pageAligner(): Promise<FaceAligner> {
  alignerPromise ??= (async () => {
    const web = await import('@interpret-fr/align/web');
    const base = document.baseURI;
    return web.createFaceAligner({ models: new URL('models/face-api/', base).href, backend: 'wasm', wasmPaths: new URL('tfjs-wasm/', base).href });
  })().catch((e: unknown) => {
    alignerPromise = null;
    throw new Error(`face detection could not start: ${(e as Error).message}`);
  });
  return alignerPromise;
}

/** The chosen face aligned onto the 110 template frame, alpha made opaque (the warp leaves 0 outside the photo). */
export function alignChosen(pixels: Pixels, face: DetectedFace): AlignedFace {
  const a = alignFace(pixels, face.landmarks68, { size: FRAME_SIZE });
  if (a.pixels.channels === 4) for (let i = 3; i < a.pixels.data.length; i += 4) a.pixels.data[i] = 255;
  return a;
}

/**
 * Detects the faces of a photo, chooses one (`chooseFace`, or `choose` when given and valid) and
 * aligns it.
 */
export async function alignPhoto(pixels: Pixels, choose?: number): Promise<PhotoAlignment> {
  const aligner = await pageAligner();
  const t0 = performance.now();
  const faces = await aligner.detectFaces(pixels, DEMO_DETECT_OPTIONS);
  const t1 = performance.now();
  const chosen = choose !== undefined && choose >= 0 && choose < faces.length ? choose : chooseFace(faces, pixels.width, pixels.height);
  const aligned = chosen >= 0 ? alignChosen(pixels, faces[chosen]!) : null;
  return { faces, chosen, aligned, detectMs: t1 - t0, alignMs: performance.now() - t1, backend: aligner.backend };
}

/** Re-aligns an existing detection on another of its faces (no second detection). */
export async function chooseAlignedFace(pixels: Pixels, prev: PhotoAlignment, index: number): Promise<PhotoAlignment> {
  if (index < 0 || index >= prev.faces.length) return prev;
  const t = performance.now();
  const aligned = alignChosen(pixels, prev.faces[index]!);
  return { ...prev, chosen: index, aligned, alignMs: performance.now() - t };
}
