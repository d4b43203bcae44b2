import { describe, expect, it } from 'vitest';
import { modelInput } from './model-input.ts';
import { startupModelUrl } from './model-url.ts';

describe('model input', () => {
  it('crops the box and resizes with half-pixel bilinear', () => {
    // 16×16 gray ramp, value = x + 16·y.
    const data = new Uint8Array(256);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) data[y * 16 + x] = x + 16 * y;
    const p = { data, width: 16, height: 16, channels: 1 as const };
    // Box side = S: the window itself.
    const same = modelInput(p, { x: 3, y: 5, size: 8 }, 8);
    expect(same.data[0]).toBe(83);
    expect(same.data[63]).toBe(10 + 16 * 12);
    // 8 → 4: half-pixel source (2o + 0.5) averages pixel pairs: (3.5 + 16·5.5) = 91.5 → 92, then +2 per column, +32 per row.
    const half = modelInput(p, { x: 3, y: 5, size: 8 }, 4);
    expect(Array.from(half.data.subarray(0, 4))).toEqual([92, 94, 96, 98]);
    expect(Array.from(half.data.subarray(4, 8))).toEqual([124, 126, 128, 130]);
    // The box is clamped into the image first: (12, 12, 8) → (8, 8, 8).
    expect(modelInput(p, { x: 12, y: 12, size: 8 }, 8).data[0]).toBe(8 + 16 * 8);
  });
});

describe('start-up model URL', () => {
  it('defaults to models/default.onnx beside the page and accepts same-origin ?model=', () => {
    expect(startupModelUrl('', 'http://127.0.0.1:5173/demo/')).toEqual({ url: 'http://127.0.0.1:5173/demo/models/default.onnx' });
    expect(startupModelUrl('?model=models/x.onnx', 'http://127.0.0.1:5173/')).toEqual({ url: 'http://127.0.0.1:5173/models/x.onnx' });
    expect(startupModelUrl('?model=/m.onnx', 'http://h/a/')).toEqual({ url: 'http://h/m.onnx' });
  });

  it('refuses a model on another origin', () => {
    const r = startupModelUrl('?model=https://cdn.example/m.onnx', 'http://127.0.0.1:5173/');
    expect('error' in r && r.error).toMatch(/not this app's origin http:\/\/127.0.0.1:5173/);
  });
});
