/**
 * `@interpret-fr/eval`: face-recognition evaluation against any {@link Embedder}: verification and
 * identification metrics, template scores, IJB-A/B/C and LFW protocols, occlusion robustness,
 * interpretability statistics and reports. Exact definitions: docs/evaluation.md.
 *
 * @packageDocumentation
 */
export * from './metrics/stats.ts';
export * from './metrics/roc.ts';
export * from './metrics/identification.ts';
export * from './metrics/ten-fold.ts';
export * from './scores/cosine.ts';
export * from './scores/templates.ts';
export * from './scores/template-scores.ts';
export * from './protocols/ijba-csv.ts';
export { MatFormatError, readMat, matCharRows, matNumel, matToFloat64 } from './io/mat.ts';
export type { MatFile, MatValue, MatNumeric, MatNumericClass, MatNumericData, MatChar, MatCell, MatStruct, MatSparse, ReadMatOptions } from './io/mat.ts';
export { ijbaMetadataFromMat, ijbaComparisonsFromMat } from './protocols/ijba-mat.ts';
export { wasmGemm } from './scores/gemm.ts';
export type { AsyncGemm } from './scores/gemm.ts';
export { refineIdentification } from './scores/refine.ts';
export { gemmModelBytes, ONNX_DOUBLE, ONNX_FLOAT } from './scores/onnx-gemm-model.ts';
export * from './protocols/ijba.ts';
export * from './protocols/ijba-synthetic.ts';
export * from './io/npy.ts';
export * from './protocols/pairs.ts';
export * from './align.ts';
export * from './report/svg.ts';
export * from './report/reports.ts';
export * from './protocols/ijbc.ts';
export * from './protocols/ijbc-synthetic.ts';
export * from './occlusion.ts';
export * from './peak-stats.ts';
export * from './model-eval.ts';
export * from './scores/simd.ts';
export * from './protocols/ijbc-1n.ts';
