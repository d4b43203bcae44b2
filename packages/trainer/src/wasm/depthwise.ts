/**
 * Depthwise-convolution gradients for the wasm backend (it has neither): the SAD loss blurs the
 * masked maps with a fixed 3×3 Gaussian per channel (method.md §4.2), so its backward pass needs
 * `DepthwiseConv2dNativeBackpropInput` (and, for a trainable filter, `…BackpropFilter`).
 *
 * Input gradient, stride 1, dilation 1, channel multiplier 1: the backend's own depthwise conv of
 * dy with the spatially flipped filter, padded kh−1−pt before and H+pt−Ho after. Every other case
 * (and the filter gradient, whose output is tiny) is a direct loop over the output positions.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, callKernel, f32, free } from './heap.ts';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
type Attrs = {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function info(xShape: number[], filterShape: number[], a: Attrs): backend_util.Conv2DInfo {
  const d = a.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) {
    // tfjs' depthwise gradient itself rejects dilation > 1 (and the cpu kernels ignore it)
    throw new Error(`wasm depthwise gradient: dilation must be 1, got ${JSON.stringify(d)}`);
  }
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
}

/**
 * Visits every (output position, tap) pair with its input position inside the image:
 * fn(xIndex, dyIndex, filterIndex) with NHWC / HWCM offsets of the first channel.
 */
function forEachTap(ci: backend_util.Conv2DInfo, fn: (xi: number, yi: number, wi: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: F } = ci;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const m = F / C;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yi = ((n * Ho + oy) * Wo + ox) * F;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky * dh - ci.padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx * dw - ci.padInfo.left;
            if (ix < 0 || ix >= W) continue;
            fn(((n * H + iy) * W + ix) * C, yi, (ky * kw + kx) * C * m);
          }
        }
      }
    }
  }
}

function backpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const b = backend as WasmBackendLike;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs & { inputShape: number[] };
  const ci = info(a.inputShape, filter.shape, a);
  const [kh, kw, C, m] = filter.shape as [number, number, number, number];
  const pb = ci.inHeight + ci.padInfo.top - ci.outHeight;
  const pr = ci.inWidth + ci.padInfo.left - ci.outWidth;
  const unit = ci.strideHeight === 1 && ci.strideWidth === 1 && ci.dilationHeight === 1 && ci.dilationWidth === 1 && m === 1;
  if (unit && pb >= 0 && pr >= 0 && ci.padInfo.top <= kh - 1 && ci.padInfo.left <= kw - 1) {
    const wf = alloc(b, [kh, kw, C, 1]);
    const src = f32(b, filter);
    const dst = f32(b, wf);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) dst.set(src.subarray(((kh - 1 - ky) * kw + (kw - 1 - kx)) * C, ((kh - 1 - ky) * kw + (kw - 1 - kx) + 1) * C), (ky * kw + kx) * C);
    }
    const pad = [
      [0, 0],
      [kh - 1 - ci.padInfo.top, pb],
      [kw - 1 - ci.padInfo.left, pr],
      [0, 0],
    ];
    const out = callKernel('DepthwiseConv2dNative', b, { x: dy, filter: wf }, { strides: [1, 1], dilations: [1, 1], pad, dimRoundingMode: undefined } as unknown as NamedAttrMap);
    free(b, wf);
    return out;
  }
  const dx = alloc(b, a.inputShape);
  const d = f32(b, dx).fill(0);
  const g = f32(b, dy);
  const w = f32(b, filter);
  forEachTap(ci, (xi, yi, wi) => {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let q = 0; q < m; q++) s += g[yi + c * m + q]! * w[wi + c * m + q]!;
      d[xi + c] = d[xi + c]! + s;
    }
  });
  return dx;
}

function backpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs & { filterShape: number[] };
  const ci = info(x.shape, a.filterShape, a);
  const [, , C, m] = a.filterShape as [number, number, number, number];
  const acc = new Float64Array(a.filterShape.reduce((p, v) => p * v, 1));
  const xs = f32(b, x);
  const g = f32(b, dy);
  forEachTap(ci, (xi, yi, wi) => {
    for (let c = 0; c < C; c++) {
      const v = xs[xi + c]!;
      for (let q = 0; q < m; q++) acc[wi + c * m + q]! += v * g[yi + c * m + q]!;
    }
  });
  const out = alloc(b, a.filterShape);
  f32(b, out).set(acc);
  return out;
}

/** `DepthwiseConv2dNativeBackpropInput` for wasm. */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: backpropInput as unknown as KernelFunc,
};

/** `DepthwiseConv2dNativeBackpropFilter` for wasm. */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: backpropFilter as unknown as KernelFunc,
};
