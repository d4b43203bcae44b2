import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder, Embeddings, Pixels } from '@interpret-fr/core';
import { extractFeatures, type ExtractEvent } from '../src/io/feature-cache.ts';

/** A deterministic embedder: feature k of an image = mean pixel + k; counts embedded images. */
function fakeEmbedder(failAfter = Infinity) {
  const e = {
    dim: 3,
    inputSize: 4,
    calls: 0,
    images: 0,
    async embed(px: Pixels[]): Promise<Embeddings> {
      if (e.images + px.length > failAfter) throw new Error('simulated crash');
      e.calls++;
      e.images += px.length;
      const data = new Float32Array(px.length * 3);
      px.forEach((p, i) => {
        const m = p.data[0]!;
        for (let k = 0; k < 3; k++) data[i * 3 + k] = m + k;
      });
      return { data, n: px.length, dim: 3 };
    },
  };
  return e satisfies Embedder & { calls: number; images: number };
}
const source = (n: number) => ({
  ids: Array.from({ length: n }, (_, i) => `img/${i}.jpg`),
  load: async (_id: string, i: number): Promise<Pixels> => ({ data: new Uint8Array(16).fill(i % 250), width: 4, height: 4, channels: 1 }),
});

describe('feature extraction with an on-disk cache', () => {
  it('extracts in batches, then a rerun reads everything from the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-'));
    const emb = fakeEmbedder();
    const ev: ExtractEvent[] = [];
    const r = await extractFeatures(emb, source(45), { cacheDir: dir, batchSize: 4, chunkSize: 10, onEvent: (e) => ev.push(e) });
    expect(emb.images).toBe(45);
    expect(Array.from(r.features.data.subarray(37 * 3, 38 * 3))).toEqual([37, 38, 39]);
    expect(readdirSync(dir).filter((f) => f.startsWith('chunk-')).length).toBe(5);
    expect(ev.filter((e) => e.type === 'progress').at(-1)).toEqual({ type: 'progress', done: 45, total: 45, fromCache: 0 });
    const emb2 = fakeEmbedder();
    const r2 = await extractFeatures(emb2, source(45), { cacheDir: dir, batchSize: 4, chunkSize: 10 });
    expect(emb2.images).toBe(0);
    expect(Array.from(r2.features.data)).toEqual(Array.from(r.features.data));
    rmSync(dir, { recursive: true });
  });
  it('after a crash, only the missing chunks are recomputed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-'));
    await expect(extractFeatures(fakeEmbedder(25), source(45), { cacheDir: dir, batchSize: 5, chunkSize: 10, concurrency: 1 })).rejects.toThrow(/simulated crash/);
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('chunk-'))
        .sort(),
    ).toEqual(['chunk-00000.npy', 'chunk-00001.npy']);
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
    const emb = fakeEmbedder();
    const r = await extractFeatures(emb, source(45), { cacheDir: dir, batchSize: 5, chunkSize: 10 });
    expect(emb.images).toBe(25); // 45 − 20 cached
    for (let i = 0; i < 45; i++) expect(r.features.data[i * 3]).toBe(i);
  });
  it('refuses a cache made for other ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-'));
    await extractFeatures(fakeEmbedder(), source(12), { cacheDir: dir, chunkSize: 5 });
    await expect(extractFeatures(fakeEmbedder(), source(13), { cacheDir: dir, chunkSize: 5 })).rejects.toThrow(/cache\.json: count is 12, this run needs 13/);
  });
});
