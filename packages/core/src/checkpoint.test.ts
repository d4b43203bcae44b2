import { describe, expect, it } from 'vitest';
import type { Checkpoint, CheckpointManifest, TensorEntry } from './checkpoint.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, manifestDigest, parseManifest } from './checkpoint.ts';
import { checkpointFromParams, missingParams, paramsChecksum, paramsFromCheckpoint } from './checkpoint-params.ts';
import { presets } from './presets.ts';
import { Rng } from './rng.ts';
import { sha256Hex } from './sha256.ts';
import { paramInfos } from './spec.ts';

const spec = presets['interpretable-tiny']({ numClasses: 7 });

function randomParams(seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const m = new Map<string, Float32Array>();
  for (const p of paramInfos(spec)) {
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < a.length; i++) a[i] = rng.normal();
    m.set(p.name, a);
  }
  return m;
}

function sample(seed = 1): Checkpoint {
  const ck = checkpointFromParams(spec, randomParams(seed), { step: 1234, note: 'ü', nested: { a: [1, 2] } });
  // Awkward values must survive bit-exactly.
  const k = ck.tensors[0]!.data as Float32Array;
  k[0] = -0;
  k[1] = NaN;
  k[2] = 1e-45;
  k[3] = -Infinity;
  ck.tensors.push({ name: 'extra/steps', shape: [3], dtype: 'int32', data: new Int32Array([-1, 2 ** 31 - 1, 0]) });
  ck.tensors.push({ name: 'extra/mask', shape: [3], dtype: 'uint8', data: new Uint8Array([1, 255, 7]) });
  ck.tensors.push({ name: 'extra/after', shape: [1, 2], dtype: 'float32', data: new Float32Array([0.5, -2]) });
  return ck;
}

const bytesOf = (t: TensorEntry): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function expectFail(f: () => unknown, reason: string, message: RegExp): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).reason).toBe(reason);
    expect((e as Error).message).toMatch(message);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

/** Edits a manifest and, unless `reseal` is false, recomputes its sha256 (to reach the checks behind the hash). */
const edit = (manifest: string, f: (m: CheckpointManifest) => void, reseal = true): string => {
  const m = JSON.parse(manifest) as CheckpointManifest;
  f(m);
  if (reseal) m.sha256 = manifestDigest(m);
  return JSON.stringify(m);
};

describe('checkpoint round trip', () => {
  const ck = sample();
  const { manifest, weights } = encodeCheckpoint(ck);
  const back = decodeCheckpoint(manifest, weights);

  it('is bit-exact for every tensor, with spec and meta intact', () => {
    expect(back.tensors.map((t) => t.name)).toEqual(ck.tensors.map((t) => t.name));
    back.tensors.forEach((t, i) => {
      const orig = ck.tensors[i]!;
      expect(t.dtype).toBe(orig.dtype);
      expect(t.shape).toEqual(orig.shape);
      expect(t.data.constructor).toBe(orig.data.constructor);
      expect(Buffer.from(bytesOf(t)).equals(Buffer.from(bytesOf(orig))), t.name).toBe(true);
    });
    expect(Object.is(back.tensors[0]!.data[0], -0)).toBe(true);
    expect(back.tensors[0]!.data[1]).toBeNaN();
    expect(back.spec).toEqual(spec);
    expect(back.meta).toEqual({ step: 1234, note: 'ü', nested: { a: [1, 2] } });
    expect(paramsChecksum(back.tensors)).toBe(paramsChecksum(ck.tensors));
    // Re-encoding the decoded checkpoint gives the same bytes.
    const again = encodeCheckpoint(back);
    expect(again.manifest).toBe(manifest);
    expect(Buffer.from(again.weights).equals(Buffer.from(weights))).toBe(true);
  });

  it('lays tensors out little-endian, 8-byte aligned, zero-padded, with the hash of the bytes', () => {
    const m = JSON.parse(manifest) as CheckpointManifest;
    expect(m.format).toBe('interpret-fr-checkpoint');
    expect(m.version).toBe(2);
    expect(m.weightsSha256).toBe(sha256Hex(weights));
    expect(m.sha256).toBe(manifestDigest(m));
    expect(m.weightsByteLength).toBe(weights.length);
    let end = 0;
    for (const t of m.tensors) {
      expect(t.offset % 8).toBe(0);
      expect(t.offset).toBe(Math.ceil(end / 8) * 8);
      for (let i = end; i < t.offset; i++) expect(weights[i]).toBe(0);
      end = t.offset + t.byteLength;
    }
    expect(end).toBe(weights.length);
    const mask = m.tensors.find((t) => t.name === 'extra/mask')!;
    expect(mask.byteLength).toBe(3);
    expect(m.tensors[m.tensors.indexOf(mask) + 1]!.offset).toBe(mask.offset + 8);
    const steps = m.tensors.find((t) => t.name === 'extra/steps')!;
    expect([...weights.subarray(steps.offset, steps.offset + 8)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    const first = ck.tensors[4]!.data[0]!;
    const dv = new DataView(weights.buffer, weights.byteOffset);
    expect(dv.getFloat32(m.tensors[4]!.offset, true)).toBe(first);
  });

  it('decodes to views of one aligned copy, or of the input itself with copy: false', () => {
    const buf = back.tensors[0]!.data.buffer;
    expect(back.tensors.every((t) => t.data.buffer === buf)).toBe(true);
    expect(buf).not.toBe(weights.buffer);
    const direct = decodeCheckpoint(manifest, weights, { copy: false });
    expect(direct.tensors[0]!.data.buffer).toBe(weights.buffer);
    // A misaligned input is copied even with copy: false.
    const shifted = new Uint8Array(weights.length + 4);
    shifted.set(weights, 4);
    const mis = decodeCheckpoint(manifest, shifted.subarray(4), { copy: false });
    expect(mis.tensors[0]!.data.buffer).not.toBe(shifted.buffer);
    expect(mis.tensors[5]!.data[3]).toBe(ck.tensors[5]!.data[3]);
    // A Node Buffer at an odd offset (Buffer#slice is a view, so the codec must copy otherwise).
    const nodeBuf = Buffer.from(shifted.buffer, 3, weights.length);
    nodeBuf.set(weights);
    const fromBuffer = decodeCheckpoint(manifest, nodeBuf);
    expect(fromBuffer.tensors[0]!.data.byteOffset % 8).toBe(0);
    expect(paramsChecksum(fromBuffer.tensors)).toBe(paramsChecksum(ck.tensors));
  });

  it('writes parameters in paramInfos order whatever the input order', () => {
    const n = paramInfos(spec).length;
    // Parameters shuffled among themselves and after the extras: extras keep their relative order.
    const shuffled = { ...ck, tensors: [...ck.tensors.slice(n), ...new Rng(5).shuffle(ck.tensors.slice(0, n))] };
    const enc = encodeCheckpoint(shuffled);
    expect(enc.manifest).toBe(manifest);
    const names = (JSON.parse(enc.manifest) as CheckpointManifest).tensors.map((t) => t.name);
    expect(names.slice(0, n)).toEqual(paramInfos(spec).map((p) => p.name));
  });
});

describe('checkpoint decode failures', () => {
  const { manifest, weights } = encodeCheckpoint(sample());

  it('truncated weights: says how many bytes were expected and found', () => {
    const e = expectFail(
      () => decodeCheckpoint(manifest, weights.subarray(0, weights.length - 5)),
      'truncated',
      new RegExp(`expects ${weights.length} bytes, got ${weights.length - 5}`),
    );
    expect(e.file).toBe('weights.bin');
    expectFail(() => decodeCheckpoint(manifest, new Uint8Array(0)), 'truncated', /got 0/);
    const longer = new Uint8Array(weights.length + 8);
    longer.set(weights);
    expectFail(() => decodeCheckpoint(manifest, longer), 'size', /too long/);
  });

  it('one flipped byte anywhere: SHA-256 mismatch', () => {
    for (const at of [0, 100, weights.length - 1]) {
      const bad = weights.slice();
      bad[at]! ^= 0x10;
      expectFail(() => decodeCheckpoint(manifest, bad), 'hash', /SHA-256 mismatch/);
    }
  });

  it('tensors reordered in the bin (same sizes): SHA-256 mismatch', () => {
    const m = JSON.parse(manifest) as CheckpointManifest;
    const g = m.tensors.find((t) => t.name === 'k0_1_bn/gamma')!;
    const b = m.tensors.find((t) => t.name === 'k0_1_bn/beta')!;
    const bad = weights.slice();
    bad.set(weights.subarray(b.offset, b.offset + b.byteLength), g.offset);
    bad.set(weights.subarray(g.offset, g.offset + g.byteLength), b.offset);
    expectFail(() => decodeCheckpoint(manifest, bad), 'hash', /SHA-256 mismatch/);
  });

  it('entries reordered in the manifest: offset order error', () => {
    const bad = edit(manifest, (m) => {
      const t = m.tensors[3]!;
      m.tensors[3] = m.tensors[4]!;
      m.tensors[4] = t;
    });
    expectFail(() => decodeCheckpoint(bad, weights), 'order', /tensors\[4\].*overlaps or precedes/);
  });

  it('names swapped between two same-shaped entries: parameter order error', () => {
    const bad = edit(manifest, (m) => {
      const g = m.tensors.find((t) => t.name === 'k0_1_bn/gamma')!;
      const b = m.tensors.find((t) => t.name === 'k0_1_bn/beta')!;
      g.name = 'k0_1_bn/beta';
      b.name = 'k0_1_bn/gamma';
    });
    expectFail(() => decodeCheckpoint(bad, weights), 'order', /"k0_1_bn\/gamma" is out of order/);
  });

  it('overlapping, misaligned, out-of-range and mis-sized entries', () => {
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.tensors[2]!.offset = m.tensors[1]!.offset))), 'order', /tensors\[2\]/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.tensors[1]!.offset += 4))), 'layout', /offset \d+ is not a multiple of 8/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.weightsByteLength -= 8))), 'layout', /exceed weightsByteLength/);
    expectFail(
      () => parseManifest(edit(manifest, (m) => void (m.tensors[0]!.byteLength -= 4))),
      'size',
      /tensors\[0\] \("k0_1\/kernel"\): byteLength \d+ but shape \[3, 3, 3, 4\] × float32 is 432 bytes/,
    );
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.tensors[0]!.offset = -8))), 'layout', /non-negative integers/);
  });

  it('mismatched shape: names the tensor and both shapes', () => {
    const bad = edit(manifest, (m) => {
      const t = m.tensors[0]!;
      t.shape = [3, 3, 4, 3]; // same byte length, wrong layout
    });
    expectFail(() => decodeCheckpoint(bad, weights), 'shape', /"k0_1\/kernel" has shape \[3, 3, 4, 3\] but the spec needs \[3, 3, 3, 4\]/);
  });

  it('wrong spec / weights pairs', () => {
    // Manifest of a model with another class count: fc shapes disagree with the stored tensors.
    const other = edit(manifest, (m) => {
      const fc = m.spec.blocks.find((b) => b.name === 'fc')!;
      if (fc.kind === 'dense') fc.units = 9;
    });
    expectFail(() => decodeCheckpoint(other, weights), 'shape', /"fc\/kernel" has shape \[40, 7\] but the spec needs \[40, 9\]/);
    // Weights of another checkpoint of the same spec: hash.
    const w2 = encodeCheckpoint(sample(2)).weights;
    expectFail(() => decodeCheckpoint(manifest, w2), 'hash', /SHA-256 mismatch/);
    // A manifest whose spec is itself invalid names the block.
    const broken = edit(manifest, (m) => void (m.spec.blocks[3] = { ...m.spec.blocks[3]!, input: 'nope' } as never));
    expectFail(() => decodeCheckpoint(broken, weights), 'spec', /invalid spec: block 3 \("k0_2"\), field "input": unknown input "nope"/);
  });

  it('duplicate names, bad dtype, bad header fields, not JSON', () => {
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.tensors[1]!.name = m.tensors[0]!.name))), 'duplicate', /duplicate tensor name "k0_1\/kernel"/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.tensors[0]!.dtype = 'float16' as never))), 'dtype', /unknown dtype "float16"/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.format = 'x' as never))), 'format', /format is "x", expected "interpret-fr-checkpoint"/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.version = 3 as never))), 'version', /version 3 is not supported/);
    expectFail(() => parseManifest(edit(manifest, (m) => void (m.sha256 = 'abc'), false)), 'field', /"sha256" must be 64/);
    expectFail(() => parseManifest(manifest.slice(0, 100)), 'json', /manifest.json: not valid JSON/);
    expectFail(() => parseManifest('[]'), 'json', /expected a JSON object/);
    expectFail(() => decodeCheckpoint(manifest, weights.buffer as never), 'field', /weights.bin: expected a Uint8Array of its bytes, got ArrayBuffer/);
    expectFail(() => decodeCheckpoint(weights as never, weights), 'field', /manifest.json: expected its text/);
  });

  it('a parameter stored after an extra tensor, or with a non-float dtype, is refused', () => {
    const params = randomParams(6);
    params.delete('fc/bias');
    const partial = checkpointFromParams(spec, params, {}, { partial: true });
    partial.tensors.push({ name: 'aa', shape: [1], dtype: 'uint8', data: new Uint8Array(1) });
    partial.tensors.push({ name: 'zz', shape: [7], dtype: 'float32', data: new Float32Array(7) });
    const enc = encodeCheckpoint(partial);
    const bad = edit(enc.manifest, (x) => void (x.tensors[x.tensors.length - 1]!.name = 'fc/bias'));
    expect(() => parseManifest(enc.manifest)).not.toThrow();
    expectFail(() => parseManifest(bad), 'order', /parameter "fc\/bias" comes after the non-parameter tensor "aa"; parameters must come first/);
    const ck = sample();
    ck.tensors.find((t) => t.name === 'fc/bias')!.dtype = 'int32';
    ck.tensors.find((t) => t.name === 'fc/bias')!.data = new Int32Array(7);
    expectFail(() => encodeCheckpoint(ck), 'dtype', /parameter "fc\/bias" has dtype int32, expected float32/);
  });
});

describe('checkpoint encode validation', () => {
  it('refuses data that disagrees with dtype or shape, and bad meta', () => {
    const ck = sample();
    ck.tensors[1] = { ...ck.tensors[1]!, data: new Float32Array(3) };
    expectFail(() => encodeCheckpoint(ck), 'size', /shape \[4\] needs 4 values, data has 3/);
    const ck2 = sample();
    ck2.tensors.push({ name: 'x', shape: [2], dtype: 'int32', data: new Float32Array(2) });
    expectFail(() => encodeCheckpoint(ck2), 'dtype', /dtype int32 but data is Float32Array/);
    expectFail(() => encodeCheckpoint({ ...sample(), meta: [] as never }), 'field', /meta/);
    const ck3 = sample();
    ck3.spec = { ...ck3.spec, inputSize: 0 };
    expectFail(() => encodeCheckpoint(ck3), 'spec', /inputSize/);
  });
});

describe('parameter helpers', () => {
  it('checkpointFromParams requires every parameter unless partial, and no strangers', () => {
    const params = randomParams(3);
    params.delete('fc/kernel');
    expectFail(() => checkpointFromParams(spec, params), 'missing', /1 parameter\(s\) of spec "interpretable-tiny" missing: fc\/kernel/);
    const partial = checkpointFromParams(spec, params, {}, { partial: true });
    expect(missingParams(partial)).toEqual(['fc/kernel']);
    const back = decodeCheckpoint(...(Object.values(encodeCheckpoint(partial)) as [string, Uint8Array]));
    expect(missingParams(back)).toEqual(['fc/kernel']);
    expectFail(() => checkpointFromParams(spec, { ...Object.fromEntries(randomParams(3)), 'k9/kernel': new Float32Array(1) }), 'unknown', /"k9\/kernel"/);
    const short = randomParams(3);
    short.set('k0_1/bias', new Float32Array(5));
    expectFail(() => checkpointFromParams(spec, short), 'size', /"k0_1\/bias": shape \[4\] needs 4 values, got 5/);
  });

  it('paramsFromCheckpoint returns views; paramsChecksum is order-independent and value-sensitive', () => {
    const params = randomParams(4);
    const ck = checkpointFromParams(spec, params);
    const got = paramsFromCheckpoint(ck);
    expect(got.get('fc/bias')).toBe(params.get('fc/bias'));
    const sum = paramsChecksum(params);
    expect(sum).toMatch(/^[0-9a-f]{64}$/);
    expect(paramsChecksum(ck.tensors)).toBe(sum);
    expect(paramsChecksum(new Map([...params].reverse()))).toBe(sum);
    const bits = new Uint32Array(params.get('fc/bias')!.buffer);
    bits[0]! ^= 1;
    expect(paramsChecksum(params)).not.toBe(sum);
    // Renaming changes it too.
    const renamed = new Map([...params].map(([k, v]) => [k === 'fc/bias' ? 'fc/bias2' : k, v] as const));
    bits[0]! ^= 1;
    expect(paramsChecksum(renamed)).not.toBe(sum);
    expect(paramsChecksum(params)).toBe(sum);
  });
});
