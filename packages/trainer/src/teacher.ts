/**
 * Teacher descriptors for the optional distillation term (issue 13): a raw little-endian float32 file
 * of `images × dim` numbers in the source's image order, NaN rows = no descriptor. Rows are
 * L2-normalised here.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** Descriptors in memory: `data` is images × dim, `has[i]` = 1 when row i is a descriptor. */
export interface TeacherTable {
  data: Float32Array;
  has: Uint8Array;
  dim: number;
  /** Rows with a descriptor. */
  count: number;
}

/** Reads and checks a teacher file (size = images × dim × 4 bytes, finite or all-NaN rows). */
export async function readTeacher(path: string, images: number, dim: number): Promise<TeacherTable> {
  const buf = await readFile(path);
  if (buf.byteLength !== images * dim * 4)
    throw new Error(
      `${path}: ${buf.byteLength} bytes, expected ${images} images × ${dim} float32 = ${images * dim * 4} (data.teacher must match the training list and model.distillDim)`,
    );
  const data = new Float32Array(images * dim);
  new Uint8Array(data.buffer).set(buf);
  const has = new Uint8Array(images);
  let count = 0;
  for (let i = 0; i < images; i++) {
    let s = 0;
    let nan = 0;
    for (let k = 0; k < dim; k++) {
      const v = data[i * dim + k]!;
      if (Number.isNaN(v)) nan++;
      else s += v * v;
    }
    if (nan === dim) continue;
    if (nan > 0 || !Number.isFinite(s) || s === 0)
      throw new Error(`${path}: row ${i} (image ${i + 1}) has ${nan} NaN of ${dim} values or a zero/infinite norm; expected a descriptor or an all-NaN row`);
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) data[i * dim + k]! *= inv;
    has[i] = 1;
    count++;
  }
  return { data, has, dim, count };
}

/** Targets [B, dim] and mask [B] for the images `indices` of a batch. */
export function teacherBatch(t: TeacherTable, indices: ArrayLike<number>, dim: number): { target: Float32Array; mask: Float32Array } {
  const n = indices.length;
  const target = new Float32Array(n * dim);
  const mask = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    const i = indices[b]!;
    if (!t.has[i]) continue;
    mask[b] = 1;
    target.set(t.data.subarray(i * dim, (i + 1) * dim), b * dim);
  }
  return { target, mask };
}
