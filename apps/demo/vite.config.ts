/**
 * Vite config of the demo. The `interpret-fr-assets` plugin puts, before every dev start and build:
 * - ORT's WebAssembly runtime (`node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.{wasm,mjs}`)
 *   into `public/ort/`, served from the app's own origin (never a CDN);
 * - the default model into `public/models/default.onnx`: `$INTERPRET_FR_DEMO_MODEL`, else the shipped
 *   real-face model `models/interpret-fr-lfw.onnx` (issue 13), else the main training run's `model.onnx`
 *   of the run named in `runs/latest`, else the committed random-weight fixture
 *   `packages/inference/test/fixtures/interpretable-tiny.onnx`, and `public/models/manifest.json` naming it
 *   and its `kind` (`env | lfw | run | fixture`; the page warns on screen for `fixture`), `{"default": null}` without one.
 * - the face-api networks the automatic face alignment uses (`@vladmandic/face-api/model/`
 *   {@link FACE_API_FILES}, shipped in the npm package) into `public/models/face-api/`, and tfjs's
 *   WebAssembly binaries (`@tensorflow/tfjs-backend-wasm/dist/*.wasm`) into `public/tfjs-wasm/`;
 * All are ignored by git; the ORT, face-api and tfjs files are copied again only when their size or mtime changed.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Relative source import: Vite bundles it into the config (the package entry is TypeScript, which Node 20 cannot load).
import { LATEST_RUN_FILE, readLatestRun, runPaths } from '../../packages/core/src/node/run-dir.ts';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { sourceResolve } from '../../vitest.shared.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** ORT runtime files the default `onnxruntime-web` bundle loads (the JSEP build: wasm + WebGPU). */
export const ORT_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

/**
 * `model.onnx` of the main job's latest run (the core run-directory layout: `runs/latest` names the
 * run, never followed outside `runs/`), or undefined.
 */
function latestRunModel(): string | undefined {
  if (!existsSync(resolve(repo, 'runs', LATEST_RUN_FILE))) return undefined;
  try {
    return runPaths(readLatestRun(resolve(repo, 'runs'))).model;
  } catch {
    return undefined;
  }
}

/** face-api model files (manifest + weights) of the detector and the 68-landmark net `@interpret-fr/align` loads. */
export const FACE_API_FILES = ['tiny_face_detector_model', 'face_landmark_68_model'].flatMap((m) => [`${m}-weights_manifest.json`, `${m}.bin`]);

/** tfjs-backend-wasm binaries (tfjs picks one by the browser's SIMD/threads support). */
export const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** The shipped real-face model (issue 13). */
export const LFW_MODEL = resolve(repo, 'models/interpret-fr-lfw.onnx');

/** The model the build ships as `models/default.onnx` and where it came from, or null. */
export function defaultModelSource(
  env: NodeJS.ProcessEnv = process.env,
  paths: { lfw: string; latest: string | undefined } = { lfw: LFW_MODEL, latest: latestRunModel() },
): { path: string; kind: 'env' | 'lfw' | 'run' | 'fixture' } | null {
  const candidates: [string | undefined, 'env' | 'lfw' | 'run' | 'fixture'][] = [
    [env.INTERPRET_FR_DEMO_MODEL, 'env'],
    [paths.lfw, 'lfw'],
    [paths.latest, 'run'],
    [resolve(repo, 'packages/inference/test/fixtures/interpretable-tiny.onnx'), 'fixture'],
  ];
  const hit = candidates.find(([p]) => !!p && existsSync(p));
  return hit ? { path: hit[0]!, kind: hit[1] } : null;
}

function copyIfChanged(from: string, to: string, always = false): void {
  const s = statSync(from);
  if (!always && existsSync(to)) {
    const d = statSync(to);
    if (d.size === s.size && d.mtimeMs >= s.mtimeMs) return;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function assets(): Plugin {
  let done = false;
  return {
    name: 'interpret-fr-assets',
    configResolved(config) {
      if (done) return;
      done = true;
      const pub = config.publicDir || resolve(here, 'public');
      const req = createRequire(resolve(here, 'package.json'));
      for (const f of ORT_FILES) copyIfChanged(req.resolve(`onnxruntime-web/${f}`), resolve(pub, 'ort', f));
      // face-api and tfjs are dependencies of @interpret-fr/align: resolve them from there.
      const alignReq = createRequire(req.resolve('@interpret-fr/align/package.json'));
      const faceApiModels = resolve(dirname(alignReq.resolve('@vladmandic/face-api/package.json')), 'model');
      for (const f of FACE_API_FILES) copyIfChanged(resolve(faceApiModels, f), resolve(pub, 'models/face-api', f));
      const tfjsWasm = resolve(dirname(alignReq.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      for (const f of TFJS_WASM_FILES) copyIfChanged(resolve(tfjsWasm, f), resolve(pub, 'tfjs-wasm', f));
      const model = defaultModelSource();
      const target = resolve(pub, 'models/default.onnx');
      // Always copied: two models of one architecture have the same size, so size/mtime cannot tell them apart.
      mkdirSync(dirname(target), { recursive: true });
      // The page reads the manifest first, so a build without a model never requests a missing file.
      writeFileSync(
        resolve(pub, 'models/manifest.json'),
        `${JSON.stringify({ default: model ? 'default.onnx' : null, source: model ? relative(repo, model.path) : null, kind: model?.kind ?? null })}\n`,
      );
      if (model) copyIfChanged(model.path, target, true);
      else {
        rmSync(target, { force: true });
        config.logger.warn(
          'interpret-fr-assets: no default model (no models/interpret-fr-lfw.onnx, no model.onnx in the run named by runs/latest, no inference fixture); the page will ask for one',
        );
      }
    },
  };
}

/**
 * Drops the copy of ORT's `.wasm` that Vite emits on its own (it follows ORT's
 * `new URL('…wasm', import.meta.url)`): the app loads the one in `ort/` through `wasmPaths`.
 */
function dropBundledOrtWasm(): Plugin {
  return {
    name: 'interpret-fr-drop-bundled-ort-wasm',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const k of Object.keys(bundle)) if (/(^|\/)ort-wasm-simd-threaded[\w.-]*\.wasm$/.test(k)) delete bundle[k];
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  // Workspace packages from their TypeScript sources (the `@interpret-fr/source` export condition), not dist/.
  resolve: sourceResolve.resolve,
  plugins: [assets(), dropBundledOrtWasm()],
  worker: { format: 'es', plugins: () => [dropBundledOrtWasm()] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
});
