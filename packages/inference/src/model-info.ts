/**
 * What the recognizer needs to know about a model (input name and size, preprocessing, output names and
 * shapes), resolved once from the ONNX `metadata_props` written by `@interpret-fr/model-export` (core's
 * schema: `parseModelMetadata`, nothing else is accepted), the graph signature, and an optional override
 * for foreign models (e.g. a PyTorch export with input `x`). Preprocessing is `x' = (x − mean[c]) · scale[c]`
 * on 0..255 pixel values, validated (finite, non-zero scale, known layout, sane size) whatever its source.
 *
 * @module
 */
import {
  defaultModelPreprocess,
  hasModelMetadata,
  InterpretFrError,
  ONNX_META,
  OnnxMetadataError,
  parseModelMetadata,
  validateModelPreprocess,
  validateSpec,
} from '@interpret-fr/core';
import type { ModelPreprocess, ModelSpec, OnnxInfo, OnnxValueInfo } from '@interpret-fr/core';
import type { OrtSessionLike } from './ort-types.ts';

/** Pixel → model-input mapping (core's {@link ModelPreprocess}). */
export type PreprocessInfo = ModelPreprocess;

/** The original's preprocessing: x/127.5 − 1, RGB, NCHW (the ONNX layout). */
export const defaultPreprocess = defaultModelPreprocess;

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

/** @deprecated use core's `ONNX_META.spec`. */
export const META_SPEC = ONNX_META.spec;
/** @deprecated use core's `ONNX_META.preprocess`. */
export const META_PREPROCESS = ONNX_META.preprocess;
/** @deprecated use core's `ONNX_META.outputs`. */
export const META_OUTPUTS = ONNX_META.outputs;

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
  const ours = hasModelMetadata(meta);
  if (!ours && override?.preprocess === undefined && override?.inputName === undefined) {
    const keys = Object.keys(meta);
    throw new ModelError(
      `${where} is not an Interpret-FR ONNX: metadata_props has no '${ONNX_META.preprocess}' (keys found: ${keys.length ? keys.join(', ') : 'none'}; ` +
        `inputs ${JSON.stringify(session.inputNames)}, outputs ${JSON.stringify(session.outputNames)}). ` +
        `Export with @interpret-fr/model-export, or pass { inputName, outputs: { embedding, maps? }, preprocess } for a foreign model.`,
    );
  }
  const parsed = ours ? parseModelMetadata(meta, where) : null;
  let spec: ModelSpec | null = null;
  let specShapes: Map<string, number[]> | null = null;
  if (parsed && parsed.spec !== undefined) {
    try {
      specShapes = validateSpec(parsed.spec as ModelSpec) as Map<string, number[]>;
      spec = parsed.spec as ModelSpec;
    } catch (e) {
      throw new OnnxMetadataError(where, `metadata_props '${ONNX_META.spec}' is not a valid ModelSpec: ${(e as Error).message}`);
    }
  }

  const inputName = override?.inputName ?? override?.preprocess?.inputName ?? parsed?.preprocess.inputName ?? (session.inputNames.length === 1 ? session.inputNames[0]! : 'image');
  if (!session.inputNames.includes(inputName)) {
    throw new ModelError(`${where}: no input named '${inputName}' (the model has inputs ${JSON.stringify(session.inputNames)})`);
  }
  const inShape = declared(session, onnx, inputName, 'input');
  if (inShape && inShape.length !== 4) throw new ModelError(`${where}: input '${inputName}' has rank ${inShape.length} (${JSON.stringify(inShape)}), expected [N, 3, S, S]`);
  if (inShape && isNum(inShape[1]) && inShape[1] !== 3) throw new ModelError(`${where}: input '${inputName}' has ${inShape[1]} channels, expected 3 ([N, 3, S, S])`);
  const shapeSize = inShape && isNum(inShape[2]) ? inShape[2] : null;
  const size = override?.preprocess?.size ?? parsed?.preprocess.size ?? spec?.inputSize ?? shapeSize;
  if (size === null) throw new ModelError(`${where}: input size unknown (input '${inputName}' shape ${JSON.stringify(inShape)}); pass preprocess.size`);
  const preprocess = validateModelPreprocess({ ...(parsed?.preprocess ?? defaultModelPreprocess(size)), ...(override?.preprocess ?? {}), size, inputName }, where);
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

  if (parsed && override?.outputs === undefined && !parsed.outputs.names.includes('embedding')) {
    throw new ModelError(`${where}: metadata_props '${ONNX_META.outputs}' lists outputs ${JSON.stringify(parsed.outputs.names)}, expected one named 'embedding'`);
  }
  let embeddingName = override?.outputs?.embedding;
  let mapsName: string | null = override?.outputs?.maps ?? null;
  if (embeddingName === undefined) {
    embeddingName = 'embedding';
    mapsName = parsed ? (parsed.outputs.names.includes('maps') ? 'maps' : null) : session.outputNames.includes('maps') ? 'maps' : null;
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
