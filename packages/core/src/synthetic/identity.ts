/**
 * Identity parameters of a synthetic face: everything that stays fixed across one person's images.
 *
 * @module
 */
import type { Rng } from '../rng.ts';
import type { Rgb } from './raster.ts';

/** Hair styles; `bald` keeps a thin fringe of hair at the sides only. */
export type HairStyle = 'short' | 'fringe' | 'sidePart' | 'long' | 'curly' | 'bald';

/** Stable, per-identity appearance. Lengths are in pixels of the 110 frame; factors are relative to the template. */
export interface IdentityParams {
  faceWidth: number;
  /** > 0: pointed chin, < 0: square jaw. */
  jawShape: number;
  faceLength: number;
  skin: Rgb;
  blush: number;
  eyeSize: number;
  eyeSpacing: number;
  eyeHeight: number;
  eyeTilt: number;
  iris: Rgb;
  irisSize: number;
  browThickness: number;
  browAngle: number;
  browHeight: number;
  browArch: number;
  browColor: Rgb;
  noseLength: number;
  noseWidth: number;
  mouthWidth: number;
  mouthHeight: number;
  lipThickness: number;
  lip: Rgb;
  hair: Rgb;
  hairStyle: HairStyle;
  /** Gap between brows and hairline, pixels. */
  hairline: number;
  /** Extra hair volume around the head, pixels. */
  hairVolume: number;
  /** Side of the parting / sweep: −1 or 1. */
  hairSide: number;
  /** 0: none, otherwise beard opacity. */
  beard: number;
  moustache: number;
  earSize: number;
  /** Mole position relative to the face centre (pixels) or null. */
  mole: [number, number] | null;
}

const SKIN: Rgb[] = [
  [250, 220, 196],
  [241, 194, 160],
  [224, 172, 130],
  [198, 142, 100],
  [170, 112, 76],
  [128, 82, 54],
  [92, 58, 40],
];
const HAIR: Rgb[] = [
  [22, 18, 16],
  [45, 32, 24],
  [78, 52, 32],
  [116, 76, 44],
  [150, 88, 48],
  [196, 160, 104],
  [228, 206, 150],
  [150, 146, 142],
  [210, 208, 204],
];
const IRIS: Rgb[] = [
  [60, 36, 22],
  [96, 62, 34],
  [120, 96, 50],
  [84, 112, 70],
  [70, 110, 160],
  [110, 126, 140],
];
const STYLES: HairStyle[] = ['short', 'short', 'fringe', 'sidePart', 'long', 'long', 'curly', 'bald'];

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)]!;
}

function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  const k = rng.uniform(1 - amount, 1 + amount);
  return [c[0] * k * rng.uniform(0.96, 1.04), c[1] * k * rng.uniform(0.96, 1.04), c[2] * k * rng.uniform(0.96, 1.04)];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Samples one identity from its own generator (the dataset gives each identity an `Rng` derived from (seed, identity)). */
export function sampleIdentity(rng: Rng): IdentityParams {
  const tone = rng.uniform(0, SKIN.length - 1);
  const lo = Math.floor(tone);
  const skin = jitter(rng, mix(SKIN[lo]!, SKIN[Math.min(SKIN.length - 1, lo + 1)]!, tone - lo), 0.04);
  // darker skins tend to have darker hair and eyes
  const dark = tone / (SKIN.length - 1);
  const hairIdx = rng.float() < dark ? rng.int(3) : rng.int(HAIR.length);
  const hair = jitter(rng, HAIR[hairIdx]!, 0.08);
  const iris = jitter(rng, IRIS[rng.float() < dark ? rng.int(2) : rng.int(IRIS.length)]!, 0.1);
  const style = pick(rng, STYLES);
  const male = rng.float() < 0.5;
  const beardDraw = rng.float();
  const moleDraw = rng.float();
  const moleX = rng.uniform(-26, 26),
    moleY = rng.uniform(-12, 22);
  const lipBase: Rgb = mix(skin, [172, 62, 74], rng.uniform(0.45, 0.75));
  return {
    faceWidth: rng.uniform(0.86, 1.12),
    jawShape: rng.uniform(-1, 1),
    faceLength: rng.uniform(0.9, 1.1),
    skin,
    blush: rng.uniform(0, 0.35),
    eyeSize: rng.uniform(0.8, 1.25),
    eyeSpacing: rng.uniform(-3.5, 3.5),
    eyeHeight: rng.uniform(-2, 2),
    eyeTilt: rng.uniform(-0.18, 0.18),
    iris,
    irisSize: rng.uniform(0.36, 0.48),
    browThickness: male ? rng.uniform(2.4, 4.2) : rng.uniform(1.3, 2.8),
    browAngle: rng.uniform(-0.22, 0.22),
    browHeight: rng.uniform(-2.5, 2),
    browArch: rng.uniform(0, 2.5),
    browColor: mix(hair, [20, 15, 12], hairIdx >= 5 ? 0.45 : 0.15),
    noseLength: rng.uniform(0.85, 1.2),
    noseWidth: rng.uniform(0.75, 1.35),
    mouthWidth: rng.uniform(0.82, 1.2),
    mouthHeight: rng.uniform(-2, 2.5),
    lipThickness: rng.uniform(0.6, 1.5),
    lip: jitter(rng, lipBase, 0.06),
    hair,
    hairStyle: style,
    hairline: style === 'fringe' ? rng.uniform(5, 9) : rng.uniform(12, 24),
    hairVolume: style === 'curly' ? rng.uniform(8, 14) : style === 'bald' ? rng.uniform(0.3, 1) : rng.uniform(1, 6),
    hairSide: rng.float() < 0.5 ? -1 : 1,
    beard: male && beardDraw < 0.35 ? rng.uniform(0.35, 0.9) : 0,
    moustache: male && beardDraw < 0.5 ? rng.uniform(0.4, 0.9) : 0,
    earSize: rng.uniform(0.85, 1.2),
    mole: moleDraw < 0.3 ? [moleX, moleY] : null,
  };
}
