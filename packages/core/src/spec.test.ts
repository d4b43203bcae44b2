import { describe, expect, it } from 'vitest';
import { presets } from './presets.ts';
import type { Block, ModelSpec } from './spec.ts';
import { countParams, paramInfos, samePadding, sameOutSize, SpecError, validateSpec } from './spec.ts';

const base = (): ModelSpec => structuredClone(presets['interpretable-tiny']({ numClasses: 5 }));

/** Replaces block `name` by `f(block)`. */
function withBlock(name: string, f: (b: Block) => unknown): ModelSpec {
  const s = base();
  const i = s.blocks.findIndex((b) => b.name === name);
  if (i < 0) throw new Error(`no block ${name}`);
  s.blocks[i] = f(s.blocks[i]!) as Block;
  return s;
}

function specError(s: ModelSpec): SpecError {
  try {
    validateSpec(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError');
}

const indexOf = (name: string): number => base().blocks.findIndex((b) => b.name === name);

describe('validateSpec errors name the block and the field', () => {
  it('unknown input', () => {
    const e = specError(withBlock('k1_1', (b) => ({ ...b, input: 'k9_9' })));
    expect([e.blockName, e.field, e.blockIndex]).toEqual(['k1_1', 'input', indexOf('k1_1')]);
    expect(e.message).toBe(`block ${indexOf('k1_1')} ("k1_1"), field "input": unknown input "k9_9" (inputs must be defined earlier)`);
  });

  it('input defined later (not a DAG in order)', () => {
    const e = specError(withBlock('k0_1', (b) => ({ ...b, input: 'k0_2' })));
    expect([e.blockName, e.field]).toEqual(['k0_1', 'input']);
  });

  it('duplicate name', () => {
    const e = specError(withBlock('k0_2', (b) => ({ ...b, name: 'k0_1' })));
    expect([e.blockName, e.field]).toEqual(['k0_1', 'name']);
    expect(e.message).toMatch(/block 3 \("k0_1"\), field "name": duplicate name "k0_1"/);
  });

  it('bad k (more than the positions of the map, or not an integer)', () => {
    const big = specError(withBlock('new_k5_mask', (b) => ({ ...b, k: 145 })));
    expect([big.blockName, big.field]).toEqual(['new_k5_mask', 'k']);
    expect(big.message).toMatch(/expected an integer in \[1, 144\], got 145/);
    expect(specError(withBlock('new_k5_mask', (b) => ({ ...b, k: 2.5 }))).field).toBe('k');
    expect(specError(withBlock('new_k5_mask', (b) => ({ ...b, compare: 'lt' }))).field).toBe('compare');
  });

  it('concat spatial size mismatch', () => {
    // Feed the 3×3 k4_2 output (tiny preset: 48 / 16) straight into the concat instead of its 12×12 resize.
    const e = specError(withBlock('new_hc', (b) => ({ ...b, inputs: ['new_k2_2_l2', 'new_pca3_2_l2', 'k4_2_bn'] })));
    expect([e.blockName, e.field]).toEqual(['new_hc', 'inputs[2]']);
    expect(e.message).toMatch(/field "inputs\[2\]": spatial size 3×3 differs from 12×12/);
  });

  it('dense on a spatial map', () => {
    const e = specError(withBlock('fc', (b) => ({ ...b, input: 'new_k5_mask' })));
    expect([e.blockName, e.field]).toEqual(['fc', 'input']);
    expect(e.message).toMatch(/expected a vector input, got a 12×12×40 map/);
  });

  it('unknown kind', () => {
    const e = specError(withBlock('k0_1_elu', (b) => ({ ...b, kind: 'maxPool' })));
    expect([e.blockName, e.field]).toEqual(['k0_1_elu', 'kind']);
    expect(e.message).toMatch(/unknown block kind "maxPool"/);
  });

  it('bad numeric fields and spec-level fields', () => {
    expect(specError(withBlock('k0_1', (b) => ({ ...b, stride: 0 }))).field).toBe('stride');
    expect(specError(withBlock('k0_1_bn', (b) => ({ ...b, momentum: 1 }))).field).toBe('momentum');
    expect(specError(withBlock('dropout', (b) => ({ ...b, keep: 0 }))).field).toBe('keep');
    expect(specError(withBlock('new_resize3_2', (b) => ({ ...b, coordinate: 'pytorch' }))).field).toBe('coordinate');
    expect(specError(withBlock('new_k6', (b) => ({ ...b, input: 'fc' }))).message).toMatch(/unknown input "fc"/);
    const noOut = base();
    noOut.outputs.embedding = 'new_k5_mask';
    const e = specError(noOut);
    expect([e.blockName, e.field, e.blockIndex]).toEqual([null, 'outputs.embedding', null]);
    expect(e.message).toBe('spec, field "outputs.embedding": block "new_k5_mask" is not a vector');
    const badSize = base();
    badSize.inputSize = 0;
    expect(specError(badSize).message).toBe('spec, field "inputSize": expected a positive integer, got 0');
  });
});

describe('shapes and parameters', () => {
  it('TF SAME padding puts the extra pixel after', () => {
    expect(samePadding(96, 3, 2)).toEqual([0, 1]);
    expect(samePadding(96, 3, 1)).toEqual([1, 1]);
    expect(samePadding(7, 3, 2)).toEqual([1, 1]);
    expect(samePadding(6, 1, 1)).toEqual([0, 0]);
    expect(sameOutSize(7, 2)).toBe(4);
  });

  it('parameter names, shapes (HWIO, dense [in, out]) and init roles', () => {
    const infos = paramInfos(base());
    const byName = new Map(infos.map((p) => [p.name, p]));
    expect(byName.get('k0_1/kernel')).toEqual({ name: 'k0_1/kernel', block: 'k0_1', shape: [3, 3, 3, 4], trainable: true, init: 'truncatedNormal0.02' });
    expect(byName.get('new_pca3_2/kernel')!.shape).toEqual([1, 1, 32, 24]);
    expect(byName.get('new_k5/kernel')!.shape).toEqual([3, 3, 72, 40]);
    expect(byName.get('k0_1_bn/moving_variance')).toMatchObject({ shape: [4], trainable: false, init: 'ones' });
    expect(byName.get('fc/kernel')).toMatchObject({ shape: [40, 5], init: 'normal0.02' });
    expect(new Set(infos.map((p) => p.name)).size).toBe(infos.length);
    expect(countParams(base(), (p) => !p.trainable)).toBe(infos.filter((p) => !p.trainable).reduce((a, p) => a + p.shape[0]!, 0));
  });
});
