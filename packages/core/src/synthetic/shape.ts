/**
 * Landmark geometry of a synthetic face: the template deformed by identity and expression in a
 * canonical frontal frame, then posed (yaw through a depth model, roll, scale, shift) into the image.
 *
 * @module
 */
import { TEMPLATE_68 } from '../geometry.ts';
import type { IdentityParams } from './identity.ts';

/** Per-image expression; all in [0, 1] except gaze (−1…1). */
export interface Expression {
  smile: number;
  open: number;
  browRaise: number;
  blink: number;
  gazeX: number;
  gazeY: number;
}

/** Per-image head pose; angles in radians, shift in pixels. */
export interface Pose {
  yaw: number;
  roll: number;
  scale: number;
  dx: number;
  dy: number;
}

/** Centre of the canonical face (between the eyes and the mouth), in the 110 frame. */
export const FACE_CX = 54.5;
export const FACE_CY = 62;
/** Depth of the head ellipsoid at the face centre (pixels). */
const HEAD_DEPTH = 38;

const EYE_L = [36, 37, 38, 39, 40, 41];
const EYE_R = [42, 43, 44, 45, 46, 47];
const BROW_L = [17, 18, 19, 20, 21];
const BROW_R = [22, 23, 24, 25, 26];
/** Extra depth (towards the camera) of nose and lips, by landmark. */
const BUMP: Record<number, number> = { 27: 3, 28: 6, 29: 9, 30: 13, 31: 6, 32: 8, 33: 10, 34: 8, 35: 6, 48: 1, 51: 4, 54: 1, 57: 3, 62: 4, 66: 3 };

function centroid(p: Float64Array, idx: number[]): [number, number] {
  let x = 0,
    y = 0;
  for (const i of idx) {
    x += p[2 * i]!;
    y += p[2 * i + 1]!;
  }
  return [x / idx.length, y / idx.length];
}

function rotateAbout(p: Float64Array, idx: number[], cx: number, cy: number, ang: number, sx = 1, sy = 1): void {
  const c = Math.cos(ang),
    s = Math.sin(ang);
  for (const i of idx) {
    const u = (p[2 * i]! - cx) * sx,
      v = (p[2 * i + 1]! - cy) * sy;
    p[2 * i] = cx + c * u - s * v;
    p[2 * i + 1] = cy + s * u + c * v;
  }
}

/** The 68 landmarks of an identity with an expression, frontal, in the 110 frame (before pose). */
export function canonicalLandmarks(id: IdentityParams, ex: Expression): Float64Array {
  const p = Float64Array.from(TEMPLATE_68);
  const eyeY = (p[2 * 36 + 1]! + p[2 * 45 + 1]!) / 2;
  for (let i = 0; i < 68; i++) {
    // face width: full on the jaw, half on inner features
    const k = i <= 16 ? id.faceWidth : 1 + (id.faceWidth - 1) * 0.4;
    p[2 * i] = FACE_CX + (p[2 * i]! - FACE_CX) * k;
    // face length stretches everything below the eyes
    if (p[2 * i + 1]! > eyeY) p[2 * i + 1] = eyeY + (p[2 * i + 1]! - eyeY) * id.faceLength;
  }
  // jaw shape: pull the lower jaw in (pointed) or push it out (square)
  for (let i = 3; i <= 13; i++) {
    const w = Math.sin((Math.PI * (i - 2)) / 12) * (1 - Math.abs(i - 8) / 8);
    p[2 * i] = FACE_CX + (p[2 * i]! - FACE_CX) * (1 - 0.16 * id.jawShape * w);
  }
  // eyes: size, tilt, spacing, height
  for (const [eye, side] of [
    [EYE_L, -1],
    [EYE_R, 1],
  ] as const) {
    const [cx, cy] = centroid(p, eye);
    rotateAbout(p, eye, cx, cy, side * -id.eyeTilt, id.eyeSize, id.eyeSize);
    for (const i of eye) {
      p[2 * i] = p[2 * i]! + (side * id.eyeSpacing) / 2;
      p[2 * i + 1] = p[2 * i + 1]! + id.eyeHeight;
    }
    // blink: upper lid (37, 38 / 43, 44) moves towards the lower lid (41, 40 / 47, 46)
    const pairs =
      side < 0
        ? [
            [37, 41],
            [38, 40],
          ]
        : [
            [43, 47],
            [44, 46],
          ];
    for (const [u, l] of pairs) {
      const b = ex.blink * 0.92;
      p[2 * u! + 1] = p[2 * u! + 1]! + (p[2 * l! + 1]! - p[2 * u! + 1]!) * b;
    }
  }
  // brows: height, angle (about the inner end), arch, raise
  for (const [brow, side] of [
    [BROW_L, -1],
    [BROW_R, 1],
  ] as const) {
    const inner = side < 0 ? 21 : 22;
    rotateAbout(p, brow, p[2 * inner]!, p[2 * inner + 1]!, side * id.browAngle);
    for (const i of brow) {
      p[2 * i] = p[2 * i]! + (side * id.eyeSpacing) / 3;
      p[2 * i + 1] = p[2 * i + 1]! + id.browHeight + id.eyeHeight * 0.6 - ex.browRaise * 3.5;
    }
    const mid = side < 0 ? 19 : 24;
    p[2 * mid + 1] = p[2 * mid + 1]! - id.browArch;
    for (const j of [mid - 1, mid + 1]) p[2 * j + 1] = p[2 * j + 1]! - id.browArch * 0.5;
  }
  // nose: length from the bridge top (27), width of the base
  const ny = p[2 * 27 + 1]!;
  for (let i = 28; i <= 35; i++) p[2 * i + 1] = ny + (p[2 * i + 1]! - ny) * id.noseLength;
  for (let i = 31; i <= 35; i++) p[2 * i] = FACE_CX + (p[2 * i]! - FACE_CX) * id.noseWidth;
  const noseShift = p[2 * 33 + 1]! - TEMPLATE_68[2 * 33 + 1]!;
  // mouth: width, height (follows the nose a little), lip thickness, then expression
  const [mx, my] = centroid(p, [48, 54]);
  for (let i = 48; i <= 67; i++) {
    p[2 * i] = mx + (p[2 * i]! - mx) * id.mouthWidth;
    p[2 * i + 1] = p[2 * i + 1]! + id.mouthHeight + noseShift * 0.4;
  }
  const lineY = my + id.mouthHeight + noseShift * 0.4;
  for (let i = 49; i <= 53; i++) p[2 * i + 1] = lineY + (p[2 * i + 1]! - lineY) * id.lipThickness;
  for (let i = 55; i <= 59; i++) p[2 * i + 1] = lineY + (p[2 * i + 1]! - lineY) * id.lipThickness;
  // smile: corners up and out
  for (const [i, side] of [
    [48, -1],
    [54, 1],
    [60, -1],
    [64, 1],
  ] as const) {
    p[2 * i] = p[2 * i]! + side * 2 * ex.smile;
    p[2 * i + 1] = p[2 * i + 1]! - 3 * ex.smile;
  }
  for (const i of [49, 53, 61, 63]) p[2 * i + 1] = p[2 * i + 1]! - 1.2 * ex.smile;
  // open mouth: lower lip and chin drop
  const drop = 7 * ex.open;
  for (const i of [55, 56, 57, 58, 59, 65, 66, 67]) p[2 * i + 1] = p[2 * i + 1]! + drop * (i === 55 || i === 59 ? 0.7 : 1);
  for (let i = 4; i <= 12; i++) p[2 * i + 1] = p[2 * i + 1]! + drop * 0.6 * Math.sin((Math.PI * (i - 3)) / 10);
  return p;
}

/** Depth (towards the camera) of a canonical point on the head ellipsoid, plus a landmark bump. */
export function depthAt(x: number, faceWidth: number, landmark = -1): number {
  const u = (x - FACE_CX) / (40 * faceWidth);
  const z = HEAD_DEPTH * Math.sqrt(Math.max(0, 1 - u * u));
  return z + (landmark >= 0 ? (BUMP[landmark] ?? 0) : 0);
}

/**
 * Poses canonical points (x,y interleaved) into the image: yaw rotates about the vertical axis using
 * {@link depthAt}, then roll about the face centre, scale, shift. `landmarkIds` says whether point i
 * is landmark i (for the nose/lip bumps).
 */
export function posePoints(pts: ArrayLike<number>, pose: Pose, faceWidth: number, landmarkIds = false): Float64Array {
  const out = new Float64Array(pts.length);
  const cy = Math.cos(pose.yaw),
    sy = Math.sin(pose.yaw);
  const cr = Math.cos(pose.roll),
    sr = Math.sin(pose.roll);
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const x = pts[i]!,
      y = pts[i + 1]!;
    const z = depthAt(x, faceWidth, landmarkIds ? i >> 1 : -1) - HEAD_DEPTH;
    const x1 = (x - FACE_CX) * cy + z * sy;
    const y1 = y - FACE_CY;
    out[i] = FACE_CX + pose.dx + pose.scale * (cr * x1 - sr * y1);
    out[i + 1] = FACE_CY + pose.dy + pose.scale * (sr * x1 + cr * y1);
  }
  return out;
}
