/**
 * A tiny anti-aliased rasteriser for the synthetic faces: polygon coverage by 4 sub-scanlines with
 * exact horizontal span coverage, alpha compositing (optionally clipped by a second coverage mask),
 * smooth closed/open curves (Catmull-Rom), strokes, ellipses, Gaussian blur and cheap noise.
 * Coordinates follow geometry.ts: pixel (i, j) is centred on (i, j).
 *
 * @module
 */

/** An RGB float image (0–255), row-major HWC, with a reusable coverage buffer and a clip buffer. */
export interface Canvas {
  width: number;
  height: number;
  rgb: Float32Array;
  cov: Float32Array;
  clip: Float32Array;
}

/** Inclusive pixel bounds of a coverage mask (`x1 < x0` when empty). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** An RGB colour, 0–255. */
export type Rgb = readonly [number, number, number];

const SUB = 4;

/** Allocates a canvas. */
export function makeCanvas(width: number, height: number): Canvas {
  const n = width * height;
  return { width, height, rgb: new Float32Array(n * 3), cov: new Float32Array(n), clip: new Float32Array(n) };
}

const xsScratch = new Float64Array(512);

/**
 * Accumulates the even-odd coverage (0–1) of the closed polygon `pts` (x,y interleaved) into
 * `target` (which must be zero where the polygon lies) and returns the touched bounds.
 */
export function coverPolygon(c: Canvas, pts: ArrayLike<number>, target: Float32Array = c.cov): Box {
  const n = pts.length >> 1;
  const W = c.width,
    H = c.height;
  let minY = Infinity,
    maxY = -Infinity,
    minX = Infinity,
    maxX = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = pts[2 * i]! + 0.5,
      y = pts[2 * i + 1]! + 0.5;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
  }
  const box: Box = { x0: Math.max(0, Math.floor(minX)), y0: Math.max(0, Math.floor(minY)), x1: Math.min(W - 1, Math.floor(maxX)), y1: Math.min(H - 1, Math.floor(maxY)) };
  if (n < 3 || box.x1 < box.x0 || box.y1 < box.y0) return { x0: 1, y0: 1, x1: 0, y1: 0 };
  const xs = n <= 512 ? xsScratch : new Float64Array(n);
  const w = 1 / SUB;
  for (let row = box.y0; row <= box.y1; row++) {
    const base = row * W;
    for (let s = 0; s < SUB; s++) {
      const ys = row + (s + 0.5) * w;
      if (ys < minY || ys > maxY) continue;
      let k = 0;
      let px = pts[2 * n - 2]! + 0.5,
        py = pts[2 * n - 1]! + 0.5;
      for (let i = 0; i < n; i++) {
        const qx = pts[2 * i]! + 0.5,
          qy = pts[2 * i + 1]! + 0.5;
        if (py <= ys !== qy <= ys) xs[k++] = px + ((ys - py) * (qx - px)) / (qy - py);
        px = qx;
        py = qy;
      }
      // insertion sort (k is small)
      for (let i = 1; i < k; i++) {
        const v = xs[i]!;
        let j = i - 1;
        while (j >= 0 && xs[j]! > v) {
          xs[j + 1] = xs[j]!;
          j--;
        }
        xs[j + 1] = v;
      }
      for (let i = 0; i + 1 < k; i += 2) {
        const a = Math.max(0, xs[i]!),
          b = Math.min(W, xs[i + 1]!);
        if (b <= a) continue;
        const ia = Math.floor(a),
          ib = Math.floor(b);
        if (ia === ib) {
          target[base + ia]! += (b - a) * w;
          continue;
        }
        target[base + ia]! += (ia + 1 - a) * w;
        for (let p = ia + 1; p < ib; p++) target[base + p]! += w;
        if (ib < W) target[base + ib]! += (b - ib) * w;
      }
    }
  }
  return box;
}

/** Zeroes a mask inside a box. */
export function clearBox(c: Canvas, b: Box, target: Float32Array = c.cov): void {
  for (let y = b.y0; y <= b.y1; y++) target.fill(0, y * c.width + b.x0, y * c.width + b.x1 + 1);
}

/** Per-pixel colour for {@link paint}: writes RGB for pixel (x, y) into `out`. */
export type Shader = (x: number, y: number, out: Float32Array) => void;

const shadeOut = new Float32Array(3);

/**
 * Composites the coverage in `c.cov` (within `b`) over the image with colour `color` (or a shader)
 * at `opacity`, optionally multiplied by `c.clip`; then clears the coverage.
 */
export function paint(c: Canvas, b: Box, color: Rgb | Shader, opacity = 1, useClip = false): void {
  const { width: W, rgb, cov, clip } = c;
  const fn = typeof color === 'function' ? color : null;
  let r = 0,
    g = 0,
    bl = 0;
  if (!fn) [r, g, bl] = color as Rgb;
  for (let y = b.y0; y <= b.y1; y++) {
    for (let x = b.x0; x <= b.x1; x++) {
      const i = y * W + x;
      let a = cov[i]!;
      if (a <= 0) continue;
      cov[i] = 0;
      if (a > 1) a = 1;
      a *= opacity;
      if (useClip) a *= clip[i]!;
      if (a <= 0) continue;
      if (fn) {
        fn(x, y, shadeOut);
        r = shadeOut[0]!;
        g = shadeOut[1]!;
        bl = shadeOut[2]!;
      }
      const j = 3 * i;
      rgb[j] = rgb[j]! + (r - rgb[j]!) * a;
      rgb[j + 1] = rgb[j + 1]! + (g - rgb[j + 1]!) * a;
      rgb[j + 2] = rgb[j + 2]! + (bl - rgb[j + 2]!) * a;
    }
  }
}

/** Fills a polygon: {@link coverPolygon} then {@link paint}. */
export function fillPolygon(c: Canvas, pts: ArrayLike<number>, color: Rgb | Shader, opacity = 1, useClip = false): void {
  const b = coverPolygon(c, pts);
  if (b.x1 >= b.x0) paint(c, b, color, opacity, useClip);
}

/** Polygon approximating an ellipse centred (cx, cy) with semi-axes (rx, ry) rotated by `angle`. */
export function ellipse(cx: number, cy: number, rx: number, ry: number, angle = 0, segments = 28): Float64Array {
  const out = new Float64Array(2 * segments);
  const ca = Math.cos(angle),
    sa = Math.sin(angle);
  for (let i = 0; i < segments; i++) {
    const t = (2 * Math.PI * i) / segments;
    const u = rx * Math.cos(t),
      v = ry * Math.sin(t);
    out[2 * i] = cx + ca * u - sa * v;
    out[2 * i + 1] = cy + sa * u + ca * v;
  }
  return out;
}

/**
 * Catmull-Rom spline through the points (x,y interleaved), `per` samples per segment; closed
 * curves wrap around, open ones keep their end points.
 */
export function spline(pts: ArrayLike<number>, closed: boolean, per = 4): Float64Array {
  const n = pts.length >> 1;
  const segs = closed ? n : n - 1;
  const out = new Float64Array(2 * (segs * per + (closed ? 0 : 1)));
  const P = (i: number, k: number) => {
    const j = closed ? ((i % n) + n) % n : Math.min(n - 1, Math.max(0, i));
    return pts[2 * j + k]!;
  };
  let o = 0;
  for (let s = 0; s < segs; s++) {
    for (let q = 0; q < per; q++) {
      const t = q / per,
        t2 = t * t,
        t3 = t2 * t;
      for (let k = 0; k < 2; k++) {
        const p0 = P(s - 1, k),
          p1 = P(s, k),
          p2 = P(s + 1, k),
          p3 = P(s + 2, k);
        out[o + k] = 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
      }
      o += 2;
    }
  }
  if (!closed) {
    out[o] = pts[2 * n - 2]!;
    out[o + 1] = pts[2 * n - 1]!;
  }
  return out;
}

/**
 * Outline polygon of an open polyline drawn with a width that varies along it (`widths` per point,
 * or one width), for strokes such as brows and lid lines.
 */
export function strokePolygon(pts: ArrayLike<number>, widths: number | ArrayLike<number>): Float64Array {
  const n = pts.length >> 1;
  const out = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1),
      b = Math.min(n - 1, i + 1);
    let dx = pts[2 * b]! - pts[2 * a]!,
      dy = pts[2 * b + 1]! - pts[2 * a + 1]!;
    const len = Math.hypot(dx, dy) || 1;
    dx /= len;
    dy /= len;
    const h = (typeof widths === 'number' ? widths : widths[i]!) / 2;
    out[2 * i] = pts[2 * i]! - dy * h;
    out[2 * i + 1] = pts[2 * i + 1]! + dx * h;
    out[4 * n - 2 - 2 * i] = pts[2 * i]! + dy * h;
    out[4 * n - 1 - 2 * i] = pts[2 * i + 1]! - dx * h;
  }
  return out;
}

/** In-place separable Gaussian blur of the RGB image (edge-clamped). */
export function gaussianBlur(c: Canvas, sigma: number): void {
  if (sigma <= 0.05) return;
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  const { width: W, height: H, rgb } = c;
  // one padded line buffer, reused for rows then columns
  const n = Math.max(W, H);
  const line = new Float32Array(3 * (n + 2 * r));
  for (let y = 0; y < H; y++) blurLine(rgb, 3 * y * W, 3, W, k, r, line);
  for (let x = 0; x < W; x++) blurLine(rgb, 3 * x, 3 * W, H, k, r, line);
}

function blurLine(a: Float32Array, start: number, stride: number, n: number, k: Float32Array, r: number, line: Float32Array): void {
  for (let i = -r; i < n + r; i++) {
    const j = start + stride * (i < 0 ? 0 : i >= n ? n - 1 : i);
    const o = 3 * (i + r);
    line[o] = a[j]!;
    line[o + 1] = a[j + 1]!;
    line[o + 2] = a[j + 2]!;
  }
  const kl = k.length;
  for (let i = 0; i < n; i++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0;
    for (let t = 0, o = 3 * i; t < kl; t++, o += 3) {
      const w = k[t]!;
      s0 += w * line[o]!;
      s1 += w * line[o + 1]!;
      s2 += w * line[o + 2]!;
    }
    const j = start + stride * i;
    a[j] = s0;
    a[j + 1] = s1;
    a[j + 2] = s2;
  }
}

/** Rounds (half to even) and clamps the float image to 8-bit RGB. */
export function toBytes(c: Canvas, out: Uint8Array = new Uint8Array(c.rgb.length)): Uint8Array {
  new Uint8ClampedArray(out.buffer, out.byteOffset, out.length).set(c.rgb);
  return out;
}
