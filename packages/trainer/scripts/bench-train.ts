/**
 * `pnpm bench:train`: training throughput (clean images/s), effective GFLOP/s and peak RSS of the
 * `base` and `sad-fad` presets at 96×96 and of `tiny` (48×48), on every backend that can train here.
 *
 * Each configuration runs in its own child process (so peak RSS is its own). A configuration times
 * whole optimizer steps on random inputs until `--max-seconds` is spent (at least one step, no warm-up
 * for the full-size presets, whose steps take minutes on the tfjs CPU backend). The batch for the
 * full-size presets is 2 by default on the tfjs CPU backend (one step of 16 would not finish in a
 * sensible time); 16 everywhere else. Override with `--batch`.
 *
 * images/CPU-s divides by the process's CPU time instead of wall time: on our shared 2-core machine the
 * wall-clock rate mostly measures the other jobs; tfjs-cpu runs on one thread, so images/CPU-s is what an
 * idle core would give.
 *
 * gflops = 3 × forward FLOPs per image × forward passes per image (2 for sad-fad: clean + occluded)
 * × images/s, counting 2·MACs of convolutions and dense layers (the rest is < 2 %).
 *
 * Usage: pnpm bench:train [--json] [--max-seconds 120] [--batch N] [--presets base,sad-fad,tiny] [--backends cpu,wasm]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng, presetSpec, validateSpec } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import { defineCli, intOption, parseScriptArgs } from '@interpret-fr/core/node';
import { loadBackend } from '../src/backend.ts';
import type { BackendName } from '../src/backend-info.ts';
import { resolveConfig } from '../src/config.ts';
import { defaultWeightsFor } from '../src/loss-weights.ts';
import { initParams } from '../src/params.ts';
import { createOptimizer, makeTrainStep } from '../src/train-step.ts';

/** Forward FLOPs per image: 2 × multiply-accumulates of conv and dense blocks. */
export function forwardFlops(spec: ModelSpec): number {
  const shapes = validateSpec(spec);
  let macs = 0;
  for (const b of spec.blocks) {
    if (b.kind === 'conv') {
      const [h, w, c] = shapes.get(b.name)! as [number, number, number];
      const cin = shapes.get(b.input)!.at(-1)!;
      macs += h * w * c * b.kernel * b.kernel * cin;
    } else if (b.kind === 'dense') {
      macs += shapes.get(b.input)![0]! * b.units;
    }
  }
  return 2 * macs;
}

interface Row {
  bench: 'train';
  preset: string;
  backend: string;
  /** wasm: threads of the XNNPACK pool (the trainer uses the machine's cores); null elsewhere. */
  threads?: number | null;
  batch: number;
  steps: number;
  seconds: number;
  /** User + system CPU seconds of the timed steps (tfjs-cpu is single-threaded: ≈ wall time on an idle core). */
  cpuSeconds: number;
  imagesPerSecond: number | null;
  /** images / CPU second: the throughput without the other processes sharing the cores. */
  imagesPerCpuSecond: number | null;
  gflops: number | null;
  peakRssMb: number;
  note?: string;
}

async function runOne(preset: string, backend: BackendName, batch: number, maxSeconds: number): Promise<Row> {
  const cfg = resolveConfig({ preset });
  const spec = presetSpec(cfg.model.spec, { numClasses: 10575 });
  const { tf, name, filterGrad } = await loadBackend(backend, { forTraining: true });
  const { fadKeep, ...w } = cfg.loss;
  const weights = defaultWeightsFor(spec, fadKeep === null ? w : { ...w, fadKeep });
  const params = initParams(tf, spec, new Rng(1));
  const step = makeTrainStep(tf, spec, params, createOptimizer(tf, cfg.optimizer), weights, new Rng(2), { filterGrad });
  const occ = cfg.loss.ceOcc > 0 || cfg.loss.fad > 0 || cfg.loss.sadOcc > 0;
  const S = spec.inputSize;
  const x = tf.randomUniform([batch, S, S, 3], -1, 1) as import('@tensorflow/tfjs-core').Tensor4D;
  const xOcc = occ ? (tf.randomUniform([batch, S, S, 3], -1, 1) as import('@tensorflow/tfjs-core').Tensor4D) : null;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10575),
    'int32',
  );
  const flops = forwardFlops(spec);
  if (S < 96) step({ x, xOcc, labels }, { readLosses: true }); // warm-up (cheap for tiny only)
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (steps === 0 || (performance.now() - t0) / 1000 < maxSeconds) {
    step({ x, xOcc, labels }, { readLosses: true });
    steps++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpuSeconds = (cu.user + cu.system) / 1e6;
  const ips = (steps * batch) / seconds;
  const threads = name === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : null;
  return {
    bench: 'train',
    preset,
    backend: name,
    threads,
    batch,
    steps,
    seconds,
    cpuSeconds,
    imagesPerSecond: ips,
    imagesPerCpuSecond: (steps * batch) / cpuSeconds,
    gflops: (3 * flops * (occ ? 2 : 1) * ips) / 1e9,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const { values } = parseScriptArgs(
  defineCli({
    name: 'bench:train',
    summary: 'training throughput (images/s, images/CPU-s), GFLOP/s and peak RSS per preset and backend',
    options: {
      json: { type: 'boolean', description: 'one JSON row per configuration on stdout' },
      'max-seconds': { type: 'string', arg: 'S', description: 'time budget per configuration (120)' },
      batch: { type: 'string', arg: 'N', description: 'batch of every configuration (default: 16; 2 for the full-size presets on cpu)' },
      presets: { type: 'string', arg: 'A,B', description: 'presets (tiny,base,sad-fad)' },
      backends: { type: 'string', arg: 'A,B', description: 'backends (cpu,wasm)' },
      one: { type: 'string', arg: 'P:B:N', description: 'internal: run one configuration (preset:backend:batch) in this process' },
    },
  }),
);
const maxSeconds = intOption(values['max-seconds'], 'max-seconds', 120, { min: 1 });
const presetList = values.presets ?? 'tiny,base,sad-fad';
const backendList = values.backends ?? 'cpu,wasm';
const batchOverride = values.batch === undefined ? undefined : intOption(values.batch, 'batch', 16, { min: 1 });

if (values.one) {
  const [preset, backend, batch] = values.one.split(':');
  try {
    process.stdout.write(`${JSON.stringify(await runOne(preset!, backend as BackendName, Number(batch), maxSeconds))}\n`);
  } catch (e) {
    const row: Row = {
      bench: 'train',
      preset: preset!,
      backend: backend!,
      batch: Number(batch),
      steps: 0,
      seconds: 0,
      cpuSeconds: 0,
      imagesPerSecond: null,
      imagesPerCpuSecond: null,
      gflops: null,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      note: `cannot train: ${(e as Error).message.split('\n')[0]!.slice(0, 160)}`,
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  // the threaded wasm backend's pthread workers would keep this child alive
  process.stdout.write('', () => process.exit(0));
} else {
  const rows: Row[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const backend of backendList.split(',')) {
    for (const preset of presetList.split(',')) {
      const batch = batchOverride ?? (preset === 'tiny' || backend !== 'cpu' ? 16 : 2);
      const r = spawnSync(process.execPath, [...process.execArgv, self, '--one', `${preset}:${backend}:${batch}`, '--max-seconds', String(maxSeconds)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
        timeout: (maxSeconds + 1200) * 1000,
      });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{"bench"'));
      const row: Row = line
        ? (JSON.parse(line) as Row)
        : {
            bench: 'train',
            preset,
            backend,
            batch,
            steps: 0,
            seconds: 0,
            cpuSeconds: 0,
            imagesPerSecond: null,
            imagesPerCpuSecond: null,
            gflops: null,
            peakRssMb: 0,
            note: `child failed (status ${r.status}, ${r.signal ?? ''}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
          };
      rows.push(row);
      if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  }
  if (!values.json) {
    const fmt = (v: number | null, d: number): string => (v === null ? '-' : v.toFixed(d));
    const out = [
      '| preset | input | backend | batch | steps timed | seconds | CPU s | images/s (clean) | images/CPU-s | GFLOP/s | peak RSS MB | note |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const r of rows)
      out.push(
        `| ${r.preset} | ${r.preset === 'tiny' ? 48 : 96} | ${r.backend} | ${r.batch} | ${r.steps} | ${fmt(r.seconds, 1)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.imagesPerSecond, 3)} | ${fmt(r.imagesPerCpuSecond, 3)} | ${fmt(r.gflops, 3)} | ${fmt(r.peakRssMb, 0)} | ${r.note ?? ''} |`,
      );
    process.stdout.write(`${out.join('\n')}\n\nBudget ${maxSeconds} s per row (at least one step); full-size rows time whole steps without warm-up.\n`);
  }
}
