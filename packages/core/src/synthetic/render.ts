/**
 * Draws a synthetic face from its posed landmarks (and outlines posed the same way), so the
 * landmarks are exactly consistent with the picture.
 *
 * @module
 */
import { type Canvas, type Rgb, type Shader, fillPolygon, coverPolygon, clearBox, ellipse, spline, strokePolygon } from './raster.ts';
import type { IdentityParams } from './identity.ts';
import type { HeadOutlines } from './head.ts';

const X = (p: ArrayLike<number>, i: number) => p[2 * i]!;
const Y = (p: ArrayLike<number>, i: number) => p[2 * i + 1]!;

/** Scales a colour. */
export function shade(c: Rgb, k: number): Rgb {
  return [c[0] * k, c[1] * k, c[2] * k];
}

function pick(p: ArrayLike<number>, idx: readonly number[], dx = 0, dy = 0): number[] {
  const o: number[] = [];
  for (const i of idx) o.push(X(p, i) + dx, Y(p, i) + dy);
  return o;
}

function mean(p: ArrayLike<number>, idx: number[]): [number, number] {
  let x = 0,
    y = 0;
  for (const i of idx) {
    x += X(p, i);
    y += Y(p, i);
  }
  return [x / idx.length, y / idx.length];
}

/** A shader that darkens a base colour towards the rim of an ellipse (round, lit-from-the-front look). */
function roundShader(base: Rgb, cx: number, cy: number, rx: number, ry: number, rim: number): Shader {
  return (x, y, out) => {
    const u = (x - cx) / rx,
      v = (y - cy) / ry;
    const k = Math.max(0.55, 1.06 - rim * (u * u + 0.6 * v * v));
    out[0] = base[0] * k;
    out[1] = base[1] * k;
    out[2] = base[2] * k;
  };
}

/** Draws head, hair and all facial features. `p`: posed 68 landmarks; `o`: posed outlines. */
export function drawFace(c: Canvas, p: ArrayLike<number>, o: HeadOutlines, id: IdentityParams, lightSide: number, gaze: readonly [number, number]): void {
  const skin = id.skin;
  const hairShade = roundShader(id.hair, (X(p, 0) + X(p, 16)) / 2, Y(p, 27) - 30, 55, 40, 0.35);
  if (o.hairBack.length) fillPolygon(c, o.hairBack, shade(id.hair, 0.8));
  fillPolygon(c, o.neck, roundShader(shade(skin, 0.86), (X(p, 4) + X(p, 12)) / 2, Y(p, 8) + 4, 22, 30, 0.5));
  for (const ear of [o.earL, o.earR]) {
    fillPolygon(c, ear, shade(skin, 0.88));
    const [ex, ey] = mean(
      ear,
      Array.from({ length: ear.length / 2 }, (_, i) => i),
    );
    fillPolygon(c, ellipse(ex, ey, 1.6, 4.5, 0, 14), shade(skin, 0.65), 0.6);
  }
  const fcx = (X(p, 0) + X(p, 16)) / 2,
    fcy = Y(p, 29);
  const frx = (X(p, 16) - X(p, 0)) / 2 + 2,
    fry = Y(p, 8) - fcy + 4;
  fillPolygon(c, spline(o.skin, true, 2), roundShader(skin, fcx + lightSide * 4, fcy - 4, frx, fry, 0.32));
  // soft shadow below the jaw line onto the neck
  fillPolygon(c, strokePolygon(spline(pick(p, [3, 5, 7, 8, 9, 11, 13], 0, 1.8), false, 3), 2.4), shade(skin, 0.55), 0.35);
  // cheeks
  if (id.blush > 0.02) {
    for (const [a, b] of [
      [2, 48],
      [14, 54],
    ] as const) {
      const cx = (X(p, a) + X(p, b)) / 2,
        cy = (Y(p, a) + Y(p, b)) / 2 - 4;
      fillPolygon(c, ellipse(cx, cy, 6, 4.5), [skin[0] * 1.05 + 20, skin[1] * 0.85, skin[2] * 0.85], id.blush);
    }
  }
  if (id.mole) {
    const [mx, my] = id.mole;
    // the mole is given relative to the canonical face centre; place it by the nose/eye frame
    const ux = (X(p, 45) - X(p, 36)) / 38,
      uy = (Y(p, 45) - Y(p, 36)) / 38;
    const bx = X(p, 30) + ux * mx - uy * my,
      by = Y(p, 30) + uy * mx + ux * my;
    fillPolygon(c, ellipse(bx, by, 1.1, 1.1, 0, 10), shade(skin, 0.45), 0.9);
  }
  if (id.beard > 0) fillPolygon(c, spline(o.beard, true, 2), shade(id.hair, 0.85), id.beard);
  drawNose(c, p, skin, lightSide);
  drawMouth(c, p, id);
  if (id.moustache > 0) {
    const m = spline([X(p, 48) - 1, Y(p, 48) + 0.5, X(p, 50), Y(p, 50) - 1.8, X(p, 52), Y(p, 52) - 1.8, X(p, 54) + 1, Y(p, 54) + 0.5], false, 4);
    const nm = m.length / 2;
    const w = Array.from({ length: nm }, (_, i) => 0.8 + 2.4 * Math.sin((Math.PI * i) / (nm - 1)));
    fillPolygon(c, strokePolygon(m, w), shade(id.hair, 0.8), id.moustache);
  }
  drawEyes(c, p, id, gaze);
  drawBrows(c, p, id);
  const bald = id.hairStyle === 'bald';
  for (const h of o.hairFront) {
    const poly = spline(h, true, 1);
    const b = coverPolygon(c, poly, c.clip);
    fillPolygon(c, poly, hairShade, bald ? 0.3 : 1);
    if (!bald) {
      // a few strands for texture, clipped to the hair
      const cx = (X(p, 0) + X(p, 16)) / 2,
        top = Y(p, 19) - 26;
      for (let k = -3; k <= 3; k++) {
        const line = spline([cx + k * 7, top - 20, cx + k * 8.5 + 2 * id.hairSide, top, cx + k * 9.5 + 3 * id.hairSide, top + 12], false, 4);
        fillPolygon(c, strokePolygon(line, 1), shade(id.hair, 0.7), 0.35, true);
      }
    }
    clearBox(c, b, c.clip);
  }
}

function drawNose(c: Canvas, p: ArrayLike<number>, skin: Rgb, lightSide: number): void {
  const s = -lightSide; // shadow side
  fillPolygon(c, strokePolygon(spline(pick(p, [27, 28, 29, 30], s * 2.4, 0), false, 3), [0.4, 1, 1.6, 1.8, 1.8, 1.8, 1.6, 1.3, 1, 0.6]), shade(skin, 0.78), 0.22);
  const nw = (X(p, 35) - X(p, 31)) / 2;
  fillPolygon(c, ellipse(X(p, 33), Y(p, 33) + 1.2, nw * 0.95, 2.2), shade(skin, 0.7), 0.5);
  fillPolygon(c, ellipse(X(p, 30), Y(p, 30) + 0.5, 2.2, 1.8), shade(skin, 1.12), 0.35);
  for (const [a, b, sd] of [
    [31, 32, -1],
    [35, 34, 1],
  ] as const) {
    const nx = X(p, a) * 0.55 + X(p, b) * 0.45,
      ny = Y(p, a) * 0.55 + Y(p, b) * 0.45 - 0.3;
    fillPolygon(c, ellipse(nx, ny, 1.5 + nw * 0.08, 1.0, sd * 0.35, 12), shade(skin, 0.35), 0.85);
    const ala = spline([X(p, a) + sd * -0.5, Y(p, a) - 4.5, X(p, a) + sd * 1.5, Y(p, a) - 1.5, X(p, a), Y(p, a) + 0.5, X(p, b), Y(p, b) + 0.6], false, 3);
    fillPolygon(c, strokePolygon(ala, 0.9), shade(skin, 0.62), 0.5);
  }
}

function drawMouth(c: Canvas, p: ArrayLike<number>, id: IdentityParams): void {
  const lip = id.lip;
  fillPolygon(c, spline(pick(p, [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]), true, 3), lip);
  fillPolygon(c, spline(pick(p, [48, 49, 50, 51, 52, 53, 54, 64, 63, 62, 61, 60]), true, 3), shade(lip, 0.86));
  const gap = Y(p, 66) - Y(p, 62);
  if (gap > 3.2) {
    // the template's lips are 2.35 px apart: closed
    const inner = spline(pick(p, [60, 61, 62, 63, 64, 65, 66, 67]), true, 3);
    const b = coverPolygon(c, inner, c.clip);
    fillPolygon(c, inner, [70, 24, 30]);
    const teeth = spline([...pick(p, [60, 61, 62, 63, 64]), ...pick(p, [64, 63, 62, 61, 60], 0, Math.min(gap * 0.45, 3.2))], true, 2);
    fillPolygon(c, teeth, [232, 226, 212], 1, true);
    clearBox(c, b, c.clip);
  }
  fillPolygon(c, strokePolygon(spline(pick(p, [48, 60, 61, 62, 63, 64, 54]), false, 3), 0.9), shade(lip, 0.45), 0.8);
  fillPolygon(c, ellipse((X(p, 57) + X(p, 66)) / 2, (Y(p, 57) + Y(p, 66)) / 2, 3, 0.9), shade(lip, 1.2), 0.3);
}

function drawEyes(c: Canvas, p: ArrayLike<number>, id: IdentityParams, gaze: readonly [number, number]): void {
  for (const eye of [
    [36, 37, 38, 39, 40, 41],
    [42, 43, 44, 45, 46, 47],
  ]) {
    const [ex, ey] = mean(p, eye);
    const w = Math.hypot(X(p, eye[3]!) - X(p, eye[0]!), Y(p, eye[3]!) - Y(p, eye[0]!));
    const ang = Math.atan2(Y(p, eye[3]!) - Y(p, eye[0]!), X(p, eye[3]!) - X(p, eye[0]!));
    fillPolygon(c, ellipse(ex, ey - 2.5, w * 0.8, w * 0.42, ang), shade(id.skin, 0.8), 0.3);
    const outline = spline(pick(p, eye), true, 4);
    const b = coverPolygon(c, outline, c.clip);
    fillPolygon(c, outline, [236, 232, 226]);
    const gx = id.irisSize * w;
    const ix = ex + gaze[0] * w * 0.14,
      iy = ey + gaze[1] * w * 0.06;
    fillPolygon(c, ellipse(ix, iy, gx, gx, 0, 20), id.iris, 1, true);
    fillPolygon(c, ellipse(ix, iy, gx * 0.75, gx * 0.75, 0, 20), shade(id.iris, 0.7), 0.45, true);
    fillPolygon(c, ellipse(ix, iy, gx * 0.42, gx * 0.42, 0, 16), [12, 10, 10], 1, true);
    fillPolygon(c, ellipse(ix + gx * 0.35, iy - gx * 0.35, gx * 0.2, gx * 0.2, 0, 10), [255, 255, 255], 0.85, true);
    clearBox(c, b, c.clip);
    // upper lid with lashes, crease, lower lid
    const upper = spline(pick(p, [eye[0]!, eye[1]!, eye[2]!, eye[3]!]), false, 4);
    const n = upper.length / 2;
    fillPolygon(
      c,
      strokePolygon(
        upper,
        Array.from({ length: n }, (_, i) => 0.7 + 1.0 * Math.sin((Math.PI * i) / (n - 1))),
      ),
      [28, 20, 20],
      0.85,
    );
    const crease = spline(pick(p, [eye[0]!, eye[1]!, eye[2]!, eye[3]!], 0, -2.2), false, 4);
    fillPolygon(c, strokePolygon(crease, 0.8), shade(id.skin, 0.7), 0.35);
    const lower = spline(pick(p, [eye[3]!, eye[4]!, eye[5]!, eye[0]!]), false, 3);
    fillPolygon(c, strokePolygon(lower, 0.6), shade(id.skin, 0.55), 0.45);
  }
}

function drawBrows(c: Canvas, p: ArrayLike<number>, id: IdentityParams): void {
  for (const [brow, outerFirst] of [
    [[17, 18, 19, 20, 21], true],
    [[22, 23, 24, 25, 26], false],
  ] as const) {
    const line = spline(pick(p, brow), false, 4);
    const n = line.length / 2;
    const t = id.browThickness;
    const w = Array.from({ length: n }, (_, i) => {
      const u = outerFirst ? i / (n - 1) : 1 - i / (n - 1); // 0 outer … 1 inner
      return t * (0.45 + 0.55 * Math.min(1, u * 1.6));
    });
    fillPolygon(c, strokePolygon(line, w), id.browColor, 0.92);
  }
}
