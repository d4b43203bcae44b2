/**
 * IJB-B / IJB-C 1:1 verification from the insightface meta files: `ijbc_face_tid_mid.txt`
 * (`image_name template_id media_id` per line) and `ijbc_template_pair_label.txt`
 * (`template1 template2 label`). Default template score `media-pool` (insightface). The pair file
 * (15.7M lines for IJB-C) is parsed straight from bytes into Int32Arrays, and pairs are scored in
 * blocks into one Float32Array: no per-pair objects.
 *
 * @module
 */
import { IjbcFormatError, scanColumns } from './ijbc-text.ts';
import { verificationMetrics, IJBC_FAR_TARGETS, type VerificationMetrics } from '../metrics/roc.ts';
import { buildTemplates } from '../scores/templates.ts';
import type { PairDotsPool } from '../scores/pair-dots-pool.ts';
import { prepareTemplates, scoreTemplatePairs, type TemplateScore } from '../scores/template-scores.ts';
import { unitRows } from '../scores/simd.ts';
import type { FeatureTable } from './ijba.ts';

export { IjbcFormatError } from './ijbc-text.ts';

/** `image_name template_id media_id` per line. */
export interface FaceTidMid {
  file: string;
  names: string[];
  templateId: Int32Array;
  mediaId: Int32Array;
}
/** `template1 template2 label` per line. */
export interface TemplatePairs {
  file: string;
  a: Int32Array;
  b: Int32Array;
  label: Uint8Array /** 1-based file line of each pair (absent: pair index + 1). */;
  line?: Int32Array;
}

/** Parses `ijbc_face_tid_mid.txt` bytes. */
export function parseFaceTidMid(bytes: Uint8Array, file: string): FaceTidMid {
  const { names, cols } = scanColumns(bytes, file, 2, true);
  return { file, names, templateId: cols[0]!, mediaId: cols[1]! };
}

/** Parses `ijbc_template_pair_label.txt` bytes (labels must be 0 or 1). */
export function parseTemplatePairs(bytes: Uint8Array, file: string): TemplatePairs {
  const { cols, lineOf } = scanColumns(bytes, file, 3, false);
  return templatePairsOf(cols, lineOf, file);
}

/** The pairs from the pair file's three columns and lines (as `scanColumns` reads them): labels checked (0 or 1). */
export function templatePairsOf(cols: Int32Array[], lineOf: Int32Array, file: string): TemplatePairs {
  const label = new Uint8Array(cols[2]!.length);
  for (let i = 0; i < label.length; i++) {
    const v = cols[2]![i]!;
    if (v !== 0 && v !== 1) throw new IjbcFormatError(file, lineOf[i]!, `label ${v}, expected 0 or 1`);
    label[i] = v;
  }
  return { file, a: cols[0]!, b: cols[1]!, label, line: lineOf };
}

/** Result of {@link evaluateIjbc11}. */
export interface Ijbc11Result {
  protocol: 'ijbc-1:1';
  score: TemplateScore;
  metrics: VerificationMetrics;
  pairs: number;
  skippedPairs: number;
  templates: number;
  emptyTemplates: number;
  imagesWithoutFeature: number;
}

/**
 * IJB-B/C 1:1: templates from the tid/mid file (features looked up by image name), template pairs
 * scored in tile order (`blockSize` pairs per pass of the dot-product kernel), TAR@FAR 1e-6 … 1e-1 (both
 * read-outs), AUC, EER. `pairDots` (Node:
 * `createPairDotsPool`, scores/pair-dots-pool.ts): the pooled scores' dot products on several threads, same bits.
 */
export function evaluateIjbc11(
  meta: FaceTidMid,
  pairs: TemplatePairs,
  table: FeatureTable,
  opts: { score?: TemplateScore; farTargets?: readonly number[]; blockSize?: number; pairDots?: PairDotsPool } = {},
): Ijbc11Result {
  const score = opts.score ?? 'media-pool';
  const rows = new Int32Array(meta.names.length);
  let missing = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = table.index.get(meta.names[i]!);
    rows[i] = r ?? -1;
    if (r === undefined) missing++;
  }
  const T = buildTemplates(meta.templateId, rows, meta.mediaId);
  const f = table.features;
  const prep = prepareTemplates(f, T, score, unitRows(f.data, f.n, f.dim));
  // Dense id → index lookup when ids are compact, else a Map.
  let maxId = 0;
  for (let i = 0; i < T.ids.length; i++) maxId = Math.max(maxId, T.ids[i]!);
  const dense = maxId < 50_000_000 ? new Int32Array(maxId + 1).fill(-1) : null;
  const map = dense ? null : new Map<number, number>();
  for (let i = 0; i < T.ids.length; i++) {
    if (dense) dense[T.ids[i]!] = i;
    else map!.set(T.ids[i]!, i);
  }
  const look = (id: number): number => (dense ? (id >= 0 && id <= maxId ? dense[id]! : -1) : (map!.get(id) ?? -1));
  const n = pairs.a.length;
  // Template indices of every pair first, then ONE scoring call over all of them: scoreTemplatePairs orders the
  // pairs in tiles of (first, second) template (tiledPairs) across the whole list, so that the rows a tile's pairs
  // read are reused from the cache. Scored a block at a time (2^20 pairs, the 15.7M of IJB-C tiled per block),
  // the tiles held too few pairs to reuse anything: 310 → 140 ns a pair for IJB-C's dot products.
  // In shared memory when worker threads score them (pair-dots-pool.ts reads them there: no copy).
  const shared = opts.pairDots !== undefined && opts.pairDots.workers > 0;
  const ia = shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
  const ib = shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
  // Pairs with an empty template are dropped (decided from the templates, not from a NaN score: a NaN
  // from a bad feature must reach verificationMetrics and be refused, not be counted as "skipped").
  const off = T.offsets;
  const keep = new Uint8Array(n);
  let skipped = 0;
  for (let p = 0; p < n; p++) {
    const i = look(pairs.a[p]!);
    const j = look(pairs.b[p]!);
    if (i < 0 || j < 0) throw new IjbcFormatError(pairs.file, pairs.line?.[p] ?? p + 1, `template ${i < 0 ? pairs.a[p] : pairs.b[p]} is not in ${meta.file}`);
    ia[p] = i;
    ib[p] = j;
    if (off[i + 1] === off[i] || off[j + 1] === off[j]) skipped++;
    else keep[p] = 1;
  }
  // The dot products a block of pairs at a time (in tile order): 2^16 pairs on one thread (2^18 and 2^20 measured
  // no faster on IJB-C); 2^20 with worker threads (each thread tiles and scores its own range of the list). The
  // scores do not depend on it.
  const block = opts.blockSize ?? (opts.pairDots && opts.pairDots.workers > 0 ? 1 << 20 : 1 << 16);
  const scores = opts.pairDots ? opts.pairDots.scorePairs(prep, ia, ib, block) : scoreTemplatePairs(prep, prep, ia, ib, { block });
  let sc = scores;
  let labels = pairs.label;
  let src: Int32Array | null = null;
  if (skipped) {
    sc = new Float32Array(n - skipped);
    labels = new Uint8Array(n - skipped);
    src = new Int32Array(n - skipped);
    let k = 0;
    for (let p = 0; p < n; p++)
      if (keep[p]) {
        sc[k] = scores[p]!;
        labels[k] = pairs.label[p]!;
        src[k++] = p;
      }
  }
  const describePair = (i: number): string => {
    const p = src ? src[i]! : i;
    return `${pairs.file}:${pairs.line?.[p] ?? p + 1} (templates ${pairs.a[p]} vs ${pairs.b[p]})`;
  };
  let empty = 0;
  for (let t = 0; t < T.ids.length; t++) if (T.offsets[t + 1] === T.offsets[t]) empty++;
  return {
    protocol: 'ijbc-1:1',
    score,
    metrics: verificationMetrics(sc, labels, { farTargets: opts.farTargets ?? IJBC_FAR_TARGETS, describePair, sortFloat32: opts.pairDots?.sortFloat32 }),
    pairs: n - skipped,
    skippedPairs: skipped,
    templates: T.ids.length,
    emptyTemplates: empty,
    imagesWithoutFeature: missing,
  };
}
