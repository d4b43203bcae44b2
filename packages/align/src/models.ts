/**
 * The pretrained face-api models this package uses, loaded from bytes: each model is a tfjs weights
 * manifest (`<name>-weights_manifest.json`) plus its binary shards, shipped in the `model/` folder of
 * `@vladmandic/face-api` (MIT). Callers provide a `readFile(name)` (Node: the package folder;
 * browser: the app's own origin); nothing is fetched from a hub or CDN.
 *
 * @module
 */
import { InterpretFrError } from '@interpret-fr/core';
import { faceApiModule } from './face-api-module.ts';
import type { FaceApiModule } from './face-api-module.ts';
import type { FaceApi } from './face-api-types.ts';

/** The face-api networks this package can load. */
export type ModelName = 'tiny_face_detector_model' | 'face_landmark_68_model' | 'face_landmark_68_tiny_model' | 'face_recognition_model' | 'ssd_mobilenetv1_model';

/** Reads one file of the face-api `model/` folder by name (e.g. `face_landmark_68_model.bin`). */
export type ModelFileReader = (name: string) => Promise<Uint8Array>;

/** A model file that is missing, malformed or does not match the network. */
export class ModelLoadError extends InterpretFrError {
  override name = 'ModelLoadError';
  constructor(detail: string) {
    super(detail, { code: 'model' });
  }
}

interface ManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

function netFor(faceapi: FaceApiModule, model: ModelName): { loadFromWeightMap(m: unknown): void; isLoaded: boolean } {
  const n = faceapi.nets;
  const map = {
    tiny_face_detector_model: n.tinyFaceDetector,
    face_landmark_68_model: n.faceLandmark68Net,
    face_landmark_68_tiny_model: n.faceLandmark68TinyNet,
    face_recognition_model: n.faceRecognitionNet,
    ssd_mobilenetv1_model: n.ssdMobilenetv1,
  } as const;
  return map[model] as unknown as { loadFromWeightMap(m: unknown): void; isLoaded: boolean };
}

/**
 * Loads one face-api network from its manifest + shards into `faceapi.nets` (idempotent).
 *
 * @throws ModelLoadError naming the file when a file is missing or the manifest is malformed.
 */
export async function loadModel(module: FaceApi, model: ModelName, readFile: ModelFileReader): Promise<void> {
  const faceapi = faceApiModule(module);
  const net = netFor(faceapi, model);
  if (net.isLoaded) return;
  const manifestName = `${model}-weights_manifest.json`;
  let manifest: ManifestGroup[];
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readFile(manifestName))) as ManifestGroup[];
  } catch (e) {
    throw new ModelLoadError(`${manifestName}: ${(e as Error).message}`);
  }
  if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights))) {
    throw new ModelLoadError(`${manifestName}: expected a tfjs weights manifest (array of {paths, weights})`);
  }
  const tf = faceapi.tf;
  const weightMap: Record<string, unknown> = {};
  for (const group of manifest) {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      try {
        parts.push(await readFile(p));
      } catch (e) {
        throw new ModelLoadError(`${p} (listed in ${manifestName}): ${(e as Error).message}`);
      }
    }
    const total = parts.reduce((s, b) => s + b.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const b of parts) {
      buf.set(b, o);
      o += b.length;
    }
    Object.assign(weightMap, tf.io.decodeWeights(buf.buffer, group.weights as Parameters<typeof tf.io.decodeWeights>[1]));
  }
  try {
    net.loadFromWeightMap(weightMap);
  } catch (e) {
    throw new ModelLoadError(`${manifestName}: weights do not fit the ${model} network: ${(e as Error).message}`);
  }
}
