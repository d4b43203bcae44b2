import { describe, expect, it } from 'vitest';
import { l2NormalizeRows } from './rows.ts';

describe('l2NormalizeRows', () => {
  it('scales rows to unit norm (a copy by default, in place on request); zero rows stay zero', () => {
    const d = new Float32Array([3, 4, 0, 0, 0, 0, 1, 0, 0]);
    const u = l2NormalizeRows(d, 3, 3);
    expect(u).not.toBe(d);
    expect(Array.from(u)).toEqual([Math.fround(3 / 5), Math.fround(4 / 5), 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(d)).toEqual([3, 4, 0, 0, 0, 0, 1, 0, 0]);
    expect(l2NormalizeRows(d, 3, 3, d)).toBe(d);
    expect(Array.from(d)).toEqual(Array.from(u));
  });
  it('divides by max(‖row‖, eps) like the graph l2norm block', () => {
    const tiny = new Float32Array([1e-20, 0]);
    expect(l2NormalizeRows(tiny, 1, 2)[0]).toBeCloseTo(1e-8, 12);
    expect(l2NormalizeRows(tiny, 1, 2, undefined, 1e-30)[0]).toBe(1);
  });
  it('refuses mismatched sizes', () => {
    expect(() => l2NormalizeRows(new Float32Array(5), 2, 3)).toThrow('l2NormalizeRows: 5 values, expected 2 × 3');
  });
});
