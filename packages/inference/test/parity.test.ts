/**
 * Cross-runtime parity, the most important test of the project: the tfjs network the trainer runs
 * (cpu backend, inference mode) vs the exported ONNX model on ORT node and on ORT web (wasm, inside
 * Node), on the same inputs, for the tiny and full-size specs with random weights and for a tiny
 * checkpoint trained a few steps.
 *
 * Pass criteria: max |Δ| ≤ 1e-4 × max |tfjs output| for `embedding` and `maps`, and the top-k masks
 * select the same positions, except where the runtimes disagree at a (near-)tie: a position whose
 * |value| lies within the tolerance of its channel's k-th largest |value|. Ties are counted
 * explicitly; a mask difference that is not at a tie fails.
 *
 * Set INTERPRET_FR_PARITY_REPORT=1 to print the measured table.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { paramInfos, presets, Rng } from '@interpret-fr/core';
import type { ModelSpec, TensorEntry } from '@interpret-fr/core';
import { exportOnnx, randomWeights } from '@interpret-fr/model-export';
import { defaultWeightsFor, filterGradFor } from '@interpret-fr/trainer';
import { buildNet, createOptimizer, initParams, loadBackend, loadParams, makeTrainStep, paramsToTensorEntries } from '@interpret-fr/trainer/internal';
import type { Tf } from '@interpret-fr/trainer/internal';

const TOL = 1e-4;

// ---- comparison helpers ----

/** max |a − b| / max |ref|. */
function relMaxAbs(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} vs ${ref.length}`);
  let d = 0;
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(got[i]! - ref[i]!));
    s = Math.max(s, Math.abs(ref[i]!));
  }
  return s === 0 ? d : d / s;
}

/** Result of {@link compareMaps}. */
interface MapsComparison {
  /** max |Δ| / max |ref| over positions both runtimes keep or both drop. */
  relMaxAbs: number;
  /** Positions kept by one runtime only. */
  differing: number;
  /** Of those, positions not at a (near-)tie with the channel's threshold. */
  unexplained: number;
  /** Channels whose k-th and (k+1)-th largest |ref| values are within the tolerance (or equal). */
  tiedChannels: number;
  /** Channels that keep a number of positions other than expected, without a tie. */
  wrongCounts: number;
  examples: { n: number; c: number; pos: number; ref: number; got: number; threshold: number }[];
}

/**
 * Tie-aware comparison of masked maps [N, C, H, W]. A position is "kept" when its value is non-zero.
 * With t the k-th largest |ref| of the channel and ε = tol · max |ref|, a position kept by one
 * runtime only is explained when ||ref| − t| ≤ ε (the runtimes' tiny numeric differences
 * reorder values at the threshold). Such positions are excluded from the value comparison.
 */
function compareMaps(ref: Float32Array, got: Float32Array, dims: [number, number, number, number], k: number, compare: 'ge' | 'gt', tol: number): MapsComparison {
  const [N, C, H, W] = dims;
  const hw = H * W;
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  const eps = tol * scale;
  const r: MapsComparison = { relMaxAbs: 0, differing: 0, unexplained: 0, tiedChannels: 0, wrongCounts: 0, examples: [] };
  let worst = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const off = (n * C + c) * hw;
      // The reference's pre-mask values are unknown where masked; the kept ones are the top-k.
      const kept = Array.from(ref.subarray(off, off + hw))
        .map(Math.abs)
        .filter((v) => v !== 0)
        .sort((a, b) => b - a);
      const want = compare === 'ge' ? k : k - 1;
      // t: the smallest kept magnitude ('ge': the k-th largest). For 'gt' the k-th itself is dropped.
      const t = kept[kept.length - 1] ?? 0;
      const tied = kept.length !== want || (kept.length >= 2 && kept[kept.length - 2]! - t <= eps);
      if (tied) r.tiedChannels++;
      for (let p = 0; p < hw; p++) {
        const a = ref[off + p]!;
        const b = got[off + p]!;
        if ((a !== 0) !== (b !== 0)) {
          r.differing++;
          const mag = Math.abs(a !== 0 ? a : b);
          if (Math.abs(mag - t) > eps) {
            r.unexplained++;
            if (r.examples.length < 5) r.examples.push({ n, c, pos: p, ref: a, got: b, threshold: t });
          }
          continue;
        }
        worst = Math.max(worst, Math.abs(a - b));
      }
      let gotKept = 0;
      for (let p = 0; p < hw; p++) if (got[off + p] !== 0) gotKept++;
      if (!tied && (kept.length !== want || gotKept !== want)) r.wrongCounts++;
    }
  r.relMaxAbs = scale === 0 ? worst : worst / scale;
  return r;
}

interface Case {
  label: string;
  spec: ModelSpec;
  batch: number;
  /** Weights source: random (initParams + randomWeights values with randomised BN stats) or trained. */
  trained: boolean;
}

const CASES: Case[] = [
  { label: 'interpretable-tiny', spec: presets['interpretable-tiny']({ numClasses: 8 }), batch: 3, trained: false },
  { label: 'casia-net-tiny', spec: presets['casia-net-tiny']({ numClasses: 8 }), batch: 3, trained: false },
  { label: 'interpretable-tiny gt', spec: presets['interpretable-tiny']({ numClasses: 8, topkCompare: 'gt' }), batch: 2, trained: false },
  { label: 'interpretable-tiny trained 3 steps', spec: presets['interpretable-tiny']({ numClasses: 8 }), batch: 3, trained: true },
  { label: 'interpretable', spec: presets.interpretable({ numClasses: 16 }), batch: 2, trained: false },
  { label: 'casia-net', spec: presets['casia-net']({ numClasses: 16 }), batch: 2, trained: false },
];

interface Prepared {
  onnx: Uint8Array;
  nchw: Float32Array;
  dims: number[];
  /** tfjs outputs; maps transposed to NCHW. */
  embedding: Float32Array;
  maps: Float32Array | null;
  mapsDims: [number, number, number, number] | null;
  k: number;
  compare: 'ge' | 'gt';
}

const prepared = new Map<string, Prepared>();
const report: string[] = [];

/** A few Adam steps of the full objective on random data, so BN statistics and weights move. */
function trainedEntries(tf: Tf, spec: ModelSpec): TensorEntry[] {
  const rng = new Rng(77);
  const params = initParams(tf, spec, rng);
  // The filter-gradient kernel the cpu backend calls for (BackendInfo.filterGrad): its native one is much slower.
  const step = makeTrainStep(tf, spec, params, createOptimizer(tf), defaultWeightsFor(spec), rng.fork(), { filterGrad: filterGradFor('cpu') });
  const S = spec.inputSize;
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from({ length: 4 * S * S * 3 }, () => rng.uniform(-1, 1)),
        [4, S, S, 3],
      );
      const xOcc = tf.mul(x, 0.5) as typeof x;
      step({ x, xOcc, labels: tf.tensor1d([0, 1, 2, 3], 'int32') });
    });
  }
  const entries = paramsToTensorEntries(params).map((e) => ({ ...e, data: Float32Array.from(e.data) }));
  for (const v of params.values()) v.dispose();
  return entries;
}

function randomEntries(tf: Tf, spec: ModelSpec, seed: number): TensorEntry[] {
  // initParams gives the variables (original initialisers); their values are then replaced by
  // randomWeights (He-scaled kernels, γ, β and non-trivial moving mean/variance), so that every
  // layer carries signal and a wrong BN fold or transpose shows.
  const params = initParams(tf, spec, new Rng(seed));
  const w = randomWeights(spec, seed);
  const entries: TensorEntry[] = paramInfos(spec).map((p) => ({ name: p.name, shape: p.shape, dtype: 'float32', data: w.get(p.name)! }));
  loadParams(tf, spec, entries, { into: params });
  const back = paramsToTensorEntries(params).map((e) => ({ ...e, data: Float32Array.from(e.data) }));
  for (const v of params.values()) v.dispose();
  return back;
}

beforeAll(async () => {
  const { tf } = await loadBackend('cpu');
  ortWeb.env.wasm.numThreads = 1;
  for (const [ci, c] of CASES.entries()) {
    const entries = c.trained ? trainedEntries(tf, c.spec) : randomEntries(tf, c.spec, 100 + ci);
    const S = c.spec.inputSize;
    const rng = new Rng(500 + ci);
    const nhwc = Float32Array.from({ length: c.batch * S * S * 3 }, () => rng.uniform(-1, 1));
    const nchw = new Float32Array(nhwc.length);
    for (let n = 0; n < c.batch; n++) for (let p = 0; p < S * S; p++) for (let ch = 0; ch < 3; ch++) nchw[(n * 3 + ch) * S * S + p] = nhwc[(n * S * S + p) * 3 + ch]!;
    const params = loadParams(tf, c.spec, entries);
    const net = buildNet(tf, c.spec, params);
    let embedding: Float32Array = new Float32Array(0);
    let maps: { data: Float32Array; shape: number[] } | null = null;
    tf.tidy(() => {
      const out = net.forward(tf.tensor4d(nhwc, [c.batch, S, S, 3]), { training: false });
      embedding = out.embedding.dataSync().slice() as Float32Array;
      if (out.maps) maps = { data: tf.transpose(out.maps, [0, 3, 1, 2]).dataSync().slice() as Float32Array, shape: out.maps.shape };
    });
    const m = maps as { data: Float32Array; shape: number[] } | null;
    for (const v of params.values()) v.dispose();
    const mask = c.spec.blocks.find((b) => b.kind === 'topkMask');
    prepared.set(c.label, {
      onnx: exportOnnx(c.spec, entries, { outputs: m ? ['embedding', 'maps'] : ['embedding'] }),
      nchw,
      dims: [c.batch, 3, S, S],
      embedding,
      maps: m?.data ?? null,
      mapsDims: m ? [m.shape[0]!, m.shape[3]!, m.shape[1]!, m.shape[2]!] : null,
      k: mask?.kind === 'topkMask' ? mask.k : 0,
      compare: mask?.kind === 'topkMask' ? mask.compare : 'ge',
    });
  }
});

afterAll(() => {
  if (process.env.INTERPRET_FR_PARITY_REPORT === '1')
    console.log(['| runtime | case | embedding max|Δ|/scale | maps max|Δ|/scale | mask diffs (ties) |', '|---|---|---|---|---|', ...report].join('\n'));
});

type Runtime = { name: string; run: (onnx: Uint8Array, x: Float32Array, dims: number[]) => Promise<Record<string, Float32Array>> };

const RUNTIMES: Runtime[] = [
  {
    name: 'ort-node',
    run: async (onnx, x, dims) => {
      const s = await ortNode.InferenceSession.create(onnx);
      const r = await s.run({ image: new ortNode.Tensor('float32', x, dims) });
      await s.release();
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
    },
  },
  {
    name: 'ort-web (wasm in Node)',
    run: async (onnx, x, dims) => {
      const s = await ortWeb.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
      const r = await s.run({ image: new ortWeb.Tensor('float32', x, dims) });
      await s.release();
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
    },
  },
];

describe.each(RUNTIMES)('tfjs (cpu) vs $name', (rt) => {
  it.each(CASES.map((c) => [c.label]))('%s: embedding and maps within 1e-4 of output scale, same top-k positions', async (label) => {
    const p = prepared.get(label)!;
    const out = await rt.run(p.onnx, p.nchw, p.dims);
    const e = relMaxAbs(out.embedding!, p.embedding);
    expect(e, 'embedding').toBeLessThanOrEqual(TOL);
    let mapsCell = '-';
    let maskCell = '-';
    if (p.maps) {
      const m = compareMaps(p.maps, out.maps!, p.mapsDims!, p.k, p.compare, TOL);
      expect(m.unexplained, `mask positions differing away from a tie: ${JSON.stringify(m.examples)}`).toBe(0);
      expect(m.relMaxAbs, 'maps').toBeLessThanOrEqual(TOL);
      // Every channel keeps exactly k ('ge') or k-1 ('gt') positions unless its k-th value is tied.
      expect(m.wrongCounts).toBe(0);
      mapsCell = m.relMaxAbs.toExponential(2);
      maskCell = `${m.differing} (${m.tiedChannels} near-tied channels)`;
    }
    report.push(`| ${rt.name} | ${label} | ${e.toExponential(2)} | ${mapsCell} | ${maskCell} |`);
  });
});

describe('compareMaps (the tie rule itself)', () => {
  // One channel of 6 positions, k = 2 ('ge'): |values| 5, 3, 3 (tie at the threshold), 1, 0.5, 0.2.
  const pre = [5, -3, 3, 1, -0.5, 0.2];
  const keep = (xs: number[], on: boolean[]): Float32Array => Float32Array.from(xs.map((v, i) => (on[i] ? v : 0)));
  const ref = keep(pre, [true, true, true, false, false, false]); // ge keeps both tied 3s
  it('accepts a difference at an exact tie and counts the tied channel', () => {
    const got = keep(pre, [true, true, false, false, false, false]);
    const r = compareMaps(ref, got, [1, 1, 2, 3], 2, 'ge', 1e-4);
    expect(r).toMatchObject({ differing: 1, unexplained: 0, tiedChannels: 1, relMaxAbs: 0 });
  });
  it('rejects a difference away from the threshold and a value error', () => {
    const got = keep(pre, [true, true, true, true, false, false]);
    got[0] = 5.01;
    const r = compareMaps(ref, got, [1, 1, 2, 3], 2, 'ge', 1e-4);
    expect(r.unexplained).toBe(1);
    expect(r.relMaxAbs).toBeCloseTo(0.002, 6);
  });
});
