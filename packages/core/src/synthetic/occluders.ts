/**
 * Real-world occluders drawn over a synthetic face from its posed landmarks: sunglasses (eyes),
 * a surgical/cloth mask (nose tip to chin), a hat (forehead and above).
 *
 * @module
 */
import { type Canvas, type Rgb, fillPolygon, coverPolygon, clearBox, ellipse, spline, strokePolygon } from './raster.ts';
import { shade } from './render.ts';

/** Occluder label of a synthetic image. */
export type OccluderKind = 'none' | 'sunglasses' | 'mask' | 'hat';

/** All occluder kinds except `'none'`, in the order the dataset draws them. */
export const OCCLUDER_KINDS: readonly Exclude<OccluderKind, 'none'>[] = ['sunglasses', 'mask', 'hat'];

/** What to draw: the kind, two colours and a shape variant in [0, 1). */
export interface OccluderSpec {
  kind: OccluderKind;
  color: Rgb;
  color2: Rgb;
  variant: number;
}

const X = (p: ArrayLike<number>, i: number) => p[2 * i]!;
const Y = (p: ArrayLike<number>, i: number) => p[2 * i + 1]!;

/** Draws the occluder (no-op for `'none'`). `p`: posed 68 landmarks. */
export function drawOccluder(c: Canvas, p: ArrayLike<number>, occ: OccluderSpec): void {
  if (occ.kind === 'sunglasses') drawSunglasses(c, p, occ);
  else if (occ.kind === 'mask') drawMask(c, p, occ);
  else if (occ.kind === 'hat') drawHat(c, p, occ);
}

function eyeCentre(p: ArrayLike<number>, a: number): [number, number] {
  let x = 0,
    y = 0;
  for (let i = a; i < a + 6; i++) {
    x += X(p, i);
    y += Y(p, i);
  }
  return [x / 6, y / 6];
}

function drawSunglasses(c: Canvas, p: ArrayLike<number>, o: OccluderSpec): void {
  const [lx, ly] = eyeCentre(p, 36),
    [rx, ry] = eyeCentre(p, 42);
  const ang = Math.atan2(ry - ly, rx - lx);
  const d = Math.hypot(rx - lx, ry - ly);
  const w = d * (0.36 + 0.06 * o.variant),
    h = d * (0.26 + 0.08 * o.variant);
  const frame = shade(o.color2, 0.5);
  for (const [cx, cy] of [
    [lx, ly + 0.8],
    [rx, ry + 0.8],
  ] as const) {
    fillPolygon(c, ellipse(cx, cy, w + 1.2, h + 1.2, ang, 28), frame);
    fillPolygon(c, ellipse(cx, cy, w, h, ang, 28), o.color);
    fillPolygon(c, ellipse(cx - w * 0.35, cy - h * 0.4, w * 0.35, h * 0.18, ang - 0.4, 14), [255, 255, 255], 0.18);
  }
  const ca = Math.cos(ang),
    sa = Math.sin(ang);
  // bridge and arms towards the ears
  const bridge = spline([lx + ca * w, ly + sa * w - 1, (lx + rx) / 2, (ly + ry) / 2 - 2, rx - ca * w, ry - sa * w - 1], false, 3);
  fillPolygon(c, strokePolygon(bridge, 1.6), frame);
  fillPolygon(c, strokePolygon([lx - ca * (w + 1), ly - sa * (w + 1) - 1, X(p, 0) + 1, Y(p, 0) - 1], 1.8), frame);
  fillPolygon(c, strokePolygon([rx + ca * (w + 1), ry + sa * (w + 1) - 1, X(p, 16) - 1, Y(p, 16) - 1], 1.8), frame);
}

function drawMask(c: Canvas, p: ArrayLike<number>, o: OccluderSpec): void {
  // top edge over the nose bridge, sides along the jaw, bottom below the chin
  const top = [X(p, 1) + 0.5, Y(p, 1), X(p, 2) + 6, Y(p, 29) + 1, X(p, 29), Y(p, 29) - 1.5, X(p, 14) - 6, Y(p, 29) + 1, X(p, 15) - 0.5, Y(p, 15)];
  const jaw: number[] = [];
  for (let i = 14; i >= 2; i--) {
    const outward = i === 8 ? 2.5 : 1;
    jaw.push(X(p, i) + (i > 8 ? outward : i < 8 ? -outward : 0), Y(p, i) + (i >= 5 && i <= 11 ? 2 : 0.5));
  }
  const poly = spline([...top, ...jaw], true, 2);
  const b = coverPolygon(c, poly, c.clip);
  fillPolygon(c, poly, (_x, y, out) => {
    const k = 1 - 0.12 * Math.abs(Math.sin((y - Y(p, 29)) * 0.55));
    out[0] = o.color[0] * k;
    out[1] = o.color[1] * k;
    out[2] = o.color[2] * k;
  });
  // pleats
  for (const t of [0.35, 0.55, 0.75]) {
    const y = Y(p, 29) + (Y(p, 8) - Y(p, 29)) * t;
    const xl = X(p, 3) + 3,
      xr = X(p, 13) - 3;
    fillPolygon(c, strokePolygon([xl, y + 1, (xl + xr) / 2, y, xr, y + 1], 0.8), shade(o.color, 0.75), 0.6, true);
  }
  clearBox(c, b, c.clip);
  // straps to the ears
  for (const [a, b] of [
    [1, 0],
    [15, 16],
  ] as const) {
    fillPolygon(c, strokePolygon([X(p, a), Y(p, a) + 1, X(p, b) + (a === 1 ? -3 : 3), Y(p, b) - 3], 1.4), shade(o.color, 0.9));
  }
}

function drawHat(c: Canvas, p: ArrayLike<number>, o: OccluderSpec): void {
  const ang = Math.atan2(Y(p, 16) - Y(p, 0), X(p, 16) - X(p, 0));
  const ca = Math.cos(ang),
    sa = Math.sin(ang);
  const cx = (X(p, 0) + X(p, 16)) / 2,
    browY = (Y(p, 19) + Y(p, 24)) / 2;
  const half = (X(p, 16) - X(p, 0)) / 2;
  const gap = 6 + 6 * o.variant; // brim height above the brows
  const by = browY - gap;
  const bx = cx + (browY - by) * sa; // follow the roll
  const rot = (u: number, v: number): [number, number] => [bx + ca * u - sa * v, by + sa * u + ca * v];
  // crown: from the brim up beyond the top of the image
  const crown: number[] = [];
  for (const [u, v] of [
    [-half - 2, 0],
    [-half + 1, -30],
    [-half * 0.6, -60],
    [half * 0.6, -60],
    [half - 1, -30],
    [half + 2, 0],
    [0, 2.5],
  ] as const)
    crown.push(...rot(u, v));
  fillPolygon(c, spline(crown, true, 3), (_x, y, out) => {
    const k = 0.8 + 0.25 * Math.max(0, Math.min(1, (y - by + 40) / 40));
    out[0] = o.color[0] * k;
    out[1] = o.color[1] * k;
    out[2] = o.color[2] * k;
  });
  // band and brim
  const band: number[] = [];
  for (const [u, v] of [
    [-half - 1.5, -1],
    [0, 1.5],
    [half + 1.5, -1],
    [half + 1, -6],
    [0, -3.5],
    [-half - 1, -6],
  ] as const)
    band.push(...rot(u, v));
  fillPolygon(c, spline(band, true, 3), o.color2);
  const brimW = half + 6 + 10 * o.variant;
  const brim: number[] = [];
  for (let k = 0; k < 24; k++) {
    const t = (2 * Math.PI * k) / 24;
    brim.push(...rot(brimW * Math.cos(t), 1 + 2.6 * Math.sin(t) + (Math.sin(t) > 0 ? 1.5 * Math.sin(t) : 0)));
  }
  fillPolygon(c, brim, shade(o.color, 0.85));
}
