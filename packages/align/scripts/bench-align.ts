/**
 * `pnpm bench:align [--images N] [--workers 1,2] [--data DIR]`: detect + landmarks + align on a
 * deterministic sample of LFW-a (every k-th person) and the 400 AT&T/ORL faces. Prints:
 * - per-stage time on one thread (decode, detect+landmarks, align);
 * - end-to-end images/s of `prepareImages` (decode → detect → align → PNG) with each worker count;
 * - found by detector / padded retry / fallback / failed, LFW-a and ORL;
 * - flip consistency (landmarks of the mirrored image mapped back, mean error / inter-ocular distance)
 *   with and without the flip-averaged landmark net;
 * - the detector-box / landmark-extent ratio the refinement box uses (REFINE_BOX).
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REFINE_BOX, alignFace, chooseFace, createFaceAligner, decodeImageFile, flipLandmarks68 } from '../src/node.ts';
import { prepareImages } from '../src/prepare.ts';

const { values } = parseArgs({ options: { images: { type: 'string' }, workers: { type: 'string' }, data: { type: 'string' }, flip: { type: 'string' }, orl: { type: 'string' } } });
const data = values.data ?? process.env.INTERPRET_FR_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const N = Number(values.images ?? 200);
const nFlip = Number(values.flip ?? 100);
const workerCounts = (values.workers ?? '1,2').split(',').map(Number);
const lfw = join(data, 'lfw/lfw-a');
const orl = join(data, 'att-orl-faces');
if (!existsSync(lfw)) {
  console.error(`bench:align: ${lfw} not found (set INTERPRET_FR_DATA or --data)`);
  process.exit(1);
}

const people = readdirSync(lfw).sort();
const sample: string[] = [];
for (let i = 0; sample.length < N; i += 7) {
  const p = people[i % people.length]!;
  const fs = readdirSync(join(lfw, p)).sort();
  sample.push(join(p, fs[i % fs.length]!));
}
const orlFiles: string[] = existsSync(orl)
  ? readdirSync(orl, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(orl, d.name))
          .filter((f) => f.endsWith('.pgm'))
          .map((f) => join(d.name, f)),
      )
  : [];

const aligner = await createFaceAligner();
console.log(`bench:align — ${N} LFW-a images, ${orlFiles.length} ORL images, ${cpus().length} cores, tfjs ${aligner.backend} (1 thread per instance)`);

// per stage, one thread
const t = { decode: 0, detect: 0, align: 0 };
const cpu0 = process.cpuUsage();
const sources: Record<string, number> = {};
const rel: number[][] = [];
for (const f of sample) {
  let t0 = performance.now();
  const { pixels } = await decodeImageFile(join(lfw, f));
  t.decode += performance.now() - t0;
  t0 = performance.now();
  const faces = await aligner.detectFaces(pixels, { fallback: 'center' });
  t.detect += performance.now() - t0;
  const face = faces[chooseFace(faces, pixels.width, pixels.height)];
  sources[face?.source ?? 'failed'] = (sources[face?.source ?? 'failed'] ?? 0) + 1;
  if (!face) continue;
  t0 = performance.now();
  alignFace(pixels, face.landmarks68);
  t.align += performance.now() - t0;
  if (face.source === 'detector') {
    const lm = face.landmarks68;
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < 68; i++) {
      x0 = Math.min(x0, lm[2 * i]!);
      x1 = Math.max(x1, lm[2 * i]!);
      y0 = Math.min(y0, lm[2 * i + 1]!);
      y1 = Math.max(y1, lm[2 * i + 1]!);
    }
    const b = face.box;
    rel.push([Math.max(b.width, b.height) / Math.max(x1 - x0, y1 - y0), (b.y + b.height / 2 - (y0 + y1) / 2) / (y1 - y0)]);
  }
}
const cpu1 = process.cpuUsage(cpu0);
const ms = (v: number) => (v / N).toFixed(1);
const cpuMs = (cpu1.user + cpu1.system) / 1000 / N;
console.log(
  `\nper image, 1 thread (wall): decode ${ms(t.decode)} ms, detect+landmarks ${ms(t.detect)} ms, align ${ms(t.align)} ms → ${((1000 * N) / (t.decode + t.detect + t.align)).toFixed(1)} images/s`,
);
console.log(
  `per image, 1 thread (CPU time, independent of other load): ${cpuMs.toFixed(1)} ms → ${(1000 / cpuMs).toFixed(1)} images/s per idle core, ${(2000 / cpuMs).toFixed(1)} on 2`,
);
console.log(`LFW-a sample sources: ${JSON.stringify(sources)}`);
console.log(
  `detector box / landmark extent: ${(rel.reduce((s, r) => s + r[0]!, 0) / rel.length).toFixed(3)} (REFINE_BOX.scale ${REFINE_BOX.scale}), centre dy ${(rel.reduce((s, r) => s + r[1]!, 0) / rel.length).toFixed(3)} (REFINE_BOX.dy ${REFINE_BOX.dy})`,
);

if (orlFiles.length > 0 && values.orl !== 'no') {
  const os: Record<string, number> = {};
  for (const f of orlFiles) {
    const { pixels } = await decodeImageFile(join(orl, f));
    const faces = await aligner.detectFaces(pixels, { fallback: 'center' });
    const s = faces[chooseFace(faces, pixels.width, pixels.height)]?.source ?? 'failed';
    os[s] = (os[s] ?? 0) + 1;
  }
  console.log(`ORL (all ${orlFiles.length}): ${JSON.stringify(os)}`);
}

// flip consistency
for (const flipAverage of nFlip > 0 ? [true, false] : []) {
  const errs: number[] = [];
  for (const f of sample.slice(0, nFlip)) {
    const { pixels } = await decodeImageFile(join(lfw, f));
    const { width: W, height: H, channels: c } = pixels;
    const fl = new Uint8Array(pixels.data.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < c; k++) fl[(y * W + x) * c + k] = pixels.data[(y * W + W - 1 - x) * c + k]!;
    const fa = await aligner.detectFaces(pixels, { fallback: 'center', flipAverage });
    const fb = await aligner.detectFaces({ ...pixels, data: fl }, { fallback: 'center', flipAverage });
    const a = fa[chooseFace(fa, W, H)]!.landmarks68;
    const b = flipLandmarks68(fb[chooseFace(fb, W, H)]!.landmarks68, W);
    const eye = (l: Float32Array, s: number) => {
      let x = 0,
        y = 0;
      for (let i = s; i < s + 6; i++) {
        x += l[2 * i]!;
        y += l[2 * i + 1]!;
      }
      return [x / 6, y / 6];
    };
    const iod = Math.hypot(eye(a, 36)[0]! - eye(a, 42)[0]!, eye(a, 36)[1]! - eye(a, 42)[1]!);
    let e = 0;
    for (let i = 0; i < 68; i++) e += Math.hypot(a[2 * i]! - b[2 * i]!, a[2 * i + 1]! - b[2 * i + 1]!);
    errs.push(e / 68 / iod);
  }
  errs.sort((x, y) => x - y);
  const mean = errs.reduce((s, v) => s + v, 0) / errs.length;
  console.log(
    `flip consistency (${errs.length} LFW-a images, flipAverage ${flipAverage}): mean ${(100 * mean).toFixed(2)} % IOD, median ${(100 * errs[errs.length >> 1]!).toFixed(2)} %, p95 ${(100 * errs[Math.floor(errs.length * 0.95)]!).toFixed(2)} %`,
  );
}

// end to end with workers
const dir = mkdtempSync(join(tmpdir(), 'bench-align-'));
const root = join(dir, 'images');
for (const f of sample) {
  mkdirSync(join(root, f.split('/')[0]!), { recursive: true });
  symlinkSync(join(lfw, f), join(root, f));
}
console.log('\nprepareImages end to end (decode → detect → landmarks → align → PNG):');
for (const w of workerCounts) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await prepareImages({ images: root, out: join(dir, `out-${w}`), workers: w });
  const c1 = process.cpuUsage(c0);
  const s = (performance.now() - t0) / 1000;
  const cpu = (c1.user + c1.system) / 1000 / N;
  console.log(
    `  workers ${w}: ${(N / s).toFixed(1)} images/s wall incl. start-up (${s.toFixed(1)} s), ${r.imagesPerSecond.toFixed(1)} images/s after start-up; CPU ${cpu.toFixed(1)} ms/image incl. start-up (all threads); aligned ${r.aligned}, fallback ${r.fallback}, failed ${r.failed}`,
  );
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
