/**
 * `Sum` and `Mean` over leading axes for the wasm backend: the batch-norm statistics and every
 * broadcast gradient of a [N, H, W, C] ⊙ [C] product reduce over axes 0, 1, 2. The stock wasm
 * kernels first transpose the reduced axes innermost (a full copy of the activation) and then
 * reduce; here the tensor is read once, row by row, into float64 accumulators of the kept
 * (contiguous, trailing) axes. Other axis sets go to the stock kernel.
 *
 * @module
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './heap.ts';
import { alloc, f32, sizeOf } from './heap.ts';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

/** Number of leading axes reduced, or −1 if `axis` is not a proper leading prefix. */
export function leadingAxes(shape: readonly number[], axis: number | number[]): number {
  const axes = util
    .parseAxisParam(axis, shape as number[])
    .slice()
    .sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return -1;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return -1;
  return axes.length;
}

function reduceLeading(b: WasmBackendLike, x: TensorInfo, r: number, keepDims: boolean, mean: boolean): TensorInfo {
  const outer = sizeOf(x.shape.slice(0, r));
  const inner = sizeOf(x.shape.slice(r));
  const outShape = keepDims ? [...x.shape.slice(0, r).map(() => 1), ...x.shape.slice(r)] : x.shape.slice(r);
  const out = alloc(b, outShape);
  const src = f32(b, x);
  const acc = new Float64Array(inner);
  let i = 0;
  // four rows per pass: a quarter of the accumulator loads and stores
  for (; i + 4 <= outer; i += 4) {
    const o0 = i * inner;
    const o1 = o0 + inner;
    const o2 = o1 + inner;
    const o3 = o2 + inner;
    for (let c = 0; c < inner; c++) acc[c]! += src[o0 + c]! + src[o1 + c]! + src[o2 + c]! + src[o3 + c]!;
  }
  for (; i < outer; i++) {
    const o = i * inner;
    for (let c = 0; c < inner; c++) acc[c]! += src[o + c]!;
  }
  const dst = f32(b, out);
  const k = mean ? 1 / outer : 1;
  for (let c = 0; c < inner; c++) dst[c] = acc[c]! * k;
  return out;
}

/** A kernel config that handles float32 leading-axis reductions and defers the rest to `stock`. */
function make(kernelName: 'Sum' | 'Mean', mean: boolean): KernelConfig & { wrap(stock: KernelConfig | undefined): KernelConfig } {
  let stock: KernelConfig | undefined;
  const kernelFunc = ({ inputs, backend, attrs }: Args): TensorInfo | TensorInfo[] => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const r = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : -1;
    if (r > 0) return reduceLeading(backend as WasmBackendLike, x, r, keepDims, mean);
    if (!stock) throw new Error(`wasm ${kernelName}: no stock kernel for axis ${JSON.stringify(axis)} of [${x.shape.join(',')}] (${x.dtype})`);
    return stock.kernelFunc({ inputs, backend: backend as never, attrs: attrs ?? {} });
  };
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
    wrap(s) {
      stock = s;
      return this;
    },
  };
}

/** `Sum` (leading axes fast, the rest by the stock kernel set with `wrap`). */
export const sumConfig = make('Sum', false);
/** `Mean` (leading axes fast, the rest by the stock kernel set with `wrap`). */
export const meanConfig = make('Mean', true);
