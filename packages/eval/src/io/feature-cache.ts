/**
 * Batched feature extraction with any {@link Embedder}, cached on disk in fixed-size chunks so that a
 * crashed or interrupted run recomputes only the chunks that are missing.
 *
 * Cache layout (`cacheDir/`): `cache.json` (`{ version, dim, chunkSize, count, idsSha256 }`),
 * `ids.txt`, and `chunk-NNNNN.npy` (rows `[k·chunkSize, (k+1)·chunkSize)`), every file written
 * atomically. A cache made for other ids, another dim or chunk size is an error, not silently reused.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Embedder, Embeddings, Pixels } from '@interpret-fr/core';
import { decodeNpy, encodeNpy, firstNonFinite } from './npy.ts';
import { writeFileAtomic } from '@interpret-fr/core/node';

/** Where images come from: ids (kept in order) and a loader. */
export interface ImageSource {
  ids: readonly string[];
  load(id: string, index: number): Promise<Pixels>;
}

/** Progress and cache events. */
export type ExtractEvent =
  | { type: 'cache-hit'; chunk: number; rows: number }
  | { type: 'progress'; done: number; total: number; fromCache: number }
  | { type: 'chunk-written'; chunk: number; path: string }
  | { type: 'image-skipped'; id: string; index: number; reason: string };

/** An image that could not be decoded: skipped (its row left out of the result), counted and reported. */
export interface SkippedImage {
  id: string;
  reason: string;
}

/** True for a failure that concerns one image only (core's `ImageDecodeError`): skip it, do not abort. */
export function isBadImageError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ImageDecodeError';
}

/** Options of {@link extractFeatures}. */
export interface ExtractOptions {
  /** Cache folder; without it nothing is cached. */
  cacheDir?: string;
  /** Images per `embed` call (default 32). */
  batchSize?: number;
  /** Rows per cache chunk (default 1024). */
  chunkSize?: number;
  /** `embed` calls in flight at once (default 2); a pooled Embedder spreads them over its workers. */
  concurrency?: number;
  onEvent?: (e: ExtractEvent) => void;
  signal?: AbortSignal;
}

const CACHE_VERSION = 1;

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Extracts (or reads from the cache) one feature row per id.
 *
 * @example
 * const { features } = await extractFeatures(recognizer, { ids, load }, { cacheDir: 'runs/x/features', onEvent });
 */
export async function extractFeatures(
  embedder: Embedder,
  source: ImageSource,
  opts: ExtractOptions = {},
): Promise<{ features: Embeddings; ids: string[]; skipped: SkippedImage[] }> {
  const ids = [...source.ids];
  const n = ids.length;
  const dim = embedder.dim;
  const chunkSize = opts.chunkSize ?? 1024;
  const batch = opts.batchSize ?? 32;
  const conc = Math.max(1, opts.concurrency ?? 2);
  const data = new Float32Array(n * dim);
  const nChunks = Math.ceil(n / chunkSize);
  const have = new Uint8Array(nChunks);
  const dir = opts.cacheDir;
  const idsSha256 = createHash('sha256').update(ids.join('\n')).digest('hex');
  let fromCache = 0;
  if (dir) {
    const manifestPath = join(dir, 'cache.json');
    const want = { version: CACHE_VERSION, dim, chunkSize, count: n, idsSha256 };
    if (await exists(manifestPath)) {
      const got = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof want;
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (got[k] !== want[k])
          throw new Error(`${manifestPath}: ${k} is ${JSON.stringify(got[k])}, this run needs ${JSON.stringify(want[k])}; use another cache folder or delete it`);
      }
      for (let c = 0; c < nChunks; c++) {
        const p = join(dir, `chunk-${String(c).padStart(5, '0')}.npy`);
        if (!(await exists(p))) continue;
        const m = decodeNpy(new Uint8Array(await readFile(p)), p);
        const rows = Math.min(chunkSize, n - c * chunkSize);
        if (m.n !== rows || m.dim !== dim) throw new Error(`${p}: shape (${m.n}, ${m.dim}), expected (${rows}, ${dim})`);
        data.set(m.data, c * chunkSize * dim);
        have[c] = 1;
        fromCache += rows;
        opts.onEvent?.({ type: 'cache-hit', chunk: c, rows });
      }
    } else {
      writeFileAtomic(join(dir, 'ids.txt'), ids.join('\n') + '\n', { mkdirs: true });
      writeFileAtomic(manifestPath, JSON.stringify(want, null, 2) + '\n', { mkdirs: true });
    }
  }
  let done = fromCache;
  const bad = new Uint8Array(n);
  const skipped: SkippedImage[] = [];
  opts.onEvent?.({ type: 'progress', done, total: n, fromCache });
  for (let c = 0; c < nChunks; c++) {
    if (have[c]) continue;
    const a = c * chunkSize;
    const b = Math.min(n, a + chunkSize);
    const starts: number[] = [];
    for (let s = a; s < b; s += batch) starts.push(s);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < starts.length) {
        opts.signal?.throwIfAborted();
        const s = starts[next++]!;
        const e = Math.min(b, s + batch);
        // One undecodable image is skipped and reported (as the trainer does), not fatal to the run.
        const loaded = await Promise.all(
          ids.slice(s, e).map(async (id, k) => {
            try {
              return await source.load(id, s + k);
            } catch (err) {
              if (!isBadImageError(err)) throw err;
              bad[s + k] = 1;
              skipped.push({ id, reason: (err as Error).message });
              opts.onEvent?.({ type: 'image-skipped', id, index: s + k, reason: (err as Error).message });
              return null;
            }
          }),
        );
        const rows: number[] = [];
        const px: Pixels[] = [];
        loaded.forEach((p, k) => {
          if (p) {
            rows.push(s + k);
            px.push(p);
          }
        });
        if (px.length > 0) {
          const emb = await embedder.embed(px);
          if (emb.n !== px.length || emb.dim !== dim) throw new Error(`extractFeatures: embedder returned ${emb.n} × ${emb.dim} for ${px.length} images of dim ${dim}`);
          const nf = firstNonFinite(emb.data);
          if (nf >= 0)
            throw new Error(
              `extractFeatures: the model returned ${emb.data[nf]} in the embedding of image '${ids[rows[Math.floor(nf / dim)]!]}' (row ${rows[Math.floor(nf / dim)]}); embeddings must be finite`,
            );
          rows.forEach((r, k) => data.set(emb.data.subarray(k * dim, (k + 1) * dim), r * dim));
        }
        done += e - s;
        opts.onEvent?.({ type: 'progress', done, total: n, fromCache });
      }
    };
    await Promise.all(Array.from({ length: Math.min(conc, starts.length) }, worker));
    // A chunk with a skipped image is not cached (its zero rows are not features): a rerun retries it.
    let chunkBad = false;
    for (let i = a; i < b; i++) if (bad[i]) chunkBad = true;
    if (dir && !chunkBad) {
      const p = join(dir, `chunk-${String(c).padStart(5, '0')}.npy`);
      writeFileAtomic(p, encodeNpy(data.subarray(a * dim, b * dim), b - a, dim), { mkdirs: true });
      opts.onEvent?.({ type: 'chunk-written', chunk: c, path: p });
    }
  }
  if (skipped.length === 0) return { features: { data, n, dim }, ids, skipped };
  // Leave the skipped rows out: downstream, their ids are "images without a feature" (dropped and counted).
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!bad[i]) keep.push(i);
  const out = new Float32Array(keep.length * dim);
  keep.forEach((r, k) => out.set(data.subarray(r * dim, (r + 1) * dim), k * dim));
  return { features: { data: out, n: keep.length, dim }, ids: keep.map((r) => ids[r]!), skipped };
}
