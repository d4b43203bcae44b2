/**
 * One image of `interpret-fr-prepare`: decode → detect (+ landmarks) → choose the face → align →
 * write the PNG crop. Never throws for a bad image: every problem becomes a failed
 * {@link ImageResult} with its reason.
 *
 * @module
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { alignFace } from './align-face.ts';
import { decodeImageFile } from './decode-image.ts';
import type { FaceAligner, FaceBox, FaceSource } from './detector.ts';
import { chooseFace } from './faces.ts';
import type { PrepareItem } from './prepare-list.ts';

/** Per-image options of the prepare run (all recorded in `prepare.json`; a resume must match). */
export interface PrepareImageOptions {
  /** Side of the aligned crops (default 110, the training frame). */
  size: number;
  /** Accept the centred-box fallback when no face is found (flagged in the report). */
  fallback: boolean;
  /** TinyFaceDetector input side. */
  inputSize: number;
  /** Minimum detector score. */
  minScore: number;
  /** Longer side images are shrunk to before detection. */
  maxSide: number;
}

/** Outcome of one image (one line of `progress.jsonl`). */
export interface ImageResult {
  /** Index into the item list. */
  i: number;
  status: 'aligned' | 'fallback' | 'failed';
  /** Failure reason (status `failed`). */
  reason?: string;
  /** Faces found. */
  faces?: number;
  /** Index of the face used (in detector score order) when `faces` > 1. */
  chosen?: number;
  source?: FaceSource;
  score?: number;
  /** Chosen face box in the file's pixel frame. */
  box?: FaceBox;
  /** 68 landmarks in the crop frame (3 decimals). */
  landmarks?: number[];
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Encodes 8-bit pixels as PNG with sharp and writes them atomically (temp name, then rename). */
async function writePng(path: string, px: { data: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: number }): Promise<void> {
  const sharp = (await import('sharp')).default;
  const png = await sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels as 1 | 3 | 4 } })
    .png()
    .toBuffer();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFile(tmp, png);
  await rename(tmp, path);
}

/** Processes one item (see module doc); the crop goes to `<outDir>/<item.crop>`. */
export async function prepareImage(aligner: FaceAligner, item: PrepareItem, i: number, outDir: string, o: PrepareImageOptions): Promise<ImageResult> {
  let decoded;
  try {
    decoded = await decodeImageFile(item.path, { maxSide: o.maxSide });
  } catch (e) {
    return { i, status: 'failed', reason: (e as Error).message };
  }
  try {
    const { pixels, scale } = decoded;
    const faces = await aligner.detectFaces(pixels, { inputSize: o.inputSize, minScore: o.minScore, fallback: o.fallback ? 'center' : 'none' });
    if (faces.length === 0) return { i, status: 'failed', reason: `${item.path}: no face found (detector input ${o.inputSize}, min score ${o.minScore}, padded retry)` };
    const k = chooseFace(faces, pixels.width, pixels.height);
    const face = faces[k]!;
    const aligned = alignFace(pixels, face.landmarks68, { size: o.size });
    await writePng(join(outDir, item.crop), aligned.pixels);
    const b = face.box;
    return {
      i,
      status: face.source === 'fallback' ? 'fallback' : 'aligned',
      faces: faces.length,
      ...(faces.length > 1 ? { chosen: k } : {}),
      source: face.source,
      score: r3(face.score),
      box: { x: r3(b.x * scale), y: r3(b.y * scale), width: r3(b.width * scale), height: r3(b.height * scale) },
      landmarks: Array.from(aligned.landmarks, r3),
    };
  } catch (e) {
    return { i, status: 'failed', reason: `${item.path}: ${(e as Error).message}` };
  }
}
