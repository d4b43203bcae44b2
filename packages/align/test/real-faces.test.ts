/**
 * Real-image smoke test: detectFaces on a few LFW-a and AT&T/ORL images gives the stored boxes and
 * landmarks (test/fixtures/expected-faces.json, made by scripts/make-expected.ts) within tolerances,
 * and the pipeline's flip consistency holds on them. Skipped with a message when the shared data
 * folder is absent (INTERPRET_FR_REQUIRE_DATA=1 makes that an error).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignFace, chooseFace, createFaceAligner, decodeImageFile, flipLandmarks68, type FaceAligner } from '../src/node.ts';
import { SMOKE_IMAGES } from './smoke-images.ts';

const data = process.env.INTERPRET_FR_DATA ?? resolve(__dirname, '../../../../shared/data');
const have = SMOKE_IMAGES.every((p) => existsSync(join(data, p)));
if (!have) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`INTERPRET_FR_REQUIRE_DATA=1 but the smoke images are missing under ${data}`);
  console.warn(`[align] SKIPPING real-face smoke test: images not found under ${data} (set INTERPRET_FR_DATA)`);
}
const expected = JSON.parse(readFileSync(resolve(__dirname, 'fixtures/expected-faces.json'), 'utf8')) as Record<string, { box: number[]; source: string; landmarks68: number[] }>;

describe.skipIf(!have)('detectFaces on real faces (LFW-a, ORL)', () => {
  let aligner: FaceAligner;
  beforeAll(async () => {
    aligner = await createFaceAligner();
  });

  it.each(SMOKE_IMAGES)('%s: stored box (±1.5 px) and landmarks (mean ±0.5 px, max ±2 px)', async (rel) => {
    const { pixels } = await decodeImageFile(join(data, rel));
    const faces = await aligner.detectFaces(pixels, { fallback: 'center' });
    const f = faces[chooseFace(faces, pixels.width, pixels.height)]!;
    const want = expected[rel]!;
    expect(f.source).toBe(want.source);
    [f.box.x, f.box.y, f.box.width, f.box.height].forEach((v, k) => expect(Math.abs(v - want.box[k]!)).toBeLessThan(1.5));
    let sum = 0,
      max = 0;
    for (let i = 0; i < 136; i++) {
      const d = Math.abs(f.landmarks68[i]! - want.landmarks68[i]!);
      sum += d;
      max = Math.max(max, d);
    }
    expect(sum / 136).toBeLessThan(0.5);
    expect(max).toBeLessThan(2);
    // the aligned crop puts the eyes where the template has them (within 3 px in the 110 frame)
    const a = alignFace(pixels, f.landmarks68);
    const eyeY = (lm: Float32Array, s: number) => {
      let y = 0;
      for (let i = s; i < s + 6; i++) y += lm[2 * i + 1]!;
      return y / 6;
    };
    expect(Math.abs(eyeY(a.landmarks, 36) - 44.86)).toBeLessThan(3);
    expect(Math.abs(eyeY(a.landmarks, 42) - 44.86)).toBeLessThan(3);
  });

  it('flip consistency: landmarks of the mirrored image, mapped back, within 3 % of the inter-ocular distance', async () => {
    for (const rel of SMOKE_IMAGES) {
      const { pixels } = await decodeImageFile(join(data, rel));
      const { width: W, height: H, channels: c } = pixels;
      const fl = new Uint8Array(pixels.data.length);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < c; k++) fl[(y * W + x) * c + k] = pixels.data[(y * W + W - 1 - x) * c + k]!;
      const fa = await aligner.detectFaces(pixels, { fallback: 'center' });
      const fb = await aligner.detectFaces({ ...pixels, data: fl }, { fallback: 'center' });
      const a = fa[chooseFace(fa, W, H)]!.landmarks68;
      const b = flipLandmarks68(fb[chooseFace(fb, W, H)]!.landmarks68, W);
      const eye = (l: Float32Array, s: number) => {
        let x = 0,
          y = 0;
        for (let i = s; i < s + 6; i++) {
          x += l[2 * i]!;
          y += l[2 * i + 1]!;
        }
        return [x / 6, y / 6];
      };
      const iod = Math.hypot(eye(a, 36)[0]! - eye(a, 42)[0]!, eye(a, 36)[1]! - eye(a, 42)[1]!);
      let e = 0;
      for (let i = 0; i < 68; i++) e += Math.hypot(a[2 * i]! - b[2 * i]!, a[2 * i + 1]! - b[2 * i + 1]!);
      expect(e / 68 / iod, rel).toBeLessThan(0.03);
    }
  });
});
