/**
 * `--runtime ort-node|ort-web|tfjs` and `--device` for model-driven extraction: the same
 * {@link Embedder} contract on three runtimes.
 * - `ort-node` (default): `@interpret-fr/inference/node` (onnxruntime-node); `--device cuda` asks for the
 *   CUDA execution provider and falls back to CPU with a one-line note when its libraries are missing;
 *   `--workers N` pools sessions.
 * - `ort-web`: `@interpret-fr/inference/web` (onnxruntime-web, WebAssembly), the browser runtime, here in Node.
 * - `tfjs`: the trainer's network on its checkpoint (`--model <checkpoint folder or run dir>`), through
 *   the adapter that lives with the trainer (`@interpret-fr/trainer/embedder`, loaded with a dynamic
 *   import so eval never depends on the trainer); `--device cpu|wasm` picks the tfjs backend.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { InterpretFrError } from '@interpret-fr/core';
import type { Embedder, ResponseMaps, Pixels } from '@interpret-fr/core';
import { usageError } from '@interpret-fr/core/node';

/** Runtime names. */
export const RUNTIMES = ['ort-node', 'ort-web', 'tfjs'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Devices each runtime accepts (the first is its default). */
export const RUNTIME_DEVICES: Record<Runtime, readonly string[]> = { 'ort-node': ['cpu', 'cuda'], 'ort-web': ['wasm'], tfjs: ['cpu', 'wasm'] };

/** `--runtime` / `--device` option rows. */
export const RUNTIME_OPTIONS = {
  runtime: { type: 'string', arg: 'NAME', description: 'ort-node | ort-web | tfjs: runtime for --model (default ort-node; tfjs: --model is a trainer checkpoint or run dir)' },
  device: { type: 'string', arg: 'NAME', description: 'ort-node: cpu | cuda (falls back to cpu with a note); ort-web: wasm; tfjs: cpu | wasm (default: the first)' },
} as const;

/** The documented entry point of the trainer's checkpoint embedder. */
export const TFJS_EMBEDDER_ENTRY = '@interpret-fr/trainer/embedder';

/** A model on some runtime, seen as an Embedder (+ response maps where the runtime has them). */
export interface RuntimeModel extends Embedder {
  responseMaps?(images: Pixels[]): Promise<ResponseMaps>;
  /** What ran: runtime, device actually used, providers, model info. */
  runtimeInfo: Record<string, unknown>;
}

/** Validates `--runtime` / `--device` (usage errors name the flag). */
export function runtimeChoice(runtime: string | undefined, device: string | undefined, workers: number): { runtime: Runtime; device: string } {
  const r = (runtime ?? 'ort-node') as Runtime;
  if (!RUNTIMES.includes(r)) throw InterpretFrError.expected(RUNTIMES.join(' | '), runtime, { code: 'usage', field: '--runtime' });
  const devices = RUNTIME_DEVICES[r];
  const d = device ?? devices[0]!;
  if (!devices.includes(d)) throw usageError(`"${d}" is not a device of --runtime ${r} (expected ${devices.join(' | ')})`, '--device');
  if (workers > 1 && r !== 'ort-node') throw usageError(`--workers ${workers} needs --runtime ort-node (${r} runs in this process)`, '--workers');
  return { runtime: r, device: d };
}

/** Loads `path` on the runtime; `note` hears one-line notes (CUDA fallback). */
export async function loadOnRuntime(
  path: string,
  o: { runtime: Runtime; device: string; workers: number; verify: boolean; note?: (event: object, text: string) => void; tfjsEntry?: string },
): Promise<RuntimeModel> {
  if (o.runtime === 'ort-node') {
    const inf = await import('@interpret-fr/inference/node');
    const used: string[] = [];
    const onEvent = (e: { type: string; providers?: string[]; used?: string[]; requested?: string[]; reason?: string }): void => {
      if (e.type === 'session' && e.providers) used.splice(0, used.length, ...e.providers);
      if (e.type === 'provider-fallback') {
        used.splice(0, used.length, ...(e.used ?? []));
        o.note?.({ what: 'runtime', ...e }, `ort-node: --device ${o.device} unavailable, running on ${(e.used ?? ['cpu']).join(', ')}: ${e.reason}`);
      }
    };
    const providers = o.device === 'cuda' ? (['cuda', 'cpu'] as const) : (['cpu'] as const);
    const rec =
      o.workers > 1
        ? await inf.createRecognizerPool(path, { workers: o.workers, verify: o.verify, executionProviders: [...providers], onEvent } as never)
        : await inf.createRecognizer(path, { verify: o.verify, executionProviders: [...providers], onEvent });
    const r = rec as unknown as RuntimeModel & { info?: unknown };
    return Object.assign(r, { runtimeInfo: { runtime: 'ort-node', device: o.device, providers: used.length ? [...used] : [...providers], info: r.info ?? null } });
  }
  if (o.runtime === 'ort-web') {
    const web = await import('@interpret-fr/inference/web');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (e) {
      throw new InterpretFrError(`cannot read the model: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code: 'io', file: path });
    }
    const rec = await web.createRecognizer(bytes, { verify: o.verify, numThreads: 1 });
    const r = rec as unknown as RuntimeModel & { info?: unknown };
    return Object.assign(r, { runtimeInfo: { runtime: 'ort-web', device: 'wasm', providers: ['wasm'], info: r.info ?? null } });
  }
  // tfjs: the trainer's adapter, never imported statically.
  let mod: { createCheckpointEmbedder(path: string, opts: { backend?: 'cpu' | 'wasm' }): Promise<Embedder & { info: Record<string, unknown> }> };
  const entry: string = o.tfjsEntry ?? TFJS_EMBEDDER_ENTRY;
  try {
    mod = (await import(entry)) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new InterpretFrError(
        `--runtime tfjs needs the trainer's checkpoint embedder (${entry}, not installed); install @interpret-fr/trainer next to @interpret-fr/eval, or use --runtime ort-node|ort-web with an exported .onnx`,
        { code: 'usage', field: '--runtime' },
      );
    }
    throw e;
  }
  const emb = await mod.createCheckpointEmbedder(path, { backend: o.device as 'cpu' | 'wasm' });
  return Object.assign(emb, { runtimeInfo: { runtime: 'tfjs', device: o.device, providers: [`tfjs-${o.device}`], info: emb.info } }) as RuntimeModel;
}
