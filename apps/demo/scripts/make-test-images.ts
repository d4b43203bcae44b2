/**
 * Writes the e2e test's two face images, `e2e/fixtures/face-a.png` and `face-b.png`: two images of the
 * same synthetic identity (core's generator, seed 2019, identity 3, images 0 and 1, no occluders),
 * 110×110 RGB PNG without metadata. Deterministic: rerunning gives the same bytes.
 *
 * Usage: pnpm --filter @interpret-fr/demo make-test-images
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { syntheticSample } from '@interpret-fr/core';

/** Generator settings of the committed images. */
export const TEST_IMAGE_SET = { seed: 2019, identities: 8, imagesPerIdentity: 4, occluderRate: 0 } as const;
export const TEST_IMAGES = [
  { file: 'face-a.png', identity: 3, index: 0 },
  { file: 'face-b.png', identity: 3, index: 1 },
] as const;

/** PNG bytes of one committed test image. */
export async function testImagePng(identity: number, index: number): Promise<Buffer> {
  const s = syntheticSample(TEST_IMAGE_SET, identity, index);
  return sharp(Buffer.from(s.pixels), { raw: { width: 110, height: 110, channels: 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/fixtures');
  mkdirSync(dir, { recursive: true });
  for (const t of TEST_IMAGES) {
    const png = await testImagePng(t.identity, t.index);
    const out = resolve(dir, t.file);
    writeFileSync(`${out}.tmp`, png);
    renameSync(`${out}.tmp`, out);
    console.log(`${out}: ${png.length} bytes (identity ${t.identity}, image ${t.index})`);
  }
}
