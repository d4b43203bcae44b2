import { describe, expect, it } from 'vitest';
import { FRAME_SIZE, TEMPLATE_68, applySimilarityToPoints, type Pixels } from '@interpret-fr/core';
import type { DetectedFace } from '@interpret-fr/align';
import { alignChosen, type PhotoAlignment } from './align-photo.ts';
import { FaceSlot, type SlotHost } from './face-slot.ts';
import { alignedModelInput, cropBoxFromAlignment } from './logic/aligned-input.ts';
import { defaultCrop } from './logic/crop.ts';
import { modelInput } from './logic/model-input.ts';
import type { LoadedImage } from './ui/image-source.ts';
import type { InferenceClient } from './worker-client.ts';

const S = 48;

/** A host whose "model" returns each input's mean as a 1-d embedding, and records what it was sent. */
function fakeHost(): SlotHost & { sent: Pixels[] } {
  const sent: Pixels[] = [];
  const client = {
    analyze: async (images: Pixels[]) => {
      sent.push(...images);
      return {
        n: images.length,
        dim: 1,
        mapDims: null,
        embeddings: Float32Array.from(images, (p) => Array.from(p.data).reduce((a, b) => a + b, 0) / p.data.length),
        maps: null,
        ms: 1,
      };
    },
  } as unknown as InferenceClient;
  return { client, sent, modelSize: () => S, onAnalysis: () => {}, onError: (e) => expect.fail(String(e)) };
}

function photo(): LoadedImage {
  const W = 200,
    H = 160;
  const data = new Uint8Array(W * H * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 31) % 256;
  return { name: 'p.png', pixels: { data, width: W, height: H, channels: 4 }, bitmap: { close() {} } as ImageBitmap };
}

function alignmentOf(img: LoadedImage, found: boolean): PhotoAlignment {
  if (!found) return { faces: [], chosen: -1, aligned: null, detectMs: 1, alignMs: 0, backend: 'wasm' };
  // a face 1.2× the template size, slightly rotated, in the photo
  const lm = applySimilarityToPoints({ a: 1.2 * Math.cos(0.1), b: 1.2 * Math.sin(0.1), tx: 40, ty: 10 }, TEMPLATE_68);
  const face: DetectedFace = { box: { x: 50, y: 30, width: 100, height: 100 }, score: 0.9, landmarks68: lm, source: 'detector' };
  return { faces: [face], chosen: 0, aligned: alignChosen(img.pixels, face), detectMs: 1, alignMs: 1, backend: 'wasm' };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FaceSlot crop modes', () => {
  it('waits for the detector, then feeds the aligned centre 96; manual from the aligned window; back', async () => {
    const host = fakeHost();
    const slot = new FaceSlot('A', host);
    const img = photo();
    slot.setImage(img, true);
    expect(slot.mode).toBe('detecting');
    expect(slot.input).toBeNull();
    await tick();
    expect(host.sent.length).toBe(0); // nothing analysed before the detector answers

    const al = alignmentOf(img, true);
    slot.setAlignment(al);
    expect(slot.mode).toBe('aligned');
    expect(al.aligned!.pixels.width).toBe(FRAME_SIZE);
    expect(slot.input!.data).toEqual(alignedModelInput(al.aligned!.pixels, S).data);
    await tick();
    expect(host.sent.at(-1)!.data).toEqual(slot.input!.data);

    // manual: starts from the square closest to the aligned window
    const box = cropBoxFromAlignment(al.aligned!.transform, 200, 160);
    expect(slot.manualCrop).toEqual(box);
    slot.setMode('manual');
    expect(slot.crop).toEqual(box);
    expect(slot.input!.data).toEqual(modelInput(img.pixels, box, S).data);
    slot.setMode('aligned');
    expect(slot.input!.data).toEqual(alignedModelInput(al.aligned!.pixels, S).data);
    // moving the crop box switches to manual
    slot.setCrop({ x: 10, y: 10, size: 100 });
    expect(slot.mode).toBe('manual');
    expect(slot.input!.data).toEqual(modelInput(img.pixels, { x: 10, y: 10, size: 100 }, S).data);
  });

  it('falls back to the default crop box when no face is found or detection failed', () => {
    for (const al of [null, alignmentOf(photo(), false)]) {
      const slot = new FaceSlot('B', fakeHost());
      const img = photo();
      slot.setImage(img, true);
      slot.setAlignment(al);
      expect(slot.mode).toBe('manual');
      expect(slot.crop).toEqual(defaultCrop(200, 160));
      expect(slot.input!.data).toEqual(modelInput(img.pixels, defaultCrop(200, 160), S).data);
      slot.setMode('aligned'); // no face: stays manual
      expect(slot.mode).toBe('manual');
    }
  });
});
