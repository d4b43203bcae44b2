/**
 * `Conv2DBackpropFilter` for the tfjs wasm backend (which has none): im2col + one matrix product.
 *
 * dW[(ky,kx,c), o] = Σ_m cols[m, (ky,kx,c)] · dy[m, o] over the M = N·Ho·Wo output positions.
 * The wasm BatchMatMul is fast only without transposes (≈ 40 GFLOP/s on one core, against
 * ≈ 1–3.5 GFLOP/s with transposeA or transposeB), so the column matrix is built already
 * transposed, colsT [K, M], and dW = colsT · dy is a plain NN product. colsT is filled row by
 * row from x transposed to [C, N, H, W] (one wasm Transpose), so the inner loop reads and writes
 * contiguously. The positions are processed in chunks of ~2k (see {@link setFilterGradChunk}):
 * a small reused scratch matrix and cache-sized products, summed.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, callKernel, f32, free, heapF32, matMulNN, offsetOf, releaseSubview, subview, view } from './heap.ts';

/** Upper bound on the im2col scratch matrix, in floats (64 MB). */
export const IM2COL_MAX_FLOATS = 16 * 1024 * 1024;

/** Geometry of one convolution, as the kernels need it. */
export interface ConvGeom {
  n: number;
  h: number;
  w: number;
  c: number;
  ho: number;
  wo: number;
  f: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
}

/** Geometry from tfjs' conv info (NHWC only, dilation 1). */
export function convGeom(info: backend_util.Conv2DInfo): ConvGeom {
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm conv gradient: only NHWC is supported, got ${info.dataFormat}`);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`wasm conv gradient: dilation must be 1, got ${info.dilationHeight}×${info.dilationWidth}`);
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    ho: info.outHeight,
    wo: info.outWidth,
    f: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  };
}

/**
 * Fills colsT [K = kh·kw·C, Mc = (r1−r0)·Wo] for the output rows r = n·Ho + oy in [r0, r1), from
 * xt [C, N, H, W]: colsT[(ky·kw+kx)·C+c, (r−r0)·Wo+ox] = x[n, oy·sh+ky−pt, ox·sw+kx−pl, c]
 * (0 outside the image). Both live in `heap` (the wasm memory as floats) at float offsets `xt`
 * and `cols`, so stride-1 rows are native `copyWithin` moves.
 */
export function im2colT(g: ConvGeom, heap: Float32Array, xt: number, cols: number, r0: number, r1: number): void {
  const { n: N, h: H, w: W, c: C, ho: Ho, wo: Wo, kh, kw, sh, sw, pt, pl } = g;
  const Mc = (r1 - r0) * Wo;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // ox range whose input column ix = ox·sw + kx − pl lies inside [0, W)
      const lo = Math.min(Wo, Math.max(0, Math.ceil((pl - kx) / sw)));
      const hi = Math.max(lo, Math.min(Wo, Math.floor((W - 1 + pl - kx) / sw) + 1));
      for (let c = 0; c < C; c++) {
        let o = cols + ((ky * kw + kx) * C + c) * Mc;
        for (let r = r0; r < r1; r++, o += Wo) {
          const n = Math.floor(r / Ho);
          const iy = (r - n * Ho) * sh + ky - pt;
          if (iy < 0 || iy >= H) {
            heap.fill(0, o, o + Wo);
            continue;
          }
          const row = xt + ((c * N + n) * H + iy) * W + kx - pl;
          if (lo > 0) heap.fill(0, o, o + lo);
          if (sw === 1) heap.copyWithin(o + lo, row + lo, row + hi);
          else for (let ox = lo; ox < hi; ox++) heap[o + ox] = heap[row + ox * sw]!;
          if (hi < Wo) heap.fill(0, o + hi, o + Wo);
        }
      }
    }
  }
}

let chunkTarget = 2048;

/**
 * Output positions per partial product (default 2048). XNNPACK's GEMM does not block the
 * reduction dimension, so one product over all N·Ho·Wo positions streams the whole column
 * matrix once per output-column block and runs at about half speed; ~2k-position chunks keep
 * the operands in cache. Exposed for the kernel benchmark.
 */
export function setFilterGradChunk(positions: number): void {
  chunkTarget = Math.max(1, Math.floor(positions));
}

/** dW [kh, kw, C, F] = Σ over chunks of output rows of colsT · dy (see the module comment). */
export function conv2DBackpropFilterImpl(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeom, filterShape: number[]): TensorInfo {
  const K = g.kh * g.kw * g.c;
  const rows = g.n * g.ho;
  const rowsPer = Math.max(1, Math.min(rows, Math.floor(chunkTarget / g.wo), Math.floor(IM2COL_MAX_FLOATS / (K * g.wo))));
  const xt = callKernel('Transpose', b, { x }, { perm: [3, 0, 1, 2] }); // [C, N, H, W]
  const cols = alloc(b, [K, rowsPer * g.wo]);
  let acc: TensorInfo | null = null;
  try {
    for (let r0 = 0; r0 < rows; r0 += rowsPer) {
      const r1 = Math.min(rows, r0 + rowsPer);
      const M = (r1 - r0) * g.wo;
      const colsC = subview(b, cols, 0, [K, M]);
      const dyC = subview(b, dy, r0 * g.wo * g.f, [M, g.f]);
      const heap = heapF32(b);
      im2colT(g, heap, offsetOf(b, xt), offsetOf(b, colsC), r0, r1);
      const part = matMulNN(b, colsC, dyC, K, M, g.f);
      releaseSubview(b, colsC);
      releaseSubview(b, dyC);
      if (acc === null) acc = part;
      else {
        const a = f32(b, acc);
        const p = f32(b, part);
        for (let i = 0; i < a.length; i++) a[i] = a[i]! + p[i]!;
        free(b, part);
      }
    }
  } finally {
    free(b, xt);
    free(b, cols);
  }
  return view(acc!, filterShape);
}

const conv2DBackpropFilter = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return conv2DBackpropFilterImpl(backend as WasmBackendLike, x, dy, convGeom(info), filterShape);
};

/** Kernel registration for the wasm backend. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
