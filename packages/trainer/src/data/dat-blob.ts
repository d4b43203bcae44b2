/**
 * Reader for the original release's training blob (method.md §3.1): `CASIA_all_images_110_110.DAT`,
 * headerless uint8 N×110×110×3 row-major RGB (N from the file size), with `CASIA_recrop_fileList.DAT`,
 * a CSV in the same order (filename, unused, label, yaw), and an optional landmarks file (one line of
 * 136 or 152 numbers per image, 110 frame). Images are read by offset, never the whole blob at once.
 *
 * @module
 */
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkLabels, readLandmarksFile } from './list-file.ts';
import { DataError } from './types.ts';
import type { ImageSource } from './types.ts';

/** Options for {@link openDatBlob}. */
export interface DatBlobOptions {
  /** The CSV list (default: `CASIA_recrop_fileList.DAT` beside the blob). */
  list?: string | null;
  landmarks?: string | null;
  numClasses?: number | null;
  /** Side of the stored images (110). */
  side?: number;
}

/** Opens the raw blob as an {@link ImageSource}. */
export async function openDatBlob(blobPath: string, opts: DatBlobOptions = {}): Promise<ImageSource & { numClasses: number }> {
  const side = opts.side ?? 110;
  const per = side * side * 3;
  const bytes = (await stat(blobPath)).size;
  if (bytes === 0 || bytes % per !== 0) throw new DataError(`size ${bytes} bytes is not a positive multiple of ${side}×${side}×3 = ${per}`, blobPath, null);
  const count = bytes / per;
  const listPath = opts.list ?? join(dirname(blobPath), 'CASIA_recrop_fileList.DAT');
  const lines = (await readFile(listPath, 'utf8')).split(/\r?\n/);
  const names: string[] = [];
  const labels: number[] = [];
  const lineNo: number[] = [];
  lines.forEach((raw, k) => {
    const line = raw.trim();
    if (line === '') return;
    const f = line.split(',');
    if (f.length < 3) throw new DataError(`expected "filename,unused,label[,yaw]", got ${JSON.stringify(line.slice(0, 80))}`, listPath, k + 1);
    const label = Number(f[2]!.trim());
    if (!Number.isInteger(label)) throw new DataError(`label ${JSON.stringify(f[2]!.trim())} is not an integer`, listPath, k + 1);
    names.push(f[0]!.trim());
    labels.push(label);
    lineNo.push(k + 1);
  });
  if (names.length !== count) throw new DataError(`${names.length} list lines but the blob ${blobPath} holds ${count} images`, listPath, null);
  const lab = Int32Array.from(labels);
  const numClasses = checkLabels(lab, opts.numClasses ?? null, listPath, (i) => lineNo[i]!);
  const landmarks = opts.landmarks ? await readLandmarksFile(opts.landmarks, count) : null;
  const fh = await open(blobPath, 'r');
  return {
    kind: 'dat',
    path: blobPath,
    count,
    labels: lab,
    numClasses,
    landmarks,
    hasLandmarks: landmarks ? new Uint8Array(count).fill(1) : null,
    name: (i) => `${blobPath}#${i} (${names[i]})`,
    read: async (i, size) => {
      if (size !== side) throw new Error(`the blob stores ${side}×${side} images; sourceSize ${size} is not supported`);
      const pixels = new Uint8Array(per);
      const { bytesRead } = await fh.read(pixels, 0, per, i * per);
      if (bytesRead !== per) throw new Error(`short read: ${bytesRead} of ${per} bytes`);
      return { pixels, width: side, height: side };
    },
    close: () => fh.close(),
  };
}
