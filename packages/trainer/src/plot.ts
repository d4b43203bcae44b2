/**
 * Loss-curve plot as a hand-written SVG (no dependencies): one polyline per loss term on a log-scaled
 * y axis (terms differ by orders of magnitude), steps on x, plus clean/occluded accuracy on a second
 * panel.
 *
 * @module
 */
import { extent } from '@interpret-fr/core';

/** One curve: a name and (step, value) points. */
export interface Series {
  name: string;
  points: [number, number][];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function panel(series: Series[], x0: number, y0: number, w: number, h: number, log: boolean, title: string): string {
  const pts = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v) && (!log || v > 0));
  if (pts.length === 0) return `<text x="${x0 + w / 2}" y="${y0 + h / 2}" text-anchor="middle">${esc(title)}: no data</text>`;
  const f = (v: number): number => (log ? Math.log10(v) : v);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => f(p[1]));
  // extent(), not Math.min(...xs): a spread of a data-sized array overflows the call stack.
  const { min: xmin, max: xmaxData } = extent(xs);
  const xmax = Math.max(xmaxData, xmin + 1);
  let { min: ymin, max: ymax } = extent(ys);
  if (ymax - ymin < 1e-9) {
    ymin -= 0.5;
    ymax += 0.5;
  }
  const X = (v: number): number => x0 + ((v - xmin) / (xmax - xmin)) * w;
  const Y = (v: number): number => y0 + h - ((f(v) - ymin) / (ymax - ymin)) * h;
  const out: string[] = [
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${x0}" y="${y0 - 8}" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const yv = ymin + ((ymax - ymin) * k) / 4;
    const label = log ? Number((10 ** yv).toPrecision(3)) : Number(yv.toPrecision(3));
    const py = y0 + h - (h * k) / 4;
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${py}" y2="${py}" stroke="#eee"/><text x="${x0 - 6}" y="${py + 4}" text-anchor="end">${label}</text>`);
    const xv = Math.round(xmin + ((xmax - xmin) * k) / 4);
    out.push(`<text x="${X(xv)}" y="${y0 + h + 16}" text-anchor="middle">${xv}</text>`);
  }
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const p = s.points.filter(([, v]) => Number.isFinite(v) && (!log || v > 0)).map(([x, v]) => `${X(x).toFixed(1)},${Y(v).toFixed(1)}`);
    if (p.length) out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${p.join(' ')}"/>`);
    out.push(`<rect x="${x0 + w + 12}" y="${y0 + i * 18}" width="12" height="3" fill="${c}"/><text x="${x0 + w + 30}" y="${y0 + i * 18 + 5}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/**
 * Renders loss curves (log y) and accuracy curves (linear y) to an SVG document.
 *
 * @example writeFileSync('loss.svg', lossCurveSvg([{ name: 'total', points: [[10, 5.2], [20, 4.1]] }], []));
 */
export function lossCurveSvg(losses: Series[], accuracies: Series[], title = 'training'): string {
  const W = 760;
  const H = 560;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    panel(losses, 70, 40, 520, 260, true, `${title}: losses (log scale) vs step`),
    panel(accuracies, 70, 360, 520, 160, false, 'accuracy (training batches) vs step'),
    '</svg>',
    '',
  ].join('\n');
}
