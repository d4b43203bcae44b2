import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreprocessError, Rng, imageBatch, preprocess } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { ModelError, createRecognizer } from '../src/index.ts';
import type { OrtModuleLike, Recognizer } from '../src/index.ts';
import { tinyMetadata, tinyOnnx } from './helpers/tiny-onnx.ts';
import { maxAbsDiff, randomPixels } from './helpers/images.ts';

const S = 8;
/**
 * Naive reference of the tiny model: per-channel mean of x/127.5 − 1 after the documented policy: the
 * centred square (offsets rounded down), resampled to S in float (area mean for integer ratios,
 * bilinear with half-pixel centres otherwise, no 8-bit rounding).
 */
function naiveEmbedding(p: Pixels): Float64Array {
  const side = Math.min(p.width, p.height);
  const ox = Math.floor((p.width - side) / 2),
    oy = Math.floor((p.height - side) / 2);
  const px = (y: number, x: number, c: number): number => p.data[((oy + y) * p.width + ox + x) * p.channels + (p.channels === 1 ? 0 : c)]!;
  const sample = (r: number, q: number, c: number): number => {
    if (side === S) return px(r, q, c);
    if (side % S === 0) {
      const f = side / S;
      let a = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) a += px(r * f + dy, q * f + dx, c);
      return a / (f * f);
    }
    const src = (o: number): number => Math.min(Math.max((o + 0.5) * (side / S) - 0.5, 0), side - 1);
    const sy = src(r),
      sx = src(q);
    const y0 = Math.floor(sy),
      x0 = Math.floor(sx),
      y1 = Math.min(y0 + 1, side - 1),
      x1 = Math.min(x0 + 1, side - 1);
    const fy = sy - y0,
      fx = sx - x0;
    return (1 - fy) * ((1 - fx) * px(y0, x0, c) + fx * px(y0, x1, c)) + fy * ((1 - fx) * px(y1, x0, c) + fx * px(y1, x1, c));
  };
  const out = new Float64Array(3);
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let r = 0; r < S; r++) for (let q = 0; q < S; q++) s += sample(r, q, c) / 127.5 - 1;
    out[c] = s / (S * S);
  }
  return out;
}

// The same suite on each runtime (ORT web's wasm runs inside Node, single-threaded).
ortWeb.env.wasm.numThreads = 1;
const runtimes: [string, OrtModuleLike][] = [
  ['ort-node', ort],
  ['ort-web', ortWeb],
];

describe.each(runtimes)('createRecognizer on %s (hand-built model)', (_name, runtime) => {
  let rec: Recognizer;
  const rng = new Rng(7);
  const imgs = Array.from({ length: 7 }, () => randomPixels(rng, S, S, 3));
  beforeAll(async () => {
    rec = await createRecognizer(runtime, tinyOnnx({ size: S, maps: true }), { maxBatch: 3 });
  });
  afterAll(() => rec.dispose());

  it('reads the signature from metadata', () => {
    expect(rec.inputSize).toBe(S);
    expect(rec.dim).toBe(3);
    expect(rec.info).toMatchObject({ inputName: 'image', embeddingName: 'embedding', mapsName: 'maps', mapDims: [3, S, S], fixedBatch: null });
  });

  it('embed equals the naive per-channel mean, for RGB, gray, RGBA and non-square inputs', async () => {
    const mixed = [imgs[0]!, randomPixels(rng, S, S, 1), randomPixels(rng, S, S, 4), randomPixels(rng, 13, 21, 3), randomPixels(rng, 30, 17, 4)];
    const e = await rec.embed(mixed);
    expect(e.n).toBe(5);
    expect(e.dim).toBe(3);
    mixed.forEach((p, i) => expect(maxAbsDiff(e.data.subarray(3 * i, 3 * i + 3), naiveEmbedding(p))).toBeLessThan(1e-6));
  });

  it('batching (maxBatch 3 over 7 images) equals one-by-one', async () => {
    const all = await rec.embed(imgs);
    for (let i = 0; i < imgs.length; i++) {
      const one = await rec.embed([imgs[i]!]);
      expect(maxAbsDiff(all.data.subarray(3 * i, 3 * i + 3), one.data)).toBe(0);
    }
  });

  it('normalize gives unit rows parallel to the raw ones', async () => {
    const raw = await rec.embed(imgs);
    const nrm = await rec.embed(imgs, { normalize: true });
    for (let i = 0; i < imgs.length; i++) {
      const r = raw.data.subarray(3 * i, 3 * i + 3);
      const len = Math.hypot(...r);
      expect(Math.hypot(...nrm.data.subarray(3 * i, 3 * i + 3))).toBeCloseTo(1, 6);
      expect(
        maxAbsDiff(
          nrm.data.subarray(3 * i, 3 * i + 3),
          Array.from(r, (v) => v / len),
        ),
      ).toBeLessThan(1e-6);
    }
  });

  it('a preprocessed NCHW ImageBatch (wrapped, not copied) and an NHWC one give the pixel path’s result', async () => {
    const nchw = imageBatch(imgs.length, S, S, 3, 'NCHW');
    const nhwc = imageBatch(imgs.length, S, S, 3, 'NHWC');
    imgs.forEach((p, i) => {
      preprocess(p, nchw.data, { layout: 'NCHW', size: S, offset: i * 3 * S * S });
      preprocess(p, nhwc.data, { layout: 'NHWC', size: S, offset: i * 3 * S * S });
    });
    const ref = await rec.embed(imgs);
    expect(maxAbsDiff((await rec.embed(nchw)).data, ref.data)).toBe(0);
    expect(maxAbsDiff((await rec.embed(nhwc)).data, ref.data)).toBe(0);
  });

  it('responseMaps return [N, C, H, W] (here: the preprocessed input)', async () => {
    const m = await rec.responseMaps(imgs.slice(0, 4));
    expect([m.n, m.channels, m.height, m.width]).toEqual([4, 3, S, S]);
    const x = new Float32Array(4 * 3 * S * S);
    imgs.slice(0, 4).forEach((p, i) => preprocess(p, x, { layout: 'NCHW', size: S, offset: i * 3 * S * S }));
    expect(maxAbsDiff(m.data, x)).toBe(0);
  });

  it('peaks equal a naive argmax/argmin over responseMaps, in both pixel conventions', async () => {
    const maps = await rec.responseMaps(imgs);
    for (const convention of ['center', 'original'] as const) {
      const pk = await rec.peaks(imgs, { convention });
      for (let k = 0; k < imgs.length * 3; k++) {
        const map = Array.from(maps.data.subarray(k * S * S, (k + 1) * S * S));
        const mx = Math.max(...map),
          mn = Math.min(...map);
        const iMax = map.indexOf(mx),
          iMin = map.indexOf(mn);
        const off = convention === 'center' ? 0.5 : 1;
        expect(pk.positive.value[k]).toBe(Math.fround(mx));
        expect(pk.positive.cell[k]).toBe(iMax);
        expect(pk.positive.row[k]).toBeCloseTo(Math.floor(iMax / S) + off, 6); // S px over S cells: scale 1
        expect(pk.positive.col[k]).toBeCloseTo((iMax % S) + off, 6);
        expect(pk.negative.value[k]).toBe(Math.fround(mn));
        expect(pk.negative.cell[k]).toBe(iMin);
      }
    }
  });

  it('peaks: no positive peak for an all-black image (max < 0), no negative one for all-white', async () => {
    const black: Pixels = { data: new Uint8Array(S * S * 3), width: S, height: S, channels: 3 };
    const white: Pixels = { data: new Uint8Array(S * S * 3).fill(255), width: S, height: S, channels: 3 };
    const pk = await rec.peaks([black, white]);
    expect(Array.from(pk.positive.cell.subarray(0, 3))).toEqual([-1, -1, -1]);
    expect(Number.isNaN(pk.positive.row[0])).toBe(true);
    expect(Array.from(pk.negative.cell.subarray(0, 3))).toEqual([0, 0, 0]); // ties: first index
    expect(Array.from(pk.negative.cell.subarray(3, 6))).toEqual([-1, -1, -1]);
    expect(Array.from(pk.positive.cell.subarray(3, 6))).toEqual([0, 0, 0]);
  });

  it('similarity is the cosine', () => {
    expect(rec.similarity([1, 0, 0], [0, 1, 0])).toBe(0);
    expect(rec.similarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(rec.similarity([1, 2, 2], [-2, 1, 0])).toBeCloseTo(0, 12);
    expect(rec.similarity([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
    expect(() => rec.similarity([1], [1, 2])).toThrow(/different lengths/);
  });

  it('rejects wrong inputs with the image index and what was expected', async () => {
    await expect(rec.embed([imgs[0]!, { data: new Uint8Array(10), width: S, height: S, channels: 3 }])).rejects.toThrow(/image 1: 8×8×3 needs 192 bytes, data has 10/);
    await expect(rec.embed([{ data: new Uint8Array(2 * S * S), width: S, height: S, channels: 2 as 3 }])).rejects.toThrow(PreprocessError);
    await expect(rec.embed(imageBatch(1, 9, 9, 3, 'NCHW'))).rejects.toThrow(/9×9, the model expects 8×8/);
    await expect(rec.embed(imageBatch(1, S, S, 1, 'NCHW'))).rejects.toThrow(/1 channels, the model expects 3/);
    await expect(rec.embed('x' as never)).rejects.toThrow(/array of Pixels or an ImageBatch/);
  });

  it('an empty input gives empty outputs without running the model', async () => {
    const e = await rec.embed([]);
    expect([e.n, e.dim, e.data.length]).toEqual([0, 3, 0]);
  });
});

describe('model checks', () => {
  it('a model without Interpret-FR metadata is refused with the override hint; the override makes it usable', async () => {
    const foreign = tinyOnnx({ inputName: 'x', metadata: {} });
    await expect(createRecognizer(ort, foreign)).rejects.toThrow(/not an Interpret-FR ONNX.*inputs \["x"\].*pass \{ inputName, outputs/);
    const rec = await createRecognizer(ort, foreign, { inputName: 'x', outputs: { embedding: 'embedding' }, preprocess: { size: 8 } });
    const p = randomPixels(new Rng(1), 8, 8, 3);
    expect(maxAbsDiff((await rec.embed([p])).data, naiveEmbedding(p))).toBeLessThan(1e-6);
    await expect(rec.responseMaps([p])).rejects.toThrow(/no maps output.*--maps/);
    await rec.dispose();
    await expect(rec.embed([p])).rejects.toThrow(/after dispose/);
  });

  it('metadata whose size disagrees with the input shape is refused', async () => {
    await expect(createRecognizer(ort, tinyOnnx({ size: 8, metadata: tinyMetadata(96, false) }))).rejects.toThrow(/\["N",3,8,8\] but the preprocessing says size 96/);
  });

  it('a missing embedding output, a wrong rank and a wrong input name are refused', async () => {
    await expect(createRecognizer(ort, tinyOnnx({ embeddingName: 'feat' }))).rejects.toThrow(/no output named 'embedding'.*\["feat"\]/);
    await expect(createRecognizer(ort, tinyOnnx({ embeddingDims: ['N', 3, 1] }), { sessionOptions: { logSeverityLevel: 3 } })).rejects.toThrow(/rank 3.*expected \[N, D\]/);
    await expect(createRecognizer(ort, tinyOnnx({ metadata: tinyMetadata(8, false, 'input') }))).rejects.toThrow(/no input named 'input'/);
    await expect(createRecognizer(ort, new Uint8Array([1, 2, 3]))).rejects.toThrow(ModelError);
  });

  it('a fixed-batch model is fed padded chunks of its batch size', async () => {
    const rec = await createRecognizer(ort, tinyOnnx({ batch: 4 }), { maxBatch: 32 });
    expect(rec.info.fixedBatch).toBe(4);
    const rng = new Rng(3);
    const imgs = Array.from({ length: 6 }, () => randomPixels(rng, 8, 8, 3));
    const e = await rec.embed(imgs);
    expect(e.n).toBe(6);
    imgs.forEach((p, i) => expect(maxAbsDiff(e.data.subarray(3 * i, 3 * i + 3), naiveEmbedding(p))).toBeLessThan(1e-6));
    await rec.dispose();
  });
});

describe('no copies across the ORT boundary', () => {
  it('an NCHW batch is wrapped in place (chunks are views of the caller’s buffer); pixels go through one reused scratch buffer', async () => {
    const seen: Float32Array[] = [];
    const spy: OrtModuleLike = {
      // biome-ignore lint/complexity/useArrowFunction: called with `new`, so it must be a function, not an arrow
      Tensor: function (type: 'float32', data: Float32Array, dims: readonly number[]) {
        seen.push(data);
        return new ort.Tensor(type, data, dims);
      } as unknown as OrtModuleLike['Tensor'],
      InferenceSession: ort.InferenceSession,
    };
    const rec = await createRecognizer(spy, tinyOnnx({ size: 8 }), { maxBatch: 2 });
    const rng = new Rng(5);
    const imgs = Array.from({ length: 5 }, () => randomPixels(rng, 8, 8, 3));
    const batch = imageBatch(5, 8, 8, 3, 'NCHW');
    imgs.forEach((p, i) => preprocess(p, batch.data, { layout: 'NCHW', size: 8, offset: i * 192 }));
    await rec.embed(batch);
    expect(seen).toHaveLength(3);
    seen.forEach((d, k) => {
      expect(d.buffer).toBe(batch.data.buffer);
      expect(d.byteOffset).toBe(k * 2 * 192 * 4);
    });
    seen.length = 0;
    await rec.embed(imgs);
    await rec.embed(imgs.slice(0, 2));
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((d) => d.buffer)).size).toBe(1);
    await rec.dispose();
  });
});
