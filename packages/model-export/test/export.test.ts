import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { presets } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import { EXPORTER_VERSION, checkOnnx, decodeOnnx, exportOnnx } from '../src/index.ts';
import type { ExportOptions } from '../src/index.ts';
import { hwcToChw, referenceForward } from './reference.ts';
import { randomImages, randomWeights, toNchw } from '../src/random-weights.ts';

async function runOrt(bytes: Uint8Array, x: Float32Array, n: number, size: number): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  return s.run({ image: new ort.Tensor('float32', x, [n, 3, size, size]) }) as Promise<Record<string, ort.Tensor>>;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
function scale(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Compares ORT against the float64 reference for every image; returns the worst relative error. */
async function compare(spec: ModelSpec, opts: ExportOptions, seed: number): Promise<Record<string, number>> {
  const w = randomWeights(spec, seed);
  const S = spec.inputSize;
  const imgs = randomImages(2, S, seed + 1);
  const bytes = exportOnnx(spec, w, opts);
  const r = await runOrt(bytes, toNchw(imgs, S), 2, S);
  const errs: Record<string, number> = {};
  imgs.forEach((im, b) => {
    const ref = referenceForward(spec, w, im);
    for (const out of opts.outputs ?? ['embedding']) {
      const block = spec.outputs[out]!;
      const t = ref.get(block)!;
      let want = t.shape.length === 3 ? hwcToChw(t) : t.data;
      if (out === 'embedding' && opts.l2normalize) {
        const n = Math.sqrt(want.reduce((a, v) => a + v * v, 0));
        want = want.map((v) => v / n);
      }
      const got = (r[out]!.data as Float32Array).subarray(b * want.length, (b + 1) * want.length);
      errs[out] = Math.max(errs[out] ?? 0, maxAbs(got, want) / scale(want));
    }
  });
  return errs;
}

describe('exportOnnx vs a float64 reference forward', () => {
  it.each([
    ['interpretable-tiny', { outputs: ['embedding', 'maps'] }],
    ['interpretable-tiny', { outputs: ['embedding', 'maps'], foldBatchNorm: false }],
    ['interpretable-tiny', { outputs: ['maps', 'embedding', 'logits'], opset: 13 }],
    ['interpretable-tiny', { outputs: ['embedding'], opset: 18, l2normalize: true }],
    ['interpretable-tiny', { outputs: ['embedding', 'maps'], opset: 21 }],
    ['casia-net-tiny', { outputs: ['embedding', 'logits'] }],
    ['casia-net-tiny', { outputs: ['embedding'], foldBatchNorm: false, l2normalize: true }],
  ] as [string, ExportOptions][])('%s %j', async (name, opts) => {
    const spec = presets[name as 'interpretable-tiny']({ numClasses: 7 });
    const errs = await compare(spec, opts, 3);
    for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThan(1e-5);
  });

  it("topkMask 'gt' keeps k-1 values per channel, 'ge' keeps k (no ties with random data)", async () => {
    for (const compare of ['gt', 'ge'] as const) {
      const spec = presets['interpretable-tiny']({ numClasses: 7, topkCompare: compare });
      const w = randomWeights(spec, 5);
      const r = await runOrt(exportOnnx(spec, w, { outputs: ['maps'] }), toNchw(randomImages(1, 48, 9), 48), 1, 48);
      const maps = r.maps!.data as Float32Array;
      for (let c = 0; c < 40; c++) {
        const kept = maps.subarray(c * 144, (c + 1) * 144).filter((v) => v !== 0).length;
        expect(kept, `channel ${c}`).toBe(compare === 'ge' ? 12 : 11);
      }
    }
  });
});

describe('graph structure', () => {
  const spec = presets.interpretable({ numClasses: 10 });
  const w = randomWeights(spec, 1);
  const bytes = exportOnnx(spec, w, { outputs: ['embedding', 'maps'], checkpointSha256: 'ab'.repeat(32), trainingConfig: { lr: 1e-3 } });
  const m = decodeOnnx(bytes);

  it('is opset 17 / IR 8, passes checkOnnx, and declares NCHW input and outputs with a dynamic batch', () => {
    expect(checkOnnx(bytes).problems).toEqual([]);
    expect(m.irVersion).toBe(8);
    expect(m.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(m.graph.inputs).toEqual([{ name: 'image', elemType: 1, dims: ['N', 3, 96, 96] }]);
    expect(m.graph.outputs).toEqual([
      { name: 'embedding', elemType: 1, dims: ['N', 320] },
      { name: 'maps', elemType: 1, dims: ['N', 320, 24, 24] },
    ]);
  });

  it('folds every BN, pads stride-2 convs TF-style, resizes asymmetrically, masks with TopK', () => {
    const ops = m.graph.nodes.map((n) => n.opType);
    const count = (op: string): number => ops.filter((o) => o === op).length;
    expect(count('Conv')).toBe(17);
    expect(count('BatchNormalization')).toBe(0);
    expect(count('Elu')).toBe(15);
    expect(count('Transpose') + count('Cast') + count('Dropout') + count('Identity')).toBe(0);
    const k1 = m.graph.nodes.find((n) => n.name === 'k1_0')!;
    expect(k1.attrs.pads).toEqual([0, 0, 1, 1]);
    expect(k1.attrs.strides).toEqual([2, 2]);
    expect(m.graph.nodes.find((n) => n.name === 'k0_1')!.attrs.pads).toEqual([1, 1, 1, 1]);
    for (const r of m.graph.nodes.filter((n) => n.opType === 'Resize')) {
      expect(r.attrs).toMatchObject({ mode: 'linear', coordinate_transformation_mode: 'asymmetric' });
    }
    const scales = m.graph.initializers.find((t) => t.name === 'new_resize4_2/scales')!;
    expect(Array.from(scales.data as Float32Array)).toEqual([1, 1, 4, 4]);
    expect(ops.slice(-8)).toEqual(['Reshape', 'Abs', 'TopK', 'Slice', 'GreaterOrEqual', 'Where', 'Reshape', 'ReduceMean']);
    // OIHW kernel of k0_1: [32, 3, 3, 3]
    expect(m.graph.initializers.find((t) => t.name === 'k0_1/W')!.dims).toEqual([32, 3, 3, 3]);
  });

  it('writes the metadata_props', () => {
    expect(JSON.parse(m.metadata['interpret-fr.spec']!)).toEqual(spec);
    const s = 1 / 127.5;
    expect(JSON.parse(m.metadata['interpret-fr.preprocess']!)).toEqual({
      size: 96,
      mean: [127.5, 127.5, 127.5],
      scale: [s, s, s],
      channelOrder: 'RGB',
      layout: 'NCHW',
      gray: 'replicate',
      inputName: 'image',
      dtype: 'float32',
    });
    expect(m.metadata['interpret-fr.model-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(m.metadata['interpret-fr.checkpoint-sha256']).toBe('ab'.repeat(32));
    expect(JSON.parse(m.metadata['interpret-fr.training-config']!)).toEqual({ lr: 1e-3 });
    expect(m.metadata['interpret-fr.exporter-version']).toBe(EXPORTER_VERSION);
    expect(JSON.parse(m.metadata['interpret-fr.outputs']!).names).toEqual(['embedding', 'maps']);
  });

  it('is deterministic and prunes blocks the outputs do not need', () => {
    expect(Buffer.compare(exportOnnx(spec, w, { outputs: ['embedding', 'maps'], checkpointSha256: 'ab'.repeat(32), trainingConfig: { lr: 1e-3 } }), bytes)).toBe(0);
    const e = decodeOnnx(exportOnnx(spec, w));
    expect(e.graph.nodes.some((n) => n.opType === 'Gemm')).toBe(false);
    expect(e.graph.outputs.map((o) => o.name)).toEqual(['embedding']);
  });

  it('rejects missing, mis-shaped and non-finite weights and unknown outputs, naming the parameter', () => {
    const missing = new Map(w);
    missing.delete('k2_1_bn/gamma');
    expect(() => exportOnnx(spec, missing)).toThrow(/"k2_1_bn\/gamma".*missing/);
    const bad = new Map(w);
    bad.set('k0_1/kernel', new Float32Array(5));
    expect(() => exportOnnx(spec, bad)).toThrow(/"k0_1\/kernel" has 5 values, expected 864/);
    const nan = new Map(w);
    nan.set('k0_1/bias', new Float32Array(32).fill(Number.NaN));
    expect(() => exportOnnx(spec, nan)).toThrow(/non-finite/);
    const entries = [...w].map(([name, data]) => ({ name, shape: [data.length], dtype: 'float32', data }));
    expect(() => exportOnnx(spec, entries)).toThrow(/"k0_1\/kernel" has shape \[864\], expected \[3,3,3,32\]/);
    expect(() => exportOnnx(presets['casia-net'](), randomWeights(presets['casia-net'](), 1), { outputs: ['maps'] })).toThrow(/no "maps" output/);
    expect(() => exportOnnx(spec, w, { opset: 11 })).toThrow(/opset 11 unsupported/);
  });
});

describe('checkOnnx', () => {
  it('reports an undefined node input and a wrong initializer size', async () => {
    const { GraphBuilder } = await import('../src/graph-builder.ts');
    const { modelProtoType } = await import('../src/onnx-schema.ts');
    const good = exportOnnx(presets['casia-net-tiny'](), randomWeights(presets['casia-net-tiny'](), 2));
    const t = modelProtoType();
    const msg = t.toObject(t.decode(good)) as { graph: { node: { input: string[] }[]; initializer: { dims: number[] }[] } };
    msg.graph.node[3]!.input[0] = 'nowhere';
    msg.graph.initializer[0]!.dims = [1, 2, 3];
    const bad = checkOnnx(t.encode(t.fromObject(msg)).finish());
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/input 0 "nowhere" is not defined/);
    expect(bad.problems.join('\n')).toMatch(/dims \[1,2,3\] need 6 elements, 108 stored/);
    expect(GraphBuilder).toBeDefined();
  });
});
