import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { sha256Hex } from '@interpret-fr/core';
import type { FixtureExpected } from '../scripts/fixture.ts';
import { FIXTURE_JSON, FIXTURE_ONNX, fixtureBatch, fixtureOnnx, fromB64F32 } from '../scripts/fixture.ts';

const dir = resolve(import.meta.dirname, '../../inference/test/fixtures');

describe('committed inference fixture', () => {
  const committed = new Uint8Array(readFileSync(resolve(dir, FIXTURE_ONNX)));
  const expected = JSON.parse(readFileSync(resolve(dir, FIXTURE_JSON), 'utf8')) as FixtureExpected;

  it('is byte-identical to a fresh export (exporter determinism) and under 1 MB', () => {
    const fresh = fixtureOnnx();
    expect(fresh.length).toBe(committed.length);
    expect(Buffer.compare(fresh, committed), 'regenerate with `pnpm --filter @interpret-fr/model-export run make-fixture`').toBe(0);
    expect(sha256Hex(committed)).toBe(expected.modelSha256);
    expect(committed.length).toBeLessThan(1_000_000);
  });

  it('ORT node reproduces the expected outputs on the stored inputs', async () => {
    const inputs = expected.inputs.map((i) => ({
      pixels: { data: new Uint8Array(Buffer.from(i.pixelsBase64, 'base64')), width: i.width, height: i.height, channels: i.channels },
    }));
    const s = await ort.InferenceSession.create(committed);
    const r = await s.run({ image: new ort.Tensor('float32', fixtureBatch(inputs), [inputs.length, 3, 48, 48]) });
    const emb = r.embedding!.data as Float32Array;
    const maps = r.maps!.data as Float32Array;
    const want = Float32Array.from(expected.embedding.flat());
    const wantMaps = fromB64F32(expected.maps.float32Base64);
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < want.length; i++) expect(Math.abs(emb[i]! - want[i]!) / scale).toBeLessThan(expected.tolerance);
    const mscale = wantMaps.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let worst = 0;
    for (let i = 0; i < wantMaps.length; i++) worst = Math.max(worst, Math.abs(maps[i]! - wantMaps[i]!) / mscale);
    expect(worst).toBeLessThan(expected.tolerance);
    // Self-consistency of the stored outputs: 12 kept positions per channel, embedding = mean of the map.
    for (let n = 0; n < 3; n++)
      for (let c = 0; c < 40; c++) {
        const m = wantMaps.subarray((n * 40 + c) * 144, (n * 40 + c + 1) * 144);
        expect(m.filter((v) => v !== 0).length).toBe(12);
        expect(m.reduce((a, v) => a + v, 0) / 144).toBeCloseTo(expected.embedding[n]![c]!, 6);
      }
  });
});
