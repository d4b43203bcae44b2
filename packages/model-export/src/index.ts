/**
 * `@interpret-fr/model-export`: ModelSpec + weights → ONNX (written with protobufjs over a schema
 * subset kept in the repo), a decoder and a structural checker for tests and tools.
 *
 * @packageDocumentation
 */
export * from './export.ts';
export * from './decode.ts';
export * from './check.ts';
export * from './weights.ts';
export { ONNX_PROTO_SUBSET, DataType, AttrType } from './onnx-schema.ts';
export { GraphBuilder, attr } from './graph-builder.ts';
export type { Attr, ValueDecl } from './graph-builder.ts';
export { neededBlocks } from './lower.ts';
export * from './random-weights.ts';
export * from './throughput.ts';
