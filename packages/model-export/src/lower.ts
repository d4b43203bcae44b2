/**
 * Lowers a {@link ModelSpec} (NHWC semantics) to ONNX nodes on NCHW tensors. One function per
 * block kind; every choice mirrors what PyTorch's exporter emits for the same layers, so ORT
 * runs the graph as fast as a torch-exported one (see the package README for measurements).
 *
 * @module
 */
import type { Block, BlockShape, ModelSpec } from '@interpret-fr/core';
import { INPUT, samePadding, validateSpec } from '@interpret-fr/core';
import type { GraphBuilder } from './graph-builder.ts';
import { attr } from './graph-builder.ts';
import { foldBatchNorm, hwioToOihw } from './weights.ts';

/** Options of {@link lowerSpec}. */
export interface LowerOptions {
  opset: number;
  foldBatchNorm: boolean;
  /** Block name → tensor name for blocks that are graph outputs (e.g. `new_k6` → `embedding`). */
  rename: Map<string, string>;
  /** Blocks whose outputs are needed; others are pruned. */
  targets: string[];
}

/** Blocks needed to compute `targets`, in spec order. */
export function neededBlocks(spec: ModelSpec, targets: string[]): Block[] {
  const byName = new Map(spec.blocks.map((b) => [b.name, b]));
  const need = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === INPUT || need.has(n)) continue;
    const b = byName.get(n);
    if (!b) throw new Error(`lower: unknown block "${n}"`);
    need.add(n);
    stack.push(...(b.kind === 'concat' ? b.inputs : [b.input]));
  }
  return spec.blocks.filter((b) => need.has(b.name));
}

/** Reduce ops take `axes` as an attribute up to opset 17 and as an input from 18. */
function reduce(g: GraphBuilder, opset: number, op: string, x: string, out: string, axes: number[], keepdims: number): string {
  if (opset >= 18) return g.node(op, [x, g.constI64(axes)], [out], { keepdims: attr.int(keepdims) })[0]!;
  return g.node(op, [x], [out], { axes: attr.ints(axes), keepdims: attr.int(keepdims) })[0]!;
}

/** x / max(‖x‖₂ over axis 1, eps), as ReduceL2 → Max → Div (broadcast over axis 1). */
export function l2normNodes(g: GraphBuilder, opset: number, x: string, out: string, eps: number, prefix: string): string {
  const norm = reduce(g, opset, 'ReduceL2', x, `${prefix}/norm`, [1], 1);
  const clamped = g.node('Max', [norm, g.constF32(eps)], [`${prefix}/norm_clamped`])[0]!;
  return g.node('Div', [x, clamped], [out])[0]!;
}

/**
 * Emits the nodes of every needed block. Returns the tensor name of each emitted block.
 * `weights` are resolved parameters (see `resolveWeights`).
 */
export function lowerSpec(g: GraphBuilder, spec: ModelSpec, weights: Map<string, Float32Array>, o: LowerOptions): Map<string, string> {
  const shapes = validateSpec(spec);
  const blocks = neededBlocks(spec, o.targets);
  const consumers = new Map<string, number>();
  for (const b of blocks) for (const i of b.kind === 'concat' ? b.inputs : [b.input]) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const isTarget = new Set(o.targets);
  const tensor = new Map<string, string>([[INPUT, INPUT]]);
  const byName = new Map(spec.blocks.map((b) => [b.name, b]));
  const w = (name: string): Float32Array => weights.get(name)!;
  const nameOf = (b: string): string => o.rename.get(b) ?? b;
  const folded = new Set<string>(); // conv blocks whose BN follows and is folded
  if (o.foldBatchNorm) {
    for (const b of blocks) {
      if (b.kind !== 'batchNorm') continue;
      const src = byName.get(b.input);
      if (src?.kind === 'conv' && consumers.get(src.name) === 1 && !isTarget.has(src.name)) folded.add(src.name);
    }
  }
  const shapeOf = (n: string): BlockShape => shapes.get(n)!;

  for (const b of blocks) {
    const x = b.kind === 'concat' ? '' : tensor.get(b.input)!;
    const out = nameOf(b.name);
    switch (b.kind) {
      case 'conv': {
        const [h, wd, cin] = shapeOf(b.input) as [number, number, number];
        let weight = hwioToOihw(w(`${b.name}/kernel`), b.kernel, b.kernel, cin, b.filters);
        let bias: Float32Array | null = b.bias ? w(`${b.name}/bias`) : null;
        let outName = out;
        if (folded.has(b.name)) {
          const bn = spec.blocks.find((k) => k.kind === 'batchNorm' && k.input === b.name)!;
          if (bn.kind !== 'batchNorm') throw new Error('unreachable');
          ({ weight, bias } = foldBatchNorm(weight, bias, {
            gamma: w(`${bn.name}/gamma`),
            beta: w(`${bn.name}/beta`),
            mean: w(`${bn.name}/moving_mean`),
            variance: w(`${bn.name}/moving_variance`),
            epsilon: bn.epsilon,
          }));
          outName = nameOf(bn.name);
          tensor.set(bn.name, outName);
        }
        const [pt, pb] = samePadding(h, b.kernel, b.stride);
        const [pl, pr] = samePadding(wd, b.kernel, b.stride);
        const ins = [x, g.float(`${b.name}/W`, [b.filters, cin, b.kernel, b.kernel], weight)];
        if (bias) ins.push(g.float(`${b.name}/B`, [b.filters], bias));
        g.node(
          'Conv',
          ins,
          [outName],
          {
            dilations: attr.ints([1, 1]),
            group: attr.int(1),
            kernel_shape: attr.ints([b.kernel, b.kernel]),
            pads: attr.ints([pt, pl, pb, pr]),
            strides: attr.ints([b.stride, b.stride]),
          },
          b.name,
        );
        tensor.set(b.name, outName);
        break;
      }
      case 'batchNorm': {
        if (tensor.has(b.name)) break; // folded into its conv
        const p = (s: string): string => g.float(`${b.name}/${s}`, [w(`${b.name}/${s}`).length], w(`${b.name}/${s}`));
        g.node('BatchNormalization', [x, p('gamma'), p('beta'), p('moving_mean'), p('moving_variance')], [out], { epsilon: attr.float(b.epsilon) }, b.name);
        tensor.set(b.name, out);
        break;
      }
      case 'act':
        g.node(b.fn === 'elu' ? 'Elu' : 'Relu', [x], [out], b.fn === 'elu' ? { alpha: attr.float(1) } : {}, b.name);
        tensor.set(b.name, out);
        break;
      case 'resize': {
        const [h, wd] = shapeOf(b.input) as [number, number, number];
        const scale = (from: number, to: number): number => {
          let s = Math.fround(to / from);
          // ONNX output size is floor(in · scale): nudge up one ulp if float32 rounding lost a pixel.
          while (Math.floor(from * s) < to) s = Math.fround(s * (1 + 2 ** -23));
          return s;
        };
        const scales = g.float(`${b.name}/scales`, [4], new Float32Array([1, 1, scale(h, b.size[0]), scale(wd, b.size[1])]));
        const ctm = b.coordinate === 'align_corners' ? 'align_corners' : b.coordinate === 'half_pixel' ? 'half_pixel' : 'asymmetric';
        g.node('Resize', [x, '', scales], [out], { coordinate_transformation_mode: attr.string(ctm), mode: attr.string('linear') }, b.name);
        tensor.set(b.name, out);
        break;
      }
      case 'l2norm':
        tensor.set(b.name, l2normNodes(g, o.opset, x, out, b.epsilon, b.name));
        break;
      case 'concat':
        g.node(
          'Concat',
          b.inputs.map((i) => tensor.get(i)!),
          [out],
          { axis: attr.int(1) },
          b.name,
        );
        tensor.set(b.name, out);
        break;
      case 'topkMask': {
        const [h, wd, c] = shapeOf(b.input) as [number, number, number];
        // [N,C,H,W] → [N,C,H·W] (0 copies N), |x|, k largest (sorted), k-th = threshold [N,C,1].
        const flat = g.node('Reshape', [x, g.constI64([0, c, h * wd])], [`${b.name}/flat`])[0]!;
        const mag = g.node('Abs', [flat], [`${b.name}/abs`])[0]!;
        const top = g.node('TopK', [mag, g.constI64([b.k])], [`${b.name}/topk_values`, `${b.name}/topk_indices`], {
          axis: attr.int(-1),
          largest: attr.int(1),
          sorted: attr.int(1),
        })[0]!;
        const thr = g.node('Slice', [top, g.constI64([b.k - 1]), g.constI64([b.k]), g.constI64([2])], [`${b.name}/threshold`])[0]!;
        const keep = g.node(b.compare === 'ge' ? 'GreaterOrEqual' : 'Greater', [mag, thr], [`${b.name}/keep`])[0]!;
        const masked = g.node('Where', [keep, flat, g.constF32(0)], [`${b.name}/masked_flat`])[0]!;
        g.node('Reshape', [masked, g.constI64([0, c, h, wd])], [out], {}, b.name);
        tensor.set(b.name, out);
        break;
      }
      case 'gap':
        tensor.set(b.name, reduce(g, o.opset, 'ReduceMean', x, out, [2, 3], 0));
        break;
      case 'dropout':
        // Inference: identity. A dropout that is itself an output gets an Identity node.
        if (o.rename.has(b.name)) g.node('Identity', [x], [out], {}, b.name);
        tensor.set(b.name, o.rename.has(b.name) ? out : x);
        break;
      case 'dense': {
        const [cin] = shapeOf(b.input) as [number];
        g.node('Gemm', [x, g.float(`${b.name}/W`, [cin, b.units], w(`${b.name}/kernel`)), g.float(`${b.name}/B`, [b.units], w(`${b.name}/bias`))], [out], {}, b.name);
        tensor.set(b.name, out);
        break;
      }
    }
  }
  return tensor;
}
