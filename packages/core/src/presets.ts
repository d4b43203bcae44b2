/**
 * The architectures of method.md §2 as {@link ModelSpec} data.
 *
 * - `casia-net`: the CASIA-Net backbone (§2.2) + 6×6 average pool + dropout + classifier (the "base CNN").
 * - `interpretable`: backbone + hypercolumn head + top-k mask + global average pool + dropout +
 *   classifier (§2.3), 320 filters on a 24×24 map.
 * - `casia-net-tiny`, `interpretable-tiny`: the same topology at 1/8 width on 48×48 inputs,
 *   for tests and the CPU main job (maps 12×12, 40 filters, k = 12).
 * - `casia-net-small`, `interpretable-small`: 1/4 width on 48×48 inputs (maps 12×12, 80 filters, k = 12),
 *   the size of the real-face (LFW-a) study on a 2-core CPU: ≈ 4× the tiny conv FLOPs, ≈ 1/64 of the full ones.
 *
 * @module
 */
import type { Block, ModelSpec } from './spec.ts';
import { INPUT } from './spec.ts';

/** Options shared by every preset. */
export interface PresetOptions {
  /** Classifier size (10,575 CASIA identities by default). */
  numClasses?: number;
  /**
   * Top-k comparison: `'ge'` keeps exactly k positions per channel (default, the evident intent);
   * `'gt'` reproduces the original's strict `>` (k − 1 kept, method.md §9 quirk 1).
   */
  topkCompare?: 'gt' | 'ge';
  /**
   * Adds a training-only linear head `distill` (embedding → `distillDim`), the learned map of the
   * teacher-distillation term (issue 13). It is the last block, so the other parameters' initial values
   * do not change, and no output uses it: exporters that lower only the blocks the outputs need drop it.
   */
  distillDim?: number;
}

interface Widths {
  inputSize: number;
  /** 14 conv widths k0_1 … k4_2. */
  backbone: number[];
  pca: number;
  filters: number;
}

const FULL: Widths = {
  inputSize: 96,
  backbone: [32, 64, 64, 64, 128, 128, 96, 192, 192, 128, 256, 256, 160, 320],
  pca: 192,
  filters: 320,
};
const TINY: Widths = {
  inputSize: 48,
  backbone: [4, 8, 8, 8, 16, 16, 12, 24, 24, 16, 32, 32, 20, 40],
  pca: 24,
  filters: 40,
};

const SMALL: Widths = {
  inputSize: 48,
  backbone: [8, 16, 16, 16, 32, 32, 24, 48, 48, 32, 64, 64, 40, 80],
  pca: 48,
  filters: 80,
};

const BACKBONE_NAMES = ['k0_1', 'k0_2', 'k1_0', 'k1_1', 'k1_2', 'k2_0', 'k2_1', 'k2_2', 'k3_0', 'k3_1', 'k3_2', 'k4_0', 'k4_1', 'k4_2'];
const STRIDE2 = new Set(['k1_0', 'k2_0', 'k3_0', 'k4_0']);
const BN = { momentum: 0.9, epsilon: 1e-5 } as const;

/** conv → BN (→ ELU): returns the blocks and the name of the last one. */
function convUnit(name: string, input: string, filters: number, kernel: number, stride: number, elu: boolean): [Block[], string] {
  const blocks: Block[] = [
    { kind: 'conv', name, input, filters, kernel, stride, bias: true },
    { kind: 'batchNorm', name: `${name}_bn`, input: name, ...BN },
  ];
  if (!elu) return [blocks, `${name}_bn`];
  blocks.push({ kind: 'act', name: `${name}_elu`, input: `${name}_bn`, fn: 'elu' });
  return [blocks, `${name}_elu`];
}

function backbone(w: Widths): { blocks: Block[]; out: Map<string, string>; names: string[] } {
  const blocks: Block[] = [];
  const out = new Map<string, string>();
  let prev = INPUT;
  BACKBONE_NAMES.forEach((n, i) => {
    const [b, last] = convUnit(n, prev, w.backbone[i]!, 3, STRIDE2.has(n) ? 2 : 1, n !== 'k4_2');
    blocks.push(...b);
    out.set(n, last);
    prev = last;
  });
  return { blocks, out, names: blocks.map((b) => b.name) };
}

function classifier(feature: string, numClasses: number): Block[] {
  return [
    { kind: 'dropout', name: 'dropout', input: feature, keep: 0.6 },
    { kind: 'dense', name: 'fc', input: 'dropout', units: numClasses },
  ];
}

function distillHead(embedding: string, o: PresetOptions): Block[] {
  return o.distillDim ? [{ kind: 'dense', name: 'distill', input: embedding, units: o.distillDim }] : [];
}

function casiaNetFrom(name: string, w: Widths, o: PresetOptions): ModelSpec {
  const bb = backbone(w);
  const blocks: Block[] = [...bb.blocks, { kind: 'gap', name: 'pool', input: bb.out.get('k4_2')! }, ...classifier('pool', o.numClasses ?? 10575), ...distillHead('pool', o)];
  return { name, inputSize: w.inputSize, inputChannels: 3, blocks, outputs: { embedding: 'pool', logits: 'fc', backbone: bb.names } };
}

function interpretableFrom(name: string, w: Widths, o: PresetOptions): ModelSpec {
  const bb = backbone(w);
  const map = w.inputSize / 4;
  const blocks: Block[] = [...bb.blocks];
  const pca = (src: string, tag: string): string => {
    blocks.push({ kind: 'resize', name: `new_resize${tag}`, input: bb.out.get(src)!, size: [map, map], mode: 'bilinear', coordinate: 'asymmetric' });
    const [b, last] = convUnit(`new_pca${tag}`, `new_resize${tag}`, w.pca, 1, 1, true);
    blocks.push(...b, { kind: 'l2norm', name: `new_pca${tag}_l2`, input: last, epsilon: 1e-6 });
    return `new_pca${tag}_l2`;
  };
  blocks.push({ kind: 'l2norm', name: 'new_k2_2_l2', input: bb.out.get('k2_2')!, epsilon: 1e-6 });
  const p3 = pca('k3_2', '3_2');
  const p4 = pca('k4_2', '4_2');
  blocks.push({ kind: 'concat', name: 'new_hc', inputs: ['new_k2_2_l2', p3, p4] });
  const [k5, k5out] = convUnit('new_k5', 'new_hc', w.filters, 3, 1, false);
  blocks.push(...k5);
  blocks.push({ kind: 'topkMask', name: 'new_k5_mask', input: k5out, k: map, compare: o.topkCompare ?? 'ge' });
  blocks.push({ kind: 'gap', name: 'new_k6', input: 'new_k5_mask' });
  blocks.push(...classifier('new_k6', o.numClasses ?? 10575), ...distillHead('new_k6', o));
  return {
    name,
    inputSize: w.inputSize,
    inputChannels: 3,
    blocks,
    outputs: { embedding: 'new_k6', maps: 'new_k5_mask', logits: 'fc', backbone: bb.names },
  };
}

/** Names of the shipped presets. */
export type PresetName = 'casia-net' | 'interpretable' | 'casia-net-tiny' | 'interpretable-tiny' | 'casia-net-small' | 'interpretable-small';

/** Preset builders, by name. */
export const presets: Record<PresetName, (o?: PresetOptions) => ModelSpec> = {
  'casia-net': (o = {}) => casiaNetFrom('casia-net', FULL, o),
  interpretable: (o = {}) => interpretableFrom('interpretable', FULL, o),
  'casia-net-tiny': (o = {}) => casiaNetFrom('casia-net-tiny', TINY, o),
  'interpretable-tiny': (o = {}) => interpretableFrom('interpretable-tiny', TINY, o),
  'casia-net-small': (o = {}) => casiaNetFrom('casia-net-small', SMALL, o),
  'interpretable-small': (o = {}) => interpretableFrom('interpretable-small', SMALL, o),
};

/**
 * A preset by name; unknown names are an error listing the known ones.
 *
 * @example const spec = presetSpec('interpretable', { numClasses: 500 });
 */
export function presetSpec(name: string, o: PresetOptions = {}): ModelSpec {
  const f = (presets as Record<string, ((o?: PresetOptions) => ModelSpec) | undefined>)[name];
  if (!f) throw new Error(`unknown preset "${name}"; expected one of ${Object.keys(presets).join(', ')}`);
  return f(o);
}
