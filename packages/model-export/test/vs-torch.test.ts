/**
 * Structural efficiency check against the PyTorch exports of the same architectures
 * (../shared/bench/*-torch.onnx): after ORT's own graph optimisations (level 'all', which is what
 * a session runs), our graph must do the same convolution work with no more nodes. This is the
 * noise-free counterpart of `pnpm bench:export` (throughput ≥ 90 % of torch's).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { presets } from '@interpret-fr/core';
import { decodeOnnx, exportOnnx, randomWeights } from '../src/index.ts';

const bench = process.env.INTERPRET_FR_BENCH ?? resolve(import.meta.dirname, '../../../../shared/bench');
const have = existsSync(join(bench, 'casia-net-torch.onnx')) && existsSync(join(bench, 'interpretable-torch.onnx'));
if (!have) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`${bench}: PyTorch reference models missing (INTERPRET_FR_REQUIRE_DATA=1)`);
  console.warn(`[model-export tests] ${bench} has no *-torch.onnx: the comparison with the PyTorch exports is skipped`);
}
const tmp = mkdtempSync(join(tmpdir(), 'ifr-opt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function optimizedOps(bytes: Uint8Array, name: string): Promise<string[]> {
  const path = join(tmp, `${name}.onnx`);
  await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
  return decodeOnnx(new Uint8Array(readFileSync(path))).graph.nodes.map((n) => `${n.domain ? `${n.domain}.` : ''}${n.opType}`);
}

describe.skipIf(!have)('ORT-optimised graph vs the PyTorch export', () => {
  it.each(['casia-net', 'interpretable'] as const)('%s: same convolutions, no more nodes, no extra reorders', async (name) => {
    const spec = presets[name]({ numClasses: 10 });
    const outputs = name === 'interpretable' ? (['embedding', 'maps'] as const) : (['embedding'] as const);
    const ours = await optimizedOps(exportOnnx(spec, randomWeights(spec, 1), { outputs: [...outputs] }), name);
    const torch = await optimizedOps(new Uint8Array(readFileSync(join(bench, `${name}-torch.onnx`))), `${name}-torch`);
    const count = (ops: string[], re: RegExp): number => ops.filter((o) => re.test(o)).length;
    expect(count(ours, /Conv$/)).toBe(count(torch, /Conv$/));
    expect(count(ours, /Reorder/)).toBeLessThanOrEqual(count(torch, /Reorder/));
    expect(ours.length).toBeLessThanOrEqual(torch.length);
  });
});
