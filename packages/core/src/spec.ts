/**
 * `ModelSpec`: the network architecture as data.
 *
 * A spec is a list of named blocks forming a DAG (each block names its input block(s); the
 * special name `"image"` is the network input). It is interpreted twice: by the trainer into a
 * tfjs forward function (NHWC) and by the exporter into ONNX nodes (NCHW). Both read the same
 * parameter names from {@link paramInfos}, so a checkpoint written by one is read by the other.
 *
 * Layout-free conventions: spatial sizes are `[height, width]`; conv kernels are stored HWIO
 * (`[kh, kw, in, out]`, the tfjs/TF layout); dense kernels are `[in, out]`.
 *
 * @module
 */

import { InterpretFrError } from './errors.ts';

/** Name of the network input in `input` fields. */
export const INPUT = 'image';

/** 2-D convolution, TF `SAME` padding (extra padding at the bottom/right for even totals). */
export interface ConvBlock {
  kind: 'conv';
  name: string;
  input: string;
  filters: number;
  kernel: number;
  stride: number;
  /** The original adds a bias before BN; kept for faithfulness (it is redundant with BN's beta). */
  bias: boolean;
}

/** Batch normalisation over the channel axis (TF1 `batch_norm`, scale = true). */
export interface BatchNormBlock {
  kind: 'batchNorm';
  name: string;
  input: string;
  /** Moving-average decay of the running statistics (0.9 in the original). */
  momentum: number;
  epsilon: number;
}

/** Element-wise activation. */
export interface ActBlock {
  kind: 'act';
  name: string;
  input: string;
  fn: 'elu' | 'relu';
}

/**
 * Bilinear resize. `coordinate: 'asymmetric'` is TF1 `resize_images(align_corners=False)`
 * (source = dest · in/out, no half-pixel offset) = tfjs `resizeBilinear(x, size, false, false)`
 * = ONNX Resize `coordinate_transformation_mode="asymmetric"`.
 */
export interface ResizeBlock {
  kind: 'resize';
  name: string;
  input: string;
  size: [number, number];
  mode: 'bilinear';
  coordinate: 'asymmetric' | 'half_pixel' | 'align_corners';
}

/** L2 normalisation along channels at every pixel: x / max(‖x‖₂, epsilon). */
export interface L2NormBlock {
  kind: 'l2norm';
  name: string;
  input: string;
  epsilon: number;
}

/** Concatenation along channels, in the order given. */
export interface ConcatBlock {
  kind: 'concat';
  name: string;
  inputs: string[];
}

/**
 * Per-image, per-channel top-k magnitude mask over all spatial positions, signs kept.
 * t = k-th largest |x| of the channel; `compare: 'gt'` keeps |x| > t (the original: k − 1
 * values survive), `compare: 'ge'` keeps |x| ≥ t (k values, more only at exact ties).
 */
export interface TopkMaskBlock {
  kind: 'topkMask';
  name: string;
  input: string;
  k: number;
  compare: 'gt' | 'ge';
}

/** Average pool over the full spatial extent (the original's 6×6 pool or 24×24 GAP) → [N, C]. */
export interface GapBlock {
  kind: 'gap';
  name: string;
  input: string;
}

/** Dropout: active only in training mode. `keep` is the keep probability (0.6 in the original). */
export interface DropoutBlock {
  kind: 'dropout';
  name: string;
  input: string;
  keep: number;
}

/** Fully connected layer on [N, C] → [N, units], with bias. */
export interface DenseBlock {
  kind: 'dense';
  name: string;
  input: string;
  units: number;
}

/** One block of a {@link ModelSpec}; discriminated by `kind`. */
export type Block = ConvBlock | BatchNormBlock | ActBlock | ResizeBlock | L2NormBlock | ConcatBlock | TopkMaskBlock | GapBlock | DropoutBlock | DenseBlock;

export type BlockKind = Block['kind'];

/** Named tensors a runtime exposes. */
export interface SpecOutputs {
  /** The face feature f, [N, D] (before dropout). */
  embedding: string;
  /** The (masked) response maps the interpretability tools read, [N, H, W, C] in NHWC terms. */
  maps?: string;
  /** Classifier logits (training only; not exported by default). */
  logits: string;
  /** Backbone blocks whose parameters a fine-tune initialises from a `base` checkpoint. */
  backbone: string[];
}

/** The whole architecture. */
export interface ModelSpec {
  /** Preset or user name, e.g. `interpretable`. */
  name: string;
  /** Square input side in pixels (96 in the original). */
  inputSize: number;
  /** Input channels (3). */
  inputChannels: number;
  blocks: Block[];
  outputs: SpecOutputs;
}

/** Shape and role of one parameter tensor. */
export interface ParamInfo {
  /** Unique name, shared by the trainer, the checkpoint and the ONNX initializers. */
  name: string;
  /** Block that owns it. */
  block: string;
  shape: number[];
  /** False for BN running statistics. */
  trainable: boolean;
  /** Initialiser of the original (§2.1, §10). */
  init: 'truncatedNormal0.02' | 'normal0.02' | 'zeros' | 'ones';
}

/** Error from {@link validateSpec}: names the block (index and name) and the field. */
export class SpecError extends InterpretFrError {
  constructor(
    message: string,
    readonly blockIndex: number | null,
    readonly blockName: string | null,
    override readonly field: string | null,
  ) {
    super(message, { code: 'model' });
    this.name = 'SpecError';
  }
}

/** Inferred output shape of a block, NHWC without N: `[h, w, c]` for maps, `[c]` for vectors. */
export type BlockShape = [number, number, number] | [number];

/** TF `SAME` output size. */
export function sameOutSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/**
 * TF `SAME` padding for one axis: `[before, after]`. The extra pixel goes after.
 *
 * @example samePadding(96, 3, 2) // [0, 1]
 */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const out = sameOutSize(size, stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function fail(i: number | null, b: { name?: unknown } | null, field: string | null, what: string): never {
  const where = i === null ? 'spec' : `block ${i} (${typeof b?.name === 'string' ? `"${b.name}"` : 'unnamed'})`;
  throw new SpecError(`${where}${field ? `, field "${field}"` : ''}: ${what}`, i, typeof b?.name === 'string' ? b.name : null, field);
}

function posInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * Checks a spec and infers every block's output shape. Throws {@link SpecError} naming the
 * offending block and field. Returns the shapes by block name.
 *
 * @example
 * const shapes = validateSpec(presets.interpretable());
 * shapes.get('k5')  // [24, 24, 320]
 */
export function validateSpec(spec: ModelSpec): Map<string, BlockShape> {
  if (typeof spec !== 'object' || spec === null) fail(null, null, null, 'expected an object');
  if (typeof spec.name !== 'string' || spec.name === '') fail(null, null, 'name', 'expected a non-empty string');
  if (!posInt(spec.inputSize)) fail(null, null, 'inputSize', `expected a positive integer, got ${String(spec.inputSize)}`);
  if (!posInt(spec.inputChannels)) fail(null, null, 'inputChannels', `expected a positive integer, got ${String(spec.inputChannels)}`);
  if (!Array.isArray(spec.blocks) || spec.blocks.length === 0) fail(null, null, 'blocks', 'expected a non-empty array');
  const shapes = new Map<string, BlockShape>();
  shapes.set(INPUT, [spec.inputSize, spec.inputSize, spec.inputChannels]);
  const need = (i: number, b: Block, field: string, name: unknown): BlockShape => {
    if (typeof name !== 'string') fail(i, b, field, 'expected a block name');
    const s = shapes.get(name);
    if (!s) fail(i, b, field, `unknown input "${name}" (inputs must be defined earlier)`);
    return s;
  };
  const map = (i: number, b: Block, field: string, s: BlockShape): [number, number, number] => {
    if (s.length !== 3) fail(i, b, field, `expected a spatial map input, got a vector of ${s[0]}`);
    return s;
  };
  spec.blocks.forEach((b, i) => {
    if (typeof b !== 'object' || b === null) fail(i, null, null, 'expected an object');
    if (typeof b.name !== 'string' || b.name === '') fail(i, b, 'name', 'expected a non-empty string');
    if (shapes.has(b.name)) fail(i, b, 'name', `duplicate name "${b.name}"`);
    let out: BlockShape;
    switch (b.kind) {
      case 'conv': {
        const [h, w] = map(i, b, 'input', need(i, b, 'input', b.input));
        if (!posInt(b.filters)) fail(i, b, 'filters', `expected a positive integer, got ${String(b.filters)}`);
        if (!posInt(b.kernel)) fail(i, b, 'kernel', `expected a positive integer, got ${String(b.kernel)}`);
        if (!posInt(b.stride)) fail(i, b, 'stride', `expected a positive integer, got ${String(b.stride)}`);
        if (typeof b.bias !== 'boolean') fail(i, b, 'bias', 'expected a boolean');
        out = [sameOutSize(h, b.stride), sameOutSize(w, b.stride), b.filters];
        break;
      }
      case 'batchNorm': {
        out = need(i, b, 'input', b.input);
        if (!(typeof b.momentum === 'number' && b.momentum >= 0 && b.momentum < 1)) fail(i, b, 'momentum', `expected a number in [0, 1), got ${String(b.momentum)}`);
        if (!(typeof b.epsilon === 'number' && b.epsilon > 0)) fail(i, b, 'epsilon', `expected a positive number, got ${String(b.epsilon)}`);
        break;
      }
      case 'act':
        out = need(i, b, 'input', b.input);
        if (b.fn !== 'elu' && b.fn !== 'relu') fail(i, b, 'fn', `expected "elu" or "relu", got ${JSON.stringify(b.fn)}`);
        break;
      case 'resize': {
        const [, , c] = map(i, b, 'input', need(i, b, 'input', b.input));
        if (!Array.isArray(b.size) || b.size.length !== 2 || !b.size.every(posInt)) fail(i, b, 'size', 'expected [height, width] positive integers');
        if (b.mode !== 'bilinear') fail(i, b, 'mode', `expected "bilinear", got ${JSON.stringify(b.mode)}`);
        if (!['asymmetric', 'half_pixel', 'align_corners'].includes(b.coordinate))
          fail(i, b, 'coordinate', `expected asymmetric|half_pixel|align_corners, got ${JSON.stringify(b.coordinate)}`);
        out = [b.size[0], b.size[1], c];
        break;
      }
      case 'l2norm':
        out = need(i, b, 'input', b.input);
        if (!(typeof b.epsilon === 'number' && b.epsilon > 0)) fail(i, b, 'epsilon', `expected a positive number, got ${String(b.epsilon)}`);
        break;
      case 'concat': {
        if (!Array.isArray(b.inputs) || b.inputs.length < 2) fail(i, b, 'inputs', 'expected at least two block names');
        const ins = b.inputs.map((n, j) => map(i, b, `inputs[${j}]`, need(i, b, `inputs[${j}]`, n)));
        const [h, w] = ins[0]!;
        ins.forEach((s, j) => {
          if (s[0] !== h || s[1] !== w) fail(i, b, `inputs[${j}]`, `spatial size ${s[0]}×${s[1]} differs from ${h}×${w}`);
        });
        out = [h, w, ins.reduce((a, s) => a + s[2], 0)];
        break;
      }
      case 'topkMask': {
        const [h, w, c] = map(i, b, 'input', need(i, b, 'input', b.input));
        if (!posInt(b.k) || b.k > h * w) fail(i, b, 'k', `expected an integer in [1, ${h * w}], got ${String(b.k)}`);
        if (b.compare !== 'gt' && b.compare !== 'ge') fail(i, b, 'compare', `expected "gt" or "ge", got ${JSON.stringify(b.compare)}`);
        out = [h, w, c];
        break;
      }
      case 'gap': {
        const [, , c] = map(i, b, 'input', need(i, b, 'input', b.input));
        out = [c];
        break;
      }
      case 'dropout':
        out = need(i, b, 'input', b.input);
        if (!(typeof b.keep === 'number' && b.keep > 0 && b.keep <= 1)) fail(i, b, 'keep', `expected a keep probability in (0, 1], got ${String(b.keep)}`);
        break;
      case 'dense': {
        const s = need(i, b, 'input', b.input);
        if (s.length !== 1) fail(i, b, 'input', `expected a vector input, got a ${s.join('×')} map`);
        if (!posInt(b.units)) fail(i, b, 'units', `expected a positive integer, got ${String(b.units)}`);
        out = [b.units];
        break;
      }
      default:
        fail(i, b, 'kind', `unknown block kind ${JSON.stringify((b as { kind: unknown }).kind)}`);
    }
    shapes.set(b.name, out);
  });
  const o = spec.outputs;
  if (typeof o !== 'object' || o === null) fail(null, null, 'outputs', 'expected an object');
  for (const key of ['embedding', 'logits'] as const) {
    if (!shapes.has(o[key]) || o[key] === INPUT) fail(null, null, `outputs.${key}`, `unknown block "${String(o[key])}"`);
  }
  if (shapes.get(o.embedding)!.length !== 1) fail(null, null, 'outputs.embedding', `block "${o.embedding}" is not a vector`);
  if (o.maps !== undefined && (!shapes.has(o.maps) || shapes.get(o.maps)!.length !== 3)) fail(null, null, 'outputs.maps', `"${o.maps}" is not a spatial block`);
  if (!Array.isArray(o.backbone)) fail(null, null, 'outputs.backbone', 'expected an array of block names');
  o.backbone.forEach((n) => {
    if (!shapes.has(n) || n === INPUT) fail(null, null, 'outputs.backbone', `unknown block "${n}"`);
  });
  return shapes;
}

/**
 * Every parameter tensor of a spec, in block order. Names: `<block>/kernel`, `<block>/bias`
 * (conv, dense), `<block>/gamma`, `<block>/beta`, `<block>/moving_mean`,
 * `<block>/moving_variance` (batchNorm).
 */
export function paramInfos(spec: ModelSpec): ParamInfo[] {
  const shapes = validateSpec(spec);
  const chan = (name: string): number => {
    const s = shapes.get(name)!;
    return s[s.length - 1]!;
  };
  const out: ParamInfo[] = [];
  for (const b of spec.blocks) {
    if (b.kind === 'conv') {
      out.push({ name: `${b.name}/kernel`, block: b.name, shape: [b.kernel, b.kernel, chan(b.input), b.filters], trainable: true, init: 'truncatedNormal0.02' });
      if (b.bias) out.push({ name: `${b.name}/bias`, block: b.name, shape: [b.filters], trainable: true, init: 'zeros' });
    } else if (b.kind === 'batchNorm') {
      const c = chan(b.input);
      out.push({ name: `${b.name}/gamma`, block: b.name, shape: [c], trainable: true, init: 'ones' });
      out.push({ name: `${b.name}/beta`, block: b.name, shape: [c], trainable: true, init: 'zeros' });
      out.push({ name: `${b.name}/moving_mean`, block: b.name, shape: [c], trainable: false, init: 'zeros' });
      out.push({ name: `${b.name}/moving_variance`, block: b.name, shape: [c], trainable: false, init: 'ones' });
    } else if (b.kind === 'dense') {
      out.push({ name: `${b.name}/kernel`, block: b.name, shape: [chan(b.input), b.units], trainable: true, init: 'normal0.02' });
      out.push({ name: `${b.name}/bias`, block: b.name, shape: [b.units], trainable: true, init: 'zeros' });
    }
  }
  return out;
}

/** Number of scalar parameters, optionally only those of some blocks. */
export function countParams(spec: ModelSpec, filter?: (p: ParamInfo) => boolean): number {
  return paramInfos(spec)
    .filter(filter ?? (() => true))
    .reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}
