import { afterAll, describe, expect, it } from 'vitest';
import { l2NormalizeRows } from '@interpret-fr/core';
import { featureTable } from '../protocols/ijba.ts';
import { syntheticIjbc } from '../protocols/ijbc-synthetic.ts';
import { evaluateIjbc11 } from '../protocols/ijbc.ts';
import { sortFloat32 } from '../metrics/radix-sort.ts';
import { createPairDotsPool } from './pair-dots-pool.ts';
import { prepareTemplates, scoreTemplatePairs } from './template-scores.ts';
import { buildTemplates } from './templates.ts';

const pool = createPairDotsPool({ workers: 1 });
afterAll(() => pool.close());

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe('pair-dots pool (IJB-C pooled scores on worker threads)', () => {
  const syn = syntheticIjbc({ seed: 7, templates: 3000, pairs: 300_000, genuinePairs: 2000, dim: 64, meanImages: 3, noise: 2 });
  // Leave the first 150 images without a feature: some templates become empty (their pairs are skipped).
  const keep = syn.ids.map((_, i) => i).filter((i) => i >= 150);
  const feats = new Float32Array(keep.length * syn.dim);
  keep.forEach((src, i) => feats.set(syn.features.subarray(src * syn.dim, (src + 1) * syn.dim), i * syn.dim));
  const table = featureTable(
    { data: feats, n: keep.length, dim: syn.dim },
    keep.map((i) => syn.ids[i]!),
  );

  it('starts its worker, which computes chunks; scores bit-identical to scoreTemplatePairs (NaN for empty templates)', async () => {
    for (let t = 0; t < 600 && pool.stats().readyWorkers < 1; t++) await new Promise((r) => setTimeout(r, 50));
    expect(pool.stats().readyWorkers).toBe(1);
    const rows = new Int32Array(syn.meta.names.length);
    for (let i = 0; i < rows.length; i++) rows[i] = table.index.get(syn.meta.names[i]!) ?? -1;
    const T = buildTemplates(syn.meta.templateId, rows, syn.meta.mediaId);
    const f = table.features;
    const prep = prepareTemplates(f, T, 'media-pool', l2NormalizeRows(f.data, f.n, f.dim));
    const idx = new Map<number, number>();
    T.ids.forEach((id, i) => idx.set(id, i));
    const pa = Int32Array.from(syn.pairs.a, (id) => idx.get(id)!);
    const pb = Int32Array.from(syn.pairs.b, (id) => idx.get(id)!);
    const ref = scoreTemplatePairs(prep, prep, pa, pb);
    let nan = 0;
    for (const v of ref) if (Number.isNaN(v)) nan++;
    expect(nan).toBeGreaterThan(0);
    for (let rep = 0; rep < 20 && pool.stats().workerChunks === 0; rep++) expect(sameBits(pool.scorePairs(prep, pa, pb), ref)).toBe(true);
    expect(pool.stats().workerChunks).toBeGreaterThan(0);
    // In blocks of 5,000 pairs (a barrier each, the last block short): the same bits.
    expect(sameBits(pool.scorePairs(prep, pa, pb, 5000), ref)).toBe(true);
    // Small inputs (scoreTemplatePairs' plain-JS dot below 4,096 pairs) take the single-thread path.
    const sa = pa.subarray(0, 100);
    const sb = pb.subarray(0, 100);
    expect(sameBits(pool.scorePairs(prep, sa, sb), scoreTemplatePairs(prep, prep, sa, sb))).toBe(true);
  });

  it('sortFloat32 on two threads (from 2^20 values): the order of sortFloat32, ±0 and ±Infinity included', () => {
    const n = (1 << 20) + 3;
    const specials = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -0.5];
    const a = Float32Array.from({ length: n }, (_, i) =>
      i % 97 === 0 ? specials[i % 6]! : Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453) - 0.5,
    );
    const want = sortFloat32(a.slice());
    const before = pool.stats().workerChunks;
    for (let rep = 0; rep < 20; rep++) {
      const got = a.slice();
      pool.sortFloat32(got);
      expect(sameBits(got, want)).toBe(true);
      if (pool.stats().workerChunks > before) break;
    }
    expect(pool.stats().workerChunks).toBeGreaterThan(before);
    // Mostly one value: the split at the sampled median is too uneven, so this thread sorts it all (same order).
    const flat = Float32Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? -i : 0.25));
    const flatWant = sortFloat32(flat.slice());
    pool.sortFloat32(flat);
    expect(sameBits(flat, flatWant)).toBe(true);
    // Short arrays are sorted here.
    const s = a.slice(0, 5000);
    pool.sortFloat32(s);
    expect(sameBits(s, sortFloat32(a.slice(0, 5000)))).toBe(true);
  });

  it('evaluateIjbc11 with the pool: the same result, metrics and counts', () => {
    const r0 = evaluateIjbc11(syn.meta, syn.pairs, table);
    const r1 = evaluateIjbc11(syn.meta, syn.pairs, table, { pairDots: pool });
    expect(r0.skippedPairs).toBeGreaterThan(0);
    const ser = (m: unknown) => JSON.stringify(m, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
    expect(ser(r1)).toBe(ser(r0));
  });
});
