/**
 * Node file helpers: atomic writes, features (.npy + ids) reading and writing, IJB-A protocol folders.
 *
 * @module
 */
import { InterpretFrError, type Embeddings } from '@interpret-fr/core';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { writeFileAtomic } from '@interpret-fr/core/node';
import { checkNpyFinite, decodeNpy, encodeNpy, npyDataBytes, npyHeader, NpyError, parseIds } from './npy.ts';
import { parseIjbaComparisonsBytes, parseIjbaMetadataBytes, type IjbaColumns, type IjbaComparisons, type IjbaMetadata } from '../protocols/ijba-csv.ts';
import { ijbaComparisonsFromMat, ijbaMetadataFromMat } from '../protocols/ijba-mat.ts';
import { MatFormatError, readMat, type MatFile } from './mat.ts';
import { sharedFeatureBuffer } from '../scores/simd.ts';
import type { IjbaSplitData } from '../protocols/ijba.ts';

/**
 * Reads `features.npy` + `ids.txt`; the two must have the same number of rows. The values are read straight
 * from the file into shared memory (one read, no intermediate copy; worker threads read them in place): the start
 * of a shared WebAssembly.Memory where one can be made (scores/simd.ts sharedFeatureBuffer), so `data.buffer` may be
 * longer than `data`.
 */
export async function readFeatures(npyPath: string, idsPath: string): Promise<{ features: Embeddings; ids: string[] }> {
  const features = await readNpyShared(npyPath);
  const ids = parseIds(await readFile(idsPath, 'utf8'), idsPath);
  if (ids.length !== features.n) throw new NpyError(idsPath, `${ids.length} ids but ${npyPath} has ${features.n} rows`);
  return { features, ids };
}

/** An N × D float32 `.npy` file read into a SharedArrayBuffer (what {@link decodeNpy} gives, with the same errors). */
async function readNpyShared(path: string): Promise<Embeddings> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    // The header (preamble + a dict padded to 64 bytes: usually 128 bytes in all) from the first bytes; an
    // unusual one that does not parse from them is read with the whole file, as before.
    const head = new Uint8Array(Math.min(size, 4096));
    await readFully(fh, head, 0, path);
    let h: { n: number; dim: number; offset: number };
    try {
      h = npyHeader(head, path);
    } catch (e) {
      if (head.length < size) return decodeNpy(new Uint8Array(await readFile(path)), path, { shared: true });
      throw e;
    }
    // A shared WebAssembly.Memory where possible: the scoring workers' indexed kernel reads the rows in place.
    const bytes = npyDataBytes(size - h.offset, h.n, h.dim, path);
    const data = new Float32Array(sharedFeatureBuffer(bytes, 4 * h.dim), 0, bytes / 4);
    await readFully(fh, new Uint8Array(data.buffer, 0, bytes), h.offset, path);
    checkNpyFinite(data, h.dim, path);
    return { data, n: h.n, dim: h.dim };
  } finally {
    await fh.close();
  }
}

/** Reads `into.length` bytes of `path` from `position` (several reads if the system returns fewer). */
async function readFully(fh: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fh.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) throw new NpyError(path, `the file ended after ${position + got} bytes while it was being read (changed meanwhile?)`);
    got += bytesRead;
  }
}

/** Writes features and ids atomically. */
export async function writeFeatures(npyPath: string, idsPath: string, f: Embeddings, ids: readonly string[]): Promise<void> {
  if (ids.length !== f.n) throw new RangeError(`writeFeatures: ${ids.length} ids for ${f.n} rows`);
  writeFileAtomic(npyPath, encodeNpy(f.data, f.n, f.dim), { mkdirs: true });
  writeFileAtomic(idsPath, ids.join('\n') + '\n', { mkdirs: true });
}

/** Where one protocol file of split s is: the CSV layout, or the original release's MAT layout. */
async function locate(dir: string, s: number, name: string): Promise<{ path: string; kind: 'csv' | 'mat' }> {
  const group = name.startsWith('verify') ? 'verify' : 'search';
  const candidates: { path: string; kind: 'csv' | 'mat' }[] = [
    { path: join(dir, `split${s}`, `${name}_${s}.csv`), kind: 'csv' },
    { path: join(dir, group, `split${s}`, `${name}_${s}.mat`), kind: 'mat' },
    { path: join(dir, `split${s}`, `${name}_${s}.mat`), kind: 'mat' },
  ];
  for (const c of candidates) {
    try {
      if ((await stat(c.path)).isFile()) return c;
    } catch {
      /* try the next layout */
    }
  }
  // A missing file is the user's input, not a bug: one line naming every place looked at.
  throw new InterpretFrError(
    `IJB-A protocol: split ${s} has no ${name} file (CSV layout: split${s}/${name}_${s}.csv; the original release's: ${group}/split${s}/${name}_${s}.mat); tried ${candidates.map((c) => c.path).join(', ')}`,
    { code: 'input', field: '--protocol' },
  );
}

/** Reads a MAT v5 file from disk (zlib-compressed variables inflated with node:zlib). */
export async function readMatFile(path: string): Promise<MatFile> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new MatFormatError(path, `cannot read: ${(e as Error).message}`);
  }
  return readMat(bytes, path, { inflate: (d) => inflateSync(d) });
}

/**
 * Reads the splits asked (default 1..10) from either layout, file by file: the CSV one
 * (`dir/split{N}/{verify_metadata,verify_comparisons,search_probe,search_gallery}_N.csv`) or the
 * original release's MAT one (`dir/{verify,search}/split{N}/…_N.mat`, method.md §6.4; `train_N.mat`
 * is not needed: training subjects are not used). CSVs are parsed from their bytes (parseIjbaMetadataBytes,
 * parseIjbaComparisonsBytes: the string parsers' results and errors, without decoding whole files).
 * `columns`: which metadata columns CSVs fill ({@link IjbaColumns}: `scoring` skips those that scoring does not read,
 * and keeps FILE only where it is not a plain relative path; a MAT file is read whole either way).
 */
export async function readIjbaProtocol(dir: string, splits: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], columns: IjbaColumns = 'all'): Promise<IjbaSplitData[]> {
  return Promise.all(
    splits.map(async (s) => {
      const read = async (name: string, kind: 'metadata' | 'comparisons'): Promise<IjbaMetadata | IjbaComparisons> => {
        const f = await locate(dir, s, name);
        if (f.kind === 'mat') {
          const mat = await readMatFile(f.path);
          return kind === 'metadata' ? ijbaMetadataFromMat(mat, f.path) : ijbaComparisonsFromMat(mat, f.path);
        }
        let bytes: Buffer;
        try {
          bytes = await readFile(f.path);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          throw Object.assign(new Error(`IJB-A protocol: cannot read ${f.path}: ${err.code ?? err.message}`), { code: err.code ?? 'EIO', path: f.path });
        }
        return kind === 'metadata' ? parseIjbaMetadataBytes(bytes, f.path, columns) : parseIjbaComparisonsBytes(bytes, f.path);
      };
      // Read in parallel, but report the first failing file in this fixed order (not whichever failed first in time).
      const settled = await Promise.allSettled([
        read('verify_metadata', 'metadata'),
        read('verify_comparisons', 'comparisons'),
        read('search_probe', 'metadata'),
        read('search_gallery', 'metadata'),
      ]);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const [vm, vc, sp, sg] = settled.map((r) => (r as PromiseFulfilledResult<IjbaMetadata | IjbaComparisons>).value);
      return { split: s, verifyMetadata: vm as IjbaMetadata, comparisons: vc as IjbaComparisons, probe: sp as IjbaMetadata, gallery: sg as IjbaMetadata };
    }),
  );
}

/** Writes a file map (relative path → content) under dir. */
export async function writeFileMap(dir: string, files: Map<string, string>): Promise<void> {
  for (const [rel, text] of files) writeFileAtomic(join(dir, rel), text, { mkdirs: true });
}
