/**
 * `@interpret-fr/eval`: face-recognition evaluation against any {@link Embedder}: verification and
 * identification metrics, template scores, IJB-A/B/C and LFW protocols, occlusion robustness,
 * interpretability statistics and reports. Exact definitions: docs/evaluation.md.
 *
 * @packageDocumentation
 */
export { checkScores, meanStd, ScoreValueError } from './metrics/stats.ts';
export type { Labels, MeanStd, PairNamer, Scores } from './metrics/stats.ts';
export { auc, eer, IJBA_FAR_TARGETS, IJBC_FAR_TARGETS, matlabCut, roc, sweepRoc, tarAtFar, verificationMetrics } from './metrics/roc.ts';
export type { Roc, TarAtFar, VerificationMetrics } from './metrics/roc.ts';
export { cmc, probeRanks, tpirAtFpir } from './metrics/identification.ts';
export { RADIX_MIN_LENGTH, sortFloat32, sortFloat64, sortFloats } from './metrics/radix-sort.ts';
export type { ProbeRanks, TpirAtFpir } from './metrics/identification.ts';
export { lfwTenFold, trainTestAccuracy } from './metrics/ten-fold.ts';
export type { TenFoldResult, TrainTestAccuracy } from './metrics/ten-fold.ts';
export { dot, dotBlock, dotBlock64 } from './scores/cosine.ts';
export { buildTemplates, templateCount, templateIndex, templateSize } from './scores/templates.ts';
export type { Templates } from './scores/templates.ts';
export {
  exactTemplateScore,
  poolTemplates,
  prepareTemplates,
  scoreErrorBound,
  scoreTemplateMatrix,
  scoreTemplateMatrixAsync,
  scoreTemplatePairs,
  scoreTemplatePairsAsync,
  scoreTemplatePairsExact,
  TEMPLATE_SCORES,
  tileOrder,
} from './scores/template-scores.ts';
export type { PairScoreStats, PreparedTemplates, TemplateScore } from './scores/template-scores.ts';
export {
  formatIjbaMetadata,
  IJBA_COLUMNS,
  IjbaFormatError,
  parseIjbaComparisons,
  parseIjbaComparisonsBytes,
  parseIjbaMetadata,
  parseIjbaMetadataBytes,
} from './protocols/ijba-csv.ts';
export type { IjbaColumns, IjbaComparisons, IjbaMetadata, IjbaRow } from './protocols/ijba-csv.ts';
export { MatFormatError, readMat, matCharRows, matNumel, matToFloat64 } from './io/mat.ts';
export type { MatFile, MatValue, MatNumeric, MatNumericClass, MatNumericData, MatChar, MatCell, MatStruct, MatSparse, ReadMatOptions } from './io/mat.ts';
export { ijbaMetadataFromMat, ijbaComparisonsFromMat } from './protocols/ijba-mat.ts';
export { wasmGemm } from './scores/gemm.ts';
export type { AsyncGemm } from './scores/gemm.ts';
export { refineIdentification } from './scores/refine.ts';
export { gemmModelBytes, ONNX_DOUBLE, ONNX_FLOAT } from './scores/onnx-gemm-model.ts';
export {
  evaluateIjba,
  evaluateIjbaAsync,
  evaluateIjbaSplit,
  evaluateIjbaSplitAsync,
  featureTable,
  FeatureValueError,
  subsetFilter,
  summarizeIjba,
  targetKey,
} from './protocols/ijba.ts';
export type { FeatureTable, IjbaOptions, IjbaSplitData, IjbaSplitResult, IjbaSubset, IjbaSummary, OverSplits, RefineCounts } from './protocols/ijba.ts';
export { syntheticIjba } from './protocols/ijba-synthetic.ts';
export type { ExpectedIjba, SyntheticIjba, SyntheticIjbaOptions } from './protocols/ijba-synthetic.ts';
export { decodeNpy, encodeNpy, firstNonFinite, NpyError, parseIds } from './io/npy.ts';
export { evaluatePairs, evaluatePairScores, lfwImagePath, MAX_FOLD, PairsFormatError, parseLfwPairs, parsePairList, scorePairs } from './protocols/pairs.ts';
export type { PairList, PairsResult } from './protocols/pairs.ts';
export { alignIjba, ijbaTransform, templateEyesNose, warpSimilarity } from './align.ts';
export type { AlignPolicy } from './align.ts';
export { heatmapSvg, jet, scatterPanelsSvg } from './report/svg.ts';
export type { ScatterPanel } from './report/svg.ts';
export { DEFINITIONS, ijbaFigures, ijbaMarkdown, ijbaReport, pairsMarkdown, pairsReport } from './report/reports.ts';
export type { ReportContext } from './report/reports.ts';
export { evaluateIjbc11, IjbcFormatError, parseFaceTidMid, parseTemplatePairs } from './protocols/ijbc.ts';
export type { FaceTidMid, Ijbc11Result, TemplatePairs } from './protocols/ijbc.ts';
export { syntheticIjbc } from './protocols/ijbc-synthetic.ts';
export type { SyntheticIjbcOptions } from './protocols/ijbc-synthetic.ts';
export { occlude, OCCLUSION_REGIONS, OCCLUSION_WINDOW, occlusionStudy, REGION_NAMES, windowQuad } from './occlusion.ts';
export type { OcclusionRegion, OcclusionResult } from './occlusion.ts';
export { PeakStats, spreadness, templateOutline96 } from './peak-stats.ts';
export type { PeakPixelConvention, SignStats } from './peak-stats.ts';
export { buildPairs, embedNormalized, evaluateSyntheticSet, occlusionFigure, peakFigure, peakStatistics } from './model-eval.ts';
export type { MapsEmbedder, SyntheticEvalResult } from './model-eval.ts';
export { reduceHeap, simdKernels } from './scores/simd.ts';
export type { ReduceHeap, SimdKernels } from './scores/simd.ts';
export { evaluateIjbc1N, parseTemplateCsv } from './protocols/ijbc-1n.ts';
export type { Ijbc1NResult, TemplateCsv } from './protocols/ijbc-1n.ts';
