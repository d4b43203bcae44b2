/**
 * Outlines around the landmarks (skull, hair, ears, neck, beard), built in the canonical frontal
 * frame from the canonical landmarks so that posing moves them together with the face.
 *
 * @module
 */
import type { IdentityParams } from './identity.ts';

/** Canonical outlines (x,y interleaved polygons); empty arrays are not drawn. */
export interface HeadOutlines {
  skin: number[];
  hairBack: number[];
  hairFront: number[][];
  earL: number[];
  earR: number[];
  neck: number[];
  beard: number[];
}

const X = (p: ArrayLike<number>, i: number) => p[2 * i]!;
const Y = (p: ArrayLike<number>, i: number) => p[2 * i + 1]!;

function ellipsePts(cx: number, cy: number, rx: number, ry: number, n: number): number[] {
  const o: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    o.push(cx + rx * Math.cos(t), cy + ry * Math.sin(t));
  }
  return o;
}

/** Builds the outlines for canonical landmarks `p` of identity `id`. */
export function headOutlines(p: ArrayLike<number>, id: IdentityParams): HeadOutlines {
  const cx = (X(p, 0) + X(p, 16)) / 2;
  const y0 = (Y(p, 0) + Y(p, 16)) / 2;
  const ax = (X(p, 16) - X(p, 0)) / 2 + 1;
  const browY = Math.min(Y(p, 19), Y(p, 24));
  const top = browY - 42; // top of the skull
  const ay = y0 - top;
  // skin: jaw 0..16, then the skull arc from the right temple over the top to the left
  const skin: number[] = [];
  for (let i = 0; i <= 16; i++) skin.push(X(p, i), Y(p, i));
  for (let k = 1; k < 24; k++) {
    const t = (Math.PI * k) / 24;
    skin.push(cx + ax * Math.cos(t), y0 - ay * Math.sin(t));
  }

  const vol = id.hairVolume;
  const hx = ax + vol,
    hy = ay + vol;
  const hairlineY = browY - id.hairline;
  const style = id.hairStyle;
  const curly = style === 'curly';
  const bump = (t: number) => (curly ? 2.2 * Math.abs(Math.sin(9 * t)) : 0);
  const long = style === 'long' || style === 'curly';
  // outer boundary from the left side (low) over the top to the right side
  const sideLow = long ? 118 : style === 'bald' ? y0 - 2 : y0 + 4;
  const outer: number[] = [];
  outer.push(cx - hx, sideLow);
  for (let k = 0; k <= 28; k++) {
    const t = Math.PI + (Math.PI * k) / 28; // π … 2π (left, top, right)
    const r = 1 + bump(t) / hx;
    outer.push(cx + hx * r * Math.cos(t), y0 + hy * r * Math.sin(t));
  }
  outer.push(cx + hx, sideLow);
  // inner boundary (hairline) from right to left
  const inner: number[] = [];
  if (style === 'bald') {
    // shaved head: a faint stubble shadow over the scalp down to a receding hairline
    for (let k = 0; k <= 20; k++) {
      const sx = 1 - k / 10;
      inner.push(cx + sx * (ax - 1), hairlineY - 8 + Math.abs(sx) ** 2.5 * (y0 - hairlineY + 4));
    }
  } else {
    if (long) {
      inner.push(X(p, 13) + 1.5, 118);
      for (let i = 13; i <= 16; i++) inner.push(X(p, i) + 1, Y(p, i));
    } else inner.push(X(p, 16) + 0.5, Y(p, 16) - 3);
    const n = 20;
    for (let k = 0; k <= n; k++) {
      const s = 1 - (2 * k) / n; // 1 (right) … −1 (left)
      const x = cx + s * (ax - 1);
      let y = hairlineY + Math.abs(s) ** 3.5 * (y0 - 4 - hairlineY);
      if (style === 'sidePart') y += id.hairSide * s * 5 - 2;
      if (style === 'fringe') y += (k % 2 === 0 ? 1.6 : -1.2) + 2 * Math.abs(s) ** 2;
      if (curly) y += bump(k) * 0.8;
      inner.push(x, y);
    }
    if (long) {
      for (let i = 0; i <= 3; i++) inner.push(X(p, i) - 1, Y(p, i));
      inner.push(X(p, 3) - 1.5, 118);
    } else inner.push(X(p, 0) - 0.5, Y(p, 0) - 3);
  }
  return finish(p, id, skin, long ? [cx - hx - 5, 118, ...outer.slice(2, -2), cx + hx + 5, 118] : [], [outer.concat(inner)], cx);
}

function finish(p: ArrayLike<number>, id: IdentityParams, skin: number[], hairBack: number[], hairFront: number[][], cx: number): HeadOutlines {
  const ery = 9 * id.earSize,
    erx = 4.2 * id.earSize;
  const earY = (Y(p, 0) + Y(p, 2)) / 2 + 1;
  const earL = ellipsePts(X(p, 1) - erx * 0.55, earY, erx, ery, 18);
  const earR = ellipsePts(X(p, 15) + erx * 0.55, earY, erx, ery, 18);
  const nw = (X(p, 12) - X(p, 4)) / 2;
  const neck = [X(p, 4) + 2, Y(p, 4) - 6, X(p, 12) - 2, Y(p, 12) - 6, cx + nw * 0.95, 118, cx - nw * 0.95, 118];
  const beard: number[] = [];
  if (id.beard > 0) {
    for (let i = 2; i <= 14; i++) beard.push(X(p, i) + (i < 8 ? -0.6 : i > 8 ? 0.6 : 0), Y(p, i) + (i === 8 ? 1 : 0.5));
    const lerp = (a: number, b: number, t: number) => [X(p, a) + (X(p, b) - X(p, a)) * t, Y(p, a) + (Y(p, b) - Y(p, a)) * t];
    beard.push(...lerp(14, 54, 0.4), X(p, 54) + 2, Y(p, 54) + 1);
    for (const i of [55, 56, 57, 58, 59]) beard.push(X(p, i), Y(p, i) + 2.5);
    beard.push(X(p, 48) - 2, Y(p, 48) + 1, ...lerp(2, 48, 0.4));
  }
  return { skin, hairBack, hairFront, earL, earR, neck, beard };
}
