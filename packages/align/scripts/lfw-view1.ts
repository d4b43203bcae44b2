/**
 * `tsx scripts/lfw-view1.ts [--pairs N] [--data DIR]`: LFW View 1 `pairsDevTest.txt` verification with
 * face-api's 128-d descriptor (Euclidean distance) on four crops of each LFW-a image:
 * - `aligned`: this package (TinyFaceDetector + flip-averaged 68 landmarks → template similarity →
 *   110×110 crop, resized to 150 for the descriptor);
 * - `face-api`: face-api's own pipeline (image padded with 125 px of black, SSD MobileNet v1,
 *   landmarks, descriptor on its aligned box), as the issue measured (≈ 97.4 %);
 * - `box`: the detector box made square, no landmarks (a crop without alignment);
 * - `centre`: the fixed centre 130×130 of the 250×250 LFW-a image (LFW-a's own rough alignment).
 * Accuracy at face-api's fixed threshold 0.6, and 10-fold cross-validated accuracy (threshold chosen
 * on 9 folds, applied to the 10th; no tuning on the scored fold). Images face-api's SSD misses count
 * as wrong for `face-api` (reported).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cropPixels, resizeBilinearPixels, type Pixels } from '@interpret-fr/core';
import { faceApiModule } from '../src/face-api-module.ts';
import { alignFace, chooseFace, createFaceAligner, decodeImageFile, loadFaceApi } from '../src/node.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string' }, data: { type: 'string' } } });
const data = values.data ?? process.env.INTERPRET_FR_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const lfw = join(data, 'lfw');
if (!existsSync(join(lfw, 'pairsDevTest.txt'))) {
  console.error(`lfw-view1: ${lfw}/pairsDevTest.txt not found`);
  process.exit(1);
}
const lines = readFileSync(join(lfw, 'pairsDevTest.txt'), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((l) => l.trim().split(/\s+/));
const img = (name: string, n: string) => `${name}/${name}_${n.padStart(4, '0')}.jpg`;
let pairs = lines.map((p) => (p.length === 3 ? { a: img(p[0]!, p[1]!), b: img(p[0]!, p[2]!), same: true } : { a: img(p[0]!, p[1]!), b: img(p[2]!, p[3]!), same: false }));
const limit = Number(values.pairs ?? pairs.length);
if (limit < pairs.length) {
  const same = pairs.filter((p) => p.same),
    diff = pairs.filter((p) => !p.same);
  pairs = [...same.slice(0, limit / 2), ...diff.slice(0, limit / 2)];
}
const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
console.log(`lfw-view1: ${pairs.length} pairs, ${images.length} images`);

const aligner = await createFaceAligner({ descriptor: true });
const faceapi = faceApiModule(await loadFaceApi());
const ssd = faceapi.nets.ssdMobilenetv1;
if (!ssd.isLoaded) await ssd.loadFromDisk(join(resolve(import.meta.dirname, '../node_modules/@vladmandic/face-api/model')));
const tf = faceapi.tf;
type Kind = 'aligned' | 'face-api' | 'box' | 'centre';
const KINDS: Kind[] = ['aligned', 'face-api', 'box', 'centre'];
const desc = new Map<string, Partial<Record<Kind, Float32Array>>>();
let ssdMissed = 0;
const t0 = performance.now();
for (const [k, rel] of images.entries()) {
  const { pixels } = await decodeImageFile(join(lfw, 'lfw-a', rel));
  const faces = await aligner.detectFaces(pixels, { fallback: 'center' });
  const f = faces[chooseFace(faces, pixels.width, pixels.height)]!;
  const aligned = alignFace(pixels, f.landmarks68).pixels;
  const s = Math.round(Math.max(f.box.width, f.box.height));
  const bx = Math.round(f.box.x + f.box.width / 2 - s / 2),
    by = Math.round(f.box.y + f.box.height / 2 - s / 2);
  const box = cropOrPad(pixels, bx, by, s);
  const centre = cropPixels(pixels, 60, 60, 130, 130);
  const d = await aligner.describe([aligned, box, centre]);
  const entry: Partial<Record<Kind, Float32Array>> = { aligned: d.slice(0, 128), box: d.slice(128, 256), centre: d.slice(256, 384) };
  // face-api's own pipeline, padded as in the issue
  const rgb = new Uint8Array(pixels.width * pixels.height * 3);
  for (let i = 0; i < pixels.width * pixels.height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = pixels.data[i * pixels.channels + Math.min(c, pixels.channels - 1)]!;
  const t = tf.tensor3d(rgb, [pixels.height, pixels.width, 3], 'int32');
  const padded = tf.pad(t, [
    [125, 125],
    [125, 125],
    [0, 0],
  ]);
  const r = await faceapi
    .detectSingleFace(padded as never, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
    .withFaceLandmarks()
    .withFaceDescriptor();
  t.dispose();
  padded.dispose();
  if (r) entry['face-api'] = r.descriptor;
  else ssdMissed++;
  desc.set(rel, entry);
  if ((k + 1) % 50 === 0) process.stderr.write(`${k + 1}/${images.length} images, ${((k + 1) / ((performance.now() - t0) / 1000)).toFixed(2)} images/s\n`);
}

function cropOrPad(p: Pixels, x: number, y: number, s: number): Pixels {
  const out = new Uint8Array(s * s * p.channels);
  for (let v = 0; v < s; v++)
    for (let u = 0; u < s; u++) {
      const xx = x + u,
        yy = y + v;
      if (xx < 0 || yy < 0 || xx >= p.width || yy >= p.height) continue;
      for (let c = 0; c < p.channels; c++) out[(v * s + u) * p.channels + c] = p.data[(yy * p.width + xx) * p.channels + c]!;
    }
  return resizeBilinearPixels({ data: out, width: s, height: s, channels: p.channels }, 150, 150);
}

const dist = (a?: Float32Array, b?: Float32Array) => {
  if (!a || !b) return Infinity;
  let s = 0;
  for (let i = 0; i < 128; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
};
const acc = (d: number[], same: boolean[], thr: number, idx: number[]) => idx.filter((i) => d[i]! < thr === same[i]).length / idx.length;
console.log(`\n${'crop'.padEnd(10)} acc@0.6   10-fold CV acc`);
for (const kind of KINDS) {
  const d = pairs.map((p) => dist(desc.get(p.a)![kind], desc.get(p.b)![kind]));
  const same = pairs.map((p) => p.same);
  const all = pairs.map((_, i) => i);
  const folds = 10;
  let cv = 0;
  for (let f = 0; f < folds; f++) {
    const test = all.filter((i) => i % folds === f),
      train = all.filter((i) => i % folds !== f);
    let best = 0.6,
      bestAcc = -1;
    for (const thr of [...new Set(train.map((i) => d[i]!).filter(Number.isFinite))].sort((a, b) => a - b)) {
      const a = acc(d, same, thr + 1e-9, train);
      if (a > bestAcc) {
        bestAcc = a;
        best = thr + 1e-9;
      }
    }
    cv += acc(d, same, best, test) * test.length;
  }
  console.log(`${kind.padEnd(10)} ${(100 * acc(d, same, 0.6, all)).toFixed(2).padStart(6)} %   ${((100 * cv) / pairs.length).toFixed(2).padStart(6)} %`);
}
console.log(`face-api SSD (padded) missed ${ssdMissed} of ${images.length} images (their pairs count as wrong for face-api)`);
process.exit(0);
