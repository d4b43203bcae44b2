/**
 * Naive float64 reference forward of a ModelSpec in NHWC, straight from the block definitions
 * (test helper; independent of tfjs and ONNX). Slow: use tiny specs.
 */
import type { ModelSpec } from '@interpret-fr/core';
import { INPUT, samePadding, validateSpec } from '@interpret-fr/core';

/** A batch-less NHWC map [h, w, c] or vector [c], float64. */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

/** Forward of one image (NHWC [S, S, C] float values). Returns every block's output. */
export function referenceForward(spec: ModelSpec, w: Map<string, Float32Array>, image: ArrayLike<number>): Map<string, RefTensor> {
  validateSpec(spec);
  const S = spec.inputSize;
  const out = new Map<string, RefTensor>([[INPUT, { shape: [S, S, spec.inputChannels], data: Float64Array.from(image) }]]);
  for (const b of spec.blocks) {
    const x = b.kind === 'concat' ? null : out.get(b.input)!;
    let y: RefTensor;
    switch (b.kind) {
      case 'conv': {
        const [h, wd, cin] = x!.shape as [number, number, number];
        const k = w.get(`${b.name}/kernel`)!;
        const bias = b.bias ? w.get(`${b.name}/bias`)! : null;
        const [pt] = samePadding(h, b.kernel, b.stride);
        const [pl] = samePadding(wd, b.kernel, b.stride);
        const oh = Math.ceil(h / b.stride),
          ow = Math.ceil(wd / b.stride),
          co = b.filters;
        const d = new Float64Array(oh * ow * co);
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++) {
            const acc = new Float64Array(co);
            if (bias) for (let o = 0; o < co; o++) acc[o] = bias[o]!;
            for (let ky = 0; ky < b.kernel; ky++) {
              const iy = oy * b.stride + ky - pt;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < b.kernel; kx++) {
                const ix = ox * b.stride + kx - pl;
                if (ix < 0 || ix >= wd) continue;
                for (let i = 0; i < cin; i++) {
                  const v = x!.data[(iy * wd + ix) * cin + i]!;
                  const base = ((ky * b.kernel + kx) * cin + i) * co;
                  for (let o = 0; o < co; o++) acc[o] = acc[o]! + v * k[base + o]!;
                }
              }
            }
            d.set(acc, (oy * ow + ox) * co);
          }
        y = { shape: [oh, ow, co], data: d };
        break;
      }
      case 'batchNorm': {
        const c = x!.shape[x!.shape.length - 1]!;
        const g = w.get(`${b.name}/gamma`)!,
          be = w.get(`${b.name}/beta`)!,
          m = w.get(`${b.name}/moving_mean`)!,
          v = w.get(`${b.name}/moving_variance`)!;
        y = {
          shape: x!.shape,
          data: x!.data.map((val, i) => {
            const j = i % c;
            return ((val - m[j]!) / Math.sqrt(v[j]! + b.epsilon)) * g[j]! + be[j]!;
          }),
        };
        break;
      }
      case 'act':
        y = { shape: x!.shape, data: x!.data.map((v) => (b.fn === 'relu' ? Math.max(v, 0) : v > 0 ? v : Math.expm1(v))) };
        break;
      case 'resize': {
        const [h, wd, c] = x!.shape as [number, number, number];
        const [oh, ow] = b.size;
        const src = (o: number, n: number, on: number): number =>
          b.coordinate === 'asymmetric' ? (o * n) / on : b.coordinate === 'align_corners' ? (on > 1 ? (o * (n - 1)) / (on - 1) : 0) : Math.max((o + 0.5) * (n / on) - 0.5, 0);
        const d = new Float64Array(oh * ow * c);
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++) {
            const sy = Math.min(src(oy, h, oh), h - 1),
              sx = Math.min(src(ox, wd, ow), wd - 1);
            const y0 = Math.floor(sy),
              x0 = Math.floor(sx),
              y1 = Math.min(y0 + 1, h - 1),
              x1 = Math.min(x0 + 1, wd - 1);
            const fy = sy - y0,
              fx = sx - x0;
            for (let ch = 0; ch < c; ch++) {
              const at = (yy: number, xx: number): number => x!.data[(yy * wd + xx) * c + ch]!;
              d[(oy * ow + ox) * c + ch] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
            }
          }
        y = { shape: [oh, ow, c], data: d };
        break;
      }
      case 'l2norm': {
        const c = x!.shape[x!.shape.length - 1]!;
        const d = new Float64Array(x!.data.length);
        for (let p = 0; p < d.length; p += c) {
          let s = 0;
          for (let i = 0; i < c; i++) s += x!.data[p + i]! ** 2;
          const n = Math.max(Math.sqrt(s), b.epsilon);
          for (let i = 0; i < c; i++) d[p + i] = x!.data[p + i]! / n;
        }
        y = { shape: x!.shape, data: d };
        break;
      }
      case 'concat': {
        const ins = b.inputs.map((n) => out.get(n)!);
        const [h, wd] = ins[0]!.shape as [number, number];
        const c = ins.reduce((a, t) => a + t.shape[2]!, 0);
        const d = new Float64Array(h * wd * c);
        for (let p = 0; p < h * wd; p++) {
          let off = 0;
          for (const t of ins) {
            const tc = t.shape[2]!;
            d.set(t.data.subarray(p * tc, (p + 1) * tc), p * c + off);
            off += tc;
          }
        }
        y = { shape: [h, wd, c], data: d };
        break;
      }
      case 'topkMask': {
        const [h, wd, c] = x!.shape as [number, number, number];
        const d = new Float64Array(x!.data.length);
        for (let ch = 0; ch < c; ch++) {
          const mags: number[] = [];
          for (let p = 0; p < h * wd; p++) mags.push(Math.abs(x!.data[p * c + ch]!));
          const t = [...mags].sort((a, z) => z - a)[b.k - 1]!;
          for (let p = 0; p < h * wd; p++) if (b.compare === 'ge' ? mags[p]! >= t : mags[p]! > t) d[p * c + ch] = x!.data[p * c + ch]!;
        }
        y = { shape: x!.shape, data: d };
        break;
      }
      case 'gap': {
        const [h, wd, c] = x!.shape as [number, number, number];
        const d = new Float64Array(c);
        for (let p = 0; p < h * wd; p++) for (let ch = 0; ch < c; ch++) d[ch] = d[ch]! + x!.data[p * c + ch]! / (h * wd);
        y = { shape: [c], data: d };
        break;
      }
      case 'dropout':
        y = x!;
        break;
      case 'dense': {
        const cin = x!.shape[0]!;
        const k = w.get(`${b.name}/kernel`)!,
          bias = w.get(`${b.name}/bias`)!;
        const d = Float64Array.from(bias);
        for (let i = 0; i < cin; i++) for (let o = 0; o < b.units; o++) d[o] = d[o]! + x!.data[i]! * k[i * b.units + o]!;
        y = { shape: [b.units], data: d };
        break;
      }
    }
    out.set(b.name, y);
  }
  return out;
}

/** NHWC [h, w, c] → CHW, as float32 for comparison with ORT's NCHW outputs. */
export function hwcToChw(t: RefTensor): Float64Array {
  const [h, w, c] = t.shape as [number, number, number];
  const o = new Float64Array(t.data.length);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) o[ch * h * w + p] = t.data[p * c + ch]!;
  return o;
}
