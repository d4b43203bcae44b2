/**
 * The built-in synthetic set: generated on first use with `writeSyntheticDataset` into a cache
 * directory keyed by its parameters (written to a temporary folder, then renamed, so a crash or a
 * concurrent run never leaves a half set), then read as a list-file dataset with its landmarks.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openListFile } from './list-file.ts';
import type { ImageSource } from './types.ts';

/** Parameters of the generated set. */
export interface SyntheticOptions {
  seed: number;
  identities: number;
  imagesPerIdentity: number;
  /** Fraction of images drawn with a natural occluder (sunglasses, mask, hat). */
  occluderRate: number;
}

/** The cache folder of a parameter set. */
export function syntheticDir(cacheDir: string, o: SyntheticOptions): string {
  return resolve(cacheDir, `synthetic-s${o.seed}-i${o.identities}-n${o.imagesPerIdentity}-o${o.occluderRate}`);
}

/** Generates the set when missing; returns its folder and whether it was generated now. */
export async function ensureSynthetic(cacheDir: string, o: SyntheticOptions): Promise<{ dir: string; generated: boolean }> {
  const dir = syntheticDir(cacheDir, o);
  if (existsSync(join(dir, 'dataset.json'))) return { dir, generated: false };
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    // Loaded on first use only: generation pulls in the face renderer.
    const { writeSyntheticDataset } = await import('./synthetic-writer.ts');
    await writeSyntheticDataset(tmp, o);
    if (existsSync(join(dir, 'dataset.json'))) await rm(tmp, { recursive: true, force: true });
    else {
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, generated: true };
}

/** Opens (generating on first use) the synthetic set as an {@link ImageSource}. */
export async function openSynthetic(cacheDir: string, o: SyntheticOptions): Promise<ImageSource & { numClasses: number; generated: boolean }> {
  const { dir, generated } = await ensureSynthetic(cacheDir, o);
  const src = await openListFile(join(dir, 'list.txt'), { landmarks: join(dir, 'landmarks.txt'), numClasses: o.identities });
  return { ...src, kind: 'synthetic', path: dir, generated };
}
