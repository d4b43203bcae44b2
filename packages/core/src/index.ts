/**
 * `@interpret-fr/core`: the zero-dependency vocabulary shared by every package: the architecture as
 * data ({@link ModelSpec}), typed-array buffers, preprocessing, the checkpoint codec, the seeded RNG,
 * face geometry and the synthetic face generator. Runs in Node and in browsers.
 *
 * @packageDocumentation
 */
export * from './spec.ts';
export * from './presets.ts';
export * from './rng.ts';
export * from './buffers.ts';
export * from './geometry.ts';
export * from './warp.ts';
export * from './sha256.ts';
export * from './checkpoint.ts';
export * from './checkpoint-params.ts';
export { canonicalJson } from './canonical-json.ts';
export * from './preprocess.ts';
export * from './onnx-reader.ts';
export * from './onnx-metadata.ts';
export { checkImageSize, decodeImageBytes, decodePgm, DEFAULT_MAX_PIXELS, ImageDecodeError, readImageHeader } from './image-decode.ts';
export type { DecodedImage, DecodeImageOptions, ImageFormat, ImageHeader, SharpLike, SharpPipeline } from './image-decode.ts';
export * from './synthetic/index.ts';
export { l2NormalizeRows } from './rows.ts';
export { CROP_OFFSET, CROP_SIZE, fromCropFrame, rasterisePolygon, rectCorners, toCropFrame, warpPoints } from './face-frame.ts';
export type { Rect } from './face-frame.ts';
export { cellToPixel, findPeaks, peakAt } from './peaks.ts';
export type { Peak, PeakConvention, Peaks, SignedPeaks } from './peaks.ts';
export { CHART_PALETTE, escapeXml, lineChartSvg, stackSvg } from './svg-chart.ts';
export type { ChartSeries, LineChartOptions } from './svg-chart.ts';
export { EXIT_CODES, InterpretFrError, describeValue, exitCodeFor, formatPlace, isInterpretFrError, oneLine } from './errors.ts';
export type { ErrorPlace, ExitCode, InterpretFrErrorCode, InterpretFrErrorOptions } from './errors.ts';
