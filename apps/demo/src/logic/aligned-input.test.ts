import { describe, expect, it } from 'vitest';
import { FRAME_SIZE, TEMPLATE_68, applySimilarityToPoints, cropPixels } from '@interpret-fr/core';
import { alignFace, templateTransform } from '@interpret-fr/align';
import { ALIGNED_WINDOW, alignedModelInput, alignedWindowQuad, cropBoxFromAlignment, frameToPhoto } from './aligned-input.ts';

/** A photo's landmarks: the template mapped by a known similarity (scale 2, 30°, shifted). */
function knownFace(): { lm: Float32Array; scale: number; angle: number; shift: [number, number] } {
  const scale = 2,
    angle = Math.PI / 6,
    shift: [number, number] = [300, 250];
  const lm = applySimilarityToPoints({ a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: shift[0], ty: shift[1] }, TEMPLATE_68);
  return { lm, scale, angle, shift };
}

describe('aligned model input', () => {
  it('is the centre 96 of the 110 frame (the pipeline crop), resized for other model sizes', () => {
    const data = new Uint8Array(FRAME_SIZE * FRAME_SIZE);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
    const crop = { data, width: FRAME_SIZE, height: FRAME_SIZE, channels: 1 as const };
    expect(ALIGNED_WINDOW).toEqual({ x: 7, y: 7, size: 96 });
    const c96 = alignedModelInput(crop, 96);
    expect(c96.data).toEqual(cropPixels(crop, 7, 7, 96, 96).data);
    const c48 = alignedModelInput(crop, 48);
    expect([c48.width, c48.height]).toEqual([48, 48]);
    // half-pixel 2:1 bilinear = mean of the 2×2 block at (7, 7): values 7·(7·110+7), +7, +770, +777 (mod 251)
    const v = (x: number, y: number) => data[y * FRAME_SIZE + x]!;
    expect(c48.data[0]).toBe(Math.round((v(7, 7) + v(8, 7) + v(7, 8) + v(8, 8)) / 4));
    expect(() => alignedModelInput({ ...crop, width: 100, height: 121 }, 96)).toThrow(/expected a 110×110 aligned crop, got 100×121/);
  });

  it('maps the aligned window back onto the photo (rotated square) and gives the closest manual box', () => {
    const { lm, scale, angle, shift } = knownFace();
    const t = templateTransform(lm); // photo → frame: the inverse of the known map
    expect(Math.hypot(t.a, t.b)).toBeCloseTo(1 / scale, 6);
    // frame point (u, v) → photo point = the known map of (u, v)
    const [x, y] = frameToPhoto(t, 10, 20);
    expect(x).toBeCloseTo(scale * (Math.cos(angle) * 10 - Math.sin(angle) * 20) + shift[0], 4);
    expect(y).toBeCloseTo(scale * (Math.sin(angle) * 10 + Math.cos(angle) * 20) + shift[1], 4);
    const q = alignedWindowQuad(t);
    // a square of side 96·scale, rotated by the angle
    for (let k = 0; k < 4; k++) {
      const n = (k + 1) % 4;
      expect(Math.hypot(q[2 * n]! - q[2 * k]!, q[2 * n + 1]! - q[2 * k + 1]!)).toBeCloseTo(96 * scale, 4);
    }
    expect(Math.atan2(q[3]! - q[1]!, q[2]! - q[0]!)).toBeCloseTo(angle, 5);
    const box = cropBoxFromAlignment(t, 1000, 1000);
    expect(box.size).toBe(192);
    const [cx, cy] = frameToPhoto(t, 54.5, 54.5);
    expect(Math.abs(box.x + (box.size - 1) / 2 - cx)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(box.y + (box.size - 1) / 2 - cy)).toBeLessThanOrEqual(0.5);
    // clamped into a small photo
    expect(cropBoxFromAlignment(t, 120, 100)).toEqual({ x: 20, y: 0, size: 100 });
  });

  it('equals alignFace + centre 96 on a synthetic photo', () => {
    const { lm } = knownFace();
    const W = 300,
      H = 280;
    const data = new Uint8Array(W * H * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13) % 256;
    const photo = { data, width: W, height: H, channels: 3 as const };
    const a = alignFace(photo, lm, { size: FRAME_SIZE });
    expect(alignedModelInput(a.pixels, 96).data).toEqual(cropPixels(a.pixels, 7, 7, 96, 96).data);
  });
});
