import { describe, expect, it } from 'vitest';
import { escapeXml, lineChartSvg, stackSvg } from './svg-chart.ts';

const points = (svg: string): string[][] => [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' '));

describe('lineChartSvg', () => {
  // Plot area: width 520 − 60 − 20 = 440 from x = 60; height 380 − 36 − 48 = 296 from y = 36.
  it('maps linear x and the default y range [0, 1] onto the plot area', () => {
    const svg = lineChartSvg([{ name: 'a<b', x: [0, 5, 10], y: [0, 0.5, 1] }], { title: 'T', xLabel: 'x', yLabel: 'y' });
    expect(points(svg)).toEqual([['60.0,332.0', '280.0,184.0', '500.0,36.0']]);
    expect(svg).toContain('a&lt;b');
  });
  it('log x skips x ≤ 0; log y with the data range', () => {
    const svg = lineChartSvg([{ name: 'l', x: [0, 1, 10, 100], y: [5, 1, 10, 100] }], { title: 'T', xLabel: 'x', yLabel: 'y', xLog: true, yLog: true, yMin: 'data', yMax: 'data' });
    expect(points(svg)).toEqual([['60.0,332.0', '280.0,184.0', '500.0,36.0']]);
  });
  it('skips non-finite points and clamps outside the range', () => {
    const svg = lineChartSvg([{ name: 'n', x: [0, 1, 2], y: [NaN, 2, 0.5] }], { title: 'T', xLabel: 'x', yLabel: 'y', xMin: 0, xMax: 2 });
    expect(points(svg)).toEqual([['280.0,36.0', '500.0,184.0']]);
  });
});

describe('stackSvg', () => {
  it('nests the documents one below the other', () => {
    const a = lineChartSvg([], { title: 'a', xLabel: 'x', yLabel: 'y', width: 300, height: 100 });
    const b = lineChartSvg([], { title: 'b', xLabel: 'x', yLabel: 'y', width: 200, height: 50 });
    const s = stackSvg([a, b]);
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150">')).toBe(true);
    expect(s).toContain('<svg x="0" y="0" xmlns');
    expect(s).toContain('<svg x="0" y="100" xmlns');
    expect(() => stackSvg(['<g/>'])).toThrow(/must start with <svg/);
  });
  it('escapeXml', () => expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;'));
});
