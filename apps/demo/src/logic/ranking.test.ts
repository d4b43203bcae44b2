import { describe, expect, it } from 'vitest';
import { filterMap, meanScores, peakStrength, rankByScore, relativeDifference, subtractMaps } from './ranking.ts';

describe('filter ranking', () => {
  it('orders by score, highest first, ties by index, NaN last', () => {
    expect(Array.from(rankByScore([0.1, 0.9, 0.5, 0.9, Number.NaN, -1]))).toEqual([1, 3, 2, 0, 5, 4]);
    expect(Array.from(rankByScore([]))).toEqual([]);
  });

  it('peak strength is the largest positive value per filter (0 for a silent or negative filter)', () => {
    const maps = Float32Array.from([1, 3, -2, 0, /* c1 */ -1, -5, -0.5, -2, /* c2 */ 0, 0, 0, 0.25]);
    expect(Array.from(peakStrength(maps, 3, 4))).toEqual([3, 0, 0.25]);
    expect(() => peakStrength(maps, 2, 4)).toThrow(/expected 2×4/);
  });

  it('relative difference: 0 for equal maps, 1 for disjoint or opposite maps, by hand otherwise', () => {
    const a = Float32Array.from([3, 0, /* c1 */ 1, 0, /* c2 */ 1, 1, /* c3 */ 0, 0]);
    const b = Float32Array.from([3, 0, /* c1 */ 0, 2, /* c2 */ -1, -1, /* c3 */ 0, 0]);
    const d = relativeDifference(a, b, 4, 2);
    expect(d[0]).toBe(0);
    expect(d[1]).toBeCloseTo(Math.sqrt(5) / 3, 6); // ‖(1,−2)‖ / (1 + 2)
    expect(d[2]).toBeCloseTo(1, 6); // ‖(2,2)‖ / (√2 + √2)
    expect(d[3]).toBe(0);
  });

  it('mean of score vectors, map views and differences', () => {
    expect(Array.from(meanScores([Float32Array.from([1, 2]), Float32Array.from([3, 6])]))).toEqual([2, 4]);
    expect(() => meanScores([])).toThrow(/no score vectors/);
    const maps = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(filterMap(maps, 1, 3))).toEqual([4, 5, 6]);
    expect(Array.from(subtractMaps(Float32Array.from([1, 2]), Float32Array.from([3, -1])))).toEqual([-2, 3]);
  });
});
