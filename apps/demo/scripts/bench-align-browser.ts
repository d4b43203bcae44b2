/**
 * `pnpm --filter @interpret-fr/demo bench:align-browser [--images N] [--rounds R] [--data DIR] [--out FILE]`:
 * throughput of detect + 68 landmarks + align in headless Chromium, through the built demo's own code
 * (`window.interpretFrDemo.alignPhoto`: `@interpret-fr/align/web` on tfjs-wasm in the demo's alignment
 * worker, the page's detection options; timed in the page, so the messages are included, and the
 * worker-side time is printed beside it), on a fixed LFW-a sample (the one `pnpm bench:align` uses: every 7th person, in
 * name order). The photos are decoded in the page first (not timed; the decode time is printed apart).
 * For a ratio that survives a loaded machine, each round also runs `@interpret-fr/align/node` (tfjs-wasm,
 * one thread) on the same photos in this process, right after the browser pass.
 *
 * Prints per round: images/s and ms per image (mean, median, p95) in Chromium and in Node, the CPU
 * time per image (Chromium: all its processes, from /proc; Node: this process), faces found, the load
 * average; `--out` writes the same as JSON. On a shared machine the CPU time is the steadier figure.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseFace, alignFace, createFaceAligner, decodeImageFile } from '@interpret-fr/align/node';
import { FRAME_SIZE } from '@interpret-fr/core';
import { DEMO_DETECT_OPTIONS } from '../src/align-photo.ts';
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
  /** Chromium: mean ms per image inside the alignment worker (detect + landmarks + align, without the messages). */
  inWorkerMs?: number;
  /** CPU ms per image (Chromium: all its processes; Node: this process), null where /proc is missing. */
  cpuMs: number | null;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time (ms, user + system) used so far by the descendants of a process (not the process itself),
 * from /proc (Linux); null elsewhere. Ended children are not counted (Chromium's stay up during a pass).
 */
function treeCpuMs(root: number): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const procs: { pid: number; ppid: number; ticks: number }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      // fields after the parenthesised command: state ppid … utime(14) stime(15), 1-based over the whole line
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs)
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
  }
  return (1000 * procs.filter((p) => p.pid !== root && inTree.has(p.pid)).reduce((a, p) => a + p.ticks, 0)) / USER_HZ;
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
  return `round ${round} ${p.where.padEnd(8)} ${m.imagesPerSecond.toFixed(2).padStart(6)} images/s  ms/image mean ${m.meanMs.toFixed(1)}, median ${m.medianMs.toFixed(1)}, p95 ${m.p95Ms.toFixed(1)}  CPU ${p.cpuMs === null ? 'n/a' : `${p.cpuMs.toFixed(1)} ms/image`}  faces ${JSON.stringify(p.found)}  (${p.backend}${p.inWorkerMs !== undefined ? `, ${p.inWorkerMs.toFixed(1)} ms/image inside the worker` : ''}; load average ${p.load1.toFixed(1)})`;
}

console.log(`bench:align-browser — ${N} LFW-a images (every 7th person), ${rounds} rounds, ${cpus().length} cores; building the demo…`);
const demo = await startDemo();
const page = await demo.browser.newPage();
// playwright-core starts Chromium as a child of this process: Chromium's CPU = this process's descendants'
const chromiumRoot = process.pid;
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
  const cpu0 = treeCpuMs(chromiumRoot);
  const b = await page.evaluate(async () => {
    const api = (window as unknown as { interpretFrDemo: DemoScripting }).interpretFrDemo;
    const pixels = (window as unknown as { benchPixels: Parameters<DemoScripting['alignPhoto']>[0][] }).benchPixels;
    const ms: number[] = [];
    let inWorker = 0;
    const found: Record<string, number> = {};
    let backend = '';
    for (const p of pixels) {
      const t = performance.now();
      const a = await api.alignPhoto(p);
      ms.push(performance.now() - t);
      inWorker += a.detectMs + a.alignMs;
      backend = a.backend;
      const k = a.chosen >= 0 ? a.faces[a.chosen]!.source : 'none';
      found[k] = (found[k] ?? 0) + 1;
    }
    return { ms, found, backend, inWorkerMs: inWorker / pixels.length };
  });
  const cpu1 = treeCpuMs(chromiumRoot);
  const chromium: Pass = {
    where: 'chromium',
    ms: b.ms,
    found: b.found,
    backend: b.backend,
    load1,
    inWorkerMs: b.inWorkerMs,
    cpuMs: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / b.ms.length : null,
  };
  console.log(line(r, chromium));
  const n: Pass = { where: 'node', ms: [], found: {}, backend: aligner.backend, load1: loadavg()[0]!, cpuMs: null };
  const c0 = process.cpuUsage();
  for (const p of nodePhotos) {
    const t = performance.now();
    const faces = await aligner.detectFaces(p, DEMO_DETECT_OPTIONS);
    const k = chooseFace(faces, p.width, p.height);
    if (k >= 0) alignFace(p, faces[k]!.landmarks68, { size: FRAME_SIZE });
    n.ms.push(performance.now() - t);
    const s = k >= 0 ? faces[k]!.source : 'none';
    n.found[s] = (n.found[s] ?? 0) + 1;
  }
  const c = process.cpuUsage(c0);
  n.cpuMs = (c.user + c.system) / 1000 / n.ms.length;
  console.log(line(r, n));
  passes.push({ round: r, chromium, node: n });
}
const best = (w: 'chromium' | 'node') => Math.max(...passes.map((p) => summary(p[w]).imagesPerSecond));
const minCpu = (w: 'chromium' | 'node') => Math.min(...passes.map((p) => p[w].cpuMs ?? Infinity));
console.log(
  `best round: Chromium ${best('chromium').toFixed(2)} images/s, Node ${best('node').toFixed(2)} images/s (Chromium/Node ${(best('chromium') / best('node')).toFixed(2)}); least CPU per image: Chromium ${minCpu('chromium').toFixed(1)} ms (≈ ${(1000 / minCpu('chromium')).toFixed(1)} images/s per idle core), Node ${minCpu('node').toFixed(1)} ms (≈ ${(1000 / minCpu('node')).toFixed(1)}); page decode ${decodeMs.toFixed(1)} ms/image (not included)`,
);
if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
if (values.out) {
  writeFileSync(
    values.out,
    `${JSON.stringify({ images: sample, rounds: passes.map((p) => ({ round: p.round, chromium: { ...summary(p.chromium), inWorkerMs: p.chromium.inWorkerMs, cpuMs: p.chromium.cpuMs, found: p.chromium.found, loadAverage: p.chromium.load1 }, node: { ...summary(p.node), cpuMs: p.node.cpuMs, found: p.node.found, loadAverage: p.node.load1 } })), decodeMsPerImage: decodeMs }, null, 2)}\n`,
  );
  console.log(`wrote ${values.out}`);
}
await demo.close();
