/**
 * `Conv2DBackpropFilter` for the tfjs wasm backend (which has none): im2col + one matrix product.
 *
 * dW[(ky,kx,c), o] = Σ_m cols[m, (ky,kx,c)] · dy[m, o] over the M = N·Ho·Wo output positions.
 * The wasm BatchMatMul is fast only without transposes (≈ 40 GFLOP/s on one core, against
 * ≈ 1–3.5 GFLOP/s with transposeA or transposeB), so the column matrix is built already
 * transposed, colsT [K, M], and dW = colsT · dy is a plain NN product. colsT is filled row by
 * row from x transposed to [C, N, H, W] (one wasm Transpose), so the inner loop reads and writes
 * contiguously. Large problems are split over images (bounded scratch memory) and summed.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, callKernel, f32, free, matMulNN, view } from './heap.ts';

/** Upper bound on the im2col scratch matrix, in floats (64 MB). */
export const IM2COL_MAX_FLOATS = 16 * 1024 * 1024;

/** Geometry of one convolution, as the kernels need it. */
export interface ConvGeom {
  n: number; h: number; w: number; c: number;
  ho: number; wo: number; f: number;
  kh: number; kw: number; sh: number; sw: number;
  pt: number; pl: number;
}

/** Geometry from tfjs' conv info (NHWC only, dilation 1). */
export function convGeom(info: backend_util.Conv2DInfo): ConvGeom {
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm conv gradient: only NHWC is supported, got ${info.dataFormat}`);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`wasm conv gradient: dilation must be 1, got ${info.dilationHeight}×${info.dilationWidth}`);
  return {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, c: info.inChannels,
    ho: info.outHeight, wo: info.outWidth, f: info.outChannels,
    kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    pt: info.padInfo.top, pl: info.padInfo.left,
  };
}

/**
 * Fills colsT [K = kh·kw·C, M = (n1−n0)·Ho·Wo] from xt [C, N, H, W]:
 * colsT[(ky·kw+kx)·C+c, ((n−n0)·Ho+oy)·Wo+ox] = x[n, oy·sh+ky−pt, ox·sw+kx−pl, c] (0 outside).
 */
export function im2colT(g: ConvGeom, xt: Float32Array, cols: Float32Array, n0: number, n1: number): void {
  const { n: N, h: H, w: W, c: C, ho: Ho, wo: Wo, kh, kw, sh, sw, pt, pl } = g;
  const M = (n1 - n0) * Ho * Wo;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // ox range whose input column ix = ox·sw + kx − pl lies inside [0, W)
      const lo = Math.min(Wo, Math.max(0, Math.ceil((pl - kx) / sw)));
      const hi = Math.max(lo, Math.min(Wo, Math.floor((W - 1 + pl - kx) / sw) + 1));
      for (let c = 0; c < C; c++) {
        let o = ((ky * kw + kx) * C + c) * M;
        for (let n = n0; n < n1; n++) {
          const plane = (c * N + n) * H * W;
          for (let oy = 0; oy < Ho; oy++, o += Wo) {
            const iy = oy * sh + ky - pt;
            if (iy < 0 || iy >= H) {
              cols.fill(0, o, o + Wo);
              continue;
            }
            const row = plane + iy * W + kx - pl;
            for (let ox = 0; ox < lo; ox++) cols[o + ox] = 0;
            if (sw === 1) {
              for (let ox = lo; ox < hi; ox++) cols[o + ox] = xt[row + ox]!;
            } else {
              for (let ox = lo; ox < hi; ox++) cols[o + ox] = xt[row + ox * sw]!;
            }
            for (let ox = hi; ox < Wo; ox++) cols[o + ox] = 0;
          }
        }
      }
    }
  }
}

/** dW [kh, kw, C, F] = Σ over images of colsT · dy (see the module comment). */
export function conv2DBackpropFilterImpl(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeom, filterShape: number[]): TensorInfo {
  const K = g.kh * g.kw * g.c;
  const per = g.ho * g.wo;
  const chunk = Math.max(1, Math.min(g.n, Math.floor(IM2COL_MAX_FLOATS / (K * per))));
  const xt = callKernel('Transpose', b, { x }, { perm: [3, 0, 1, 2] }); // [C, N, H, W]
  let acc: TensorInfo | null = null;
  try {
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const n1 = Math.min(g.n, n0 + chunk);
      const M = (n1 - n0) * per;
      const cols = alloc(b, [K, M]);
      let dyc = dy;
      if (n1 - n0 !== g.n) {
        dyc = alloc(b, [M, g.f]);
        f32(b, dyc).set(f32(b, dy).subarray(n0 * per * g.f, n1 * per * g.f));
      }
      im2colT(g, f32(b, xt), f32(b, cols), n0, n1);
      const part = matMulNN(b, cols, dyc, K, M, g.f);
      free(b, cols);
      if (dyc !== dy) free(b, dyc);
      if (acc === null) acc = part;
      else {
        const a = f32(b, acc);
        const p = f32(b, part);
        for (let i = 0; i < a.length; i++) a[i]! += p[i]!;
        free(b, part);
      }
    }
  } finally {
    free(b, xt);
  }
  return view(acc!, filterShape);
}

const conv2DBackpropFilter = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number]; pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  return conv2DBackpropFilterImpl(backend as WasmBackendLike, x, dy, convGeom(info), filterShape);
};

/** Kernel registration for the wasm backend. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
