/**
 * Dependency-free SVG line charts (ROC, CMC, loss curves), pure functions returning SVG text; used by
 * the trainer's `loss.svg` and eval's report figures.
 *
 * @module
 */
import { extent } from './buffers.ts';

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The series colours, in order. */
export const CHART_PALETTE: readonly string[] = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** One line of a chart: x and y of equal length (non-finite points are skipped). */
export interface ChartSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log-scaled x axis (points with x ≤ 0 are skipped). */
  xLog?: boolean;
  /** Log-scaled y axis (points with y ≤ 0 are skipped). */
  yLog?: boolean;
  /** x range; default the data extent. */
  xMin?: number;
  xMax?: number;
  /** y range; default [0, 1] (rates); `'data'` takes the data extent. */
  yMin?: number | 'data';
  yMax?: number | 'data';
  width?: number;
  height?: number;
}

/**
 * A line chart (log x and/or y optional), e.g. ROC (x = FAR, log), CMC (x = rank), loss curves (y log).
 *
 * @example lineChartSvg([{ name: 'split 1', x: far, y: tar }], { title: 'ROC', xLabel: 'FAR', yLabel: 'TAR', xLog: true, xMin: 1e-4, xMax: 1 });
 */
export function lineChartSvg(series: readonly ChartSeries[], o: LineChartOptions): string {
  const W = o.width ?? 520;
  const H = o.height ?? 380;
  const m = { l: 60, r: 20, t: 36, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = series.flatMap((s) => Array.from(s.x)).filter((v) => Number.isFinite(v) && (!o.xLog || v > 0));
  const ex = extent(xs);
  const x0 = o.xMin ?? (xs.length ? ex.min : 0);
  const x1 = o.xMax ?? (xs.length ? ex.max : 1);
  const ys = o.yMin === 'data' || o.yMax === 'data' ? series.flatMap((s) => Array.from(s.y)).filter((v) => Number.isFinite(v) && (!o.yLog || v > 0)) : [];
  const ey = extent(ys);
  let y0 = o.yMin === 'data' ? (ys.length ? ey.min : o.yLog ? 0.1 : 0) : (o.yMin ?? 0);
  let y1 = o.yMax === 'data' ? (ys.length ? ey.max : 1) : (o.yMax ?? 1);
  if (o.yLog && !(y1 > y0)) [y0, y1] = [y0 / Math.SQRT2 || 0.1, (y1 || 1) * Math.SQRT2];
  else if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const ly = (v: number): number => Math.log10(Math.max(v, y0));
  const fx = (v: number): number => {
    const t = o.xLog ? (Math.log10(Math.max(v, x0)) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1) : (v - x0) / (x1 - x0 || 1);
    return m.l + Math.min(1, Math.max(0, t)) * pw;
  };
  const fy = (v: number): number => {
    const t = o.yLog ? (ly(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1) : (v - y0) / (y1 - y0 || 1);
    return m.t + (1 - Math.min(1, Math.max(0, t))) * ph;
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(o.title)}</text>`);
  // Grid and ticks.
  const xt: number[] = [];
  if (o.xLog) for (let e = Math.ceil(Math.log10(x0)); e <= Math.floor(Math.log10(x1)); e++) xt.push(10 ** e);
  else for (let k = 0; k <= 5; k++) xt.push(x0 + ((x1 - x0) * k) / 5);
  for (const v of xt) {
    const X = fx(v).toFixed(1);
    parts.push(`<line x1="${X}" y1="${m.t}" x2="${X}" y2="${m.t + ph}" stroke="#ddd"/>`);
    parts.push(`<text x="${X}" y="${m.t + ph + 14}" text-anchor="middle">${o.xLog ? `1e${Math.round(Math.log10(v))}` : Number(v.toFixed(2))}</text>`);
  }
  for (let k = 0; k <= 5; k++) {
    const v = o.yLog ? 10 ** (Math.log10(y0) + ((Math.log10(y1) - Math.log10(y0)) * k) / 5) : y0 + ((y1 - y0) * k) / 5;
    const Y = fy(v).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${Y}" x2="${m.l + pw}" y2="${Y}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${Y}" text-anchor="end" dominant-baseline="middle">${o.yLog ? Number(v.toPrecision(3)) : Number(v.toFixed(2))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts: string[] = [];
    for (let k = 0; k < s.x.length; k++) {
      const x = s.x[k]!;
      const y = s.y[k]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (o.xLog && x <= 0) || (o.yLog && y <= 0)) continue;
      pts.push(`${fx(x).toFixed(1)},${fy(y).toFixed(1)}`);
    }
    const c = CHART_PALETTE[i % CHART_PALETTE.length]!;
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(`<rect x="${m.l + 10}" y="${m.t + 8 + i * 15}" width="10" height="3" fill="${c}"/><text x="${m.l + 24}" y="${m.t + 12 + i * 15}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Stacks SVG documents (as returned by {@link lineChartSvg}) vertically into one document; each keeps
 * its own coordinate system (nested `<svg>` elements).
 */
export function stackSvg(docs: readonly string[]): string {
  const sizes = docs.map((d) => {
    const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(d);
    if (!m) throw new RangeError('stackSvg: each document must start with <svg … width="…" height="…">');
    return { w: Number(m[1]), h: Number(m[2]) };
  });
  const W = Math.max(...sizes.map((s) => s.w));
  let y = 0;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${sizes.reduce((a, s) => a + s.h, 0)}">`];
  docs.forEach((d, i) => {
    parts.push(d.replace(/^<svg /, `<svg x="0" y="${y}" `));
    y += sizes[i]!.h;
  });
  parts.push('</svg>');
  return parts.join('\n');
}
