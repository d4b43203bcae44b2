/**
 * The ONNX `metadata_props` schema of an Interpret-FR model: keys, types, encode (model-export writes
 * it) and parse + validate (inference reads it). One definition; no variant is accepted that the
 * exporter does not write.
 *
 * | key | value |
 * |---|---|
 * | `interpret-fr.spec` | {@link ModelSpec} JSON |
 * | `interpret-fr.preprocess` | {@link ModelPreprocess} JSON: `x' = (x − mean[c]) · scale[c]` on 0..255 pixels |
 * | `interpret-fr.outputs` | {@link ModelOutputsMeta} JSON |
 * | `interpret-fr.exporter-version` | semver of the exporter |
 * | `interpret-fr.training-config` | optional, training config JSON |
 * | `interpret-fr.checkpoint-sha256` | optional, the source checkpoint's hash |
 * | `interpret-fr.model-sha256` | integrity: SHA-256 of the model bytes without this entry |
 *
 * Integrity ({@link sealOnnxModel} / {@link checkOnnxModelSeal}): the exporter appends, as the last
 * `metadata_props` entry, the SHA-256 of every other byte of the file: the graph (nodes,
 * initializers, inputs, outputs), the opsets and every other metadata entry. A flipped bit anywhere
 * (an initializer, an attribute, `preprocess.scale`) no longer matches, and loading refuses the
 * file unless the caller opts out (`verify: false`).
 *
 * @module
 */
import { InterpretFrError } from './errors.ts';
import { Sha256, toHex } from './sha256.ts';
import { onnxTopLevelFields, readMetadataEntry, OnnxParseError } from './onnx-reader.ts';
import type { ModelSpec } from './spec.ts';
import { pbBytesField } from './protobuf-writer.ts';

/** The metadata keys. */
export const ONNX_META = {
  spec: 'interpret-fr.spec',
  preprocess: 'interpret-fr.preprocess',
  outputs: 'interpret-fr.outputs',
  exporterVersion: 'interpret-fr.exporter-version',
  trainingConfig: 'interpret-fr.training-config',
  checkpointSha256: 'interpret-fr.checkpoint-sha256',
  modelSha256: 'interpret-fr.model-sha256',
} as const;

/** Prefix reserved for the keys above (user metadata may not use it). */
export const ONNX_META_PREFIX = 'interpret-fr.';

/** Pixel → model-input mapping, as stored (per-channel triples, in the model's channel order). */
export interface ModelPreprocess {
  /** Square input side S. */
  size: number;
  /** Per-channel mean in 0..255 units. */
  mean: [number, number, number];
  /** Per-channel multiplier applied after subtracting the mean (finite, non-zero). */
  scale: [number, number, number];
  channelOrder: 'RGB' | 'BGR';
  layout: 'NCHW';
  /** Gray images: the single channel is replicated to the three. */
  gray: 'replicate';
  inputName: string;
  dtype: 'float32';
}

/** Outputs the exporter can emit. */
export type ModelOutputName = 'embedding' | 'maps' | 'logits';

/** `interpret-fr.outputs`. */
export interface ModelOutputsMeta {
  names: ModelOutputName[];
  l2normalize: boolean;
  foldBatchNorm: boolean;
}

/** Everything the exporter writes. */
export interface ModelMetadata {
  spec: ModelSpec;
  preprocess: ModelPreprocess;
  outputs: ModelOutputsMeta;
  exporterVersion: string;
  trainingConfig?: unknown;
  checkpointSha256?: string;
}

/** Largest input side a model may declare (sanity bound: 4096² × 3 floats is 200 MB per image). */
export const MAX_MODEL_INPUT_SIZE = 4096;

/** A model's metadata is missing, malformed or fails its checks; the message names the model. */
export class OnnxMetadataError extends InterpretFrError {
  constructor(
    readonly where: string,
    message: string,
    code: 'model' | 'integrity' = 'model',
  ) {
    super(message, { code, file: where });
    this.name = 'OnnxMetadataError';
  }
}

/** The original's preprocessing: x/127.5 − 1, RGB, NCHW, input `image`. */
export function defaultModelPreprocess(size: number): ModelPreprocess {
  const s = 1 / 127.5;
  return { size, mean: [127.5, 127.5, 127.5], scale: [s, s, s], channelOrder: 'RGB', layout: 'NCHW', gray: 'replicate', inputName: 'image', dtype: 'float32' };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function triple(v: unknown, key: string, where: string, nonZero: boolean): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0))) {
    throw new OnnxMetadataError(where, `preprocess.${key} must be 3 finite${nonZero ? ', non-zero' : ''} numbers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]];
}

/**
 * Validates a preprocessing record (stored or given by the caller for a foreign model): integer size
 * in 1..{@link MAX_MODEL_INPUT_SIZE}, finite means, finite non-zero scales, a known channel order and
 * layout. Unknown keys are errors (they would be silently ignored).
 */
export function validateModelPreprocess(raw: unknown, where: string): ModelPreprocess {
  if (!isObj(raw)) throw new OnnxMetadataError(where, `preprocess must be an object, got ${JSON.stringify(raw)}`);
  const known = new Set(['size', 'mean', 'scale', 'channelOrder', 'layout', 'gray', 'inputName', 'dtype']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new OnnxMetadataError(where, `preprocess has unknown key '${k}' (expected ${[...known].join(', ')})`);
  const size = raw.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_MODEL_INPUT_SIZE)
    throw new OnnxMetadataError(where, `preprocess.size must be an integer in 1..${MAX_MODEL_INPUT_SIZE}, got ${JSON.stringify(size)}`);
  const mean = triple(raw.mean, 'mean', where, false);
  const scale = triple(raw.scale, 'scale', where, true);
  if (raw.channelOrder !== 'RGB' && raw.channelOrder !== 'BGR')
    throw new OnnxMetadataError(where, `preprocess.channelOrder must be 'RGB' or 'BGR', got ${JSON.stringify(raw.channelOrder)}`);
  if (raw.layout !== 'NCHW') throw new OnnxMetadataError(where, `preprocess.layout must be 'NCHW' (the ONNX input layout), got ${JSON.stringify(raw.layout)}`);
  if (raw.gray !== 'replicate') throw new OnnxMetadataError(where, `preprocess.gray must be 'replicate', got ${JSON.stringify(raw.gray)}`);
  if (typeof raw.inputName !== 'string' || raw.inputName === '')
    throw new OnnxMetadataError(where, `preprocess.inputName must be a non-empty string, got ${JSON.stringify(raw.inputName)}`);
  if (raw.dtype !== 'float32') throw new OnnxMetadataError(where, `preprocess.dtype must be 'float32', got ${JSON.stringify(raw.dtype)}`);
  return { size, mean, scale, channelOrder: raw.channelOrder, layout: 'NCHW', gray: 'replicate', inputName: raw.inputName, dtype: 'float32' };
}

/** Validates `interpret-fr.outputs`. */
export function validateModelOutputs(raw: unknown, where: string): ModelOutputsMeta {
  if (!isObj(raw)) throw new OnnxMetadataError(where, `outputs must be an object {names, l2normalize, foldBatchNorm}, got ${JSON.stringify(raw)}`);
  const names = raw.names;
  const allowed = ['embedding', 'maps', 'logits'];
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => !allowed.includes(n as string)) || new Set(names).size !== names.length) {
    throw new OnnxMetadataError(where, `outputs.names must be distinct names among ${allowed.join(', ')}, got ${JSON.stringify(names)}`);
  }
  if (typeof raw.l2normalize !== 'boolean') throw new OnnxMetadataError(where, `outputs.l2normalize must be a boolean, got ${JSON.stringify(raw.l2normalize)}`);
  if (typeof raw.foldBatchNorm !== 'boolean') throw new OnnxMetadataError(where, `outputs.foldBatchNorm must be a boolean, got ${JSON.stringify(raw.foldBatchNorm)}`);
  return { names: names as ModelOutputName[], l2normalize: raw.l2normalize, foldBatchNorm: raw.foldBatchNorm };
}

/** The `metadata_props` entries of a model, in the order the exporter writes them (the seal is appended separately). */
export function encodeModelMetadata(m: ModelMetadata): [string, string][] {
  const out: [string, string][] = [
    [ONNX_META.spec, JSON.stringify(m.spec)],
    [ONNX_META.preprocess, JSON.stringify(validateModelPreprocess(m.preprocess, 'encodeModelMetadata'))],
    [ONNX_META.outputs, JSON.stringify(validateModelOutputs(m.outputs, 'encodeModelMetadata'))],
    [ONNX_META.exporterVersion, m.exporterVersion],
  ];
  if (m.trainingConfig !== undefined) out.push([ONNX_META.trainingConfig, JSON.stringify(m.trainingConfig)]);
  if (m.checkpointSha256 !== undefined) out.push([ONNX_META.checkpointSha256, m.checkpointSha256]);
  return out;
}

function json(meta: Record<string, string>, key: string, where: string): unknown {
  const text = meta[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new OnnxMetadataError(where, `metadata_props '${key}' is not valid JSON (${(e as Error).message})`);
  }
}

/** Parsed metadata: spec stays raw JSON (the caller validates it against the graph with `validateSpec`). */
export interface ParsedModelMetadata {
  /** Raw spec JSON; undefined only for hand-built graphs that no ModelSpec describes (tests). */
  spec: unknown;
  preprocess: ModelPreprocess;
  outputs: ModelOutputsMeta;
  exporterVersion: string;
  modelSha256: string | null;
}

/** True when the metadata carries Interpret-FR keys (as opposed to a foreign model). */
export function hasModelMetadata(meta: Record<string, string>): boolean {
  return meta[ONNX_META.preprocess] !== undefined || meta[ONNX_META.outputs] !== undefined || meta[ONNX_META.spec] !== undefined;
}

/**
 * Parses and validates the Interpret-FR entries of `metadata_props`: preprocess, outputs and exporter
 * version must be present and exactly as {@link encodeModelMetadata} writes them; the spec is checked
 * by the caller against the graph (`validateSpec`) and may be absent only for hand-built graphs.
 */
export function parseModelMetadata(meta: Record<string, string>, where: string): ParsedModelMetadata {
  for (const k of [ONNX_META.preprocess, ONNX_META.outputs, ONNX_META.exporterVersion]) {
    if (meta[k] === undefined)
      throw new OnnxMetadataError(
        where,
        `metadata_props has no '${k}' (keys found: ${Object.keys(meta).join(', ') || 'none'}); re-export the model with @interpret-fr/model-export`,
      );
  }
  const sha = meta[ONNX_META.modelSha256];
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw new OnnxMetadataError(where, `'${ONNX_META.modelSha256}' is not 64 lower-case hex characters`);
  return {
    spec: json(meta, ONNX_META.spec, where),
    preprocess: validateModelPreprocess(json(meta, ONNX_META.preprocess, where), where),
    outputs: validateModelOutputs(json(meta, ONNX_META.outputs, where), where),
    exporterVersion: meta[ONNX_META.exporterVersion]!,
    modelSha256: sha ?? null,
  };
}

// ---- integrity seal ----

const enc = new TextEncoder();

/** A `metadata_props` (ModelProto field 14) entry's bytes, appendable to any model. */
export function onnxMetadataEntry(key: string, value: string): Uint8Array {
  return Uint8Array.from(pbBytesField(14, [...pbBytesField(1, enc.encode(key)), ...pbBytesField(2, enc.encode(value))]));
}

/** Hashes byte ranges (sync: core's SHA-256; Node may inject `node:crypto`, a browser `crypto.subtle`). */
export type HashParts = (parts: readonly Uint8Array[]) => string | Promise<string>;

/** core's SHA-256 over the parts, as hex. */
export const sha256Parts: HashParts = (parts) => {
  const h = new Sha256();
  for (const p of parts) h.update(p);
  return toHex(h.digest());
};

/**
 * Splits model bytes into the parts covered by the seal (every byte except the
 * `interpret-fr.model-sha256` entries) and the declared value. @throws {OnnxParseError}
 */
export function onnxSealParts(bytes: Uint8Array): { declared: string | null; parts: Uint8Array[] } {
  const parts: Uint8Array[] = [];
  let declared: string | null = null;
  let from = 0;
  for (const f of onnxTopLevelFields(bytes)) {
    if (f.field !== 14 || !f.payload) continue;
    const { key, value } = readMetadataEntry(bytes, f.payload[0], f.payload[1]);
    if (key !== ONNX_META.modelSha256) continue;
    if (declared !== null) throw new OnnxParseError(`'${ONNX_META.modelSha256}' appears twice`, f.start);
    declared = value;
    if (f.start > from) parts.push(bytes.subarray(from, f.start));
    from = f.end;
  }
  if (from < bytes.length) parts.push(bytes.subarray(from));
  return { declared, parts };
}

/** Appends the integrity entry to exported model bytes (which must not have one yet). */
export function sealOnnxModel(bytes: Uint8Array): Uint8Array {
  const { declared } = onnxSealParts(bytes);
  if (declared !== null) throw new Error(`sealOnnxModel: the model already has '${ONNX_META.modelSha256}'`);
  const entry = onnxMetadataEntry(ONNX_META.modelSha256, sha256Parts([bytes]) as string);
  const out = new Uint8Array(bytes.length + entry.length);
  out.set(bytes, 0);
  out.set(entry, bytes.length);
  return out;
}

/**
 * Checks the integrity entry: the SHA-256 of the bytes without it must equal its value. Throws
 * {@link OnnxMetadataError} naming the model when the entry is missing or does not match.
 */
export async function checkOnnxModelSeal(bytes: Uint8Array, where: string, hash: HashParts = sha256Parts): Promise<string> {
  let sp: { declared: string | null; parts: Uint8Array[] };
  try {
    sp = onnxSealParts(bytes);
  } catch (e) {
    throw new OnnxMetadataError(where, `not a readable ONNX model: ${(e as Error).message}`);
  }
  if (sp.declared === null)
    throw new OnnxMetadataError(
      where,
      `has no '${ONNX_META.modelSha256}' integrity entry (exported before integrity checks, or not by @interpret-fr/model-export): re-export it, or load it with verify: false (--no-verify)`,
      'integrity',
    );
  const actual = await hash(sp.parts);
  if (actual !== sp.declared) {
    throw new OnnxMetadataError(
      where,
      `integrity check failed: the file's SHA-256 (without its seal) is ${actual.slice(0, 16)}…, the model was exported with ${sp.declared.slice(0, 16)}…; the file was modified or corrupted after export (re-export it, or load it with verify: false / --no-verify)`,
      'integrity',
    );
  }
  return actual;
}
