import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OnnxParseError, readOnnxInfo } from '@interpret-fr/core';
import { metadataField, tinyOnnx } from './helpers/tiny-onnx.ts';
import { casiaTorch, haveBench, interpretableTorch } from './helpers/paths.ts';

describe('readOnnxInfo', () => {
  it('reads metadata_props, opset, and input/output shapes of a hand-built model', () => {
    const info = readOnnxInfo(tinyOnnx({ size: 12, maps: true, metadata: { a: '1', 'interpret-fr.spec': '{"x":2}' }, seal: false }));
    expect(info.irVersion).toBe(7);
    expect(info.producerName).toBe('interpret-fr-test');
    expect(info.opsets).toEqual({ '': 13 });
    expect(info.metadata).toEqual({ a: '1', 'interpret-fr.spec': '{"x":2}' });
    expect(info.inputs).toEqual([{ name: 'image', elemType: 1, shape: ['N', 3, 12, 12] }]);
    expect(info.outputs).toEqual([
      { name: 'embedding', elemType: 1, shape: ['N', 3] },
      { name: 'maps', elemType: 1, shape: ['N', 3, 12, 12] },
    ]);
  });

  it('sees metadata appended to an existing model (later duplicates win), and large int64 dims exactly', () => {
    const base = tinyOnnx({ batch: 2 ** 40 + 3, metadata: { k: 'old' } });
    const extra = metadataField('k', 'new ✓');
    const bytes = new Uint8Array(base.length + extra.length);
    bytes.set(base);
    bytes.set(extra, base.length);
    const info = readOnnxInfo(bytes);
    expect(info.metadata.k).toBe('new ✓');
    expect(info.inputs[0]!.shape![0]).toBe(2 ** 40 + 3);
  });

  it('rejects truncated and non-ONNX bytes with the byte offset', () => {
    const good = tinyOnnx();
    expect(() => readOnnxInfo(good.subarray(0, good.length - 5))).toThrow(OnnxParseError);
    expect(() => readOnnxInfo(new Uint8Array([0x0b, 1, 2]))).toThrow(/wire type 3/);
    expect(() => readOnnxInfo(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });

  describe.skipIf(!haveBench)('PyTorch reference exports', () => {
    it('casia-net-torch: input x [n,3,96,96] minus initializers, output embedding, no metadata', () => {
      const info = readOnnxInfo(new Uint8Array(readFileSync(casiaTorch)));
      expect(info.producerName).toBe('pytorch');
      expect(info.metadata).toEqual({});
      expect(info.inputs).toEqual([{ name: 'x', elemType: 1, shape: ['n', 3, 96, 96] }]);
      expect(info.outputs.map((o) => o.name)).toEqual(['embedding']);
    });
    it('interpretable-torch: embedding and maps [n, 320, ?, ?]', () => {
      const info = readOnnxInfo(new Uint8Array(readFileSync(interpretableTorch)));
      expect(info.outputs.map((o) => o.name)).toEqual(['embedding', 'maps']);
      expect(info.outputs[1]!.shape!.slice(0, 2)).toEqual(['n', 320]);
    });
  });
});
