/**
 * `@interpret-fr/core`: the zero-dependency vocabulary shared by every package: the architecture as
 * data ({@link ModelSpec}), typed-array buffers, preprocessing, the checkpoint codec, the seeded RNG,
 * face geometry and the synthetic face generator. Runs in Node and in browsers.
 *
 * @packageDocumentation
 */
export { countParams, INPUT, paramInfos, sameOutSize, samePadding, SpecError, validateSpec } from './spec.ts';
export type {
  ActBlock,
  BatchNormBlock,
  Block,
  BlockKind,
  BlockShape,
  ConcatBlock,
  ConvBlock,
  DenseBlock,
  DropoutBlock,
  GapBlock,
  L2NormBlock,
  ModelSpec,
  ParamInfo,
  ResizeBlock,
  SpecOutputs,
  TopkMaskBlock,
} from './spec.ts';
export { presets, presetSpec } from './presets.ts';
export type { PresetName, PresetOptions } from './presets.ts';
export { Rng } from './rng.ts';
export type { RngState } from './rng.ts';
export { embeddingRow, embeddings, extent, imageBatch, imageRow, mapView, responseMaps } from './buffers.ts';
export type { Embedder, Embeddings, ImageBatch, Layout, Pixels, ResponseMaps } from './buffers.ts';
export {
  applySimilarity,
  applySimilarityToPoints,
  BARYCENTRIC_EPS,
  borderAnchors,
  FRAME_SIZE,
  locateTriangle,
  NUM_LANDMARKS,
  NUM_MESH_POINTS,
  similarityTransform,
  TEMPLATE_110,
  TEMPLATE_68,
  TRIANGLES,
  warpPoint,
  withAnchors,
} from './geometry.ts';
export type { Similarity, TriangleHit } from './geometry.ts';
export { warpSimilarity } from './warp.ts';
export { sha256, Sha256, sha256Hex, toHex } from './sha256.ts';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_LEGACY_VERSION,
  CHECKPOINT_VERSION,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  firstNonFinite,
  legacyCheckpointWarning,
  MANIFEST_FILE,
  manifestDigest,
  parseManifest,
  sealManifest,
  WEIGHTS_FILE,
} from './checkpoint.ts';
export type { Checkpoint, CheckpointErrorReason, CheckpointIntegrity, CheckpointManifest, DecodeOptions, DType, ManifestTensor, TensorEntry } from './checkpoint.ts';
export { checkpointFromParams, missingParams, paramsChecksum, paramsFromCheckpoint } from './checkpoint-params.ts';
export type { FromParamsOptions, ParamMap } from './checkpoint-params.ts';
export { canonicalJson } from './canonical-json.ts';
export {
  centerCrop,
  centerCropSquare,
  checkPixels,
  cropPixels,
  ORIGINAL_NORMALIZATION,
  PIXEL_TO_FLOAT,
  preprocess,
  preprocessBatch,
  PreprocessError,
  resizeBilinearPixels,
} from './preprocess.ts';
export type { Normalization, PreprocessOptions, ResizeCoordinate } from './preprocess.ts';
export { OnnxParseError, onnxTopLevelFields, readMetadataEntry, readOnnxInfo } from './onnx-reader.ts';
export { pbBytesField, pbVarint, pbVarintField } from './protobuf-writer.ts';
export type { OnnxInfo, OnnxTopField, OnnxValueInfo } from './onnx-reader.ts';
export {
  checkOnnxModelSeal,
  defaultModelPreprocess,
  encodeModelMetadata,
  hasModelMetadata,
  MAX_MODEL_INPUT_SIZE,
  ONNX_META,
  ONNX_META_PREFIX,
  onnxMetadataEntry,
  OnnxMetadataError,
  onnxSealParts,
  parseModelMetadata,
  sealOnnxModel,
  sha256Parts,
  validateModelOutputs,
  validateModelPreprocess,
} from './onnx-metadata.ts';
export type { HashParts, ModelMetadata, ModelOutputName, ModelOutputsMeta, ModelPreprocess, ParsedModelMetadata } from './onnx-metadata.ts';
export { checkImageSize, decodeImageBytes, decodePgm, DEFAULT_MAX_PIXELS, ImageDecodeError, readImageHeader } from './image-decode.ts';
export type { DecodedImage, DecodeImageOptions, ImageFormat, ImageHeader, SharpLike, SharpPipeline } from './image-decode.ts';
export {
  canonicalLandmarks,
  generateSyntheticFace,
  mixSeed,
  OCCLUDER_KINDS,
  posePoints,
  sampleIdentity,
  sampleNuisance,
  SYNTHETIC_VERSION,
  syntheticDataset,
  syntheticIdentity,
  syntheticSample,
  syntheticSampleParams,
} from './synthetic/index.ts';
export type {
  Expression,
  HairStyle,
  IdentityParams,
  OccluderKind,
  OccluderSpec,
  Pose,
  SceneParams,
  SyntheticDatasetOptions,
  SyntheticFace,
  SyntheticFaceParams,
  SyntheticSample,
} from './synthetic/index.ts';
export { plainRelativePath, plainRelativePathBytes } from './plain-path.ts';
export { l2NormalizeRows } from './rows.ts';
export { CROP_OFFSET, CROP_SIZE, fromCropFrame, pixelSquares, rasterisePolygon, rectCorners, toCropFrame, warpPoints } from './face-frame.ts';
export type { Rect } from './face-frame.ts';
export { cellToPixel, findPeaks, peakAt } from './peaks.ts';
export type { Peak, PeakConvention, Peaks, SignedPeaks } from './peaks.ts';
export { CHART_PALETTE, escapeXml, lineChartSvg, stackSvg } from './svg-chart.ts';
export type { ChartSeries, LineChartOptions } from './svg-chart.ts';
export { EXIT_CODES, InterpretFrError, describeValue, exitCodeFor, formatPlace, isInterpretFrError, oneLine } from './errors.ts';
export type { ErrorPlace, ExitCode, InterpretFrErrorCode, InterpretFrErrorOptions } from './errors.ts';
