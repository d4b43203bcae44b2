import { describe, expect, it } from 'vitest';
import { applyOcclusion, fractionRect, viewRectToModelRect } from './occlusion.ts';

describe('occlusion rectangle → model frame', () => {
  it('covers every model pixel the drawn rectangle touches', () => {
    // 288 px view of a 48 px model: 6 view px per model px. (13, 20)–(61, 35) → x 13/6=2.17→2 .. 61/6=10.17→11; y 3.33→3 .. 5.83→6.
    expect(viewRectToModelRect(13, 20, 61, 35, 288, 48)).toEqual({ x: 2, y: 3, width: 9, height: 3 });
    // Corner order does not matter.
    expect(viewRectToModelRect(61, 35, 13, 20, 288, 48)).toEqual({ x: 2, y: 3, width: 9, height: 3 });
    // Exact pixel boundaries stay exact.
    expect(viewRectToModelRect(6, 6, 12, 12, 288, 48)).toEqual({ x: 1, y: 1, width: 1, height: 1 });
  });

  it('clamps to the frame and returns null for an empty rectangle', () => {
    expect(viewRectToModelRect(-50, -10, 30, 400, 288, 48)).toEqual({ x: 0, y: 0, width: 5, height: 48 });
    expect(viewRectToModelRect(300, 10, 400, 20, 288, 48)).toBeNull();
    expect(viewRectToModelRect(12, 12, 12, 30, 288, 48)).toBeNull();
    expect(() => viewRectToModelRect(0, 0, 1, 1, 0, 48)).toThrow(/bad sizes/);
  });

  it('fraction rectangles map to the model frame', () => {
    expect(fractionRect(0, 0.5, 1, 1, 96)).toEqual({ x: 0, y: 48, width: 96, height: 48 });
    expect(fractionRect(0.1, 0.25, 0.9, 0.47, 48)).toEqual({ x: 4, y: 12, width: 40, height: 11 }); // 4.8→4, 43.2→44, 12, 22.56→23
  });

  it('blackens exactly the rectangle, colour channels only, without touching the input', () => {
    const data = new Uint8Array(4 * 3 * 4).fill(200);
    const p = { data, width: 4, height: 3, channels: 4 as const };
    const q = applyOcclusion(p, { x: 1, y: 1, width: 2, height: 5 });
    expect(data.every((v) => v === 200)).toBe(true);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const o = (y * 4 + x) * 4;
        const inside = x >= 1 && x <= 2 && y >= 1;
        expect(Array.from(q.data.subarray(o, o + 4))).toEqual(inside ? [0, 0, 0, 200] : [200, 200, 200, 200]);
      }
    }
    const rgb = applyOcclusion({ data: new Uint8Array(12).fill(9), width: 2, height: 2, channels: 3 }, { x: 0, y: 0, width: 1, height: 1 });
    expect(Array.from(rgb.data)).toEqual([0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    expect(Array.from(applyOcclusion(p, null).data)).toEqual(Array.from(data));
  });
});
