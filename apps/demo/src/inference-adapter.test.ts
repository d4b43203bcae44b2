/**
 * The worker's adapter over `@interpret-fr/inference/web`, run in Node (onnxruntime-web's wasm build
 * works there): model summary of the committed fixture, outputs equal to the Node binding's, and the
 * messages a person sees for files that are not Interpret-FR models.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { paramInfos, presetSpec, syntheticSample } from '@interpret-fr/core';
import type { Pixels } from '@interpret-fr/core';
import { exportOnnx } from '@interpret-fr/model-export';
import { createRecognizer } from '@interpret-fr/inference/node';
import { loadModel } from './inference-adapter.ts';
import { defaultCrop } from './logic/crop.ts';
import { modelInput } from './logic/model-input.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(here, '../../../packages/inference/test/fixtures/interpretable-tiny.onnx');
const wasmPaths = pathToFileURL(dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm')) + '/').href;

function faces(): Pixels[] {
  const set = { seed: 5, identities: 2, imagesPerIdentity: 1, occluderRate: 0 };
  return [0, 1].map((id) => {
    const s = syntheticSample(set, id, 0);
    const p: Pixels = { data: s.pixels, width: 110, height: 110, channels: 3 };
    return modelInput(p, defaultCrop(110, 110), 48);
  });
}

/** A model with Interpret-FR metadata but without the outputs the demo needs. */
function logitsOnlyModel(): Uint8Array {
  const spec = presetSpec('casia-net-tiny', { numClasses: 4 });
  const w = new Map(paramInfos(spec).map((p) => [p.name, new Float32Array(p.shape.reduce((a, b) => a * b, 1)).fill(p.name.endsWith('variance') ? 1 : 0.01)]));
  return exportOnnx(spec, w, { outputs: ['logits'] });
}

describe('inference adapter (onnxruntime-web in Node)', () => {
  it('loads the fixture and gives the node binding’s embeddings and maps', async () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const notes: string[] = [];
    const m = await loadModel(bytes, 'fixture.onnx', { webgpu: false, wasmPaths, notes });
    expect({ ...m.summary, loadMs: 0 }).toEqual({ name: 'fixture.onnx', size: 48, dim: 40, mapDims: [40, 12, 12], provider: 'wasm', specName: 'interpretable-tiny', loadMs: 0 });
    const imgs = faces();
    const r = await m.analyze(imgs);
    const node = await createRecognizer(bytes);
    const e = await node.embed(imgs);
    const maps = await node.responseMaps(imgs);
    let de = 0,
      dm = 0,
      scale = 0;
    for (let i = 0; i < e.data.length; i++) de = Math.max(de, Math.abs(e.data[i]! - r.embeddings[i]!));
    for (let i = 0; i < maps.data.length; i++) {
      dm = Math.max(dm, Math.abs(maps.data[i]! - r.maps![i]!));
      scale = Math.max(scale, Math.abs(maps.data[i]!));
    }
    expect(r.embeddings.length).toBe(80);
    expect(r.maps!.length).toBe(2 * 40 * 144);
    expect(de).toBeLessThan(1e-4);
    expect(dm / scale).toBeLessThan(1e-4);
    expect(notes).toEqual([]);
    await node.dispose();
    await m.dispose();
  });

  it('says clearly when a file is not an Interpret-FR model', async () => {
    const opts = () => ({ webgpu: false, wasmPaths, notes: [] as string[] });
    await expect(loadModel(new TextEncoder().encode('definitely not onnx'), 'notes.txt', opts())).rejects.toThrow(/not a readable ONNX model/);
    await expect(loadModel(logitsOnlyModel(), 'logits.onnx', opts())).rejects.toThrow(/lists outputs \["logits"\], expected one named 'embedding'/);
  });
});
