/**
 * The committed fixture (packages/inference/test/fixtures, made by
 * packages/model-export/scripts/make-fixture.ts): interpretable-tiny with deterministic weights,
 * embedding + maps, three 48×48 inputs and ORT's outputs on them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { createRecognizer, createRecognizerPool } from '../src/node.ts';
import { createRecognizer as createWeb } from '../src/web.ts';
import { maxAbs, maxAbsDiff } from './helpers/images.ts';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const onnxPath = resolve(dir, 'interpretable-tiny.onnx');
const jsonPath = resolve(dir, 'interpretable-tiny.expected.json');
const have = existsSync(onnxPath) && existsSync(jsonPath);
if (!have) console.warn(`[inference tests] ${onnxPath} or its expected JSON is missing: fixture tests skipped (pnpm --filter @interpret-fr/model-export run make-fixture)`);

interface Expected {
  modelSha256: string;
  inputs: { name: string; width: number; height: number; channels: 1 | 3 | 4; pixelsBase64: string }[];
  embedding: number[][];
  maps: { dims: number[]; float32Base64: string };
  tolerance: number;
}

describe.skipIf(!have)('fixture interpretable-tiny.onnx vs its expected outputs', () => {
  const bytes = have ? new Uint8Array(readFileSync(onnxPath)) : new Uint8Array(0);
  const exp: Expected = have ? JSON.parse(readFileSync(jsonPath, 'utf8')) : ({} as Expected);
  const pixels: Pixels[] = have
    ? exp.inputs.map((i) => ({ data: new Uint8Array(Buffer.from(i.pixelsBase64, 'base64')), width: i.width, height: i.height, channels: i.channels }))
    : [];
  const expEmb = have ? Float32Array.from(exp.embedding.flat()) : new Float32Array(0);
  const expMaps = have ? new Float32Array(new Uint8Array(Buffer.from(exp.maps.float32Base64, 'base64')).buffer) : new Float32Array(0);
  const tol = 1e-4;

  it('is the file the JSON describes; the recognizer reads its metadata (spec, maps 40×12×12)', async () => {
    expect(sha256Hex(bytes)).toBe(exp.modelSha256);
    const rec = await createRecognizer(bytes);
    expect(rec.info).toMatchObject({ inputName: 'image', embeddingName: 'embedding', mapsName: 'maps', dim: 40, mapDims: [40, 12, 12] });
    expect(rec.info.spec?.name).toBe('interpretable-tiny');
    expect(rec.inputSize).toBe(48);
    await rec.dispose();
  });

  it('ORT node: embed (batch and one by one), responseMaps and peaks match the expected outputs within 1e-4 relative', async () => {
    const rec = await createRecognizer(onnxPath, { maxBatch: 2 });
    const e = await rec.embed(pixels);
    expect(maxAbsDiff(e.data, expEmb) / maxAbs(expEmb)).toBeLessThan(tol);
    for (let i = 0; i < pixels.length; i++) {
      const one = await rec.embed([pixels[i]!]);
      expect(maxAbsDiff(one.data, expEmb.subarray(40 * i, 40 * (i + 1))) / maxAbs(expEmb)).toBeLessThan(tol);
    }
    const n = await rec.embed(pixels, { normalize: true });
    for (let i = 0; i < pixels.length; i++) expect(Math.hypot(...n.data.subarray(40 * i, 40 * (i + 1)))).toBeCloseTo(1, 5);
    const m = await rec.responseMaps(pixels);
    expect([m.n, m.channels, m.height, m.width]).toEqual(exp.maps.dims);
    expect(maxAbsDiff(m.data, expMaps) / maxAbs(expMaps)).toBeLessThan(tol);
    const pk = await rec.peaks(pixels);
    for (let k = 0; k < pixels.length * 40; k++) {
      const map = expMaps.subarray(k * 144, (k + 1) * 144);
      let iMax = 0;
      for (let j = 1; j < 144; j++) if (map[j]! > map[iMax]!) iMax = j;
      if (map[iMax]! > 0) {
        expect(pk.positive.cell[k]).toBe(iMax);
        expect(pk.positive.row[k]).toBe((Math.floor(iMax / 12) + 0.5) * 4);
      }
    }
    expect(rec.similarity(e.data.subarray(0, 40), expEmb.subarray(0, 40))).toBeGreaterThan(1 - 1e-6);
    await rec.dispose();
  });

  it('ORT web (wasm in Node) and the worker pool give the same embeddings and maps', async () => {
    const web = await createWeb(bytes, { numThreads: 1 });
    const pool = await createRecognizerPool(bytes, { workers: 2, maxBatch: 1 });
    try {
      for (const r of [web, pool]) {
        expect(maxAbsDiff((await r.embed(pixels)).data, expEmb) / maxAbs(expEmb)).toBeLessThan(tol);
        expect(maxAbsDiff((await r.responseMaps(pixels)).data, expMaps) / maxAbs(expMaps)).toBeLessThan(tol);
      }
    } finally {
      await web.dispose();
      await pool.dispose();
    }
  });
});
