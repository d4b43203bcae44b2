/**
 * Hand-built ONNX models for tests (a ~60-line protobuf writer), so that the recognizer's logic is
 * checked against exactly known outputs without the exporter:
 *   image [N, 3, S, S] → GlobalAveragePool → Flatten → embedding [N, 3] (per-channel means)
 *   image → Identity → maps [N, 3, S, S] (the preprocessed input itself).
 */
import { defaultModelPreprocess, hasModelMetadata, onnxMetadataEntry, pbBytesField, pbVarintField, sealOnnxModel } from '@interpret-fr/core';

const enc = new TextEncoder();

const cat = (...parts: (number[] | Uint8Array)[]): number[] => parts.flatMap((p) => Array.from(p));
const len = pbBytesField;
const int = pbVarintField;
const str = (field: number, s: string): number[] => len(field, enc.encode(s));

/** Dimension list: numbers are fixed, strings symbolic. */
function valueInfo(name: string, dims: (number | string)[]): number[] {
  const shape = cat(...dims.map((d) => len(1, typeof d === 'number' ? int(1, d) : str(2, d))));
  const tensor = cat(int(1, 1), len(2, shape));
  return cat(str(1, name), len(2, len(1, tensor)));
}

function node(op: string, inputs: string[], outputs: string[], name: string): number[] {
  return cat(...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op));
}

/** Encodes a `StringStringEntryProto` as ModelProto field 14 (appendable to any model's bytes): core's `onnxMetadataEntry`. */
export function metadataField(key: string, value: string): Uint8Array {
  return onnxMetadataEntry(key, value);
}

export interface TinyModelOptions {
  size?: number;
  inputName?: string;
  /** First input dim (default symbolic 'N'). */
  batch?: number | string;
  maps?: boolean;
  embeddingName?: string;
  /** Declared embedding dims (default [batch, 3]). */
  embeddingDims?: (number | string)[];
  metadata?: Record<string, string>;
  /** Append the integrity seal (default true for models with Interpret-FR metadata). */
  seal?: boolean;
}

/** Interpret-FR metadata for a tiny model of side `size`. */
export function tinyMetadata(size: number, maps: boolean, inputName = 'image'): Record<string, string> {
  return {
    'interpret-fr.preprocess': JSON.stringify({ ...defaultModelPreprocess(size), inputName }),
    'interpret-fr.outputs': JSON.stringify({ names: maps ? ['embedding', 'maps'] : ['embedding'], l2normalize: false, foldBatchNorm: true }),
    'interpret-fr.exporter-version': 'test',
  };
}

/** Builds the tiny model's bytes. */
export function tinyOnnx(o: TinyModelOptions = {}): Uint8Array {
  const S = o.size ?? 8;
  const x = o.inputName ?? 'image';
  const b = o.batch ?? 'N';
  const emb = o.embeddingName ?? 'embedding';
  const nodes = [node('GlobalAveragePool', [x], ['gap'], 'gap'), node('Flatten', ['gap'], [emb], 'flatten')];
  const outputs = [valueInfo(emb, o.embeddingDims ?? [b, 3])];
  if (o.maps) {
    nodes.push(node('Identity', [x], ['maps'], 'maps_id'));
    outputs.push(valueInfo('maps', [b, 3, S, S]));
  }
  const graph = cat(...nodes.map((n) => len(1, n)), str(2, 'tiny'), len(11, valueInfo(x, [b, 3, S, S])), ...outputs.map((v) => len(12, v)));
  const meta = o.metadata ?? tinyMetadata(S, !!o.maps, x);
  const model = new Uint8Array(
    cat(int(1, 7), str(2, 'interpret-fr-test'), len(8, cat(str(1, ''), int(2, 13))), len(7, graph), ...Object.entries(meta).map(([k, v]) => metadataField(k, v))),
  );
  // Sealed like an exported model (core's sealOnnxModel) unless asked not to or not an Interpret-FR model.
  return o.seal === false || !hasModelMetadata(meta) ? model : sealOnnxModel(model);
}
