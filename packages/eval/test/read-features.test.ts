import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatures } from '../src/io/files.ts';
import { decodeNpy, encodeNpy } from '../src/io/npy.ts';
import { featureMemoryOf } from '../src/scores/simd.ts';

const dir = mkdtempSync(join(tmpdir(), 'read-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` as f.npy with n ids; returns readFeatures' result or error, and decodeNpy's. */
async function both(bytes: Uint8Array, n: number): Promise<[unknown, unknown]> {
  const npy = join(dir, 'f.npy');
  const ids = join(dir, 'ids.txt');
  writeFileSync(npy, bytes);
  writeFileSync(ids, Array.from({ length: n }, (_, i) => `id${i}`).join('\n') + '\n');
  const read = await readFeatures(npy, ids).then(
    (r) => r.features,
    (e: Error) => e.message,
  );
  let decoded: unknown;
  try {
    decoded = decodeNpy(bytes, npy);
  } catch (e) {
    decoded = (e as Error).message;
  }
  return [read, decoded];
}

describe('readFeatures (straight into shared memory)', () => {
  const data = Float32Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * 3);
  const good = encodeNpy(data, 7, 5);

  it('gives what decodeNpy gives, in a SharedArrayBuffer', async () => {
    const [r, d] = await both(good, 7);
    expect(r).toEqual(d);
    const f = r as { data: Float32Array; n: number; dim: number };
    expect(f.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([f.n, f.dim]).toEqual([7, 5]);
    expect(Array.from(f.data)).toEqual(Array.from(data));
    // The start of a shared WebAssembly.Memory (the scoring workers' indexed kernel reads it in place), with at least
    // one zero row after the values.
    expect(featureMemoryOf(f.data.buffer)).toBeInstanceOf(WebAssembly.Memory);
    expect(f.data.byteOffset).toBe(0);
    const after = new Float32Array(f.data.buffer, f.data.byteLength, f.dim);
    expect(Array.from(after)).toEqual(new Array(f.dim).fill(0));
  });

  it('a header longer than the first 4 KiB is read with the whole file', async () => {
    const h = `{'descr': '<f4', 'fortran_order': False, 'shape': (7, 5), }${' '.repeat(5000)}\n`;
    const bytes = new Uint8Array(12 + h.length + data.byteLength);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, h.length, true);
    for (let i = 0; i < h.length; i++) bytes[12 + i] = h.charCodeAt(i);
    bytes.set(new Uint8Array(data.buffer), 12 + h.length);
    const [r, d] = await both(bytes, 7);
    expect(r).toEqual(d);
    expect((r as { n: number }).n).toBe(7);
  });

  it('refuses what decodeNpy refuses, with the same message', async () => {
    const nan = good.slice();
    new DataView(nan.buffer).setFloat32(good.length - 4 * 3, Number.NaN, true);
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 4), /data has \d+ bytes, shape \(7, 5\) float32 needs 140/],
      [nan, /row 6 \(0-based\), column 2 is NaN/],
      [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), /not a \.npy file/],
      [good.subarray(0, 40), /header length \d+ runs past the end of the file/],
    ];
    for (const [bytes, re] of cases) {
      const [r, d] = await both(bytes, 7);
      expect(r).toMatch(re);
      expect(r).toBe(d);
    }
  });
});
