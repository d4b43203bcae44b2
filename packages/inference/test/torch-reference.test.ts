import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Rng, defaultModelPreprocess, imageBatch, preprocess, sealOnnxModel } from '@interpret-fr/core';
import { createRecognizer } from '../src/index.ts';
import { maxAbsDiff, randomPixels } from './helpers/images.ts';
import { metadataField } from './helpers/tiny-onnx.ts';
import { haveBench, interpretableTorch } from './helpers/paths.ts';

describe.skipIf(!haveBench)('recognizer on the PyTorch interpretable export (96×96, maps 320×24×24)', () => {
  it('with appended Interpret-FR metadata: embed equals a bare session.run; peaks equal a naive argmax in 96-px coordinates', async () => {
    const torch = new Uint8Array(readFileSync(interpretableTorch));
    const meta = [
      metadataField('interpret-fr.preprocess', JSON.stringify({ ...defaultModelPreprocess(96), inputName: 'x' })),
      metadataField('interpret-fr.outputs', JSON.stringify({ names: ['embedding', 'maps'], l2normalize: false, foldBatchNorm: true })),
      metadataField('interpret-fr.exporter-version', 'test'),
    ];
    const bytes = sealOnnxModel(Buffer.concat([torch, ...meta]));
    const rec = await createRecognizer(ort, bytes, { maxBatch: 2 });
    expect(rec.info).toMatchObject({ inputName: 'x', dim: 320, mapsName: 'maps' });

    const rng = new Rng(21);
    const imgs = Array.from({ length: 3 }, () => randomPixels(rng, 96, 96, 3));
    const x = imageBatch(3, 96, 96, 3, 'NCHW');
    imgs.forEach((p, i) => preprocess(p, x.data, { layout: 'NCHW', size: 96, offset: i * 3 * 96 * 96 }));
    const session = await ort.InferenceSession.create(bytes);
    const bare = await session.run({ x: new ort.Tensor('float32', x.data, [3, 3, 96, 96]) });
    const e = await rec.embed(imgs);
    expect(maxAbsDiff(e.data, bare.embedding!.data as Float32Array)).toBeLessThan(1e-5);

    const maps = bare.maps!.data as Float32Array;
    expect(bare.maps!.dims).toEqual([3, 320, 24, 24]);
    const pk = await rec.peaks(imgs);
    const pko = await rec.peaks(imgs, { convention: 'original' });
    let positives = 0;
    for (let k = 0; k < 3 * 320; k++) {
      const m = maps.subarray(k * 576, (k + 1) * 576);
      let iMax = 0,
        iMin = 0;
      for (let j = 1; j < 576; j++) {
        if (m[j]! > m[iMax]!) iMax = j;
        if (m[j]! < m[iMin]!) iMin = j;
      }
      if (m[iMax]! > 0) {
        positives++;
        expect(pk.positive.cell[k]).toBe(iMax);
        expect(pk.positive.row[k]).toBe((Math.floor(iMax / 24) + 0.5) * 4);
        expect(pk.positive.col[k]).toBe(((iMax % 24) + 0.5) * 4);
        expect(pko.positive.row[k]).toBe((Math.floor(iMax / 24) + 1) * 4);
        expect(Math.abs(pk.positive.value[k]! - m[iMax]!)).toBeLessThan(1e-5);
      } else expect(pk.positive.cell[k]).toBe(-1);
      if (m[iMin]! < 0) expect(pk.negative.cell[k]).toBe(iMin);
      else expect(pk.negative.cell[k]).toBe(-1);
    }
    expect(positives).toBeGreaterThan(100);
    await session.release();
    await rec.dispose();
  });
});
