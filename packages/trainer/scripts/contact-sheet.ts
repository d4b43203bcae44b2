/**
 * Renders a contact sheet of the synthetic face set: one row per identity, one column per image,
 * to look at (not to commit).
 *
 * Usage: pnpm exec tsx packages/trainer/scripts/contact-sheet.ts [--out /tmp/interpret-fr-contact.png]
 *   [--seed 1] [--identities 8] [--images 8] [--occluder-rate 0.25] [--scale 2] [--landmarks]
 *   [--first-identity 0]
 */
import sharp from 'sharp';
import { parseArgs } from 'node:util';
import { syntheticSample, FRAME_SIZE } from '@interpret-fr/core';
import { intOption } from '@interpret-fr/core/node';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/interpret-fr-contact.png' },
    seed: { type: 'string', default: '1' },
    identities: { type: 'string', default: '8' },
    images: { type: 'string', default: '8' },
    'occluder-rate': { type: 'string', default: '0.25' },
    scale: { type: 'string', default: '2' },
    'first-identity': { type: 'string', default: '0' },
    landmarks: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('contact-sheet.ts [--out PNG] [--seed N] [--identities N] [--images N] [--occluder-rate R] [--scale K] [--landmarks] [--first-identity N]');
  process.exit(0);
}
let rows: number, cols: number, k: number, first: number, seed: number, occluderRate: number;
try {
  rows = intOption(values.identities, 'identities', 8, { min: 1 });
  cols = intOption(values.images, 'images', 8, { min: 1 });
  k = intOption(values.scale, 'scale', 2, { min: 1, max: 16 });
  first = intOption(values['first-identity'], 'first-identity', 0, { min: 0 });
  seed = intOption(values.seed, 'seed', 1, { min: 0, max: 2 ** 32 - 1 });
  occluderRate = Number(values['occluder-rate']);
  if (!(occluderRate >= 0 && occluderRate <= 1)) throw new Error(`--occluder-rate: expected a number in [0, 1], got ${JSON.stringify(values['occluder-rate'])}`);
} catch (e) {
  process.stderr.write(`contact-sheet: ${(e as Error).message}\n`);
  process.exit(2);
}
const opts = { seed, identities: first + rows, imagesPerIdentity: cols, occluderRate };
const S = FRAME_SIZE,
  gap = 2,
  cell = S * k + gap;
const W = cols * cell + gap,
  H = rows * cell + gap;
const sheet = new Uint8Array(W * H * 3).fill(255);
for (let r = 0; r < rows; r++) {
  for (let c = 0; c < cols; c++) {
    const s = syntheticSample(opts, first + r, c);
    const ox = gap + c * cell,
      oy = gap + r * cell;
    for (let y = 0; y < S * k; y++) {
      for (let x = 0; x < S * k; x++) {
        const src = 3 * (Math.floor(y / k) * S + Math.floor(x / k)),
          dst = 3 * ((oy + y) * W + ox + x);
        sheet[dst] = s.pixels[src]!;
        sheet[dst + 1] = s.pixels[src + 1]!;
        sheet[dst + 2] = s.pixels[src + 2]!;
      }
    }
    if (values.landmarks) {
      for (let i = 0; i < 68; i++) {
        const px = Math.round(ox + (s.landmarks[2 * i]! + 0.5) * k - 0.5),
          py = Math.round(oy + (s.landmarks[2 * i + 1]! + 0.5) * k - 0.5);
        for (const [ddx, ddy] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ] as const) {
          const qx = px + ddx,
            qy = py + ddy;
          if (qx < ox || qy < oy || qx >= ox + S * k || qy >= oy + S * k) continue;
          const d = 3 * (qy * W + qx);
          sheet[d] = 0;
          sheet[d + 1] = 255;
          sheet[d + 2] = 0;
        }
      }
    }
  }
}
await sharp(sheet, { raw: { width: W, height: H, channels: 3 } })
  .png()
  .toFile(values.out!);
console.log(`wrote ${values.out} (${rows} identities × ${cols} images, seed ${opts.seed})`);
