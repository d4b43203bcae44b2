/**
 * `@interpret-fr/model-export`: ModelSpec + weights → ONNX (written with protobufjs over a schema
 * subset kept in the repo), a decoder and a structural checker for tests and tools.
 *
 * @packageDocumentation
 */
export { EMBEDDING_L2_EPSILON, EXPORTER_VERSION, exportOnnx, irVersionFor } from './export.ts';
export type { ExportOptions, ExportOutput, PreprocessInfo } from './export.ts';
export { decodeOnnx } from './decode.ts';
export type { AttrValue, DecodedModel, DecodedNode, DecodedTensor, DecodedValueInfo } from './decode.ts';
export { checkOnnx } from './check.ts';
export type { CheckResult } from './check.ts';
export { foldBatchNorm, hwioToOihw, resolveWeights, WeightError } from './weights.ts';
export type { BnParams, WeightEntry, Weights } from './weights.ts';
export { ONNX_PROTO_SUBSET, DataType, AttrType } from './onnx-schema.ts';
export { GraphBuilder, attr } from './graph-builder.ts';
export type { Attr, ValueDecl } from './graph-builder.ts';
export { neededBlocks } from './lower.ts';
export { randomImages, randomWeights, toNchw } from './random-weights.ts';
