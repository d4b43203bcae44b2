import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { checkSameOrigin, createRecognizer as createWeb } from '../src/web.ts';
import type { WebInferenceEvent } from '../src/web.ts';
import { createRecognizer as createNode } from '../src/node.ts';
import { tinyOnnx } from './helpers/tiny-onnx.ts';
import { maxAbs, maxAbsDiff, randomPixels } from './helpers/images.ts';
import { casiaTorch, haveBench, interpretableTorch, torchOverride, torchOverrideNoMaps } from './helpers/paths.ts';

describe('web binding (onnxruntime-web wasm inside Node)', () => {
  it('gives the node binding’s embeddings, maps and peaks on the hand-built model', async () => {
    const bytes = tinyOnnx({ size: 8, maps: true });
    const events: WebInferenceEvent[] = [];
    const web = await createWeb(bytes, { numThreads: 1, webgpu: true, onEvent: (e) => events.push(e) });
    const node = await createNode(bytes);
    expect(events).toEqual([{ type: 'provider-fallback', requested: 'webgpu', used: 'wasm', reason: 'navigator.gpu is not available in this context' }]);
    const rng = new Rng(9);
    const imgs = Array.from({ length: 5 }, () => randomPixels(rng, 11, 9, 4));
    expect(maxAbsDiff((await web.embed(imgs)).data, (await node.embed(imgs)).data)).toBeLessThan(1e-6);
    // Returned buffers belong to the caller: a later run must not overwrite them (no aliasing of ORT/wasm memory).
    for (const r of [web, node]) {
      const first = await r.embed(imgs.slice(0, 2));
      const kept = first.data.slice();
      await r.embed(imgs.slice(2, 4));
      expect(Array.from(first.data)).toEqual(Array.from(kept));
    }
    const pw = await web.peaks(imgs);
    const pn = await node.peaks(imgs);
    expect(Array.from(pw.positive.cell)).toEqual(Array.from(pn.positive.cell));
    await web.dispose();
    await node.dispose();
  });

  it('refuses model paths and cross-origin wasm URLs', async () => {
    await expect(createWeb('model.onnx' as never)).rejects.toThrow(/pass the model bytes/);
    expect(() => checkSameOrigin('https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/', 'https://app.example')).toThrow(/not the app's origin https:\/\/app.example/);
    expect(() => checkSameOrigin('https://app.example/ort/', 'https://app.example')).not.toThrow();
    expect(() => checkSameOrigin('/ort/', 'https://app.example')).not.toThrow();
    expect(() => checkSameOrigin('https://app.example/ort/', null)).toThrow(/no page origin/);
    await expect(createWeb(tinyOnnx(), { wasmPaths: 'https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/' })).rejects.toThrow(/origin/);
  });

  describe.skipIf(!haveBench)('PyTorch reference exports', () => {
    it('casia-net-torch and interpretable-torch: web embeddings and maps within 1e-4 of node', async () => {
      const rng = new Rng(4);
      const imgs = Array.from({ length: 2 }, () => randomPixels(rng, 96, 96, 3));
      for (const [path, override] of [
        [casiaTorch, torchOverrideNoMaps],
        [interpretableTorch, torchOverride],
      ] as const) {
        const bytes = new Uint8Array(readFileSync(path));
        const web = await createWeb(bytes, { numThreads: 1, ...override });
        const node = await createNode(bytes, override);
        const ew = await web.embed(imgs);
        const en = await node.embed(imgs);
        expect(ew.dim).toBe(320);
        const scale = maxAbs(en.data);
        expect(maxAbsDiff(ew.data, en.data) / scale).toBeLessThan(1e-4);
        if ('maps' in override.outputs) {
          const mw = await web.responseMaps(imgs.slice(0, 1));
          const mn = await node.responseMaps(imgs.slice(0, 1));
          expect(maxAbsDiff(mw.data, mn.data) / maxAbs(mn.data)).toBeLessThan(1e-4);
        }
        await web.dispose();
        await node.dispose();
      }
    });
  });
});

describe('web entry is browser-safe', () => {
  it('nothing reachable from src/web.ts imports a node: module, onnxruntime-node or tfjs', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (/^node:|^onnxruntime-node|^@tensorflow|^(fs|path|os|worker_threads|module|url)$/.test(spec)) bad.push(`${file}: ${spec}`);
        else if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (spec === '@interpret-fr/core') visit(resolve(root, '../core/src/index.ts'));
      }
    };
    visit(resolve(root, 'src/web.ts'));
    expect(seen.size).toBeGreaterThan(8);
    expect(bad).toEqual([]);
  });
});
