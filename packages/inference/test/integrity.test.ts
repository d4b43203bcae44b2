/**
 * Model integrity and metadata validation (issue 11.4): the exporter's seal is checked on load, a
 * mutated model is refused naming its file, `verify: false` skips the check, and the preprocessing
 * metadata is validated whatever the seal says.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ONNX_META, onnxSealParts, Rng, sealOnnxModel } from '@interpret-fr/core';
import { createRecognizer } from '../src/node.ts';
import { metadataField, tinyOnnx } from './helpers/tiny-onnx.ts';

const fixture = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'interpretable-tiny.onnx');
const bytes = new Uint8Array(readFileSync(fixture));
const tmp = mkdtempSync(join(tmpdir(), 'ifr-integrity-'));
const write = (name: string, b: Uint8Array): string => {
  const p = join(tmp, name);
  writeFileSync(p, b);
  return p;
};

/** The fixture with its seal removed and `fix` applied to the preprocess JSON, re-sealed (a "valid" but wrong export). */
function withPreprocess(fix: (p: Record<string, unknown>) => void): Uint8Array {
  const { parts } = onnxSealParts(bytes);
  const unsealed = Buffer.concat(parts);
  const text = unsealed.toString('latin1');
  const key = `"size":48`;
  const at = text.indexOf(key);
  expect(at).toBeGreaterThan(0);
  // Rebuild: the old preprocess entry stays, a later one overrides it (later duplicates win in readOnnxInfo).
  const p: Record<string, unknown> = {
    size: 48,
    mean: [127.5, 127.5, 127.5],
    scale: [1 / 127.5, 1 / 127.5, 1 / 127.5],
    channelOrder: 'RGB',
    layout: 'NCHW',
    gray: 'replicate',
    inputName: 'image',
    dtype: 'float32',
  };
  fix(p);
  return sealOnnxModel(Buffer.concat([unsealed, metadataField(ONNX_META.preprocess, JSON.stringify(p))]));
}

describe('model integrity seal', () => {
  it('the committed fixture is sealed and loads (verify is the default)', async () => {
    expect(onnxSealParts(bytes).declared).toMatch(/^[0-9a-f]{64}$/);
    const rec = await createRecognizer(fixture);
    expect(rec.info.dim).toBe(40);
    await rec.dispose();
  });

  it('one flipped bit in an initializer is refused naming the file (main: loaded, AUC 80.69 → 79.51 %); verify: false loads it', async () => {
    const m = bytes.slice();
    const at = Math.floor(m.length / 2); // inside the weights (initializers are most of the file)
    m[at]! ^= 0x10;
    const p = write('flipped.onnx', m);
    await expect(createRecognizer(p)).rejects.toThrow(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: integrity check failed`));
    const rec = await createRecognizer(p, { verify: false });
    expect(rec.info.dim).toBe(40);
    await rec.dispose();
  });

  it('150 random single-byte mutations: every one is refused with an error naming the file, none loads', async () => {
    const rng = new Rng(11);
    let refused = 0;
    for (let k = 0; k < 150; k++) {
      const m = bytes.slice();
      const at = rng.int(m.length);
      m[at] = (m[at]! + 1 + rng.int(255)) & 255;
      const where = `mutant-${k}.onnx`;
      const err = await createRecognizer(m).then(
        () => null,
        (e: Error) => e,
      );
      // bytes are named 'model bytes (N B)'; the path form is checked above.
      expect(err, `mutation ${k} at byte ${at} loaded (${where})`).not.toBeNull();
      expect(err!.name).toMatch(/^(OnnxMetadataError|ModelError)$/);
      expect(err!.message).toMatch(/^model bytes \(\d+ B\)/);
      refused++;
    }
    expect(refused).toBe(150);
  });

  it('an Interpret-FR model without a seal is refused unless verify: false', async () => {
    const unsealed = tinyOnnx({ size: 8, seal: false });
    await expect(createRecognizer(unsealed)).rejects.toThrow(/has no 'interpret-fr.model-sha256' integrity entry/);
    const rec = await createRecognizer(unsealed, { verify: false });
    await rec.dispose();
    const sealed = await createRecognizer(tinyOnnx({ size: 8 }));
    await sealed.dispose();
  });
});

describe('preprocessing metadata is validated (even when the seal matches)', () => {
  it.each([
    [
      'scale 0 (main: accepted, AUC 50 %)',
      (p: Record<string, unknown>) => {
        p.scale = [0, 0, 0];
      },
      /preprocess\.scale must be 3 finite, non-zero numbers/,
    ],
    [
      'scalar mean (a variant nobody writes)',
      (p: Record<string, unknown>) => {
        p.mean = 127.5;
      },
      /preprocess\.mean must be 3 finite numbers/,
    ],
    [
      'NaN-like mean',
      (p: Record<string, unknown>) => {
        p.mean = [null, 1, 2];
      },
      /preprocess\.mean must be 3 finite numbers/,
    ],
    [
      'unknown layout',
      (p: Record<string, unknown>) => {
        p.layout = 'NHWC';
      },
      /preprocess\.layout must be 'NCHW'/,
    ],
    [
      'insane size',
      (p: Record<string, unknown>) => {
        p.size = 1e6;
      },
      /preprocess\.size must be an integer in 1\.\.4096/,
    ],
    [
      'std instead of scale',
      (p: Record<string, unknown>) => {
        p.std = [1, 1, 1];
      },
      /preprocess has unknown key 'std'/,
    ],
  ])('%s', async (_name, fix, want) => {
    const p = write('pre.onnx', withPreprocess(fix));
    await expect(createRecognizer(p)).rejects.toThrow(want);
    await expect(createRecognizer(p)).rejects.toThrow(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('an ONNX Runtime load failure names the model', async () => {
    // Valid protobuf with Interpret-FR metadata but a graph ORT cannot load (an unknown operator).
    const m = tinyOnnx({ size: 8 });
    const bad = Buffer.from(m).toString('latin1').replace('GlobalAveragePool', 'GlobalAveragePoox');
    const p = write('bad-op.onnx', sealOnnxModel(Buffer.concat(onnxSealParts(Buffer.from(bad, 'latin1')).parts)));
    await expect(createRecognizer(p)).rejects.toThrow(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ONNX Runtime could not load the model`));
  });
});
