import { describe, expect, it } from 'vitest';
import { applySimilarityToPoints, cropPixels, embeddings, syntheticSample, TEMPLATE_68, warpSimilarity, type Pixels } from '@interpret-fr/core';
import type { FaceAligner } from './detector.ts';
import { createFacePipeline } from './pipeline.ts';
import { alignFace } from './align-face.ts';

describe('createFacePipeline', () => {
  it('aligns each detected face, feeds the centre 96 crop to the embedder, returns its rows', async () => {
    const s = syntheticSample({ seed: 5, identities: 2, imagesPerIdentity: 1, occluderRate: 0 }, 1, 0);
    const t = { a: 1.4, b: 0.2, tx: 30, ty: 10 };
    const photo = warpSimilarity({ data: s.pixels, width: 110, height: 110, channels: 3 }, t, 220, 200);
    const lm = applySimilarityToPoints(t, s.landmarks);
    const aligner = {
      detectFaces: async () => [{ box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9, landmarks68: lm, source: 'detector' as const }],
    } as unknown as FaceAligner;
    const seen: Pixels[] = [];
    const embedder = {
      dim: 2,
      inputSize: 96,
      embed: async (im: Pixels[]) => {
        seen.push(...im);
        return embeddings(im.length, 2, Float32Array.from(im.flatMap((p) => [p.width, p.data[0]!])));
      },
    };
    const { faces, maps } = await createFacePipeline(aligner, embedder).run(photo);
    expect(maps).toBeNull();
    expect(faces).toHaveLength(1);
    const want = cropPixels(alignFace(photo, lm).pixels, 7, 7, 96, 96);
    expect(seen[0]!.width).toBe(96);
    expect(Array.from(seen[0]!.data)).toEqual(Array.from(want.data));
    expect(Array.from(faces[0]!.embedding)).toEqual([96, want.data[0]!]);
    // the aligned landmarks sit near the template (the synthetic face is close to frontal)
    let d = 0;
    for (let i = 0; i < 136; i++) d += Math.abs(faces[0]!.aligned.landmarks[i]! - TEMPLATE_68[i]!);
    expect(d / 136).toBeLessThan(4);
    await expect(createFacePipeline(aligner, embedder).run(photo, { maps: true })).rejects.toThrow(/no responseMaps/);
  });
});
