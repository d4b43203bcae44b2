/**
 * `pnpm bench:infer`: images/s of `embed` at batch 1, 8, 32 for the exported casia-net and
 * interpretable models (random weights) on ORT node, ORT web (wasm, in Node) and tfjs (wasm, cpu),
 * plus ORT node on the PyTorch reference files, all in one run. Measurements that are compared with
 * each other (our export vs the PyTorch file; bare `session.run` vs `createRecognizer().embed`) are
 * interleaved round by round, so machine load hits both alike: quote the ratios.
 *
 * Usage: pnpm bench:infer [--json] [--runtimes ort-node,ort-web,tfjs-wasm,tfjs-cpu] [--models casia-net,interpretable]
 *        [--batches 1,8,32] [--seconds 2] [--threads 0] [--bench-dir ../shared/bench]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ortNodeMod from 'onnxruntime-node';
import * as ortWebMod from 'onnxruntime-web';
import { Rng, imageBatch, paramInfos, presetSpec } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import { defineCli, intOption, parseScriptArgs } from '@interpret-fr/core/node';
import { createRecognizer } from '../src/index.ts';
import type { OrtModuleLike, OrtSessionLike, Recognizer } from '../src/index.ts';

interface Row {
  bench: 'infer';
  model: string;
  runtime: 'ort-node' | 'ort-web' | 'tfjs-wasm' | 'tfjs-cpu';
  api: 'session' | 'recognizer';
  batch: number;
  imagesPerSecond: number;
  /** Median ms per call (batch 1: single-image latency). */
  msPerCall: number;
  runs: number;
  /**
   * Images per second of this process's CPU time (all threads): the work a graph costs, insensitive to
   * the time other processes take the cores (with --threads 1, where ORT's spin-waiting does not count).
   */
  imagesPerCpuSecond: number;
  /** Recognizer rows: time inside embed() but outside session.run, as % of session.run time (same calls). */
  inCallOverheadPct?: number;
}

const { values } = parseScriptArgs(
  defineCli({
    name: 'bench:infer',
    summary: 'images/s of embed per model, runtime and batch (exported vs PyTorch files, session vs recognizer, interleaved)',
    options: {
      json: { type: 'boolean', description: 'one JSON row per measurement on stdout' },
      runtimes: { type: 'string', arg: 'A,B', description: 'ort-node,ort-web,tfjs-wasm,tfjs-cpu (all)' },
      models: { type: 'string', arg: 'A,B', description: 'casia-net,interpretable (both)' },
      batches: { type: 'string', arg: 'A,B', description: 'batch sizes (1,8,32)' },
      seconds: { type: 'string', arg: 'S', description: 'seconds per measurement (2)' },
      threads: { type: 'string', arg: 'N', description: "ORT intra-op threads (0 = ORT's default: one per core)" },
      'bench-dir': { type: 'string', arg: 'DIR', description: 'the PyTorch reference files (../shared/bench)' },
    },
  }),
);
const json = values.json === true;
const runtimes = (values.runtimes ?? 'ort-node,ort-web,tfjs-wasm,tfjs-cpu').split(',');
const models = (values.models ?? 'casia-net,interpretable').split(',');
const batches = (values.batches ?? '1,8,32').split(',').map((b) => intOption(b, 'batches', 1, { min: 1 }));
const seconds = intOption(values.seconds, 'seconds', 2, { min: 1 });
/** ORT intra-op threads (0 = ORT's default: one per core). One thread is steadier on a loaded machine. */
const threads = intOption(values.threads, 'threads', 0, { min: 0 });
const benchDir = resolve(values['bench-dir'] ?? resolve(import.meta.dirname, '../../../../shared/bench'));
const rows: Row[] = [];

function emit(r: Row): void {
  rows.push(r);
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stderr.write(`  ${r.model} ${r.runtime} ${r.api} b${r.batch}: ${r.imagesPerSecond.toFixed(1)} img/s\n`);
}

/** He-like random weights with non-trivial BN statistics (deterministic). */
function randomWeights(spec: ModelSpec, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const w = new Map<string, Float32Array>();
  for (const p of paramInfos(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const fanIn = p.shape.length > 1 ? n / p.shape[p.shape.length - 1]! : 1;
    const kind = p.name.slice(p.name.lastIndexOf('/') + 1);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      d[i] =
        kind === 'kernel' ? rng.normal() * Math.sqrt(1 / fanIn) : kind === 'gamma' ? rng.uniform(0.7, 1.3) : kind === 'moving_variance' ? rng.uniform(0.5, 2) : rng.normal() * 0.1;
    }
    w.set(p.name, d);
  }
  return w;
}

function randomInput(n: number, size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * 3 * size * size }, () => rng.uniform(-1, 1));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Alternates the tasks call by call (order reversed every other round, ABBA) after one warm-up call
 * each, for about `seconds` per task and at least 3 calls each, so that the tasks share the machine's
 * load fairly. Returns per-task call times (ms).
 */
async function interleave(tasks: { key: string; run: () => Promise<unknown> }[]): Promise<Map<string, { wall: number[]; cpu: number[] }>> {
  const times = new Map(tasks.map((t) => [t.key, { wall: [] as number[], cpu: [] as number[] }]));
  for (const t of tasks) await t.run();
  const budget = seconds * 1000 * tasks.length;
  const t0 = performance.now();
  for (let r = 0; r < 3 || performance.now() - t0 < budget; r++) {
    for (const t of r % 2 ? [...tasks].reverse() : tasks) {
      const c = process.cpuUsage();
      const s = performance.now();
      await t.run();
      const rec = times.get(t.key)!;
      rec.wall.push(performance.now() - s);
      const d = process.cpuUsage(c);
      rec.cpu.push((d.user + d.system) / 1000);
    }
  }
  return times;
}

function rowFrom(model: string, runtime: Row['runtime'], api: Row['api'], batch: number, t: { wall: number[]; cpu: number[] }): Row {
  // Median call time: robust to the bursts of load other processes put on a shared machine.
  const ms = median(t.wall);
  return {
    bench: 'infer',
    model,
    runtime,
    api,
    batch,
    imagesPerSecond: (batch * 1000) / ms,
    msPerCall: ms,
    imagesPerCpuSecond: (batch * 1000) / median(t.cpu),
    runs: t.wall.length,
  };
}

/** Wraps a session so the time spent inside `run` is accumulated (for the in-call overhead). */
function timedSession(raw: OrtSessionLike, clock: { runMs: number }): OrtSessionLike {
  return {
    get inputNames() {
      return raw.inputNames;
    },
    get outputNames() {
      return raw.outputNames;
    },
    get inputMetadata() {
      return raw.inputMetadata;
    },
    get outputMetadata() {
      return raw.outputMetadata;
    },
    async run(feeds, fetches) {
      const t = performance.now();
      const r = await raw.run(feeds, fetches);
      clock.runMs += performance.now() - t;
      return r;
    },
    release: () => raw.release(),
  };
}

async function ortRows(
  ort: OrtModuleLike,
  runtime: 'ort-node' | 'ort-web',
  model: string,
  bytes: Uint8Array,
  override: object,
  ref?: { model: string; bytes: Uint8Array },
): Promise<void> {
  const sessionOptions = threads > 0 && runtime === 'ort-node' ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {};
  const clock = { runMs: 0 };
  let raw: OrtSessionLike | null = null;
  const rec: Recognizer = await createRecognizer(ort, bytes, {
    ...override,
    maxBatch: 32,
    createSession: async (b) => timedSession((raw = await ort.InferenceSession.create(b, sessionOptions)), clock),
  });
  const refRec = ref ? await createRecognizer(ort, ref.bytes, { inputName: 'x', outputs: { embedding: 'embedding' }, preprocess: {}, maxBatch: 32, sessionOptions }) : null;
  const S = rec.inputSize;
  for (const b of batches) {
    const x = randomInput(b, S, b);
    const batch = imageBatch(b, S, S, 3, 'NCHW', x);
    const bare = (session: OrtSessionLike, input: string, output: string) => () => session.run({ [input]: new ort.Tensor('float32', x, [b, 3, S, S]) }, [output]);
    let embedMs = 0;
    let runMs = 0;
    const tasks = [
      { key: 'session', run: bare(raw!, rec.info.inputName, rec.info.embeddingName) },
      {
        key: 'recognizer',
        run: async () => {
          const r0 = clock.runMs,
            t0 = performance.now();
          await rec.embed(batch);
          embedMs += performance.now() - t0;
          runMs += clock.runMs - r0;
        },
      },
    ];
    if (refRec) tasks.push({ key: 'ref', run: bare(refRec.session, 'x', 'embedding') });
    const times = await interleave(tasks);
    emit(rowFrom(model, runtime, 'session', b, times.get('session')!));
    emit({ ...rowFrom(model, runtime, 'recognizer', b, times.get('recognizer')!), inCallOverheadPct: ((embedMs - runMs) / runMs) * 100 });
    if (refRec) emit(rowFrom(ref!.model, runtime, 'session', b, times.get('ref')!));
  }
  await rec.dispose();
  await refRec?.dispose();
}

async function tfjsRows(backend: 'wasm' | 'cpu', model: string, spec: ModelSpec, weights: Map<string, Float32Array>): Promise<void> {
  let trainer: typeof import('@interpret-fr/trainer/internal');
  try {
    trainer = await import('@interpret-fr/trainer/internal');
  } catch (e) {
    process.stderr.write(`  tfjs-${backend}: @interpret-fr/trainer not loadable (${(e as Error).message}); skipped\n`);
    return;
  }
  const { tf } = await trainer.loadBackend(backend, backend === 'wasm' ? { threads: 2 } : {});
  const entries = [...weights].map(([name, data]) => ({ name, data, dtype: 'float32' as const, shape: paramInfos(spec).find((p) => p.name === name)!.shape }));
  const params = trainer.loadParams(tf, spec, entries);
  const net = trainer.buildNet(tf, spec, params);
  const S = spec.inputSize;
  let slow = false;
  for (const b of batches) {
    if (slow) {
      process.stderr.write(`  ${model} tfjs-${backend} b${b}: skipped (previous batch took > 20 s per call)\n`);
      continue;
    }
    const x = tf.tensor4d(randomInput(b, S, b), [b, S, S, 3]);
    const run = async () => {
      const e = tf.tidy(() => net.forward(x, { training: false }).embedding);
      await e.data();
      e.dispose();
    };
    const t0 = performance.now();
    await run();
    const first = performance.now() - t0;
    const times = first > 5000 ? { wall: [first], cpu: [NaN] } : (await interleave([{ key: 'f', run }])).get('f')!; // slow: one timed call
    emit(rowFrom(model, `tfjs-${backend}`, 'session', b, times));
    slow = first > 20000;
    x.dispose();
  }
  trainer.disposeParams(params);
}

async function main(): Promise<void> {
  let exportOnnx: typeof import('@interpret-fr/model-export').exportOnnx | null = null;
  try {
    exportOnnx = (await import('@interpret-fr/model-export')).exportOnnx;
  } catch (e) {
    process.stderr.write(`@interpret-fr/model-export not loadable (${(e as Error).message}): only the PyTorch files are measured\n`);
  }
  process.stderr.write(
    `bench:infer: ${models.join(', ')} × ${runtimes.join(', ')}, batches ${batches.join(', ')}, about ${seconds} s per measurement, ORT threads ${threads || 'default'}, compared measurements interleaved call by call\n`,
  );
  for (const name of models) {
    const spec = presetSpec(name, { numClasses: 10 });
    const weights = randomWeights(spec, 1);
    const torchPath = resolve(benchDir, `${name}-torch.onnx`);
    const ref = existsSync(torchPath) ? { model: `${name}-torch`, bytes: new Uint8Array(readFileSync(torchPath)) } : undefined;
    if (!ref) process.stderr.write(`  ${torchPath} missing: no reference measurement for ${name}\n`);
    const ours = exportOnnx ? exportOnnx(spec, weights, { outputs: spec.outputs.maps ? ['embedding', 'maps'] : ['embedding'] }) : null;
    if (runtimes.includes('ort-node')) {
      if (ours) await ortRows(ortNodeMod, 'ort-node', name, ours, {}, ref);
      else if (ref) await ortRows(ortNodeMod, 'ort-node', ref.model, ref.bytes, { inputName: 'x', outputs: { embedding: 'embedding' }, preprocess: {} });
    }
    if (runtimes.includes('ort-web') && ours) {
      ortWebMod.env.wasm.numThreads = threads > 0 ? threads : 2;
      await ortRows(ortWebMod, 'ort-web', name, ours, {});
    }
    if (runtimes.includes('tfjs-wasm')) await tfjsRows('wasm', name, spec, weights);
    if (runtimes.includes('tfjs-cpu')) await tfjsRows('cpu', name, spec, weights);
  }
  if (!json) printTable();
}

function printTable(): void {
  const get = (m: string, rt: string, api: string, b: number) => rows.find((r) => r.model === m && r.runtime === rt && r.api === api && r.batch === b);
  const keys = [...new Set(rows.map((r) => `${r.model}|${r.runtime}|${r.api}`))];
  const head = ['model', 'runtime', 'api', ...batches.map((b) => `b${b} img/s`), 'b1 ms', ...batches.map((b) => `b${b} img/CPU-s`)];
  const lines = keys.map((k) => {
    const [m, rt, api] = k.split('|') as [string, string, string];
    const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(1));
    return [
      m,
      rt,
      api,
      ...batches.map((b) => f(get(m, rt, api, b)?.imagesPerSecond)),
      f(get(m, rt, api, 1)?.msPerCall),
      ...batches.map((b) => f(get(m, rt, api, b)?.imagesPerCpuSecond)),
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => '| ' + l.map((c, i) => c.padEnd(w[i]!)).join(' | ') + ' |';
  console.log(fmt(head));
  console.log('|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|');
  for (const l of lines) console.log(fmt(l));
  console.log('');
  for (const m of models) {
    for (const b of batches) {
      const s = get(m, 'ort-node', 'session', b),
        r = get(m, 'ort-node', 'recognizer', b),
        t = get(`${m}-torch`, 'ort-node', 'session', b);
      const parts: string[] = [];
      if (s && t)
        parts.push(`export/torch = ${(s.imagesPerSecond / t.imagesPerSecond).toFixed(3)} wall, ${(s.imagesPerCpuSecond / t.imagesPerCpuSecond).toFixed(3)} CPU (target ≥ 0.90)`);
      if (s && r) {
        const pct = (a: number, b: number) => ((a / b - 1) * 100).toFixed(1);
        parts.push(
          `recognizer vs session = ${pct(s.imagesPerSecond, r.imagesPerSecond)} % wall, ${pct(s.imagesPerCpuSecond, r.imagesPerCpuSecond)} % CPU, in-call ${r.inCallOverheadPct!.toFixed(2)} % (target ≤ 10 %)`,
        );
      }
      if (parts.length) console.log(`${m} ort-node b${b}: ${parts.join('; ')}`);
    }
  }
}

await main();
// the threaded wasm backend's pthread workers (tfjs-wasm rows) would keep the process alive
process.stdout.write('', () => process.exit(0));
