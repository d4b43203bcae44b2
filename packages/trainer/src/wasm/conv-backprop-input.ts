/**
 * Fast `Conv2DBackpropInput` for the tfjs wasm backend: the input gradient as forward
 * convolutions run by the backend's XNNPACK `Conv2D` (the stock wasm kernel is a scalar loop,
 * ≈ 10× slower than the forward convolution).
 *
 * 1-D derivation (apply per axis): the forward conv is y[o] = Σ_k x[o·s + k − p]·w[k], so
 * dx[i] = Σ_{o,k : o·s+k−p = i} dy[o]·w[k]. Split i = s·a + r by its phase r ∈ [0, s): only taps
 * k ≡ r + p (mod s) reach phase r, k = k0 + s·t (k0 = (r+p) mod s, t < T = ⌈(k−k0)/s⌉), and
 * o = a + c − t with c = (r + p − k0)/s. That is a stride-1 correlation of dy with the flipped
 * sub-kernel w_r[j] = w[k0 + s·(T−1−j)], padded T−1−c before and A+c−Ho after (A = ⌈(H−r)/s⌉
 * outputs). Stride 1 is the single phase r = 0: the classic conv of dy with the rotated kernel.
 * Stride s is s² small convolutions (together exactly the forward FLOPs, no zero-dilated dy)
 * interleaved into dx. Negative paddings (VALID with leftover rows) crop dy first.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, callKernel, f32, free } from './heap.ts';
import type { ConvGeom } from './conv-backprop-filter.ts';
import { convGeom } from './conv-backprop-filter.ts';

/** One axis of one phase: taps, pads (may be negative) and output count. */
export interface PhaseAxis {
  k0: number;
  taps: number;
  padBefore: number;
  padAfter: number;
  count: number;
}

/** Phase r of one axis (see the module comment). */
export function phaseAxis(size: number, outSize: number, k: number, s: number, p: number, r: number): PhaseAxis {
  const k0 = (r + p) % s;
  const taps = k0 < k ? Math.ceil((k - k0) / s) : 0;
  const c = (r + p - k0) / s;
  const count = r < size ? Math.ceil((size - r) / s) : 0;
  return { k0, taps, padBefore: taps - 1 - c, padAfter: count + c - outSize, count };
}

/** Sub-kernel [Ty, Tx, F, C] of phase (py, px) from w [kh, kw, C, F]: flipped, in/out swapped. */
function phaseKernel(w: Float32Array, out: Float32Array, g: ConvGeom, py: PhaseAxis, px: PhaseAxis): void {
  const { c: C, f: F, kw, sh, sw } = g;
  for (let jy = 0; jy < py.taps; jy++) {
    const ky = py.k0 + sh * (py.taps - 1 - jy);
    for (let jx = 0; jx < px.taps; jx++) {
      const kx = px.k0 + sw * (px.taps - 1 - jx);
      const src = (ky * kw + kx) * C * F;
      const dst = (jy * px.taps + jx) * F * C;
      for (let c = 0; c < C; c++) {
        for (let f = 0; f < F; f++) out[dst + f * C + c] = w[src + c * F + f]!;
      }
    }
  }
}

/** dy cropped to rows [y0, y1) and columns [x0, x1) (a copy), or dy itself when nothing is cropped. */
function crop(b: WasmBackendLike, dy: TensorInfo, g: ConvGeom, y0: number, y1: number, x0: number, x1: number): TensorInfo {
  if (y0 === 0 && x0 === 0 && y1 === g.ho && x1 === g.wo) return dy;
  return callKernel('Slice', b, { x: dy }, { begin: [0, y0, x0, 0], size: [g.n, y1 - y0, x1 - x0, g.f] });
}

/** The phase's contribution: a [N, Ay, Ax, C] tensor, or null when the phase receives no tap. */
function phaseConv(b: WasmBackendLike, dy: TensorInfo, w: TensorInfo, g: ConvGeom, py: PhaseAxis, px: PhaseAxis): TensorInfo | null {
  if (py.taps === 0 || px.taps === 0 || py.count === 0 || px.count === 0) return null;
  const y0 = Math.max(0, -py.padBefore);
  const x0 = Math.max(0, -px.padBefore);
  const y1 = g.ho - Math.max(0, -py.padAfter);
  const x1 = g.wo - Math.max(0, -px.padAfter);
  const wk = alloc(b, [py.taps, px.taps, g.f, g.c]);
  phaseKernel(f32(b, w), f32(b, wk), g, py, px);
  const src = crop(b, dy, g, y0, y1, x0, x1);
  const pad = [
    [0, 0],
    [Math.max(0, py.padBefore), Math.max(0, py.padAfter)],
    [Math.max(0, px.padBefore), Math.max(0, px.padAfter)],
    [0, 0],
  ];
  const out = callKernel('Conv2D', b, { x: src, filter: wk }, {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  free(b, wk);
  if (src !== dy) free(b, src);
  return out;
}

/** dx [N, H, W, C] from dy [N, Ho, Wo, F] and w [kh, kw, C, F] (see the module comment). */
export function conv2DBackpropInputImpl(b: WasmBackendLike, dy: TensorInfo, w: TensorInfo, g: ConvGeom): TensorInfo {
  const { n: N, h: H, w: W, c: C, sh, sw } = g;
  if (sh === 1 && sw === 1) {
    const out = phaseConv(b, dy, w, g, phaseAxis(H, g.ho, g.kh, 1, g.pt, 0), phaseAxis(W, g.wo, g.kw, 1, g.pl, 0));
    if (out) return out;
  }
  const dx = alloc(b, [N, H, W, C]);
  f32(b, dx).fill(0);
  for (let ry = 0; ry < sh; ry++) {
    const py = phaseAxis(H, g.ho, g.kh, sh, g.pt, ry);
    for (let rx = 0; rx < sw; rx++) {
      const px = phaseAxis(W, g.wo, g.kw, sw, g.pl, rx);
      const part = phaseConv(b, dy, w, g, py, px);
      if (!part) continue;
      const d = f32(b, dx);
      const p = f32(b, part);
      const A = py.count;
      const B = px.count;
      let q = 0;
      for (let n = 0; n < N; n++) {
        for (let a = 0; a < A; a++) {
          let o = ((n * H + a * sh + ry) * W + rx) * C;
          for (let bb = 0; bb < B; bb++, o += sw * C) {
            for (let c = 0; c < C; c++) d[o + c] = p[q++]!;
          }
        }
      }
      free(b, part);
    }
  }
  return dx;
}

const conv2DBackpropInput = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return conv2DBackpropInputImpl(backend as WasmBackendLike, dy, filter, convGeom(info));
};

/** Kernel registration for the wasm backend (replaces the stock scalar-loop kernel). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
