/** Model loading from bytes: a missing shard or a malformed manifest is a ModelLoadError naming the file. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoadError, faceApiModelDir, loadFaceApi, loadModel } from '../src/node.ts';

describe('loadModel', () => {
  it('names the missing shard and the malformed manifest', async () => {
    const faceapi = await loadFaceApi();
    const dir = faceApiModelDir();
    const noShard = (name: string) => (name.endsWith('.json') ? readFile(join(dir, name)).then((b) => new Uint8Array(b)) : Promise.reject(new Error('ENOENT')));
    await expect(loadModel(faceapi, 'ssd_mobilenetv1_model', noShard)).rejects.toThrow(ModelLoadError);
    await expect(loadModel(faceapi, 'ssd_mobilenetv1_model', noShard)).rejects.toThrow(
      /ssd_mobilenetv1_model\.bin \(listed in ssd_mobilenetv1_model-weights_manifest\.json\): ENOENT/,
    );
    const badJson = async () => new TextEncoder().encode('{"not": "a manifest"}');
    await expect(loadModel(faceapi, 'ssd_mobilenetv1_model', badJson)).rejects.toThrow(/ssd_mobilenetv1_model-weights_manifest\.json: expected a tfjs weights manifest/);
  });

  it('checks at run time that the structural FaceApi it gets is a face-api module', async () => {
    const faceapi = await loadFaceApi();
    const fake = { tf: {}, nets: { tinyFaceDetector: {}, faceLandmark68Net: {}, faceLandmark68TinyNet: {}, faceRecognitionNet: {} }, TinyFaceDetectorOptions: class {} };
    await expect(loadModel(fake, 'tiny_face_detector_model', async () => new Uint8Array())).rejects.toThrow(/^expected a face-api module \(@vladmandic\/face-api: tf\.tidy/);
    await expect(loadModel({ ...faceapi, nets: { ...faceapi.nets, tinyFaceDetector: {} } }, 'tiny_face_detector_model', async () => new Uint8Array())).rejects.toThrow(TypeError);
  });
});
