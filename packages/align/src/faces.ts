/**
 * Helpers over detected faces: which face a one-face-per-image dataset means, and the iBUG-68
 * mirror permutation (for flip-consistency checks and mirrored training data).
 *
 * @module
 */
import type { DetectedFace } from './detector.ts';

function mirrorPairs(): Int32Array {
  const p = Int32Array.from({ length: 68 }, (_, i) => i);
  const pair = (a: number, b: number): void => {
    p[a] = b;
    p[b] = a;
  };
  for (let i = 0; i < 8; i++) pair(i, 16 - i); // jaw
  for (let i = 0; i < 5; i++) pair(17 + i, 26 - i); // brows
  pair(31, 35);
  pair(32, 34); // nostrils
  pair(36, 45);
  pair(37, 44);
  pair(38, 43);
  pair(39, 42);
  pair(40, 47);
  pair(41, 46); // eyes
  pair(48, 54);
  pair(49, 53);
  pair(50, 52);
  pair(55, 59);
  pair(56, 58); // outer lips
  pair(60, 64);
  pair(61, 63);
  pair(65, 67); // inner lips
  return p;
}

/** iBUG-68 index of each point's mirror partner (its own index on the midline). */
export const FLIP_68: Int32Array = mirrorPairs();

/**
 * Landmarks of the horizontally mirrored image (x → width − 1 − x), re-indexed so that point i is
 * still the iBUG-68 point i (the subject's right eye stays at 36–41).
 */
export function flipLandmarks68(lm: ArrayLike<number>, width: number): Float32Array {
  const out = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const j = FLIP_68[i]!;
    out[2 * i] = width - 1 - lm[2 * j]!;
    out[2 * i + 1] = lm[2 * j + 1]!;
  }
  return out;
}

/**
 * The face a one-subject photo means (LFW, ORL, an ID photo): among faces whose box contains the
 * image centre, the largest; when none does, the one whose box centre is nearest to the image
 * centre. Returns the index into `faces`, or −1 when empty.
 */
export function chooseFace(faces: readonly Pick<DetectedFace, 'box'>[], width: number, height: number): number {
  const cx = width / 2,
    cy = height / 2;
  let best = -1,
    bestArea = -1;
  faces.forEach((f, i) => {
    const b = f.box;
    if (cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height && b.width * b.height > bestArea) {
      best = i;
      bestArea = b.width * b.height;
    }
  });
  if (best >= 0) return best;
  let bestD = Infinity;
  faces.forEach((f, i) => {
    const d = Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}
