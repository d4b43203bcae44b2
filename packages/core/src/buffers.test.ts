import { describe, expect, it } from 'vitest';
import { embeddingRow, embeddings, imageBatch, imageRow, mapView, responseMaps } from './buffers.ts';

const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('buffers', () => {
  it('embeddingRow is a view of row i', () => {
    const e = embeddings(3, 4, iota(12));
    const r = embeddingRow(e, 1);
    expect([...r]).toEqual([4, 5, 6, 7]);
    expect(r.buffer).toBe(e.data.buffer);
    r[0] = -1;
    expect(e.data[4]).toBe(-1);
    expect(() => embeddingRow(e, 3)).toThrow(/row 3 out of \[0, 3\)/);
    expect(() => embeddingRow(e, -1)).toThrow(RangeError);
  });

  it('imageRow is a view of image i in either layout', () => {
    const b = imageBatch(2, 2, 3, 3, 'NHWC', iota(36));
    const r = imageRow(b, 1);
    expect(r.length).toBe(18);
    expect(r[0]).toBe(18);
    expect(r[17]).toBe(35);
    r[5] = 100;
    expect(b.data[23]).toBe(100);
    expect(imageBatch(1, 2, 2, 3).layout).toBe('NCHW');
    expect(() => imageRow(b, 2)).toThrow(/image 2 out of \[0, 2\)/);
  });

  it('mapView indexes [N, C, H, W]: filter c of image i is contiguous at (i·C + c)·H·W', () => {
    // N = 2, C = 3, H = 2, W = 2: value = 1000·i + 100·c + 10·y + x.
    const data = new Float32Array(24);
    for (let i = 0; i < 2; i++)
      for (let c = 0; c < 3; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) data[((i * 3 + c) * 2 + y) * 2 + x] = 1000 * i + 100 * c + 10 * y + x;
    const m = responseMaps(2, 3, 2, 2, data);
    expect([...mapView(m, 1, 2)]).toEqual([1200, 1201, 1210, 1211]);
    expect([...mapView(m, 0, 1)]).toEqual([100, 101, 110, 111]);
    expect(mapView(m, 1, 0).byteOffset).toBe(12 * 4);
    expect(() => mapView(m, 0, 3)).toThrow(/filter 3 out of \[0, 3\)/);
    expect(() => mapView(m, 2, 0)).toThrow(/image 2 out of \[0, 2\)/);
  });

  it('constructors check lengths against dims and allocate zeros', () => {
    expect(() => embeddings(2, 3, new Float32Array(5))).toThrow('embeddings: data has 5 values, dims [2, 3] need 6');
    expect(() => imageBatch(1, 2, 2, 3, 'NHWC', new Float32Array(11))).toThrow(/need 12/);
    expect(() => responseMaps(1, 2, 2, -2, new Float32Array(0))).toThrow(/dims must be non-negative integers, got \[1, 2, 2, -2\]/);
    const z = responseMaps(1, 2, 3, 4);
    expect(z.data.length).toBe(24);
    expect(z.data.every((v) => v === 0)).toBe(true);
  });
});
