/**
 * Kernel benchmark of the wasm training kernels on the real layer shapes, and a per-kernel profile
 * of a full training step. Prints tables (quote ratios measured within one run: the machine may
 * be shared).
 *
 *   pnpm exec tsx scripts/bench-kernels.ts [--spec casia-net] [--batch 16] [--reps 2] [--threads 1]
 *       [--stock] [--cpu] [--layers k0_2,k1_2]
 *     per conv layer: forward Conv2D, our Conv2DBackpropInput (with --stock: tfjs' own too),
 *     our Conv2DBackpropFilter, on wasm (with --cpu: the cpu backend's too), ms and GFLOP/s.
 *   pnpm exec tsx scripts/bench-kernels.ts --step interpretable --batch 16 [--occluded] [--steps 2]
 *     one training step profiled per kernel (wall and CPU time, calls, share), wasm heap, peak RSS.
 *   --kernels Conv2DBackpropFilter,… registers only these of our kernels (before/after comparisons).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { presetSpec, Rng, validateSpec } from '@interpret-fr/core';
import { defineCli, intOption, parseScriptArgs } from '@interpret-fr/core/node';
import type { Block } from '@interpret-fr/core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, useThreadedWasm } from '../src/wasm/index.ts';
import { profileKernels } from './profile-kernels.ts';

const { values } = parseScriptArgs(
  defineCli({
    name: 'bench-kernels',
    summary: 'times the wasm training kernels per conv layer, or profiles one training step per kernel',
    options: {
      spec: { type: 'string', arg: 'PRESET', description: 'layer benchmark: the preset whose conv layers are timed (casia-net)' },
      layers: { type: 'string', arg: 'A,B', description: 'layer benchmark: only these conv layers (e.g. k0_2,k1_2)' },
      stock: { type: 'boolean', description: "layer benchmark: also tfjs' own Conv2DBackpropInput" },
      cpu: { type: 'boolean', description: "layer benchmark: also the cpu backend's Conv2DBackpropFilter" },
      step: { type: 'string', arg: 'PRESET', description: 'profile one training step of PRESET per kernel instead' },
      classes: { type: 'string', arg: 'N', description: 'step profile: identities of the spec (1000)' },
      occluded: { type: 'boolean', description: 'step profile: with the occluded branch' },
      steps: { type: 'string', arg: 'N', description: 'step profile: steps profiled (2)' },
      memory: { type: 'boolean', description: 'step profile: also the wasm heap and peak RSS per step' },
      top: { type: 'string', arg: 'N', description: 'step profile: kernels listed (25)' },
      batch: { type: 'string', arg: 'N', description: 'images per batch (16)' },
      reps: { type: 'string', arg: 'N', description: 'timed repetitions, median reported (2)' },
      threads: { type: 'string', arg: 'N', description: 'wasm threads (1)' },
      kernels: { type: 'string', arg: 'A,B', description: 'register only these of our kernels (before/after comparisons)' },
    },
  }),
);
const batch = intOption(values.batch, 'batch', 16, { min: 1 });
const reps = intOption(values.reps, 'reps', 2, { min: 1 });
const threads = intOption(values.threads, 'threads', 1, { min: 1 });

if (!tf.getGradient('Conv2D')) await import('@tensorflow/tfjs');
if (threads > 1) useThreadedWasm({ threads });
else await import('@tensorflow/tfjs-backend-wasm');
const only = values.kernels ?? '';
registerWasmTrainingKernels(only ? only.split(',') : undefined);
await tf.setBackend('wasm');
console.log(
  `wasm threads: ${getThreadsCount()}; load average: ${(await import('node:os'))
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);

function table(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((v, i) => v.padEnd(w[i]!)).join(' | ');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
  rows.forEach((r) => console.log(line(r)));
}

/** Median wall ms of `reps` runs of f (after one warm-up), reading the result back each time. */
function time(f: () => tf.Tensor): number {
  const ts: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const r = f();
    r.dataSync();
    r.dispose();
    if (i > 0) ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

async function benchLayers(): Promise<void> {
  const spec = presetSpec(values.spec ?? 'casia-net', { numClasses: 10 });
  const shapes = validateSpec(spec);
  const only = values.layers ?? '';
  const rows: string[][] = [];
  const total = { fwd: 0, dx: 0, dxStock: 0, dw: 0 };
  for (const b of spec.blocks) {
    if (b.kind !== 'conv' || (only && !only.split(',').includes(b.name))) continue;
    const conv = b as Extract<Block, { kind: 'conv' }>;
    const [h, w, c] = shapes.get(conv.input)! as [number, number, number];
    const [ho, wo, f] = shapes.get(conv.name)! as [number, number, number];
    const k = conv.kernel;
    const flops = 2 * batch * ho * wo * k * k * c * f;
    const gf = (ms: number): string => `${ms.toFixed(0)} ms ${(flops / ms / 1e6).toFixed(1)}`;
    const x = tf.randomNormal([batch, h, w, c]) as tf.Tensor4D;
    const wt = tf.randomNormal([k, k, c, f]) as tf.Tensor4D;
    const dy = tf.randomNormal([batch, ho, wo, f]) as tf.Tensor4D;
    const s = conv.stride;
    const fwd = time(() => tf.conv2d(x, wt, s, 'same'));
    const dxFn = (): tf.Tensor =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: wt }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape } as never) as tf.Tensor;
    const dwFn = (): tf.Tensor =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: wt.shape } as never) as tf.Tensor;
    const dx = time(dxFn);
    const dw = time(dwFn);
    let dxStock = NaN;
    if (values.stock === true) {
      unregisterWasmTrainingKernels();
      dxStock = time(dxFn);
      registerWasmTrainingKernels();
    }
    let cpuDw = NaN;
    if (values.cpu === true) {
      const host = [x, dy].map((t) => ({ d: t.dataSync(), s: t.shape }));
      await tf.setBackend('cpu');
      const [cx, cdy] = host.map((t) => tf.tensor(t.d, t.s));
      cpuDw = time(
        () => tf.engine().runKernel('Conv2DBackpropFilter', { x: cx!, dy: cdy! }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: wt.shape } as never) as tf.Tensor,
      );
      tf.dispose([cx!, cdy!]);
      await tf.setBackend('wasm');
    }
    tf.dispose([x, wt, dy]);
    total.fwd += fwd;
    total.dx += dx;
    total.dw += dw;
    total.dxStock += dxStock;
    rows.push([
      conv.name,
      `${h}×${w} ${c}→${f} s${s}`,
      (flops / 1e9).toFixed(2),
      gf(fwd),
      gf(dx),
      values.stock === true ? gf(dxStock) : '-',
      gf(dw),
      values.cpu === true ? gf(cpuDw) : '-',
    ]);
  }
  rows.push([
    'total',
    '',
    '',
    `${total.fwd.toFixed(0)} ms`,
    `${total.dx.toFixed(0)} ms`,
    values.stock === true ? `${total.dxStock.toFixed(0)} ms` : '-',
    `${total.dw.toFixed(0)} ms`,
    '-',
  ]);
  console.log(`${spec.name}, batch ${batch}, median of ${reps} (ms, GFLOP/s)`);
  table(['layer', 'shape', 'GFLOP', 'fwd Conv2D', 'dx ours', 'dx stock', 'dW ours', 'dW cpu'], rows);
}

async function benchStep(): Promise<void> {
  const { initParams, disposeParams } = await import('../src/params.ts');
  const { createOptimizer, makeTrainStep } = await import('../src/train-step.ts');
  const { defaultWeightsFor } = await import('../src/loss-weights.ts');
  const spec = presetSpec(values.step ?? 'casia-net', { numClasses: intOption(values.classes, 'classes', 1000, { min: 2 }) });
  const rng = new Rng(1);
  const params = initParams(tf as never, spec, rng);
  const opt = createOptimizer(tf as never);
  const step = makeTrainStep(tf as never, spec, params, opt, defaultWeightsFor(spec), rng);
  const sz = spec.inputSize;
  const x = tf.randomUniform([batch, sz, sz, 3], -1, 1, 'float32', 1);
  const xOcc = values.occluded === true ? tf.mul(x, 0.5) : null;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const b = { x: x as never, xOcc: xOcc as never, labels: labels as never };
  const info = await tf.profile(() => {
    step(b, { readLosses: true });
  });
  console.log(`first step: peak tensor memory ${(info.peakBytes / 2 ** 20).toFixed(0)} MB (tfjs engine count)`);
  if (values.memory === true) {
    const by = new Map<string, number>();
    let peakAt = 0;
    info.kernels.forEach((k, i) => {
      by.set(k.name, (by.get(k.name) ?? 0) + k.outputShapes.reduce((a, s) => a + 4 * (s ?? []).reduce((p, v) => p * v, 1), 0));
      if (k.totalBytesSnapshot > info.kernels[peakAt]!.totalBytesSnapshot) peakAt = i;
    });
    console.log(`peak after kernel #${peakAt} of ${info.kernels.length} (${info.kernels[peakAt]!.name})`);
    table(
      ['kernel', 'output MB (all calls)'],
      [...by]
        .sort((p, q) => q[1] - p[1])
        .slice(0, 12)
        .map(([n, v]) => [n, (v / 2 ** 20).toFixed(0)]),
    );
  }
  const prof = profileKernels('wasm');
  const steps = intOption(values.steps, 'steps', 2, { min: 1 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step(b, { readLosses: true });
  const wall = (performance.now() - t0) / steps;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1000 / steps;
  const stats = prof.stats();
  prof.stop();
  const heapMb = ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20).toFixed(0);
  console.log(`wasm heap ${heapMb} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, tensors ${tf.memory().numTensors}`);
  const sum = stats.reduce((a, s) => a + s.cpuMs, 0) / steps;
  console.log(
    `${spec.name} batch ${batch}${xOcc ? ' clean+occluded' : ''}: wall ${wall.toFixed(0)} ms/step (${((batch * 1000) / wall).toFixed(2)} images/s), CPU ${cpu.toFixed(0)} ms/step (${((batch * 1000) / cpu).toFixed(2)} images per CPU-second); kernels ${sum.toFixed(0)} CPU ms, other (JS, tape) ${(cpu - sum).toFixed(0)} CPU ms`,
  );
  table(
    ['kernel', 'calls/step', 'wall ms/step', 'CPU ms/step', 'CPU share'],
    stats
      .slice(0, intOption(values.top, 'top', 25, { min: 1 }))
      .map((s) => [s.name, String(s.calls / steps), (s.ms / steps).toFixed(1), (s.cpuMs / steps).toFixed(1), `${((100 * s.cpuMs) / steps / cpu).toFixed(1)}%`]),
  );
  tf.dispose([x, labels, ...(xOcc ? [xOcc] : [])]);
  opt.dispose();
  disposeParams(params);
}

if (values.step !== undefined) await benchStep();
else await benchLayers();
process.exit(0); // the threaded backend's workers would keep the process alive
