/**
 * Node file helpers: atomic writes, features (.npy + ids) reading and writing, IJB-A protocol folders.
 *
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeNpy, encodeNpy, NpyError, parseIds } from './npy.ts';
import { parseIjbaComparisons, parseIjbaMetadata } from '../protocols/ijba-csv.ts';
import type { IjbaSplitData } from '../protocols/ijba.ts';
import type { FeatureMatrix } from '../scores/template-scores.ts';

let tmpCounter = 0;

/** Writes a file atomically (temp name in the same folder, then rename); creates parent folders. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Reads `features.npy` + `ids.txt`; the two must have the same number of rows. */
export async function readFeatures(npyPath: string, idsPath: string): Promise<{ features: FeatureMatrix; ids: string[] }> {
  const features = decodeNpy(new Uint8Array(await readFile(npyPath)), npyPath);
  const ids = parseIds(await readFile(idsPath, 'utf8'), idsPath);
  if (ids.length !== features.n) throw new NpyError(idsPath, `${ids.length} ids but ${npyPath} has ${features.n} rows`);
  return { features, ids };
}

/** Writes features and ids atomically. */
export async function writeFeatures(npyPath: string, idsPath: string, f: FeatureMatrix, ids: readonly string[]): Promise<void> {
  if (ids.length !== f.n) throw new RangeError(`writeFeatures: ${ids.length} ids for ${f.n} rows`);
  await writeFileAtomic(npyPath, encodeNpy(f.data, f.n, f.dim));
  await writeFileAtomic(idsPath, ids.join('\n') + '\n');
}

/** Reads `dir/split{N}/…` for the splits asked (default 1..10). */
export async function readIjbaProtocol(dir: string, splits: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]): Promise<IjbaSplitData[]> {
  return Promise.all(
    splits.map(async (s) => {
      const p = (name: string): string => join(dir, `split${s}`, `${name}_${s}.csv`);
      const read = async (name: string): Promise<[string, string]> => {
        const f = p(name);
        try {
          return [f, await readFile(f, 'utf8')];
        } catch (e) {
          throw new Error(`IJB-A protocol: cannot read ${f}: ${(e as Error).message}`);
        }
      };
      const [vm, vc, sp, sg] = await Promise.all([read('verify_metadata'), read('verify_comparisons'), read('search_probe'), read('search_gallery')]);
      return {
        split: s,
        verifyMetadata: parseIjbaMetadata(vm[1], vm[0]),
        comparisons: parseIjbaComparisons(vc[1], vc[0]),
        probe: parseIjbaMetadata(sp[1], sp[0]),
        gallery: parseIjbaMetadata(sg[1], sg[0]),
      };
    }),
  );
}

/** Writes a file map (relative path → content) under dir. */
export async function writeFileMap(dir: string, files: Map<string, string>): Promise<void> {
  for (const [rel, text] of files) await writeFileAtomic(join(dir, rel), text);
}
