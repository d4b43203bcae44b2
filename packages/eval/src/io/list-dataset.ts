/**
 * Reads a labelled image list in the synthetic/trainer layout: `dir/list.txt` (`path,label` per
 * line, paths relative to dir), optional `dir/landmarks.txt` (136 numbers per list line, the image
 * frame). Images larger than `crop` are centre-cropped to it (110 → 96, as the original), and the
 * landmarks shifted with them.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { centerCrop } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { resolveUnderRoot } from '@interpret-fr/core/node';
import { decodeImageFile } from './images.ts';
import { isBadImageError } from './feature-cache.ts';

/** A decoded list dataset. */
export interface ListDataset {
  paths: string[];
  images: Pixels[];
  labels: Int32Array;
  /** 68 landmarks per image in the (cropped) image frame, when landmarks.txt exists. */
  landmarks?: Float32Array[];
  /** Images that could not be decoded: left out (not fatal), reported. */
  skipped: { id: string; reason: string }[];
}

/** Loads the first `maxImages` (default all) list entries, picked evenly over the list when fewer. */
export async function loadListDataset(dir: string, opts: { maxImages?: number; crop?: number; allowOutsideRoot?: boolean } = {}): Promise<ListDataset> {
  if (opts.maxImages !== undefined && !(Number.isSafeInteger(opts.maxImages) && opts.maxImages >= 1))
    throw new RangeError(`loadListDataset: maxImages must be a positive integer, got ${opts.maxImages}`);
  const listPath = join(dir, 'list.txt');
  const lines = (await readFile(listPath, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const lmPath = join(dir, 'landmarks.txt');
  const lmLines = existsSync(lmPath) ? (await readFile(lmPath, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '') : null;
  if (lmLines && lmLines.length !== lines.length) throw new Error(`${lmPath}: ${lmLines.length} lines, ${listPath} has ${lines.length}`);
  const n = Math.min(lines.length, opts.maxImages ?? lines.length);
  const pick = Array.from({ length: n }, (_, k) => Math.floor((k * lines.length) / n));
  // inline landmarks (the trainer's and interpret-fr-prepare's `path,label,x1,y1,…,x68,y68`) when every line has them
  const inline = !lmLines && lines.every((l) => l.split(',').length === 138);
  const out: ListDataset = { paths: [], images: [], labels: new Int32Array(n), landmarks: lmLines || inline ? [] : undefined, skipped: [] };
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = pick[k]!;
    const f = lines[i]!.split(',');
    const label = Number(f[1]);
    if ((f.length !== 2 && !(inline && f.length === 138)) || !Number.isInteger(label))
      throw new Error(`${listPath}:${i + 1}: '${lines[i]!.slice(0, 80)}', expected 'path,label' or 'path,label,136 landmark numbers'`);
    const path = resolveUnderRoot(dir, f[0]!.trim(), { where: `${listPath}:${i + 1}`, allowOutsideRoot: opts.allowOutsideRoot });
    let img: Pixels;
    try {
      img = await decodeImageFile(path);
    } catch (e) {
      // One undecodable image is skipped and reported (as the trainer does), not fatal.
      if (!isBadImageError(e)) throw e;
      out.skipped.push({ id: f[0]!.trim(), reason: (e as Error).message });
      continue;
    }
    // The centred crop (core's centerCrop: offsets rounded down, as the trainer's centre crop); landmarks shift with it.
    const px = opts.crop ? centerCrop(img, opts.crop) : img;
    const dx = (img.width - px.width) >> 1;
    const dy = (img.height - px.height) >> 1;
    out.paths.push(f[0]!.trim());
    out.images.push(px);
    labels.push(label);
    if (lmLines || inline) {
      const v = (lmLines ? lmLines[i]!.split(',') : f.slice(2)).map(Number);
      if (v.length !== 136 || v.some((x) => !Number.isFinite(x))) throw new Error(`${lmLines ? lmPath : listPath}:${i + 1}: expected 136 finite landmark numbers`);
      out.landmarks!.push(Float32Array.from(v, (x, q) => x - (q % 2 ? dy : dx)));
    }
  }
  out.labels = Int32Array.from(labels);
  if (out.images.length === 0) throw new Error(`${listPath}: none of the ${n} images could be decoded (first: ${out.skipped[0]?.reason ?? 'none'})`);
  return out;
}
