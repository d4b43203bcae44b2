import { describe, expect, it } from 'vitest';
import { makeCanvas, coverPolygon, clearBox, fillPolygon, ellipse, spline, strokePolygon, gaussianBlur, toBytes } from './raster.ts';

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

describe('raster', () => {
  it('polygon coverage sums to the exact area, with fractional edge pixels', () => {
    const c = makeCanvas(20, 20);
    // axis-aligned rectangle from x = 2.25 to 7.75, y = 3.5 to 6.5 (pixel centres at integers)
    const b = coverPolygon(c, [2.25, 3.5, 7.75, 3.5, 7.75, 6.5, 2.25, 6.5]);
    expect(sum(c.cov)).toBeCloseTo(5.5 * 3, 5);
    // pixel 2 spans [1.5, 2.5): covered from 2.25 → 0.25; pixel 5 fully; pixel 7 spans [6.5,7.5) fully; 8 gets 0.25
    expect(c.cov[5 * 20 + 2]).toBeCloseTo(0.25, 5);
    expect(c.cov[5 * 20 + 5]).toBeCloseTo(1, 5);
    expect(c.cov[5 * 20 + 8]).toBeCloseTo(0.25, 5);
    // rows 3..6: rows 4, 5, 6 fully inside vertically ([3.5,4.5)…); row 3 spans [2.5,3.5) → 0
    expect(c.cov[3 * 20 + 5]).toBeCloseTo(0, 5);
    expect(c.cov[6 * 20 + 5]).toBeCloseTo(1, 5);
    clearBox(c, b);
    expect(sum(c.cov)).toBe(0);
  });

  it('a triangle and a 64-gon ellipse have their analytic areas (within the sub-scanline error)', () => {
    const c = makeCanvas(40, 40);
    coverPolygon(c, [5, 5, 30, 5, 5, 25]);
    expect(sum(c.cov)).toBeCloseTo((25 * 20) / 2, 0);
    c.cov.fill(0);
    coverPolygon(c, ellipse(20, 20, 10, 6, 0.4, 64));
    const polyArea = 0.5 * 64 * 10 * 6 * Math.sin((2 * Math.PI) / 64);
    expect(Math.abs(sum(c.cov) - polyArea)).toBeLessThan(0.5);
  });

  it('fillPolygon composites with opacity; toBytes rounds and clamps', () => {
    const c = makeCanvas(4, 4);
    c.rgb.fill(100);
    fillPolygon(c, [-0.5, -0.5, 3.5, -0.5, 3.5, 3.5, -0.5, 3.5], [200, 0, 300], 0.5);
    expect(Array.from(c.rgb.subarray(0, 3))).toEqual([150, 50, 200]);
    c.rgb[0] = -3;
    c.rgb[1] = 255.6;
    c.rgb[2] = 12.5;
    expect(Array.from(toBytes(c).subarray(0, 3))).toEqual([0, 255, 12]);
    expect(sum(c.cov)).toBe(0); // paint clears the coverage it used
  });

  it('splines pass through their control points; strokes have the requested width', () => {
    const pts = [0, 0, 10, 5, 20, 0, 30, 5];
    const s = spline(pts, false, 4);
    for (let i = 0; i < 4; i++) {
      expect(s[8 * i]).toBeCloseTo(pts[2 * i]!, 9);
      expect(s[8 * i + 1]).toBeCloseTo(pts[2 * i + 1]!, 9);
    }
    const c = makeCanvas(40, 10);
    coverPolygon(c, strokePolygon([5, 5, 35, 5], 2));
    expect(sum(c.cov)).toBeCloseTo(30 * 2, 5);
  });

  it('Gaussian blur keeps a constant image constant and the mean of an impulse', () => {
    const c = makeCanvas(15, 15);
    c.rgb.fill(80);
    gaussianBlur(c, 1);
    for (const v of c.rgb) expect(v).toBeCloseTo(80, 4);
    c.rgb.fill(0);
    c.rgb[3 * (7 * 15 + 7)] = 900;
    gaussianBlur(c, 1);
    let s = 0;
    for (let i = 0; i < c.rgb.length; i += 3) s += c.rgb[i]!;
    expect(s).toBeCloseTo(900, 2);
    expect(c.rgb[3 * (7 * 15 + 7)]).toBeLessThan(200);
    expect(c.rgb[3 * (7 * 15 + 8)]).toBeCloseTo(c.rgb[3 * (8 * 15 + 7)]!, 4);
  });
});
