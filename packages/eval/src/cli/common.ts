/**
 * Shared CLI plumbing: argument parsing, event rendering (progress line on a TTY, JSON lines
 * otherwise), model loading through `@interpret-fr/inference/node` (imported dynamically, only
 * here), feature sources.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { Embedder, Pixels, ResponseMaps } from '@interpret-fr/core';
import { extractFeatures, type ExtractEvent } from '../io/feature-cache.ts';
import { readFeatures } from '../io/files.ts';
import { featureTable, type FeatureTable } from '../protocols/ijba.ts';
import { sha256File } from '../report/write.ts';

/** Where CLI output goes (tests capture it). */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty: boolean;
}

export const defaultIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTty: Boolean(process.stderr.isTTY),
};

/** A usage error: printed with the subcommand's help, exit code 2. */
export class UsageError extends Error {}

/** parseArgs with string options only (plus booleans listed). */
export function args(argv: string[], strings: string[], booleans: string[] = []): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of strings) options[s] = { type: 'string' };
  for (const b of [...booleans, 'help']) options[b] = { type: 'boolean' };
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Required string option. */
export function need(v: Record<string, string | boolean | undefined>, name: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${name} is required`);
  return x;
}

/**
 * An integer option (`--max-images`, `--batch`, `--workers`, `--seed`): absent → `def`; anything but
 * a plain integer in [min, max] is a one-line usage error naming the flag.
 */
export function intOpt(v: Record<string, string | boolean | undefined>, name: string, def: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const x = v[name];
  if (x === undefined) return def;
  const n = typeof x === 'string' && /^[+-]?\d+$/.test(x.trim()) ? Number(x) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} '${String(x)}', expected an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`);
  return n;
}

/** `--splits 1,2,…`: distinct positive integers (a repeated split would be counted twice in mean ± std). */
export function splitsOpt(v: Record<string, string | boolean | undefined>, def: readonly number[]): number[] {
  if (typeof v.splits !== 'string') return [...def];
  const parts = v.splits.split(',').map((s) => s.trim());
  const list = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  if (list.length === 0 || list.some((s) => !Number.isSafeInteger(s) || s < 1))
    throw new UsageError(`--splits '${v.splits}', expected a comma-separated list of split numbers (1, 2, …)`);
  const seen = new Set<number>();
  for (const s of list) {
    if (seen.has(s)) throw new UsageError(`--splits '${v.splits}' lists split ${s} twice; each split may be evaluated once`);
    seen.add(s);
  }
  return list;
}

/** Renders extraction events. */
export function eventPrinter(io: CliIo, what: string): (e: ExtractEvent) => void {
  let last = 0;
  return (e) => {
    if (io.isTty) {
      if (e.type !== 'progress') return;
      const now = Date.now();
      if (now - last < 200 && e.done < e.total) return;
      last = now;
      io.err(`\r${what}: ${e.done}/${e.total} (${e.fromCache} cached)${e.done === e.total ? '\n' : ''}`);
    } else io.err(JSON.stringify({ what, ...e }) + '\n');
  };
}

/** A model loaded through the inference package, seen as an Embedder plus response maps. */
export interface LoadedModel extends Embedder {
  responseMaps?(images: Pixels[]): Promise<ResponseMaps>;
  meta: Record<string, unknown>;
}

/** Loads an ONNX model with `@interpret-fr/inference/node` (pooled when workers > 1). */
export async function loadModel(path: string, workers: number): Promise<LoadedModel> {
  const inf = await import('@interpret-fr/inference/node');
  const rec = workers > 1 ? await inf.createRecognizerPool(path, { workers }) : await inf.createRecognizer(path);
  const sha = await sha256File(path);
  const r = rec as unknown as LoadedModel & { info?: unknown };
  return Object.assign(r, { meta: { path, sha256: sha, info: r.info ?? null } });
}

/** Features from `--features/--ids`, or extracted with `--model/--images` through the given loader. */
export async function featuresFrom(
  v: Record<string, string | boolean | undefined>,
  io: CliIo,
  out: string,
  imageIds: () => Promise<string[]>,
  load: (model: LoadedModel) => (id: string) => Promise<Pixels>,
): Promise<{ table: FeatureTable; model: Record<string, unknown> | null; data: Record<string, string> }> {
  if (typeof v.features === 'string') {
    const f = await readFeatures(v.features, need(v, 'ids'));
    return { table: featureTable(f.features, f.ids, v.features), model: null, data: { features: v.features, ids: need(v, 'ids') } };
  }
  if (typeof v.model !== 'string') throw new UsageError('give --features <file.npy> --ids <ids.txt>, or --model <file.onnx> --images <root>');
  const images = need(v, 'images');
  const workers = intOpt(v, 'workers', 1, 1, 256);
  const batchSize = intOpt(v, 'batch', 32, 1, 4096);
  const model = await loadModel(v.model, workers);
  try {
    const ids = await imageIds();
    const loader = load(model);
    const r = await extractFeatures(
      model,
      { ids, load: (id) => loader(id) },
      {
        cacheDir: typeof v.cache === 'string' ? v.cache : join(out, 'features-cache'),
        batchSize,
        concurrency: workers,
        onEvent: eventPrinter(io, 'extract'),
      },
    );
    return { table: featureTable(r.features, r.ids, `features of ${v.model}`), model: model.meta, data: { images, model: v.model } };
  } finally {
    await model.dispose?.();
  }
}
