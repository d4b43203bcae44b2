import { describe, expect, it } from 'vitest';
import type { CheckpointManifest } from './checkpoint.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, firstNonFinite, manifestDigest } from './checkpoint.ts';
import { canonicalJson } from './canonical-json.ts';
import { checkpointFromParams } from './checkpoint-params.ts';
import { Rng } from './rng.ts';
import { sha256Hex } from './sha256.ts';
import type { ModelSpec } from './spec.ts';
import { paramInfos } from './spec.ts';

/** A small spec that still has every field the issue names: activation, stride, BN ε, resize mode, top-k, wiring. */
const spec: ModelSpec = {
  name: 'flip-test',
  inputSize: 8,
  inputChannels: 3,
  blocks: [
    { kind: 'conv', name: 'c1', input: 'image', filters: 2, kernel: 3, stride: 2, bias: true },
    { kind: 'batchNorm', name: 'bn', input: 'c1', momentum: 0.9, epsilon: 1e-5 },
    { kind: 'act', name: 'a', input: 'bn', fn: 'elu' },
    { kind: 'resize', name: 'rs', input: 'a', size: [4, 4], mode: 'bilinear', coordinate: 'half_pixel' },
    { kind: 'topkMask', name: 'tk', input: 'rs', k: 1, compare: 'ge' },
    { kind: 'gap', name: 'g', input: 'tk' },
    { kind: 'dense', name: 'fc', input: 'g', units: 3 },
  ],
  outputs: { embedding: 'g', maps: 'tk', logits: 'fc', backbone: ['c1', 'bn'] },
};

function sample() {
  const rng = new Rng(3);
  const params = new Map<string, Float32Array>();
  for (const p of paramInfos(spec))
    params.set(
      p.name,
      Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    );
  return checkpointFromParams(spec, params, { step: 12, preset: 'x' });
}

describe('checkpoint integrity: the hash covers architecture + weights', () => {
  const ck = sample();
  const { manifest, weights } = encodeCheckpoint(ck);
  const specText = canonicalJson(ck.spec);
  const weightBytes = Buffer.from(weights);

  it('every single-bit flip of manifest.json is refused or leaves the model unchanged', () => {
    const bytes = Buffer.from(manifest, 'utf8');
    let refused = 0;
    let unchanged = 0;
    const changed: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        bytes[i]! ^= 1 << bit;
        try {
          const back = decodeCheckpoint(bytes.toString('utf8'), weights);
          const same =
            canonicalJson(back.spec) === specText &&
            back.tensors.length === ck.tensors.length &&
            back.tensors.every(
              (t, k) =>
                t.name === ck.tensors[k]!.name &&
                Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(
                  Buffer.from(ck.tensors[k]!.data.buffer, ck.tensors[k]!.data.byteOffset, ck.tensors[k]!.data.byteLength),
                ),
            );
          if (same) unchanged++;
          else changed.push(`byte ${i} bit ${bit}`);
        } catch (e) {
          expect(e).toBeInstanceOf(CheckpointError);
          refused++;
        }
        bytes[i]! ^= 1 << bit;
      }
    }
    expect(changed).toEqual([]);
    expect(refused + unchanged).toBe(bytes.length * 8);
    // Only formatting-equivalent flips (e.g. 1e-5 → 1E-5) may pass.
    expect(unchanged).toBeLessThan(10);
    expect(weightBytes.equals(Buffer.from(weights))).toBe(true);
  });

  it('edits a user could make are refused: elu → relu, stride, BN ε, top-k, resize mode, wiring', () => {
    const edits: ((m: CheckpointManifest) => void)[] = [
      (m) => void ((m.spec.blocks[2] as { fn: string }).fn = 'relu'),
      (m) => void ((m.spec.blocks[0] as { stride: number }).stride = 1),
      (m) => void ((m.spec.blocks[1] as { epsilon: number }).epsilon = 1e-3),
      (m) => void ((m.spec.blocks[4] as { k: number }).k = 2),
      (m) => void ((m.spec.blocks[3] as { coordinate: string }).coordinate = 'asymmetric'),
      (m) => void ((m.spec.blocks[5] as { input: string }).input = 'rs'),
      (m) => void (m.meta.step = 13),
    ];
    for (const f of edits) {
      const m = JSON.parse(manifest) as CheckpointManifest;
      f(m);
      expect(() => decodeCheckpoint(JSON.stringify(m, null, 2), weights)).toThrow(/manifest.json: SHA-256 mismatch: the manifest was edited/);
    }
    // Reformatting is not an edit.
    expect(decodeCheckpoint(JSON.stringify(JSON.parse(manifest)), weights).integrity).toMatchObject({ version: 2, scope: 'manifest-and-weights' });
  });

  it('version 1 checkpoints (hash of weights.bin only) load with scope weights-only; a v2 relabelled v1 is refused', () => {
    const m = JSON.parse(manifest) as CheckpointManifest;
    const v1 = { ...m, version: 1, sha256: sha256Hex(weights) } as Record<string, unknown>;
    delete v1.weightsSha256;
    const back = decodeCheckpoint(JSON.stringify(v1), weights);
    expect(back.integrity).toEqual({ version: 1, scope: 'weights-only', sha256: sha256Hex(weights), weightsSha256: sha256Hex(weights) });
    expect(() => decodeCheckpoint(JSON.stringify({ ...m, version: 1 }), weights)).toThrow(/version 1 manifests have no "weightsSha256"/);
    expect(manifestDigest(m)).toBe(m.sha256);
  });

  it('firstNonFinite names the tensor and the index', () => {
    expect(firstNonFinite(ck.tensors)).toBeNull();
    const t = ck.tensors[0]!;
    const saved = t.data[5]!;
    (t.data as Float32Array)[5] = Number.NaN;
    expect(firstNonFinite(ck.tensors)).toMatchObject({ name: t.name, index: 5 });
    (t.data as Float32Array)[5] = saved;
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace, refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1e-5, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":0.00001}');
    expect(canonicalJson(JSON.parse('{"x": 1E-5}'))).toBe(canonicalJson({ x: 0.00001 }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a is NaN/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
  });
});
