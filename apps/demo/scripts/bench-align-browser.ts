/**
 * `pnpm --filter @interpret-fr/demo bench:align-browser [--images N] [--rounds R] [--data DIR] [--out FILE]`:
 * throughput of detect + 68 landmarks + align in headless Chromium, through the built demo's own code
 * (`window.interpretFrDemo.alignPhoto`: `@interpret-fr/align/web` on tfjs-wasm, main thread, the page's
 * detection options), on a fixed LFW-a sample (the one `pnpm bench:align` uses: every 7th person, in
 * name order). The photos are decoded in the page first (not timed; the decode time is printed apart).
 * For a ratio that survives a loaded machine, each round also runs `@interpret-fr/align/node` (tfjs-wasm,
 * one thread) on the same photos in this process, right after the browser pass.
 *
 * Prints per round: images/s and ms per image (mean, median, p95) in Chromium and in Node, faces
 * found, the load average; `--out` writes the same as JSON.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseFace, alignFace, createFaceAligner, decodeImageFile } from '@interpret-fr/align/node';
import { FRAME_SIZE } from '@interpret-fr/core';
import { DEMO_DETECT_OPTIONS } from '../src/auto-align.ts';
import type { DemoScripting } from '../src/main.ts';
import { CHROMIUM, DATA_DIR, haveChromium, startDemo } from '../e2e/harness.ts';

const { values } = parseArgs({ options: { images: { type: 'string' }, rounds: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' } } });
const N = Number(values.images ?? 60);
const rounds = Number(values.rounds ?? 2);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench:align-browser: --images and --rounds must be positive integers, got ${values.images} and ${values.rounds}`);
  process.exit(2);
}
const lfw = join(values.data ?? DATA_DIR, 'lfw/lfw-a');
if (!existsSync(lfw)) {
  console.error(`bench:align-browser: ${lfw} not found (set INTERPRET_FR_DATA or --data)`);
  process.exit(1);
}
if (!haveChromium()) {
  console.error(`bench:align-browser: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}

// the sample of `pnpm bench:align` (packages/align/scripts/bench-align.ts)
const people = readdirSync(lfw).sort();
const sample: string[] = [];
for (let i = 0; sample.length < N; i += 7) {
  const p = people[i % people.length]!;
  const fs = readdirSync(join(lfw, p)).sort();
  sample.push(join(p, fs[i % fs.length]!));
}

interface Pass {
  where: 'chromium' | 'node';
  ms: number[];
  found: Record<string, number>;
  backend: string;
  load1: number;
}

function summary(p: Pass): { imagesPerSecond: number; meanMs: number; medianMs: number; p95Ms: number } {
  const s = [...p.ms].sort((a, b) => a - b);
  const total = s.reduce((a, b) => a + b, 0);
  return {
    imagesPerSecond: (1000 * s.length) / total,
    meanMs: total / s.length,
    medianMs: s[Math.floor(s.length / 2)]!,
    p95Ms: s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!,
  };
}

function line(round: number, p: Pass): string {
  const m = summary(p);
  return `round ${round} ${p.where.padEnd(8)} ${m.imagesPerSecond.toFixed(2).padStart(6)} images/s  ms/image mean ${m.meanMs.toFixed(1)}, median ${m.medianMs.toFixed(1)}, p95 ${m.p95Ms.toFixed(1)}  faces ${JSON.stringify(p.found)}  (${p.backend}; load average ${p.load1.toFixed(1)})`;
}

console.log(`bench:align-browser — ${N} LFW-a images (every 7th person), ${rounds} rounds, ${cpus().length} cores; building the demo…`);
const demo = await startDemo();
const page = await demo.browser.newPage();
const errors: string[] = [];
page.on('pageerror', (e) => errors.push(e.message));
// no model: the page's start-up inference must not overlap the timing
await page.goto(`${demo.url}?model=models/none.onnx`);
await page.waitForFunction(() => (window as unknown as { interpretFrDemo?: unknown }).interpretFrDemo !== undefined, null, { timeout: 60_000 });
const files = sample.map((f) => Array.from(readFileSync(join(lfw, f))));
const decodeMs = await page.evaluate(async (all) => {
  const api = (window as unknown as { interpretFrDemo: DemoScripting }).interpretFrDemo;
  const t = performance.now();
  const w = window as unknown as { benchPixels: unknown[] };
  w.benchPixels = [];
  for (const [i, d] of all.entries()) {
    const img = await api.decodeImage(new Blob([new Uint8Array(d)]), `image-${i}.jpg`);
    img.bitmap.close();
    w.benchPixels.push(img.pixels);
  }
  // the first call loads face-api, tfjs-wasm and the weights: not timed
  await api.alignPhoto(w.benchPixels[0] as never);
  return (performance.now() - t) / all.length;
}, files);

const aligner = await createFaceAligner();
const nodePhotos = await Promise.all(sample.map(async (f) => (await decodeImageFile(join(lfw, f))).pixels));
const { landmarks68 } = (await aligner.detectFaces(nodePhotos[0]!, DEMO_DETECT_OPTIONS))[0] ?? { landmarks68: null };
if (landmarks68) alignFace(nodePhotos[0]!, landmarks68, { size: FRAME_SIZE }); // warm-up

const passes: { round: number; chromium: Pass; node: Pass }[] = [];
for (let r = 1; r <= rounds; r++) {
  const load1 = loadavg()[0]!;
  const b = await page.evaluate(async () => {
    const api = (window as unknown as { interpretFrDemo: DemoScripting }).interpretFrDemo;
    const pixels = (window as unknown as { benchPixels: Parameters<DemoScripting['alignPhoto']>[0][] }).benchPixels;
    const ms: number[] = [];
    const found: Record<string, number> = {};
    let backend = '';
    for (const p of pixels) {
      const t = performance.now();
      const a = await api.alignPhoto(p);
      ms.push(performance.now() - t);
      backend = a.backend;
      const k = a.chosen >= 0 ? a.faces[a.chosen]!.source : 'none';
      found[k] = (found[k] ?? 0) + 1;
    }
    return { ms, found, backend };
  });
  const chromium: Pass = { where: 'chromium', ...b, load1 };
  console.log(line(r, chromium));
  const n: Pass = { where: 'node', ms: [], found: {}, backend: aligner.backend, load1: loadavg()[0]! };
  for (const p of nodePhotos) {
    const t = performance.now();
    const faces = await aligner.detectFaces(p, DEMO_DETECT_OPTIONS);
    const k = chooseFace(faces, p.width, p.height);
    if (k >= 0) alignFace(p, faces[k]!.landmarks68, { size: FRAME_SIZE });
    n.ms.push(performance.now() - t);
    const s = k >= 0 ? faces[k]!.source : 'none';
    n.found[s] = (n.found[s] ?? 0) + 1;
  }
  console.log(line(r, n));
  passes.push({ round: r, chromium, node: n });
}
const best = (w: 'chromium' | 'node') => Math.max(...passes.map((p) => summary(p[w]).imagesPerSecond));
console.log(
  `best round: Chromium ${best('chromium').toFixed(2)} images/s, Node ${best('node').toFixed(2)} images/s (Chromium/Node ${(best('chromium') / best('node')).toFixed(2)}); page decode ${decodeMs.toFixed(1)} ms/image (not included)`,
);
if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
if (values.out) {
  writeFileSync(
    values.out,
    `${JSON.stringify({ images: sample, rounds: passes.map((p) => ({ round: p.round, chromium: { ...summary(p.chromium), found: p.chromium.found, loadAverage: p.chromium.load1 }, node: { ...summary(p.node), found: p.node.found, loadAverage: p.node.load1 } })), decodeMsPerImage: decodeMs }, null, 2)}\n`,
  );
  console.log(`wrote ${values.out}`);
}
await demo.close();
