/**
 * Times one training step (forward clean + occluded, all loss terms, backward, Adam) per spec on
 * the given backend and prints a table: median wall time and median process CPU time per step
 * (CPU time is the steadier number on a shared machine; tfjs-cpu is single-threaded).
 *   pnpm exec tsx scripts/time-step.ts [--backend cpu] [--steps 5] [--only interpretable-tiny,casia-net]
 *     [--filter-grad native|conv]   (default: conv on cpu, native elsewhere)
 */
import { presetSpec, Rng } from '@interpret-fr/core';
import { choiceOption, defineCli, intOption, parseScriptArgs } from '@interpret-fr/core/node';
import { loadBackend } from '../src/backend.ts';
import type { BackendName } from '../src/backend-info.ts';
import { initParams, disposeParams } from '../src/params.ts';
import { createOptimizer, makeTrainStep } from '../src/train-step.ts';
import { defaultWeightsFor } from '../src/loss-weights.ts';

const { values } = parseScriptArgs(
  defineCli({
    name: 'time-step',
    summary: 'times one training step per spec: median wall and process CPU time per step',
    options: {
      backend: { type: 'string', arg: 'NAME', description: 'cpu (default) | wasm | tensorflow | tensorflow-gpu | auto' },
      steps: { type: 'string', arg: 'N', description: 'timed steps per spec, after one warm-up (5)' },
      only: { type: 'string', arg: 'A,B', description: 'only these specs (interpretable-tiny, casia-net-tiny, casia-net, interpretable)' },
      'filter-grad': { type: 'string', arg: 'KIND', description: "native | conv (default: the backend's, conv on cpu)" },
    },
  }),
);
const backend = choiceOption(values.backend, 'backend', ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendName[], 'cpu');
const steps = intOption(values.steps, 'steps', 5, { min: 1 });
const { tf, name, filterGrad: backendFilterGrad } = await loadBackend(backend, { forTraining: true });

const cases = [
  { spec: 'interpretable-tiny', batch: 16, occluded: true, classes: 100 },
  { spec: 'casia-net-tiny', batch: 16, occluded: false, classes: 100 },
  { spec: 'casia-net', batch: 4, occluded: false, classes: 10575 },
  { spec: 'interpretable', batch: 4, occluded: true, classes: 10575 },
];
const only = values.only ?? '';
const filterGrad = values['filter-grad'] === undefined ? undefined : choiceOption(values['filter-grad'], 'filter-grad', ['native', 'conv'] as const, 'native');
const rows: string[][] = [];
for (const c of cases) {
  if (only && !only.split(',').includes(c.spec)) continue;
  const spec = presetSpec(c.spec, { numClasses: c.classes });
  const rng = new Rng(1);
  const params = initParams(tf, spec, rng);
  const opt = createOptimizer(tf);
  const step = makeTrainStep(tf, spec, params, opt, defaultWeightsFor(spec), rng, { filterGrad: filterGrad ?? backendFilterGrad });
  const s = spec.inputSize;
  const x = tf.randomUniform([c.batch, s, s, 3], -1, 1, 'float32', 1);
  const xOcc = c.occluded ? tf.mul(x, 0.5) : null;
  const labels = tf.tensor1d(
    Array.from({ length: c.batch }, (_, i) => i % c.classes),
    'int32',
  );
  const batch = { x: x as never, xOcc: xOcc as never, labels: labels as never };
  step(batch, { readLosses: true }); // warm-up
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step(batch, { readLosses: true });
    const c1 = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  const med = median(times);
  const medCpu = median(cpu);
  rows.push([c.spec, String(c.batch), c.occluded ? 'clean+occ' : 'clean', med.toFixed(0), medCpu.toFixed(0), ((c.batch * 1000) / medCpu).toPrecision(2), String(steps)]);
  tf.dispose([x, labels, ...(xOcc ? [xOcc] : [])]);
  opt.dispose();
  disposeParams(params);
}
const head = ['spec', 'batch', 'branches', 'wall ms/step', 'CPU ms/step', 'images/CPU-s', 'steps'];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]): string => r.map((v, i) => v.padEnd(w[i]!)).join(' | ');
console.log(`backend: ${name}${filterGrad ? `, conv filter gradient: ${filterGrad}` : ''}`);
console.log(line(head));
console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
rows.forEach((r) => console.log(line(r)));
// the threaded wasm backend's pthread workers would keep the process alive
process.stdout.write('', () => process.exit(0));
