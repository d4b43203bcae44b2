/**
 * Dependency-free SVG figures: heat maps (occlusion × filter) and scatter plots over an image or
 * outline (peak locations); line charts (ROC, CMC) are core's `lineChartSvg`. Pure functions returning SVG text.
 *
 * @module
 */
import { escapeXml as esc } from '@interpret-fr/core';

/** Jet-like colour map for t in [0, 1]. */
export function jet(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * u - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * u - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * u - 1)));
  const h = (v: number): string =>
    Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** A heat map of a rows × cols matrix (row-major), one cell per value, shared colour range. */
export function heatmapSvg(values: ArrayLike<number>, rows: readonly string[], cols: number, o: { title: string; xLabel: string; cell?: number }): string {
  const cw = Math.max(1, o.cell ?? Math.min(12, Math.floor(900 / Math.max(cols, 1))));
  const ch = 22;
  const m = { l: 90, t: 36, b: 40 };
  const W = m.l + cols * cw + 20;
  const H = m.t + rows.length * ch + m.b;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(o.title)}</text>`);
  rows.forEach((name, r) => {
    parts.push(`<text x="${m.l - 6}" y="${m.t + r * ch + ch / 2}" text-anchor="end" dominant-baseline="middle">${esc(name)}</text>`);
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      parts.push(`<rect x="${m.l + c * cw}" y="${m.t + r * ch}" width="${cw}" height="${ch}" fill="${jet((v - lo) / (hi - lo || 1))}"/>`);
    }
  });
  parts.push(`<text x="${m.l + (cols * cw) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)} (colour: ${lo.toPrecision(3)} … ${hi.toPrecision(3)})</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** One panel of a scatter figure: points in a size × size frame, coloured by value. */
export interface ScatterPanel {
  title: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  value: ArrayLike<number>;
  /** Optional background: a gray image (size × size, 0..255) or an outline polyline list. */
  background?: { gray?: Uint8Array; outline?: ArrayLike<number>[] };
}

/** Side-by-side scatter panels (e.g. average peak locations coloured by spread), shared colour range. */
export function scatterPanelsSvg(panels: readonly ScatterPanel[], o: { title: string; size: number; scale?: number; valueLabel: string }): string {
  const s = o.scale ?? 3;
  const P = o.size * s;
  const gap = 24;
  const W = panels.length * (P + gap) + gap;
  const H = P + 90;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of panels)
    for (let i = 0; i < p.value.length; i++) {
      const v = p.value[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(o.title)}</text>`);
  panels.forEach((p, k) => {
    const ox = gap + k * (P + gap);
    const oy = 44;
    parts.push(`<text x="${ox + P / 2}" y="36" text-anchor="middle">${esc(p.title)}</text>`);
    parts.push(`<rect x="${ox}" y="${oy}" width="${P}" height="${P}" fill="#f4f4f4" stroke="#333"/>`);
    const g = p.background?.gray;
    if (g && g.length === o.size * o.size) {
      for (let y = 0; y < o.size; y++)
        for (let x = 0; x < o.size; x++) {
          const v = g[y * o.size + x]!;
          parts.push(`<rect x="${ox + x * s}" y="${oy + y * s}" width="${s}" height="${s}" fill="rgb(${v},${v},${v})"/>`);
        }
    }
    for (const line of p.background?.outline ?? []) {
      const pts: string[] = [];
      for (let i = 0; i + 1 < line.length; i += 2) pts.push(`${(ox + line[i]! * s).toFixed(1)},${(oy + line[i + 1]! * s).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="#999" stroke-width="1" points="${pts.join(' ')}"/>`);
    }
    for (let i = 0; i < p.x.length; i++) {
      const x = p.x[i]!;
      const y = p.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      parts.push(
        `<circle cx="${(ox + x * s).toFixed(1)}" cy="${(oy + y * s).toFixed(1)}" r="${Math.max(1.5, s * 0.7)}" fill="${jet((p.value[i]! - lo) / (hi - lo || 1))}" stroke="black" stroke-width="0.3"/>`,
      );
    }
  });
  parts.push(`<text x="${W / 2}" y="${H - 14}" text-anchor="middle">colour: ${esc(o.valueLabel)}, ${lo.toPrecision(3)} (blue) … ${hi.toPrecision(3)} (red)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
