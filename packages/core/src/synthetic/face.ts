/**
 * One synthetic face image from fully specified parameters (pure: the same parameters give the same
 * bytes), and the sampler of the per-image nuisance.
 *
 * @module
 */
import { Rng } from '../rng.ts';
import { FRAME_SIZE } from '../geometry.ts';
import { type Canvas, type Rgb, makeCanvas, fillPolygon, ellipse, gaussianBlur, toBytes } from './raster.ts';
import type { IdentityParams } from './identity.ts';
import { type Expression, type Pose, canonicalLandmarks, posePoints } from './shape.ts';
import { headOutlines, type HeadOutlines } from './head.ts';
import { drawFace } from './render.ts';
import { type OccluderSpec, type OccluderKind, OCCLUDER_KINDS, drawOccluder } from './occluders.ts';

/** Per-image scene: background, clothes, lighting, camera noise and blur. */
export interface SceneParams {
  bgTop: Rgb;
  bgBottom: Rgb;
  shirt: Rgb;
  /** Direction the light comes from (radians, image coordinates). */
  lightAngle: number;
  /** Relative brightness change across the face radius (0 = flat). */
  lightStrength: number;
  brightness: number;
  /** Per-channel gain (white balance). */
  tint: Rgb;
  /** Standard deviation of the pixel noise (0–255 units). */
  noise: number;
  /** Gaussian blur sigma in pixels (0 = none). */
  blur: number;
  /** Seed of the noise pattern. */
  noiseSeed: number;
}

/** Everything that determines one synthetic image. */
export interface SyntheticFaceParams {
  identity: IdentityParams;
  expression: Expression;
  pose: Pose;
  scene: SceneParams;
  occluder: OccluderSpec;
}

/** A rendered face: 110×110 RGB bytes (HWC) and its 68 landmarks (x,y interleaved, 110 frame). */
export interface SyntheticFace {
  pixels: Uint8Array;
  landmarks: Float32Array;
}

let cached: Canvas | null = null;

function posedOutlines(o: HeadOutlines, pose: Pose, fw: number): HeadOutlines {
  const f = (a: number[]) => (a.length ? Array.from(posePoints(a, pose, fw)) : a);
  return {
    skin: f(o.skin),
    hairBack: f(o.hairBack),
    hairFront: o.hairFront.map(f),
    earL: f(o.earL),
    earR: f(o.earR),
    neck: f(o.neck),
    beard: f(o.beard),
  };
}

/** Margin (pixels) kept between every landmark and the image border. */
const MARGIN = 1;

/** Shifts the pose so that every landmark lies inside [MARGIN, S − 1 − MARGIN] (a no-op for most images). */
function keepInside(lm: Float64Array, pose: Pose): Pose {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < lm.length; i += 2) {
    x0 = Math.min(x0, lm[i]!);
    x1 = Math.max(x1, lm[i]!);
    y0 = Math.min(y0, lm[i + 1]!);
    y1 = Math.max(y1, lm[i + 1]!);
  }
  const hi = FRAME_SIZE - 1 - MARGIN;
  const sx = x0 < MARGIN ? MARGIN - x0 : x1 > hi ? hi - x1 : 0;
  const sy = y0 < MARGIN ? MARGIN - y0 : y1 > hi ? hi - y1 : 0;
  return sx === 0 && sy === 0 ? pose : { ...pose, dx: pose.dx + sx, dy: pose.dy + sy };
}

/** Renders one face (110×110 RGB) with its landmarks. */
export function generateSyntheticFace(params: SyntheticFaceParams): SyntheticFace {
  const { identity: id, expression: ex, pose: pose0, scene: sc, occluder } = params;
  const S = FRAME_SIZE;
  const c = (cached ??= makeCanvas(S, S));
  const canon = canonicalLandmarks(id, ex);
  const pose = keepInside(posePoints(canon, pose0, id.faceWidth, true), pose0);
  const lm = posePoints(canon, pose, id.faceWidth, true);
  const outlines = posedOutlines(headOutlines(canon, id), pose, id.faceWidth);
  // background: vertical gradient
  const rgb = c.rgb;
  for (let y = 0; y < S; y++) {
    const t = y / (S - 1);
    const r = sc.bgTop[0] + (sc.bgBottom[0] - sc.bgTop[0]) * t;
    const g = sc.bgTop[1] + (sc.bgBottom[1] - sc.bgTop[1]) * t;
    const b = sc.bgTop[2] + (sc.bgBottom[2] - sc.bgTop[2]) * t;
    for (let x = 0; x < S; x++) {
      const j = 3 * (y * S + x);
      rgb[j] = r;
      rgb[j + 1] = g;
      rgb[j + 2] = b;
    }
  }
  // shoulders
  const chinY = lm[2 * 8 + 1]!;
  fillPolygon(c, ellipse(lm[2 * 8]! + pose.dx * 0.3, chinY + 34, 62 * pose.scale, 26, pose.roll * 0.5, 36), sc.shirt);
  const lightSide = Math.cos(sc.lightAngle) >= 0 ? 1 : -1;
  drawFace(c, lm, outlines, id, lightSide, [ex.gazeX, ex.gazeY]);
  drawOccluder(c, lm, occluder);
  // blur, then lighting gradient × brightness × white balance + noise in one pass (the gradient is
  // linear, so it commutes with the blur)
  gaussianBlur(c, sc.blur);
  const ca = Math.cos(sc.lightAngle),
    sa = Math.sin(sc.lightAngle);
  const half = S / 2;
  // approximately Gaussian noise from the sum of 4 uniform bytes (sd of the sum = 147.8)
  const rng = new Rng(sc.noiseSeed);
  const nk = sc.noise / 147.8;
  const t0 = sc.tint[0],
    t1 = sc.tint[1],
    t2 = sc.tint[2];
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const k = sc.brightness * (1 - sc.lightStrength * (((x - half) * ca + (y - half) * sa) / half));
      const j = 3 * (y * S + x);
      let u = rng.nextU32();
      rgb[j] = rgb[j]! * k * t0 + ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) * nk;
      u = rng.nextU32();
      rgb[j + 1] = rgb[j + 1]! * k * t1 + ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) * nk;
      u = rng.nextU32();
      rgb[j + 2] = rgb[j + 2]! * k * t2 + ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) * nk;
    }
  }
  return { pixels: toBytes(c), landmarks: Float32Array.from(lm) };
}

function colour(rng: Rng, lo: number, hi: number): Rgb {
  return [rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(lo, hi)];
}

const DEG = Math.PI / 180;

/** Samples the per-image nuisance (expression, pose, scene, occluder) from `rng`. */
export function sampleNuisance(rng: Rng, occluderRate: number): Omit<SyntheticFaceParams, 'identity'> {
  const expression: Expression = {
    smile: rng.float() < 0.4 ? rng.uniform(0.2, 1) : 0,
    open: rng.float() < 0.25 ? rng.uniform(0.2, 1) : 0,
    browRaise: rng.float() < 0.3 ? rng.uniform(0.3, 1) : 0,
    blink: rng.float() < 0.08 ? rng.uniform(0.7, 1) : 0,
    gazeX: rng.uniform(-0.6, 0.6),
    gazeY: rng.uniform(-0.5, 0.5),
  };
  const pose: Pose = {
    yaw: rng.uniform(-15, 15) * DEG,
    roll: rng.uniform(-10, 10) * DEG,
    scale: rng.uniform(0.93, 1.06),
    dx: rng.uniform(-3, 3),
    dy: rng.uniform(-3, 3),
  };
  const bgTop = colour(rng, 30, 230);
  const dark = rng.uniform(0.55, 1.05);
  const scene: SceneParams = {
    bgTop,
    bgBottom: [bgTop[0] * dark, bgTop[1] * dark, bgTop[2] * dark],
    shirt: colour(rng, 20, 230),
    lightAngle: rng.uniform(0, 2 * Math.PI),
    lightStrength: rng.uniform(0, 0.4),
    brightness: rng.uniform(0.8, 1.15),
    tint: [rng.uniform(0.94, 1.06), 1, rng.uniform(0.94, 1.06)],
    noise: rng.uniform(1, 6),
    blur: rng.float() < 0.5 ? 0 : rng.uniform(0.4, 1.1),
    noiseSeed: rng.nextU32(),
  };
  const occluded = rng.float() < occluderRate;
  const kind: OccluderKind = occluded ? OCCLUDER_KINDS[rng.int(OCCLUDER_KINDS.length)]! : 'none';
  const dim = rng.float() < 0.5;
  const occluder: OccluderSpec = {
    kind,
    color: dim ? colour(rng, 15, 60) : colour(rng, 60, 240),
    color2: colour(rng, 20, 200),
    variant: rng.float(),
  };
  if (kind === 'sunglasses') occluder.color = colour(rng, 10, 45);
  return { expression, pose, scene, occluder };
}
