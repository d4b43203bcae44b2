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
import { defineCli, intOption, parseScriptArgs } from '@interpret-fr/core/node';
import { exportOnnx } from '../src/index.ts';
import { measureThroughput } from './throughput.ts';
import type { BenchModel } from './throughput.ts';
import { randomWeights } from '../src/random-weights.ts';

const { values } = parseScriptArgs(
  defineCli({
    name: 'bench:export',
    summary: 'ORT-node throughput of our exported models vs the PyTorch exports, interleaved in one run',
    options: {
      rounds: { type: 'string', arg: 'N', description: 'interleaved rounds (5)' },
      threads: { type: 'string', arg: 'N', description: "ORT intra-op threads (0 = ORT's default)" },
      batches: { type: 'string', arg: 'A,B', description: 'batch sizes (1,8,32)' },
      only: { type: 'string', arg: 'A,B', description: 'casia-net,interpretable (both)' },
      'min-images': { type: 'string', arg: 'N', description: 'images per timed call group (32)' },
      'no-fold-bn': { type: 'boolean', description: 'export without folding BatchNorm' },
      'both-bn': { type: 'boolean', description: 'also time the unfolded export' },
      json: { type: 'boolean', description: 'JSON rows on stdout' },
    },
  }),
);
const bench = process.env.INTERPRET_FR_BENCH ?? resolve(import.meta.dirname, '../../../../shared/bench');
const threads = intOption(values.threads, 'threads', 0, { min: 0 });
const sessOpts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', ...(threads ? { intraOpNumThreads: threads } : {}) };

async function model(name: string, bytes: Uint8Array, input: string): Promise<BenchModel> {
  const s = await ort.InferenceSession.create(bytes, sessOpts);
  return { name, run: (t) => s.run({ [input]: t as ort.Tensor }, ['embedding']) };
}

const models: BenchModel[] = [];
const only = (values.only ?? 'casia-net,interpretable').split(',');
for (const name of (['casia-net', 'interpretable'] as const).filter((n) => only.includes(n))) {
  const spec = presets[name]({ numClasses: 10 });
  const outputs = name === 'interpretable' ? (['embedding', 'maps'] as const) : (['embedding'] as const);
  const bytes = exportOnnx(spec, randomWeights(spec, 1), { outputs: [...outputs], foldBatchNorm: values['no-fold-bn'] !== true });
  models.push(await model(name, bytes, 'image'));
  if (values['both-bn'] === true) {
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
  batches: (values.batches ?? '1,8,32').split(',').map((b) => intOption(b, 'batches', 1, { min: 1 })),
  size: 96,
  rounds: intOption(values.rounds, 'rounds', 5, { min: 1 }),
  minImages: intOption(values['min-images'], 'min-images', 32, { min: 1 }),
  makeTensor: (d, dims) => new ort.Tensor('float32', d, dims),
});
if (values.json === true) {
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
