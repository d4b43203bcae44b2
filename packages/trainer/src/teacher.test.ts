import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetSpec, Rng } from '@interpret-fr/core';
import { loadBackend } from './backend.ts';
import { buildNet } from './net.ts';
import { defaultWeightsFor } from './loss-weights.ts';
import { objective } from './objective.ts';
import { initParams } from './params.ts';
import { readTeacher, teacherBatch } from './teacher.ts';

const write = (v: number[]): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'teacher-')), 't.f32');
  writeFileSync(f, new Uint8Array(Float32Array.from(v).buffer));
  return f;
};

describe('teacher descriptors (distillation)', () => {
  it('reads rows, normalises them, treats all-NaN rows as missing and builds batch targets', async () => {
    const t = await readTeacher(write([3, 4, NaN, NaN, 0, 2]), 3, 2);
    expect(t.count).toBe(2);
    expect(Array.from(t.has)).toEqual([1, 0, 1]);
    expect(t.data[0]).toBeCloseTo(0.6, 6);
    expect(t.data[1]).toBeCloseTo(0.8, 6);
    const b = teacherBatch(t, [2, 1, 0], 2);
    expect(Array.from(b.mask)).toEqual([1, 0, 1]);
    expect(Array.from(b.target)).toEqual([0, 1, 0, 0, expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
  });
  it('rejects a file of the wrong size and a partly NaN row, naming the file', async () => {
    await expect(readTeacher(write([1, 2, 3]), 2, 2)).rejects.toThrow(/t\.f32: 12 bytes, expected 2 images × 2 float32/);
    await expect(readTeacher(write([1, NaN]), 1, 2)).rejects.toThrow(/row 0 \(image 1\) has 1 NaN/);
  });
  it('objective: the distill term equals mean over masked images of 1 − cos(W f + b, t)', async () => {
    const { tf } = await loadBackend('cpu');
    const spec = presetSpec('interpretable-tiny', { numClasses: 3, distillDim: 4 });
    expect(spec.blocks.at(-1)).toMatchObject({ kind: 'dense', name: 'distill', units: 4 });
    const params = initParams(tf, spec, new Rng(3));
    const net = buildNet(tf, spec, params);
    const x = tf.randomUniform([3, 48, 48, 3], -1, 1, 'float32', 5) as import('@tensorflow/tfjs-core').Tensor4D;
    const target = tf.tensor2d([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0.6, 0.8],
    ]);
    const mask = tf.tensor1d([1, 0, 1]);
    const w = { ...defaultWeightsFor(spec), ce: 1, ceOcc: 0, sad: 0, sadOcc: 0, weightDiversity: 0, fad: 0, distill: 1 };
    const { terms } = objective(tf, spec, net, params, { x, xOcc: null, labels: tf.tensor1d([0, 1, 2], 'int32'), teacher: { target, mask } }, w, new Rng(1));
    const got = (await terms.distill!.data())[0]!;
    // Reference from the inference-mode-independent pieces: the embedding of this (training-mode) forward.
    const f = net.forward(x, { training: true, rng: new Rng(1) }).embedding;
    const z = tf.add(tf.matMul(f, params.get('distill/kernel')!), params.get('distill/bias')!);
    const zv = (await z.array()) as number[][];
    const tv = await target.array();
    const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    const want = (1 - cos(zv[0]!, tv[0]!) + (1 - cos(zv[2]!, tv[2]!))) / 2;
    expect(got).toBeCloseTo(want, 4);
  });
});
