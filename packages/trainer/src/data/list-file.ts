/**
 * List-file reader: one image per line, `path,label[,x1,y1,…,x68,y68]` (paths relative to the list
 * file; landmarks in the image's own pixel frame), plus an optional separate landmarks file with one
 * line of 136 numbers per list line (the synthetic set's `landmarks.txt`). Blank lines and lines
 * starting with `#` are ignored. Every format problem is a {@link DataError} naming file and line.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { decodeImage } from './decode.ts';
import { DataError } from './types.ts';
import type { ImageSource } from './types.ts';

/** Parses a line of comma-separated numbers; throws DataError naming file and line. */
export function parseNumbers(text: string, file: string, line: number, what: string): number[] {
  return text.split(',').map((t, k) => {
    const v = Number(t.trim());
    if (t.trim() === '' || !Number.isFinite(v)) throw new DataError(`${what}: field ${k + 1} is ${JSON.stringify(t.trim())}, expected a finite number`, file, line);
    return v;
  });
}

/** Reads a landmarks file: one line per image, 136 numbers (68 points) or 152 (76, anchors dropped). */
export async function readLandmarksFile(file: string, expectedLines: number): Promise<Float32Array> {
  const text = await readFile(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length !== expectedLines) throw new DataError(`${lines.length} landmark lines, expected ${expectedLines} (one per image)`, file, null);
  const out = new Float32Array(expectedLines * 136);
  lines.forEach((l, i) => {
    const v = parseNumbers(l, file, i + 1, 'landmarks');
    if (v.length !== 136 && v.length !== 152) throw new DataError(`${v.length} landmark numbers, expected 136 (68 points x,y) or 152 (76 points)`, file, i + 1);
    out.set(v.slice(0, 136), i * 136);
  });
  return out;
}

/** Checks labels against the class count (null = max label + 1) and returns the count. */
export function checkLabels(labels: Int32Array, numClasses: number | null, file: string, lineOf: (i: number) => number): number {
  let max = -1;
  labels.forEach((l) => (max = Math.max(max, l)));
  const n = numClasses ?? max + 1;
  labels.forEach((l, i) => {
    if (l < 0 || l >= n) throw new DataError(`label ${l} out of range, expected an integer in [0, ${n - 1}]`, file, lineOf(i));
  });
  return n;
}

/** Options for {@link openListFile}. */
export interface ListFileOptions {
  /** Separate landmarks file (one line of 136 numbers per list line). */
  landmarks?: string | null;
  numClasses?: number | null;
}

/**
 * Opens a list file as an {@link ImageSource}. Labels, landmark counts and the line format are checked
 * here, before training starts.
 */
export async function openListFile(listPath: string, opts: ListFileOptions = {}): Promise<ImageSource & { numClasses: number }> {
  const text = await readFile(listPath, 'utf8');
  const root = dirname(listPath);
  const paths: string[] = [];
  const labelList: number[] = [];
  const lineNo: number[] = [];
  const inline: (number[] | null)[] = [];
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(',');
    if (parts.length < 2) throw new DataError(`expected "path,label[,136 landmark numbers]", got ${JSON.stringify(line.slice(0, 80))}`, listPath, k + 1);
    const label = Number(parts[1]!.trim());
    if (!Number.isInteger(label)) throw new DataError(`label ${JSON.stringify(parts[1]!.trim())} is not an integer`, listPath, k + 1);
    let lm: number[] | null = null;
    if (parts.length > 2) {
      lm = parseNumbers(parts.slice(2).join(','), listPath, k + 1, 'landmarks');
      if (lm.length !== 136) throw new DataError(`${lm.length} landmark numbers, expected 136 (68 points x,y)`, listPath, k + 1);
    }
    const p = parts[0]!.trim();
    paths.push(isAbsolute(p) ? p : resolve(root, p));
    labelList.push(label);
    lineNo.push(k + 1);
    inline.push(lm);
  });
  if (paths.length === 0) throw new DataError('no images listed', listPath, null);
  const labels = Int32Array.from(labelList);
  const numClasses = checkLabels(labels, opts.numClasses ?? null, listPath, (i) => lineNo[i]!);
  let landmarks: Float32Array | null = null;
  let hasLandmarks: Uint8Array | null = null;
  if (opts.landmarks) {
    landmarks = await readLandmarksFile(opts.landmarks, paths.length);
    hasLandmarks = new Uint8Array(paths.length).fill(1);
  } else if (inline.some((l) => l !== null)) {
    landmarks = new Float32Array(paths.length * 136);
    hasLandmarks = new Uint8Array(paths.length);
    inline.forEach((l, i) => {
      if (!l) return;
      landmarks!.set(l, i * 136);
      hasLandmarks![i] = 1;
    });
  }
  return {
    kind: 'list',
    path: listPath,
    count: paths.length,
    labels,
    numClasses,
    landmarks,
    hasLandmarks,
    name: (i) => paths[i]!,
    read: async (i, size) => decodeImage(await readFile(paths[i]!), size, paths[i]!),
  };
}
