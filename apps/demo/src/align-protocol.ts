/**
 * Messages between the page (`auto-align.ts`) and the alignment worker (`align-worker.ts`).
 *
 * @module
 */
import type { Pixels } from '@interpret-fr/core';
import type { PhotoAlignment } from './align-photo.ts';

/** Detect, choose and align one photo (its pixels are a copy, transferred). */
export interface AlignRequest {
  type: 'align';
  id: number;
  pixels: Pixels;
  /** Face to align instead of `chooseFace`'s (index into the detected faces). */
  choose?: number;
  /** Base URL of the face-api model files and of tfjs's wasm binaries (the app's own origin). */
  models: string;
  wasmPaths: string;
}

/** The worker's answer. */
export type AlignResponse = { type: 'aligned'; id: number; result: PhotoAlignment } | { type: 'error'; id: number; message: string };
