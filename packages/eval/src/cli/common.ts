/**
 * Shared CLI plumbing of `interpret-fr-eval` (on the core CLI kit): the option rows the commands
 * share, model loading through `@interpret-fr/inference/node` (imported dynamically, only here),
 * feature sources and the extraction progress.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';
import type { Embedder, Pixels, ResponseMaps } from '@interpret-fr/core';
import { intOption, requireOption, usageError } from '@interpret-fr/core/node';
import type { CliContext } from '@interpret-fr/core/node';
import { extractFeatures, type SkippedImage } from '../io/feature-cache.ts';
import { readFeatures } from '../io/files.ts';
import { featureTable, type FeatureTable } from '../protocols/ijba.ts';
import { sha256File } from '../report/write.ts';
import { loadOnRuntime, RUNTIME_OPTIONS, runtimeChoice } from './runtimes.ts';

/** `--features` / `--ids`: precomputed features. */
export const FEATURE_OPTIONS = {
  features: { type: 'string', arg: 'FILE.npy', description: 'precomputed features, one row per id' },
  ids: { type: 'string', arg: 'FILE', description: 'the ids of the feature rows, one a line' },
} as const;

/** `--model` / `--images` and the extraction knobs. */
export const EXTRACT_OPTIONS = {
  model: { type: 'string', arg: 'FILE.onnx', description: 'extract features with this model (instead of --features)' },
  images: { type: 'string', arg: 'DIR', description: 'image root for --model' },
  cache: { type: 'string', arg: 'DIR', description: 'extraction cache (default <out>/features-cache)' },
  batch: { type: 'string', arg: 'N', description: 'images per batch (default 32)' },
  workers: { type: 'string', arg: 'N', description: 'ORT workers (default 1)' },
  'no-verify': { type: 'boolean', description: "skip the model's integrity check (faster load of a trusted file)" },
  ...RUNTIME_OPTIONS,
} as const;

/** `--no-verify`: skip the model's integrity check (the exporter's seal). */
export const VERIFY_OPTION = {
  'no-verify': { type: 'boolean', description: "skip the model's integrity check (faster load of a trusted file)" },
} as const;

/** `--allow-outside-root`: paths read from data files may leave the data root. */
export const OUTSIDE_ROOT_OPTION = {
  'allow-outside-root': { type: 'boolean', description: "accept paths in data files with '..' or absolute paths (default: refused)" },
} as const;

/** `--splits 1,2,…`: distinct positive integers (a repeated split would be counted twice in mean ± std). */
export function splitsOption(value: string | undefined, def: readonly number[]): number[] {
  if (value === undefined) return [...def];
  const list = value.split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : Number.NaN));
  if (list.length === 0 || list.some((s) => !Number.isSafeInteger(s) || s < 1))
    throw InterpretFrError.expected('a comma-separated list of split numbers (1, 2, …)', value, { code: 'usage', field: '--splits' });
  const seen = new Set<number>();
  for (const s of list) {
    if (seen.has(s)) throw usageError(`"${value}" lists split ${s} twice; each split may be evaluated once`, '--splits');
    seen.add(s);
  }
  return list;
}

/** Option values that {@link featuresFrom} reads. */
export interface FeatureSourceValues {
  features?: string;
  ids?: string;
  model?: string;
  images?: string;
  cache?: string;
  batch?: string;
  workers?: string;
  'no-verify'?: boolean;
  runtime?: string;
  device?: string;
}

/** A model loaded through the inference package, seen as an Embedder plus response maps. */
export interface LoadedModel extends Embedder {
  responseMaps?(images: Pixels[]): Promise<ResponseMaps>;
  meta: Record<string, unknown>;
}

/** Loads an ONNX model with `@interpret-fr/inference/node` (pooled when workers > 1). */
export async function loadModel(path: string, workers: number, opts: { verify?: boolean } = {}): Promise<LoadedModel> {
  const inf = await import('@interpret-fr/inference/node');
  const rec = workers > 1 ? await inf.createRecognizerPool(path, { workers, verify: opts.verify }) : await inf.createRecognizer(path, { verify: opts.verify });
  const sha = await sha256File(path);
  const r = rec as unknown as LoadedModel & { info?: unknown };
  return Object.assign(r, { meta: { path, sha256: sha, runtime: 'ort-node', device: 'cpu', info: r.info ?? null } });
}

/** {@link loadModel} on any `--runtime`/`--device` (cli/runtimes.ts); a tfjs checkpoint folder is hashed by its manifest. */
export async function loadRuntimeModel(path: string, o: Parameters<typeof loadOnRuntime>[1]): Promise<LoadedModel> {
  const m = await loadOnRuntime(path, o);
  const manifest = join(path, 'manifest.json');
  const sha = o.runtime === 'tfjs' ? (existsSync(manifest) ? await sha256File(manifest) : null) : await sha256File(path);
  return Object.assign(m, { meta: { path, sha256: sha, ...m.runtimeInfo } });
}

/** Features from `--features/--ids`, or extracted with `--model/--images` through the given loader. */
export async function featuresFrom(
  v: FeatureSourceValues,
  ctx: CliContext,
  out: string,
  imageIds: () => Promise<string[]>,
  load: (model: LoadedModel) => (id: string) => Promise<Pixels>,
  opts: { cacheTag?: string } = {},
): Promise<{ table: FeatureTable; model: Record<string, unknown> | null; data: Record<string, string>; skippedImages: SkippedImage[] }> {
  if (v.features !== undefined) {
    const ids = requireOption(v.ids, 'ids');
    const f = await readFeatures(v.features, ids);
    return { table: featureTable(f.features, f.ids, v.features), model: null, data: { features: v.features, ids }, skippedImages: [] };
  }
  if (v.model === undefined) throw usageError('give --features <file.npy> --ids <ids.txt>, or --model <file.onnx> --images <root>');
  const images = requireOption(v.images, 'images');
  const workers = intOption(v.workers, 'workers', 1, { min: 1, max: 256 });
  const batchSize = intOption(v.batch, 'batch', 32, { min: 1, max: 4096 });
  const rt = runtimeChoice(v.runtime, v.device, workers);
  const progress = ctx.progress();
  const model =
    rt.runtime === 'ort-node' && rt.device === 'cpu'
      ? await loadModel(v.model, workers, { verify: v['no-verify'] !== true })
      : await loadRuntimeModel(v.model, { ...rt, workers, verify: v['no-verify'] !== true, note: (e, text) => progress.note(e, text) });
  try {
    const ids = await imageIds();
    const loader = load(model);
    const r = await extractFeatures(
      model,
      { ids, load: (id) => loader(id) },
      {
        cacheDir: v.cache ?? join(out, opts.cacheTag ? `features-cache-${opts.cacheTag}` : 'features-cache'),
        batchSize,
        concurrency: workers,
        onEvent: (e) => {
          if (e.type === 'progress') progress.update({ what: 'extract', ...e }, `extract: ${e.done}/${e.total} (${e.fromCache} cached)`, { final: e.done === e.total });
          else progress.note({ what: 'extract', ...e }, null);
        },
      },
    );
    if (r.skipped.length) ctx.io.stderr.write(`skipped ${r.skipped.length} undecodable image(s) (listed in report.json skippedImages), e.g. ${r.skipped[0]!.reason}\n`);
    return { table: featureTable(r.features, r.ids, `features of ${v.model}`), model: model.meta, data: { images, model: v.model }, skippedImages: r.skipped };
  } finally {
    await model.dispose?.();
  }
}

/** `--align detect`: the face-api detector + 68 landmarks of `@interpret-fr/align`, loaded on first use. */
export const ALIGN_DETECT_DESCRIPTION =
  'detect (face-api TinyFaceDetector + 68 landmarks, least-squares similarity onto the 68-point template, 110 crop, centre 96; no face: centred-box fallback)';

/** A detect-and-align loader: photo (and optionally the protocol's face box) → the centre 96 of the 110 template alignment. */
export type DetectAligner = (px: Pixels, where: string, hintBox?: ArrayLike<number>) => Promise<Pixels>;

/**
 * Creates the `--align detect` loader: detects faces (centred-box fallback when none is found),
 * takes the one overlapping `hintBox` [x, y, w, h] most (IJB-A metadata), else the one a
 * single-subject photo means (`chooseFace`), aligns it onto the template (110) and returns its
 * centre 96 × 96 (the models' input frame). `counts` tallies detector / padded / fallback faces.
 */
export async function createDetectAligner(counts: Record<string, number> = {}): Promise<DetectAligner> {
  const align = await import('@interpret-fr/align/node');
  const core = await import('@interpret-fr/core');
  const aligner = await align.createFaceAligner();
  return async (px, where, hintBox) => {
    const faces = await aligner.detectFaces(px, { fallback: 'center' });
    if (faces.length === 0) throw new Error(`${where}: no face found`);
    let k = align.chooseFace(faces, px.width, px.height);
    if (hintBox && hintBox.length === 4 && Array.from(hintBox).every(Number.isFinite)) {
      const [hx, hy, hw, hh] = [hintBox[0]!, hintBox[1]!, hintBox[2]!, hintBox[3]!];
      let best = 0;
      faces.forEach((f, i) => {
        const ix = Math.max(0, Math.min(hx + hw, f.box.x + f.box.width) - Math.max(hx, f.box.x));
        const iy = Math.max(0, Math.min(hy + hh, f.box.y + f.box.height) - Math.max(hy, f.box.y));
        const iou = (ix * iy) / (hw * hh + f.box.width * f.box.height - ix * iy);
        if (iou > best) {
          best = iou;
          k = i;
        }
      });
    }
    const face = faces[k]!;
    counts[face.source] = (counts[face.source] ?? 0) + 1;
    const a = align.alignFace(px, face.landmarks68, { size: core.FRAME_SIZE });
    const off = (core.FRAME_SIZE - align.MODEL_CROP) / 2;
    return core.cropPixels(a.pixels, off, off, align.MODEL_CROP, align.MODEL_CROP);
  };
}
