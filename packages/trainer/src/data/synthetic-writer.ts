/**
 * Writes core's synthetic face set to disk in the layout the trainer reads for real data:
 *
 * - `images/<identity>/<n>.png` (4-digit, zero-padded; 110×110 RGB PNG, deterministic bytes),
 * - `list.txt`: `images/0003/0007.png,3` per image, identity-major,
 * - `landmarks.txt`: one line of 136 numbers (x1,y1,…,x68,y68, 110 frame, 3 decimals) per list line,
 * - `occluders.txt`: one label per list line (`none`, `sunglasses`, `mask`, `hat`),
 * - `dataset.json`: the generator parameters, written last (its presence marks a complete set).
 *
 * The list files are written atomically; a call whose `dataset.json` already matches is skipped.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SYNTHETIC_VERSION, syntheticDataset, FRAME_SIZE, type SyntheticDatasetOptions } from '@interpret-fr/core';
import { writeFileAtomic } from '@interpret-fr/core/node';

/** Progress event emitted while writing. */
export interface SyntheticProgressEvent {
  type: 'synthetic-progress';
  done: number;
  total: number;
}

/** Options of {@link writeSyntheticDataset}. */
export interface WriteSyntheticOptions extends SyntheticDatasetOptions {
  onProgress?: (e: SyntheticProgressEvent) => void;
  /** PNG encodes in flight at once (default 16). */
  concurrency?: number;
}

/** What {@link writeSyntheticDataset} did. */
export interface WriteSyntheticResult {
  dir: string;
  count: number;
  /** True when an identical set was already there. */
  skipped: boolean;
  seconds: number;
}

/** PNG options fixed so that the bytes are the same on every run (no metadata, fixed filter/level). */
export const PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false, palette: false, progressive: false } as const;

/** The content of `dataset.json` for a parameter set. */
export function datasetManifest(o: SyntheticDatasetOptions): Record<string, unknown> {
  return {
    generator: 'interpret-fr-synthetic',
    version: SYNTHETIC_VERSION,
    seed: o.seed,
    identities: o.identities,
    imagesPerIdentity: o.imagesPerIdentity,
    occluderRate: o.occluderRate,
    count: o.identities * o.imagesPerIdentity,
    imageSize: FRAME_SIZE,
    channels: 3,
    landmarks: 68,
    files: { list: 'list.txt', landmarks: 'landmarks.txt', occluders: 'occluders.txt', images: 'images/<identity>/<n>.png' },
  };
}

const pad = (v: number) => String(v).padStart(4, '0');

/** Relative path of image `n` of `identity`. */
export function syntheticImagePath(identity: number, n: number): string {
  return `images/${pad(identity)}/${pad(n)}.png`;
}

/** Encodes 110×110 RGB bytes to PNG with {@link PNG_OPTIONS}. */
export function encodePng(pixels: Uint8Array, size: number = FRAME_SIZE): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png(PNG_OPTIONS)
    .toBuffer();
}

/**
 * Generates and writes the set into `dir` (created if missing). Skips the work when
 * `dir/dataset.json` already describes the same parameters and version.
 */
export async function writeSyntheticDataset(dir: string, opts: WriteSyntheticOptions): Promise<WriteSyntheticResult> {
  const t0 = performance.now();
  const o: SyntheticDatasetOptions = { seed: opts.seed, identities: opts.identities, imagesPerIdentity: opts.imagesPerIdentity, occluderRate: opts.occluderRate };
  const manifest = JSON.stringify(datasetManifest(o), null, 2) + '\n';
  const manifestPath = join(dir, 'dataset.json');
  const total = o.identities * o.imagesPerIdentity;
  if (existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === manifest) {
    return { dir, count: total, skipped: true, seconds: (performance.now() - t0) / 1000 };
  }
  // an old, different set loses its completion mark first, so a crash mid-way never looks complete
  if (existsSync(manifestPath)) rmSync(manifestPath);
  const list: string[] = [];
  const lms: string[] = [];
  const occ: string[] = [];
  const limit = Math.max(1, opts.concurrency ?? 16);
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  let lastId = -1;
  let failure: Error | null = null;
  const every = Math.max(1, Math.floor(total / 100));
  for (const s of syntheticDataset(o)) {
    if (failure) break;
    if (s.identity !== lastId) {
      mkdirSync(join(dir, 'images', pad(s.identity)), { recursive: true });
      lastId = s.identity;
    }
    const rel = syntheticImagePath(s.identity, s.index);
    list.push(`${rel},${s.identity}`);
    lms.push(Array.from(s.landmarks, (v) => v.toFixed(3)).join(','));
    occ.push(s.occluder);
    const job: Promise<void> = encodePng(s.pixels)
      .then((png) => writeFile(join(dir, rel), png))
      .then(
        () => {
          done++;
          if (opts.onProgress && (done % every === 0 || done === total)) opts.onProgress({ type: 'synthetic-progress', done, total });
        },
        (e: unknown) => {
          failure ??= new Error(`writeSyntheticDataset: writing ${join(dir, rel)} failed: ${e instanceof Error ? e.message : String(e)}`);
        },
      )
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  writeFileAtomic(join(dir, 'list.txt'), list.join('\n') + '\n');
  writeFileAtomic(join(dir, 'landmarks.txt'), lms.join('\n') + '\n');
  writeFileAtomic(join(dir, 'occluders.txt'), occ.join('\n') + '\n');
  writeFileAtomic(manifestPath, manifest);
  return { dir, count: total, skipped: false, seconds: (performance.now() - t0) / 1000 };
}
