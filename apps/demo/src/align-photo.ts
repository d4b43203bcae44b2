/**
 * Detect, choose and align one photo: the demo's use of `@interpret-fr/align`, shared by the
 * alignment worker (`align-worker.ts`) and the page (`auto-align.ts`).
 *
 * The crop is the one `createFacePipeline` and eval's `--align detect` make: `chooseFace` picks the
 * face a one-subject photo means, `alignFace` maps it onto the 110 template frame, and the model sees
 * the centre 96 (see `logic/aligned-input.ts`).
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
  /** Time of detect + landmarks (ms) and of the alignment warp (ms), measured where they ran. */
  detectMs: number;
  alignMs: number;
  /** tfjs backend that ran the networks. */
  backend: string;
}

/** The chosen face aligned onto the 110 template frame, alpha made opaque (the warp leaves 0 outside the photo). */
export function alignChosen(pixels: Pixels, face: DetectedFace): AlignedFace {
  const a = alignFace(pixels, face.landmarks68, { size: FRAME_SIZE });
  if (a.pixels.channels === 4) for (let i = 3; i < a.pixels.data.length; i += 4) a.pixels.data[i] = 255;
  return a;
}

/** Detects the faces of a photo, chooses one (`chooseFace`, or `choose` when given and valid) and aligns it. */
export async function detectAndAlign(aligner: FaceAligner, pixels: Pixels, choose?: number): Promise<PhotoAlignment> {
  const t0 = performance.now();
  const faces = await aligner.detectFaces(pixels, DEMO_DETECT_OPTIONS);
  const t1 = performance.now();
  const chosen = choose !== undefined && choose >= 0 && choose < faces.length ? choose : chooseFace(faces, pixels.width, pixels.height);
  const aligned = chosen >= 0 ? alignChosen(pixels, faces[chosen]!) : null;
  return { faces, chosen, aligned, detectMs: t1 - t0, alignMs: performance.now() - t1, backend: aligner.backend };
}
