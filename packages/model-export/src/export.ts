/**
 * `exportOnnx`: a {@link ModelSpec} plus its weights → ONNX model bytes (NCHW, dynamic batch).
 *
 * @module
 */
import type { ModelOutputName, ModelPreprocess, ModelSpec } from '@interpret-fr/core';
import { defaultModelPreprocess, encodeModelMetadata, ONNX_META_PREFIX, sealOnnxModel, validateSpec } from '@interpret-fr/core';
import { GraphBuilder } from './graph-builder.ts';
import { l2normNodes, lowerSpec } from './lower.ts';
import type { Weights } from './weights.ts';
import { resolveWeights } from './weights.ts';

/** Version written to `interpret-fr.exporter-version` and the model's producer_version. */
export const EXPORTER_VERSION = '0.2.0';

/** Named outputs the exporter can emit. */
export type ExportOutput = ModelOutputName;

/** Options of {@link exportOnnx}. */
export interface ExportOptions {
  /** ONNX opset (13–21; default 17). The IR version follows it (opset 17 → IR 8). */
  opset?: number;
  /** Outputs, in this order (default `['embedding']`). */
  outputs?: ExportOutput[];
  /** Append a final L2 normalisation to `embedding` (default false: the original's raw f). */
  l2normalize?: boolean;
  /** Fold inference-mode batch norm into the preceding conv (default true). */
  foldBatchNorm?: boolean;
  /** Extra `metadata_props` (keys must not start with `interpret-fr.`). */
  metadata?: Record<string, string>;
  /** The resolved training config, stored as JSON in `interpret-fr.training-config`. */
  trainingConfig?: unknown;
  /** The checkpoint's sha256 (hex; version 2 manifests: architecture + weights), stored in `interpret-fr.checkpoint-sha256`. */
  checkpointSha256?: string;
}

/** Input preprocessing recorded in `interpret-fr.preprocess` (core's schema: per-channel mean and scale). */
export type PreprocessInfo = ModelPreprocess;

/** ONNX IR version for an opset (the IR that introduced it). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/** Epsilon of the optional final embedding L2 norm. */
export const EMBEDDING_L2_EPSILON = 1e-12;

/**
 * Exports a spec and its weights to ONNX bytes, sealed with `interpret-fr.model-sha256` (core's
 * `sealOnnxModel`). Input `image` [N, C, S, S] float32 (preprocessed,
 * see {@link PreprocessInfo}); outputs `embedding` [N, D], `maps` [N, C, H, W] (the masked response
 * maps), `logits` [N, K], as requested. Deterministic: the same arguments give the same bytes.
 *
 * @example
 * const bytes = exportOnnx(presets.interpretable(), checkpoint.tensors, { outputs: ['embedding', 'maps'] });
 */
export function exportOnnx(spec: ModelSpec, weights: Weights, options: ExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new RangeError(`exportOnnx: opset ${opset} unsupported; expected an integer in 13..21`);
  const outputs = options.outputs ?? ['embedding'];
  if (outputs.length === 0 || new Set(outputs).size !== outputs.length) throw new Error(`exportOnnx: outputs must be non-empty and distinct, got ${JSON.stringify(outputs)}`);
  const shapes = validateSpec(spec);
  const blockOf: Record<ExportOutput, string | undefined> = { embedding: spec.outputs.embedding, maps: spec.outputs.maps, logits: spec.outputs.logits };
  const rename = new Map<string, string>();
  const targets: string[] = [];
  for (const out of outputs) {
    const b = blockOf[out];
    if (b === undefined) throw new Error(`exportOnnx: spec "${spec.name}" has no "${out}" output (spec.outputs.${out} is not set)`);
    if (rename.has(b)) throw new Error(`exportOnnx: outputs "${rename.get(b)}" and "${out}" are the same block "${b}"`);
    targets.push(b);
    if (!(out === 'embedding' && options.l2normalize)) rename.set(b, out);
  }
  for (const k of Object.keys(options.metadata ?? {})) {
    if (k.startsWith(ONNX_META_PREFIX)) throw new Error(`exportOnnx: metadata key "${k}" is reserved`);
  }
  const resolved = resolveWeights(spec, weights);
  const g = new GraphBuilder();
  g.input({ name: 'image', dims: ['N', spec.inputChannels, spec.inputSize, spec.inputSize] });
  const tensors = lowerSpec(g, spec, resolved, { opset, foldBatchNorm: options.foldBatchNorm ?? true, rename, targets });
  for (const out of outputs) {
    const b = blockOf[out]!;
    const s = shapes.get(b)!;
    if (out === 'embedding' && options.l2normalize) l2normNodes(g, opset, tensors.get(b)!, 'embedding', EMBEDDING_L2_EPSILON, 'embedding_l2');
    g.output({ name: out, dims: s.length === 1 ? ['N', s[0]] : ['N', s[2], s[0], s[1]] });
  }
  const metadata = encodeModelMetadata({
    spec,
    preprocess: defaultModelPreprocess(spec.inputSize),
    outputs: { names: outputs, l2normalize: options.l2normalize ?? false, foldBatchNorm: options.foldBatchNorm ?? true },
    exporterVersion: EXPORTER_VERSION,
    trainingConfig: options.trainingConfig,
    checkpointSha256: options.checkpointSha256,
  });
  for (const [k, v] of Object.entries(options.metadata ?? {})) metadata.push([k, v]);
  // The integrity seal (SHA-256 of every other byte) is appended last: inference checks it on load.
  return sealOnnxModel(
    g.encode({
      irVersion: irVersionFor(opset),
      opset,
      producerName: 'interpret-fr-model-export',
      producerVersion: EXPORTER_VERSION,
      graphName: spec.name,
      docString: `Interpret-FR ${spec.name}: input image [N,${spec.inputChannels},${spec.inputSize},${spec.inputSize}] NCHW float32 (x/127.5-1, RGB); outputs ${outputs.join(', ')}`,
      metadata,
    }),
  );
}
