import { describe, expect, it } from 'vitest';
import { Rng } from '@interpret-fr/core';
import { evaluateIjba, evaluateIjbaAsync } from '../src/protocols/ijba.ts';
import { tiedProtocol } from './helpers/tied-protocol.ts';
import { prepareTemplates, scoreErrorBound, scoreTemplatePairsAsync, scoreTemplatePairsExact, type PreparedTemplates } from '../src/scores/template-scores.ts';
import { buildTemplates } from '../src/scores/templates.ts';
import type { AsyncGemm } from '../src/scores/gemm.ts';
import { Worker } from 'node:worker_threads';
import { dropOutputCopy, enableBufferTransfer, nativeGemm } from '../src/scores/native-gemm.ts';

/** A kernel whose every dot product is off by a random amount within the proven bound (worse than any real kernel). */
function noisyGemm(dim: number, seed: number): AsyncGemm {
  const rng = new Rng(seed);
  const u = 2 ** -24;
  const bound = ((dim * u) / (1 - dim * u)) * 0.999;
  return {
    name: 'noisy',
    maxOutput: 3000,
    minWork: 0,
    async abt(A, nA, B, nB, d) {
      const out = new Float32Array(nA * nB);
      for (let i = 0; i < nA; i++)
        for (let j = 0; j < nB; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += A[i * d + k]! * B[j * d + k]!;
          out[i * nB + j] = s + (rng.float() * 2 - 1) * bound;
        }
      return out;
    },
    async abt64(A, nA, B, nB, d) {
      const out = new Float64Array(nA * nB);
      const b64 = ((d * 2 ** -53) / (1 - d * 2 ** -53)) * 0.999;
      for (let i = 0; i < nA; i++)
        for (let j = 0; j < nB; j++) {
          let s = 0;
          for (let k = d - 1; k >= 0; k--) s += A[i * d + k]! * B[j * d + k]!; // another order
          out[i * nB + j] = s + (rng.float() * 2 - 1) * b64 * 0.5;
        }
      return out;
    },
  };
}

const strip = (r: { perSplit: { refined?: unknown }[] } & Record<string, unknown>) => ({ ...r, perSplit: r.perSplit.map(({ refined: _r, ...rest }) => rest) });

describe('the same metrics, to the last bit, on every GEMM kernel', () => {
  for (const score of ['set-min-mean-matlab', 'set-min-mean', 'mean-feature'] as const) {
    it(`${score}: a kernel with noise up to the error bound gives the wasm/JS kernel's report exactly`, async () => {
      const { splits, table, dim } = tiedProtocol(5);
      const ref = evaluateIjba(splits, table, { score });
      const got = await evaluateIjbaAsync(splits, table, noisyGemm(dim, 7), { score });
      expect(strip(got as never)).toEqual(strip(ref as never));
      expect(scoreErrorBound(dim)).toBeGreaterThan(dim * 2 ** -24);
      // The protocol does exercise near ties: some identification scores were refined.
      expect(got.perSplit.reduce((a, r) => a + r.refined!.search, 0)).toBeGreaterThan(0);
    });
  }

  it('onnxruntime-node MLAS SGEMM (blocked, every pair on the native kernel) gives the wasm/JS report exactly', async () => {
    const g = await nativeGemm({ threads: 1 });
    expect(g, 'onnxruntime-node must load in CI').not.toBeNull();
    const { splits, table } = tiedProtocol(11);
    for (const score of ['set-min-mean-matlab', 'set-min-mean'] as const) {
      const ref = evaluateIjba(splits, table, { score });
      const got = await evaluateIjbaAsync(splits, table, { ...g!, maxOutput: 2000, minWork: 0 }, { score });
      expect(strip(got as never)).toEqual(strip(ref as never));
    }
  });

  it('verification pairs keyed by their larger template (blocks stored transposed) score the per-pair bits, on every path', async () => {
    // Templates of 1–9 rows (rows repeat across templates), features on a coarse grid: exact ties among the cosines.
    const rng = new Rng(3);
    const dim = 8;
    const nF = 40;
    const feats = new Float32Array(nF * dim).map(() => Math.round((rng.float() * 2 - 1) * 3) / 3);
    const tid: number[] = [];
    const row: number[] = [];
    for (let t = 0; t < 30; t++)
      for (let k = 1 + rng.int(t % 3 === 0 ? 1 : 9); k > 0; k--) {
        tid.push(t);
        row.push(rng.int(nF));
      }
    const T = buildTemplates(tid, row);
    const size = (t: number) => T.offsets[t + 1]! - T.offsets[t]!;
    const pa: number[] = [];
    const pb: number[] = [];
    for (let p = 0; p < 300; p++) {
      pa.push(rng.int(30));
      pb.push(rng.int(30));
    }
    expect(pa.some((a, p) => size(pb[p]!) > size(a))).toBe(true); // pairs keyed by their second template
    expect(pa.some((a, p) => size(pb[p]!) < size(a))).toBe(true);
    expect(pa.some((a, p) => size(a) === 1 || size(pb[p]!) === 1)).toBe(true); // the MATLAB quirk's single-image case
    const g = await nativeGemm({ threads: 1 });
    expect(g, 'onnxruntime-node must load in CI').not.toBeNull();
    for (const method of ['set-min-mean', 'set-min-mean-matlab'] as const) {
      const P = prepareTemplates({ data: feats, n: nF, dim }, T, method);
      const ia = Int32Array.from(pa);
      const ib = Int32Array.from(pb);
      const ref = scoreTemplatePairsExact(P, P, ia, ib);
      for (const [name, k] of [
        ['MLAS float64, every group', { ...g!, minWork64: 0 }],
        ['indexed wasm float64, every group', { ...g!, minWork64: Number.POSITIVE_INFINITY }],
        ['noisy float64 within the bound', noisyGemm(dim, 5)],
      ] as const) {
        const got = await scoreTemplatePairsAsync(P, P, ia, ib, k);
        expect(Array.from(got), `${method}, ${name}`).toEqual(Array.from(ref));
      }
    }
  });

  it('a float64 native score next to a float32 rounding boundary is recomputed canonically', async () => {
    // x·y = 1 + 2⁻²⁴ exactly: the midpoint between the float32 values 1 and 1 + 2⁻²³ (canonical: 1, ties to even).
    const x = [1, 2 ** -12, 0, 0];
    const T: PreparedTemplates = {
      templates: { ids: Int32Array.from([1, 2]), offsets: Int32Array.from([0, 1, 2]), rows: Int32Array.from([0, 1]), media: Int32Array.from([0, 1]) },
      dim: 4,
      method: 'set-min-mean',
      data: Float32Array.from([...x, ...x]),
    };
    const up: AsyncGemm = { name: 'up', maxOutput: 100, minWork: 0, abt: async () => new Float32Array(0), abt64: async () => Float64Array.from([1 + 2 ** -24 + 2 ** -50]) };
    const stats = { recomputed: 0, native: 0 };
    const r = await scoreTemplatePairsAsync(T, T, Int32Array.from([0]), Int32Array.from([1]), up, stats);
    expect(stats).toEqual({ recomputed: 1, native: 1 });
    expect(r[0]).toBe(1);
    expect(Math.fround(1 + 2 ** -24 + 2 ** -50)).toBe(1 + 2 ** -23); // what the native value alone would have given
  });
});

describe("onnxruntime-node's output copies (native-gemm.ts)", () => {
  it('dropOutputCopy detaches the copy a call returned, never the preallocated output; without transfer, or when it throws, it does nothing', () => {
    const calls: string[] = [];
    const fake = (name: string, fail = false): ArrayBuffer =>
      ({
        transfer(n: number): ArrayBuffer {
          calls.push(`${name} ${n}`);
          if (fail) throw new TypeError('not detachable');
          return new ArrayBuffer(0);
        },
      }) as unknown as ArrayBuffer;
    const mine = fake('mine');
    dropOutputCopy({ buffer: fake('copy') }, mine);
    dropOutputCopy({ buffer: mine }, mine);
    expect(() => dropOutputCopy({ buffer: fake('shared', true) }, mine)).not.toThrow();
    expect(() => dropOutputCopy(undefined, mine)).not.toThrow();
    expect(() => dropOutputCopy({ buffer: {} as ArrayBuffer }, mine)).not.toThrow();
    expect(calls).toEqual(['copy 0', 'shared 0']);
  });

  it('enableBufferTransfer gives worker threads started after it a working ArrayBuffer.prototype.transfer (node 20: a V8 flag; later nodes: built in)', async () => {
    enableBufferTransfer();
    const code =
      "const b = new ArrayBuffer(64); const t = typeof b.transfer === 'function' ? b.transfer(0) : null; require('node:worker_threads').parentPort.postMessage([t ? t.byteLength : -1, b.byteLength]);";
    const got = await new Promise((resolve, reject) => new Worker(code, { eval: true }).once('message', resolve).once('error', reject));
    expect(got).toEqual([0, 0]); // the new buffer is empty and the old one detached
  });

  it('every native call with a preallocated output (float32 and float64) drops the copy it got back, and returns the preallocated values', async () => {
    const g = await nativeGemm({ threads: 1 });
    expect(g, 'onnxruntime-node must load in CI').not.toBeNull();
    const proto = ArrayBuffer.prototype as { transfer?: (n: number) => ArrayBuffer };
    const had = Object.getOwnPropertyDescriptor(proto, 'transfer');
    const seen: number[] = [];
    // A stand-in that records what would be detached (the test's own thread may lack the real method: node 20).
    Object.defineProperty(proto, 'transfer', {
      configurable: true,
      writable: true,
      value(this: ArrayBuffer, n: number) {
        seen.push(this.byteLength, n);
        return new ArrayBuffer(0);
      },
    });
    try {
      const d = 4;
      const A = Float32Array.from({ length: 3 * d }, (_, i) => i + 1);
      const B = Float32Array.from({ length: 2 * d }, (_, i) => 2 - i);
      const want = [0, 1, 2].flatMap((i) =>
        [0, 1].map((j) => {
          let s = 0;
          for (let k = 0; k < d; k++) s += A[i * d + k]! * B[j * d + k]!;
          return s;
        }),
      );
      const into = new Float32Array(10).fill(-1);
      const y = await g!.abt(A, 3, B, 2, d, into);
      expect(y.buffer).toBe(into.buffer);
      expect(Array.from(y)).toEqual(want);
      const into64 = new Float64Array(10);
      const y64 = await g!.abt64!(A, 3, B, 2, d, into64);
      expect(y64.buffer).toBe(into64.buffer);
      expect(Array.from(y64)).toEqual(want);
      // One copy per call, of the output's size (6 floats, then 6 doubles), detached to length 0; never `into`.
      expect(seen).toEqual([24, 0, 48, 0]);
    } finally {
      if (had) Object.defineProperty(proto, 'transfer', had);
      else delete proto.transfer;
      await g!.release?.();
    }
  });
});
