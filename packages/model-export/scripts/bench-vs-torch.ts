/**
 * ORT-node throughput of our exported casia-net / interpretable (random weights) vs the PyTorch
 * exports in ../shared/bench (same architectures), batch 1/8/32, interleaved in one run.
 *
 *   pnpm --filter @interpret-fr/model-export run bench:export [--rounds 5] [--threads N] [--batches 1,8,32]
 *     [--only casia-net,interpretable] [--min-images 32] [--no-fold-bn] [--both-bn] [--json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { presets } from '@interpret-fr/core';
import { exportOnnx } from '../src/index.ts';
import { measureThroughput } from './throughput.ts';
import type { BenchModel } from './throughput.ts';
import { randomWeights } from '../src/random-weights.ts';

const args = process.argv.slice(2);
const flag = (n: string): boolean => args.includes(n);
const opt = (n: string, d: number): number => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const bench = process.env.INTERPRET_FR_BENCH ?? resolve(import.meta.dirname, '../../../../shared/bench');
const threads = opt('--threads', 0);
const sessOpts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', ...(threads ? { intraOpNumThreads: threads } : {}) };

async function model(name: string, bytes: Uint8Array, input: string): Promise<BenchModel> {
  const s = await ort.InferenceSession.create(bytes, sessOpts);
  return { name, run: (t) => s.run({ [input]: t as ort.Tensor }, ['embedding']) };
}

const models: BenchModel[] = [];
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : ['casia-net', 'interpretable'];
for (const name of (['casia-net', 'interpretable'] as const).filter((n) => only.includes(n))) {
  const spec = presets[name]({ numClasses: 10 });
  const outputs = name === 'interpretable' ? (['embedding', 'maps'] as const) : (['embedding'] as const);
  const bytes = exportOnnx(spec, randomWeights(spec, 1), { outputs: [...outputs], foldBatchNorm: !flag('--no-fold-bn') });
  models.push(await model(name, bytes, 'image'));
  if (flag('--both-bn')) {
    const nb = exportOnnx(spec, randomWeights(spec, 1), { outputs: [...outputs], foldBatchNorm: false });
    models.push(await model(`${name}-bn`, nb, 'image'));
  }
  const torch = resolve(bench, `${name}-torch.onnx`);
  if (!existsSync(torch)) {
    console.warn(`missing ${torch}: torch comparison skipped`);
    continue;
  }
  models.push(await model(`${name}-torch`, new Uint8Array(readFileSync(torch)), 'x'));
}

const rows = await measureThroughput(models, {
  batches: args.includes('--batches') ? args[args.indexOf('--batches') + 1]!.split(',').map(Number) : [1, 8, 32],
  size: 96,
  rounds: opt('--rounds', 5),
  minImages: opt('--min-images', 32),
  makeTensor: (d, dims) => new ort.Tensor('float32', d, dims),
});
if (flag('--json')) {
  for (const r of rows) console.log(JSON.stringify({ bench: 'export', model: r.model, runtime: 'ort-node', api: 'session', batch: r.batch, imagesPerSecond: r.imagesPerSecond }));
} else {
  // Per-round ratio: both models measured back to back in the same round, so load changes between
  // rounds cancel; its median is the figure to quote.
  const paired = (a: number[], b: number[]): number => {
    const r = a.map((v, i) => v / b[i]!).sort((x, y) => x - y);
    return r.length % 2 ? r[r.length >> 1]! : (r[r.length / 2 - 1]! + r[r.length / 2]!) / 2;
  };
  console.log('| model | batch | ours img/s | torch img/s | ours/torch (medians) | ours/torch (median of per-round ratios) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => !x.model.endsWith('-torch'))) {
    const base = r.model.replace(/-bn$/, '');
    const t = rows.find((x) => x.model === `${base}-torch` && x.batch === r.batch);
    const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
    console.log(
      `| ${r.model} | ${r.batch} | ${r.imagesPerSecond.toFixed(1)} | ${t ? t.imagesPerSecond.toFixed(1) : '-'} | ${t ? pct(r.imagesPerSecond / t.imagesPerSecond) : '-'} | ${t ? pct(paired(r.samples, t.samples)) : '-'} |`,
    );
  }
}
