/**
 * What the recognizer needs to know about a model (input name and size, preprocessing, output names and
 * shapes), resolved once from the ONNX `metadata_props` written by `@interpret-fr/model-export`, the
 * graph signature, and an optional override for foreign models (e.g. a PyTorch export with input `x`).
 *
 * Metadata keys read: `interpret-fr.spec` (ModelSpec JSON), `interpret-fr.preprocess`
 * (`{size, mean, scale | std, channelOrder, layout, inputName?}`), `interpret-fr.outputs`
 * (`{names: ['embedding', 'maps'?], l2normalize}`, also accepted: a list of names or `{embedding, maps?}`). Preprocessing is `x' = (x − mean[c]) · scale[c]` on 0..255 pixel values.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import { validateSpec } from '@interpret-fr/core';
import type { ModelSpec } from '@interpret-fr/core';
import type { OnnxInfo, OnnxValueInfo } from './onnx-meta.ts';
import type { OrtSessionLike } from './ort-types.ts';

/** Pixel → model-input mapping. */
export interface PreprocessInfo {
  /** Square input side S. */
  size: number;
  /** Per-channel mean, in 0..255 units, in the model's channel order. */
  mean: [number, number, number];
  /** Per-channel multiplier applied after subtracting the mean. */
  scale: [number, number, number];
  channelOrder: 'RGB' | 'BGR';
  layout: 'NCHW';
}

/** The original's preprocessing: x/127.5 − 1, RGB, NCHW (the ONNX layout). */
export function defaultPreprocess(size: number): PreprocessInfo {
  return { size, mean: [127.5, 127.5, 127.5], scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], channelOrder: 'RGB', layout: 'NCHW' };
}

/** Everything resolved about a model. `maps` dims may be null until the first run when the graph leaves them symbolic. */
export interface ModelInfo {
  inputName: string;
  embeddingName: string;
  mapsName: string | null;
  preprocess: PreprocessInfo;
  /** Embedding dim D. */
  dim: number;
  /** `[C, H, W]` of the maps output when known. */
  mapDims: [number, number, number] | null;
  /** Fixed batch size declared by the graph, or null when dynamic. */
  fixedBatch: number | null;
  spec: ModelSpec | null;
  metadata: Record<string, string>;
}

/** For models without Interpret-FR metadata: name the tensors and the preprocessing yourself. */
export interface ModelOverride {
  inputName?: string;
  outputs?: { embedding: string; maps?: string };
  preprocess?: Partial<PreprocessInfo>;
}

/** The model is not usable as an Interpret-FR recognizer; the message says what was expected. */
export class ModelError extends InterpretFrError {
  constructor(message: string) {
    super(message, { code: 'model' });
    this.name = 'ModelError';
  }
}

export const META_SPEC = 'interpret-fr.spec';
export const META_PREPROCESS = 'interpret-fr.preprocess';
export const META_OUTPUTS = 'interpret-fr.outputs';

function parseJson(meta: Record<string, string>, key: string, where: string): unknown {
  const text = meta[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelError(`${where}: metadata_props '${key}' is not valid JSON (${(e as Error).message})`);
  }
}

function triple(v: unknown, key: string, where: string): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ModelError(`${where}: preprocess.${key} must be a number or 3 finite numbers, got ${JSON.stringify(v)}`);
  }
  return [arr[0], arr[1], arr[2]];
}

function parsePreprocess(raw: Record<string, unknown>, size: number, where: string): PreprocessInfo {
  const p = defaultPreprocess(size);
  if (raw.size !== undefined) {
    if (!Number.isInteger(raw.size) || (raw.size as number) <= 0) throw new ModelError(`${where}: preprocess.size must be a positive integer, got ${JSON.stringify(raw.size)}`);
    p.size = raw.size as number;
  }
  p.mean = triple(raw.mean, 'mean', where) ?? p.mean;
  const std = triple(raw.std, 'std', where);
  p.scale = triple(raw.scale, 'scale', where) ?? (std ? [1 / std[0], 1 / std[1], 1 / std[2]] : p.scale);
  const order = raw.channelOrder ?? raw.channel_order ?? raw.channels;
  if (order !== undefined) {
    const o = String(order).toUpperCase();
    if (o !== 'RGB' && o !== 'BGR') throw new ModelError(`${where}: preprocess.channelOrder must be 'RGB' or 'BGR', got ${JSON.stringify(order)}`);
    p.channelOrder = o;
  }
  if (raw.layout !== undefined && raw.layout !== 'NCHW')
    throw new ModelError(`${where}: preprocess.layout must be 'NCHW' (the ONNX input layout), got ${JSON.stringify(raw.layout)}`);
  return p;
}

/** Declared shape: the graph's own declaration, with symbolic dims filled from ORT's inferred metadata when ranks agree. */
function declared(session: OrtSessionLike, onnx: OnnxInfo | null, name: string, kind: 'input' | 'output'): (number | string)[] | null {
  const md = kind === 'input' ? session.inputMetadata : session.outputMetadata;
  const fromSession = md?.find((m) => m.name === name)?.shape;
  const list: OnnxValueInfo[] = onnx ? (kind === 'input' ? onnx.inputs : onnx.outputs) : [];
  const fromGraph = list.find((v) => v.name === name)?.shape ?? null;
  if (!fromGraph) return fromSession ? [...fromSession] : null;
  if (!fromSession || fromSession.length !== fromGraph.length) return fromGraph;
  return fromGraph.map((d, i) => (typeof d === 'number' ? d : fromSession[i]!));
}

const isNum = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;

/**
 * Resolves and checks the model signature once.
 *
 * @param where names the model (a path or "model bytes") in error messages.
 * @throws {ModelError} for a model that is not an Interpret-FR ONNX and has no override, or whose
 *   names/shapes disagree with the metadata.
 */
export function resolveModelInfo(session: OrtSessionLike, onnx: OnnxInfo | null, override: ModelOverride | undefined, where: string): ModelInfo {
  const meta = onnx?.metadata ?? {};
  const rawSpec = parseJson(meta, META_SPEC, where) as ModelSpec | undefined;
  const rawPre = parseJson(meta, META_PREPROCESS, where);
  const rawOut = parseJson(meta, META_OUTPUTS, where);
  if (rawPre === undefined && override?.preprocess === undefined && override?.inputName === undefined) {
    const keys = Object.keys(meta);
    throw new ModelError(
      `${where} is not an Interpret-FR ONNX: metadata_props has no '${META_PREPROCESS}' (keys found: ${keys.length ? keys.join(', ') : 'none'}; ` +
        `inputs ${JSON.stringify(session.inputNames)}, outputs ${JSON.stringify(session.outputNames)}). ` +
        `Export with @interpret-fr/model-export, or pass { inputName, outputs: { embedding, maps? }, preprocess } for a foreign model.`,
    );
  }
  let spec: ModelSpec | null = null;
  let specShapes: Map<string, number[]> | null = null;
  if (rawSpec !== undefined) {
    try {
      specShapes = validateSpec(rawSpec) as Map<string, number[]>;
      spec = rawSpec;
    } catch (e) {
      throw new ModelError(`${where}: metadata_props '${META_SPEC}' is not a valid ModelSpec: ${(e as Error).message}`);
    }
  }

  const metaInput = (rawPre as { inputName?: unknown } | undefined)?.inputName;
  const inputName = override?.inputName ?? (typeof metaInput === 'string' ? metaInput : session.inputNames.length === 1 ? session.inputNames[0]! : 'image');
  if (!session.inputNames.includes(inputName)) {
    throw new ModelError(`${where}: no input named '${inputName}' (the model has inputs ${JSON.stringify(session.inputNames)})`);
  }
  const inShape = declared(session, onnx, inputName, 'input');
  if (inShape && inShape.length !== 4) throw new ModelError(`${where}: input '${inputName}' has rank ${inShape.length} (${JSON.stringify(inShape)}), expected [N, 3, S, S]`);
  if (inShape && isNum(inShape[1]) && inShape[1] !== 3) throw new ModelError(`${where}: input '${inputName}' has ${inShape[1]} channels, expected 3 ([N, 3, S, S])`);
  const shapeSize = inShape && isNum(inShape[2]) ? inShape[2] : null;
  const size = spec?.inputSize ?? shapeSize;
  const preRaw = { ...((rawPre ?? {}) as Record<string, unknown>), ...(override?.preprocess ?? {}) };
  if (size === null && preRaw.size === undefined)
    throw new ModelError(`${where}: input size unknown (input '${inputName}' shape ${JSON.stringify(inShape)}); pass preprocess.size`);
  const preprocess = parsePreprocess(preRaw, size ?? 0, where);
  if (inShape) {
    for (const axis of [2, 3]) {
      const d = inShape[axis];
      if (isNum(d) && d !== preprocess.size) {
        throw new ModelError(
          `${where}: input '${inputName}' is ${JSON.stringify(inShape)} but the preprocessing says size ${preprocess.size}; expected [N, 3, ${preprocess.size}, ${preprocess.size}]`,
        );
      }
    }
  }
  if (spec && spec.inputSize !== preprocess.size) throw new ModelError(`${where}: spec inputSize ${spec.inputSize} ≠ preprocess size ${preprocess.size}`);

  let embeddingName = override?.outputs?.embedding;
  let mapsName: string | null = override?.outputs?.maps ?? null;
  if (embeddingName === undefined) {
    const names = Array.isArray(rawOut) ? rawOut : Array.isArray((rawOut as { names?: unknown } | undefined)?.names) ? (rawOut as { names: unknown[] }).names : null;
    if (names) {
      if (!names.includes('embedding')) throw new ModelError(`${where}: metadata_props '${META_OUTPUTS}' lists outputs ${JSON.stringify(names)}, expected one named 'embedding'`);
      embeddingName = 'embedding';
      mapsName = names.includes('maps') ? 'maps' : null;
    } else if (rawOut && typeof rawOut === 'object') {
      const o = rawOut as Record<string, unknown>;
      embeddingName = typeof o.embedding === 'string' ? o.embedding : 'embedding';
      mapsName = typeof o.maps === 'string' ? o.maps : null;
    } else {
      embeddingName = 'embedding';
      mapsName = session.outputNames.includes('maps') ? 'maps' : null;
    }
  }
  if (!session.outputNames.includes(embeddingName)) {
    throw new ModelError(`${where}: no output named '${embeddingName}' (the model has outputs ${JSON.stringify(session.outputNames)}); expected an embedding output [N, D]`);
  }
  if (mapsName !== null && !session.outputNames.includes(mapsName)) {
    throw new ModelError(`${where}: metadata lists a maps output '${mapsName}' but the model has outputs ${JSON.stringify(session.outputNames)}`);
  }

  const embShape = declared(session, onnx, embeddingName, 'output');
  if (embShape && embShape.length !== 2) throw new ModelError(`${where}: output '${embeddingName}' has rank ${embShape.length} (${JSON.stringify(embShape)}), expected [N, D]`);
  const specDim = spec && specShapes ? (specShapes.get(spec.outputs.embedding)?.[0] ?? null) : null;
  const shapeDim = embShape && isNum(embShape[1]) ? embShape[1] : null;
  if (specDim !== null && shapeDim !== null && specDim !== shapeDim) throw new ModelError(`${where}: output '${embeddingName}' has D = ${shapeDim} but the spec says ${specDim}`);
  const dim = shapeDim ?? specDim ?? 0;

  let mapDims: [number, number, number] | null = null;
  if (mapsName !== null) {
    const ms = declared(session, onnx, mapsName, 'output');
    if (ms && ms.length !== 4) throw new ModelError(`${where}: output '${mapsName}' has rank ${ms.length} (${JSON.stringify(ms)}), expected [N, C, H, W]`);
    const sm = spec?.outputs.maps && specShapes ? specShapes.get(spec.outputs.maps) : undefined;
    const fromSpec: [number, number, number] | null = sm && sm.length === 3 ? [sm[2]!, sm[0]!, sm[1]!] : null;
    if (ms && isNum(ms[1]) && isNum(ms[2]) && isNum(ms[3])) mapDims = [ms[1], ms[2], ms[3]];
    if (mapDims && fromSpec && mapDims.join() !== fromSpec.join())
      throw new ModelError(`${where}: output '${mapsName}' is [N, ${mapDims.join(', ')}] but the spec says [N, ${fromSpec.join(', ')}]`);
    mapDims = mapDims ?? fromSpec;
  }
  const fixedBatch = inShape && isNum(inShape[0]) ? inShape[0] : null;
  return { inputName, embeddingName, mapsName, preprocess, dim, mapDims, fixedBatch, spec, metadata: meta };
}
