/**
 * `prepareImages`: a folder of identity folders (or a list file) → aligned PNG crops, the trainer's
 * list file and a report, resumably, on a pool of worker threads (one face-api wasm instance each).
 *
 * Output folder:
 * - `crops/<identity>/<name>.png`: the aligned crops (template frame, `size`×`size`).
 * - `list.txt`: `crops/…png,label,x1,y1,…,x68,y68` per aligned image, landmarks in the crop frame:
 *   the trainer's list format (`interpret-fr-train --set data.list=<out>/list.txt`).
 * - `identities.txt`: line `label` + 1 holds that label's identity name.
 * - `report.json`: counts (`images`, `aligned`, `fallback`, `failed`), each failure's reason, each
 *   fallback, and for images with several faces which one was chosen.
 * - `prepare.json` + `progress.jsonl`: the options and one line per finished image, so a rerun after
 *   a crash or Ctrl-C continues where it stopped (finished images are never redone).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '@interpret-fr/core/node';
import type { FaceAligner } from './detector.ts';
import { prepareImage, type ImageResult, type PrepareImageOptions } from './prepare-image.ts';
import { listPrepareItems, PrepareInputError, type PrepareItem } from './prepare-list.ts';

/** Options of {@link prepareImages}. */
export interface PrepareOptions extends Partial<PrepareImageOptions> {
  /** Root folder of identity folders, or a list file. */
  images: string;
  /** Output folder. */
  out: string;
  /** Worker threads (default: available cores, at most 8); 0 runs in this thread. */
  workers?: number;
  /** Landmark net: `full` (default) or `tiny`. */
  landmarks?: 'full' | 'tiny';
}

/** Progress events (the CLI renders them). */
export type PrepareEvent =
  | { type: 'start'; total: number; resumed: number; workers: number }
  | { type: 'image'; path: string; result: ImageResult }
  | { type: 'progress'; done: number; total: number; imagesPerSecond: number }
  | { type: 'done'; report: PrepareReport };

/** `report.json`. */
export interface PrepareReport {
  images: number;
  aligned: number;
  fallback: number;
  failed: number;
  /** Images not processed because the run was stopped. */
  pending: number;
  failures: { path: string; reason: string }[];
  fallbacks: { path: string }[];
  multipleFaces: { path: string; faces: number; chosen: number; box: ImageResult['box'] }[];
  options: PrepareImageOptions & { landmarks: 'full' | 'tiny' };
  /** Throughput of this invocation: images it processed / wall time after the workers were ready. */
  imagesPerSecond: number;
}

/** Hooks of {@link prepareImages}. */
export interface PrepareHooks {
  onEvent?: (e: PrepareEvent) => void;
  /** Stops dispatching new images; finished ones stay recorded (resume continues from there). */
  signal?: AbortSignal;
  /** In-thread aligner factory (workers = 0); by default the Node aligner. */
  createAligner?: (landmarks: 'full' | 'tiny') => Promise<FaceAligner>;
}

/** Task runner over one aligner or a worker pool. */
interface Runner {
  slots: number;
  run(item: PrepareItem, i: number): Promise<ImageResult>;
  close(): Promise<void>;
}

async function inThreadRunner(outDir: string, o: PrepareImageOptions, landmarks: 'full' | 'tiny', create?: PrepareHooks['createAligner']): Promise<Runner> {
  const aligner = create ? await create(landmarks) : await (await import('./node.ts')).createFaceAligner({ landmarks });
  return { slots: 1, run: (item, i) => prepareImage(aligner, item, i, outDir, o), close: async () => {} };
}

async function poolRunner(n: number, outDir: string, o: PrepareImageOptions, landmarks: 'full' | 'tiny'): Promise<Runner> {
  const workers: Worker[] = [];
  const pending = new Map<number, { resolve: (r: ImageResult) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const readies: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const w = new Worker(new URL('./prepare-worker.mjs', import.meta.url), { workerData: { outDir, options: o, landmarks } });
    readies.push(
      new Promise((res, rej) => {
        w.once('message', (m: { type: string; message?: string }) => (m.type === 'ready' ? res() : rej(new Error(`prepare worker ${k}: ${m.message}`))));
        w.once('error', rej);
      }),
    );
    w.on('message', (m: { type: string; id?: number; result?: ImageResult; message?: string }) => {
      if (m.type !== 'result' || m.id === undefined) return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      p?.resolve(m.result!);
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
    workers.push(w);
  }
  await Promise.all(readies);
  const free: Worker[] = [...workers];
  const waiting: ((w: Worker) => void)[] = [];
  const acquire = (): Promise<Worker> => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise((r) => waiting.push(r)));
  const release = (w: Worker): void => {
    const next = waiting.shift();
    if (next) next(w);
    else free.push(w);
  };
  return {
    slots: n,
    async run(item, i) {
      const w = await acquire();
      try {
        const id = seq++;
        return await new Promise<ImageResult>((resolveRun, reject) => {
          pending.set(id, { resolve: resolveRun, reject });
          w.postMessage({ type: 'task', id, item, i });
        });
      } finally {
        release(w);
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

interface Recorded {
  crop: string;
  result: ImageResult;
}

async function readProgress(file: string): Promise<Map<string, ImageResult>> {
  const done = new Map<string, ImageResult>();
  if (!existsSync(file)) return done;
  const lines = (await readFile(file, 'utf8')).split('\n');
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as Recorded;
      if (typeof r.crop === 'string' && r.result && typeof r.result.status === 'string') done.set(r.crop, r.result);
    } catch {
      // a line torn by a crash: that image is simply redone
    }
  }
  return done;
}

/**
 * Runs the preparation (see the module doc). Resolves with the report, also written to
 * `<out>/report.json`.
 *
 * @example
 * const report = await prepareImages({ images: 'lfw/lfw-a', out: 'prepared/lfw' }, { onEvent: console.log });
 */
export async function prepareImages(opts: PrepareOptions, hooks: PrepareHooks = {}): Promise<PrepareReport> {
  const emit = hooks.onEvent ?? (() => {});
  const o: PrepareImageOptions = {
    size: opts.size ?? 110,
    fallback: opts.fallback ?? true,
    inputSize: opts.inputSize ?? 160,
    minScore: opts.minScore ?? 0.5,
    maxSide: opts.maxSide ?? 2048,
  };
  const landmarks = opts.landmarks ?? 'full';
  if (!Number.isInteger(o.size) || o.size < 16 || o.size > 1024) throw new PrepareInputError(`--size ${o.size}: expected an integer in [16, 1024]`);
  if (!Number.isInteger(o.inputSize) || o.inputSize % 32 !== 0 || o.inputSize < 64 || o.inputSize > 1024)
    throw new PrepareInputError(`--input-size ${o.inputSize}: expected a multiple of 32 in [64, 1024]`);
  if (!(o.minScore > 0 && o.minScore < 1)) throw new PrepareInputError(`--min-score ${o.minScore}: expected a number in (0, 1)`);
  const out = resolve(opts.out);
  const { items, identities } = await listPrepareItems(opts.images);
  await mkdir(out, { recursive: true });
  const settings = { version: 1, images: resolve(opts.images), options: { ...o, landmarks } };
  const settingsFile = join(out, 'prepare.json');
  if (existsSync(settingsFile)) {
    const prev = JSON.parse(await readFile(settingsFile, 'utf8')) as typeof settings;
    if (JSON.stringify(prev) !== JSON.stringify(settings)) {
      throw new PrepareInputError(
        `${settingsFile}: this folder was prepared from ${prev.images} with ${JSON.stringify(prev.options)}; resume with the same --images and options, or use a new --out`,
      );
    }
  } else writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  const progressFile = join(out, 'progress.jsonl');
  const results = await readProgress(progressFile);
  // an aligned image whose crop is gone is redone
  for (const [crop, r] of results) if (r.status !== 'failed' && !existsSync(join(out, crop))) results.delete(crop);
  const todo = items.map((it, i) => ({ it, i })).filter(({ it }) => !results.has(it.crop));
  const nWorkers = Math.min(opts.workers ?? Math.min(8, availableParallelism()), Math.max(todo.length, 1));
  emit({ type: 'start', total: items.length, resumed: items.length - todo.length, workers: nWorkers });
  let t0 = performance.now();
  let processed = 0;
  if (todo.length > 0) {
    const runner = nWorkers === 0 ? await inThreadRunner(out, o, landmarks, hooks.createAligner) : await poolRunner(nWorkers, out, o, landmarks);
    t0 = performance.now();
    try {
      let next = 0;
      let lastEmit = 0;
      const loop = async (): Promise<void> => {
        while (next < todo.length && !hooks.signal?.aborted) {
          const { it, i } = todo[next++]!;
          const result = await runner.run(it, i);
          results.set(it.crop, result);
          await appendFile(progressFile, `${JSON.stringify({ crop: it.crop, result })}\n`);
          processed++;
          emit({ type: 'image', path: it.path, result });
          const now = performance.now();
          if (now - lastEmit > 1000 || processed === todo.length) {
            lastEmit = now;
            emit({ type: 'progress', done: items.length - todo.length + processed, total: items.length, imagesPerSecond: processed / ((now - t0) / 1000) });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(runner.slots, 1) * 2 }, loop));
    } finally {
      await runner.close();
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const report: PrepareReport = {
    images: items.length,
    aligned: 0,
    fallback: 0,
    failed: 0,
    pending: 0,
    failures: [],
    fallbacks: [],
    multipleFaces: [],
    options: { ...o, landmarks },
    imagesPerSecond: processed > 0 ? processed / secs : 0,
  };
  const lines: string[] = [];
  items.forEach((it) => {
    const r = results.get(it.crop);
    if (!r) {
      report.pending++;
      return;
    }
    if (r.status === 'failed') {
      report.failed++;
      report.failures.push({ path: it.path, reason: r.reason ?? 'unknown' });
      return;
    }
    if (r.status === 'fallback') {
      report.fallback++;
      report.fallbacks.push({ path: it.path });
    } else report.aligned++;
    if ((r.faces ?? 1) > 1) report.multipleFaces.push({ path: it.path, faces: r.faces!, chosen: r.chosen ?? 0, box: r.box });
    lines.push(`${it.crop},${it.label},${r.landmarks!.join(',')}`);
  });
  writeFileAtomic(join(out, 'list.txt'), lines.length > 0 ? `${lines.join('\n')}\n` : '');
  if (identities.length > 0) writeFileAtomic(join(out, 'identities.txt'), `${identities.join('\n')}\n`);
  writeFileAtomic(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  emit({ type: 'done', report });
  return report;
}
