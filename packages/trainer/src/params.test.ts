import { beforeAll, describe, expect, it } from 'vitest';
import { paramInfos, presetSpec, Rng } from '@interpret-fr/core';
import type { Tf } from './backend.ts';
import { disposeParams, initParams, loadParams, paramsToTensorEntries, trainableVariables } from './params.ts';
import { cpuTf } from '../test/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = await cpuTf();
});

const spec = presetSpec('interpretable-tiny', { numClasses: 20 });

describe('initParams (method.md §2.1, §10)', () => {
  it('uses the original initialisers, is fixed by the seed, and names every paramInfos entry', () => {
    const a = initParams(tf, spec, new Rng(5));
    const b = initParams(tf, spec, new Rng(5));
    expect([...a.keys()]).toEqual(paramInfos(spec).map((p) => p.name));
    const k = Array.from(a.get('new_k5/kernel')!.dataSync());
    const sd = Math.sqrt(k.reduce((s, v) => s + v * v, 0) / k.length);
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7); // truncated at 2σ
    expect(sd).toBeGreaterThan(0.0165); // truncated normal σ0.02 → sd ≈ 0.0176
    expect(sd).toBeLessThan(0.0187);
    const fc = Array.from(a.get('fc/kernel')!.dataSync());
    expect(Math.max(...fc.map(Math.abs))).toBeGreaterThan(0.04); // plain normal: tails beyond 2σ
    expect(Array.from(a.get('k0_1_bn/gamma')!.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(a.get('k0_1_bn/moving_variance')!.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(a.get('k0_1_bn/moving_mean')!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(a.get('k0_1/bias')!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(b.get('new_k5/kernel')!.dataSync())).toEqual(k);
    expect(a.get('k0_1_bn/moving_mean')!.trainable).toBe(false);
    expect(trainableVariables(spec, a).length).toBe(paramInfos(spec).filter((p) => p.trainable).length);
    disposeParams(a);
    disposeParams(b);
  });
});

describe('paramsToTensorEntries / loadParams', () => {
  it('round-trips, loads a subset into existing params, and names a shape mismatch', () => {
    const a = initParams(tf, spec, new Rng(1));
    const entries = paramsToTensorEntries(a);
    const b = loadParams(tf, spec, entries);
    for (const [n, v] of a) expect(Array.from(b.get(n)!.dataSync())).toEqual(Array.from(v.dataSync()));
    const c = initParams(tf, spec, new Rng(2));
    const before = c.get('fc/kernel')!.dataSync().slice();
    loadParams(tf, spec, entries, { into: c, only: (n) => n.startsWith('k') });
    expect(Array.from(c.get('k2_2/kernel')!.dataSync())).toEqual(Array.from(a.get('k2_2/kernel')!.dataSync()));
    expect(Array.from(c.get('fc/kernel')!.dataSync())).toEqual(Array.from(before));
    const bad = entries.map((e) => (e.name === 'fc/bias' ? { ...e, shape: [21], data: new Float32Array(21) } : e));
    expect(() => loadParams(tf, spec, bad, { into: c })).toThrow(/"fc\/bias" has shape \[21\].*expected \[20\]/);
    expect(() => loadParams(tf, spec, entries.slice(1), { into: c })).toThrow(/"k0_1\/kernel".*not found/);
    [a, b, c].forEach(disposeParams);
  });
});
