/**
 * Regenerates test/fixtures/expected-faces.json: the boxes and landmarks `detectFaces` gives on a
 * few real images (LFW-a, AT&T/ORL) from the shared data folder, for the smoke test's tolerances.
 * Rerun only when the detector pipeline changes on purpose; review the diff.
 *
 *   pnpm --filter @interpret-fr/align exec tsx scripts/make-expected.ts
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chooseFace, createFaceAligner, decodeImageFile } from '../src/node.ts';
import { SMOKE_IMAGES } from '../test/smoke-images.ts';

const data = process.env.INTERPRET_FR_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const aligner = await createFaceAligner();
const out: Record<string, { box: number[]; score: number; source: string; landmarks68: number[] }> = {};
for (const rel of SMOKE_IMAGES) {
  const { pixels } = await decodeImageFile(join(data, rel));
  const faces = await aligner.detectFaces(pixels, { fallback: 'center' });
  const f = faces[chooseFace(faces, pixels.width, pixels.height)]!;
  const r = (v: number) => Math.round(v * 100) / 100;
  out[rel] = { box: [f.box.x, f.box.y, f.box.width, f.box.height].map(r), score: r(f.score), source: f.source, landmarks68: Array.from(f.landmarks68, r) };
}
writeFileSync(resolve(import.meta.dirname, '../test/fixtures/expected-faces.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${Object.keys(out).length} faces`);
process.exit(0);
