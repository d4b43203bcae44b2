/**
 * Execution-provider choice for `onnxruntime-node`: CPU by default, CUDA on request, with a fallback to
 * CPU reported as an event (never a silent change, never a log line).
 *
 * CUDA needs ORT's CUDA EP libraries next to the binding (`libonnxruntime_providers_cuda.so` and
 * `libonnxruntime_providers_shared.so` in `onnxruntime-node/bin/napi-v6/linux/x64/`), which the package's
 * install script downloads only when asked (Linux x64, CUDA 12 + cuDNN 9 on the machine):
 * `ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm rebuild onnxruntime-node` (the workspace must allow its
 * install script: `onlyBuiltDependencies: [onnxruntime-node]` in pnpm-workspace.yaml), or with npm
 * `npm install onnxruntime-node --onnxruntime-node-install=cuda12`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrtModuleLike, OrtSessionLike, OrtSessionOptionsLike } from './ort-types.ts';

/** Execution providers this binding knows how to ask for. */
export type NodeProvider = 'cpu' | 'cuda';

/** Events of the Node binding. */
export type InferenceEvent =
  | { type: 'session'; providers: NodeProvider[]; where: string }
  | { type: 'provider-fallback'; requested: NodeProvider[]; used: NodeProvider[]; reason: string; where: string };

/** Folder holding the native binding of the installed `onnxruntime-node`, or null when it cannot be located. */
export function ortNodeBinDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const pkg = dirname(req.resolve('onnxruntime-node/package.json'));
    return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Why CUDA cannot be used (missing libraries), or null when its libraries are present. */
export function cudaUnavailableReason(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `onnxruntime-node ships the CUDA EP for linux-x64 only (this is ${process.platform}-${process.arch})`;
  const dir = ortNodeBinDir();
  if (!dir) return 'onnxruntime-node is not resolvable from @interpret-fr/inference';
  const lib = join(dir, 'libonnxruntime_providers_cuda.so');
  if (!existsSync(lib)) return `CUDA EP libraries are not installed (${lib} is missing); install them with ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm rebuild onnxruntime-node`;
  return null;
}

/**
 * Creates a session on the requested providers; when CUDA is requested but unusable, falls back to CPU
 * and emits `provider-fallback` with the reason.
 */
export async function createNodeSession(
  ort: OrtModuleLike,
  bytes: Uint8Array,
  requested: readonly NodeProvider[],
  sessionOptions: OrtSessionOptionsLike | undefined,
  where: string,
  onEvent?: (e: InferenceEvent) => void,
): Promise<{ session: OrtSessionLike; providers: NodeProvider[] }> {
  const want = requested.length ? [...requested] : (['cpu'] as NodeProvider[]);
  for (const p of want) if (p !== 'cpu' && p !== 'cuda') throw new RangeError(`executionProviders: unknown provider '${String(p)}', expected 'cpu' or 'cuda'`);
  if (want.includes('cuda')) {
    const reason = cudaUnavailableReason();
    if (reason === null) {
      try {
        const providers = want.includes('cpu') ? want : [...want, 'cpu' as const];
        const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: providers });
        onEvent?.({ type: 'session', providers, where });
        return { session, providers };
      } catch (e) {
        return fallback(`creating a CUDA session failed: ${(e as Error).message}`);
      }
    }
    return fallback(reason);
  }
  const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: ['cpu'] });
  onEvent?.({ type: 'session', providers: ['cpu'], where });
  return { session, providers: ['cpu'] };

  async function fallback(reason: string) {
    const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: ['cpu'] });
    onEvent?.({ type: 'provider-fallback', requested: want, used: ['cpu'], reason, where });
    return { session, providers: ['cpu'] as NodeProvider[] };
  }
}
