import { describe, expect, it } from 'vitest';
import { giveBackScratch, lendF32, lendF64 } from './scratch.ts';

describe('scratch pool', () => {
  it('never lends one buffer twice before it is given back, reuses given-back buffers, and keeps at most 4 (the largest)', () => {
    const a = lendF32(1000);
    const b = lendF32(1000);
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(1000);
    giveBackScratch(a);
    const c = lendF32(500);
    expect(c).toBe(a); // the smallest kept buffer that is large enough
    expect(lendF32(2000)).not.toBe(b); // too small: a new one
    giveBackScratch(b);
    giveBackScratch(b); // twice: kept once
    expect(lendF32(10)).toBe(b);
    expect(lendF32(10)).not.toBe(b);
    // Float64 buffers live in their own pool.
    const d = lendF64(100);
    giveBackScratch(d);
    expect(lendF32(100)).not.toBe(d as unknown);
    expect(lendF64(50)).toBe(d);
    const many = [1, 2, 3, 4, 5, 6].map((k) => lendF64(k * 1000));
    many.forEach(giveBackScratch);
    const back = [1, 2, 3, 4, 5].map(() => lendF64(1));
    expect(back.map((x) => x.length).sort((x, y) => x - y)).toEqual([1, 3000, 4000, 5000, 6000]); // the 4 largest kept; the fifth is new
  });
});
