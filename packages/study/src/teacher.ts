/**
 * The pretrained teacher: face-api's 128-d face recognition net (`@vladmandic/face-api` 1.7.15, MIT; the
 * weights ship in the package's `model/` folder, a ResNet-34-like net ported from dlib's
 * `dlib_face_recognition_resnet_model_v1`, trained on about 3 million faces). It is OUTSIDE knowledge:
 * every model that uses its descriptors is reported as "trained with a pretrained teacher", apart from
 * the models trained on LFW-a labels only.
 *
 * The net runs on tfjs' wasm backend. Its input is a 150×150 RGB face chip (grey LFW-a → 3 equal
 * channels), cut from the 250×250 LFW-a image as a square of side `side` centred at (`cx`, `cy`)
 * ({@link TEACHER_CROPS}); which one is used is chosen by DevTrain accuracy only.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { InterpretFrError } from '@interpret-fr/core';

/** A square cut of the 250×250 LFW-a frame fed to the teacher. */
export interface TeacherCrop {
  name: string;
  cx: number;
  cy: number;
  side: number;
}

/**
 * Candidate teacher crops. `face` = the study's own 110 frame (the 154-px square at (48, 48));
 * `chip` approximates dlib's 150-px chip with padding 0.25 (the 68 landmarks cover the central 2/3:
 * the template's landmark box is 78 × 61 px of the 110 frame, i.e. ≈ 109 px wide in LFW-a, ×1.5 ≈ 164,
 * centred on the landmark box); `wide` adds more context.
 */
export const TEACHER_CROPS: TeacherCrop[] = [
  { name: 'face', cx: 125, cy: 125, side: 154 },
  { name: 'chip', cx: 125, cy: 138, side: 164 },
  { name: 'wide', cx: 125, cy: 132, side: 190 },
];

/** 150×150 RGB uint8 chip of an LFW-a image for the teacher. */
export async function teacherChip(file: string, crop: TeacherCrop): Promise<Uint8Array> {
  const left = Math.round(crop.cx - crop.side / 2);
  const top = Math.round(crop.cy - crop.side / 2);
  const img = sharp(file).greyscale();
  const meta = await sharp(file).metadata();
  const W = meta.width ?? 250,
    H = meta.height ?? 250;
  // Pad with edge-extended pixels when the square leaves the image.
  const pad = Math.max(0, -left, -top, left + crop.side - W, top + crop.side - H);
  const src = pad > 0 ? sharp(await img.extend({ top: pad, bottom: pad, left: pad, right: pad, extendWith: 'copy' }).toBuffer()) : img;
  const { data, info } = await src
    .extract({ left: left + pad, top: top + pad, width: crop.side, height: crop.side })
    .resize(150, 150, { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(150 * 150 * 3);
  const c = info.channels;
  for (let i = 0; i < 150 * 150; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i * c]!;
  return out;
}

/** The loaded teacher: 150×150 RGB chips → L2-normalised 128-d descriptors. */
export interface Teacher {
  describe(chips: Uint8Array[]): Promise<Float32Array>;
  backend: string;
}

/** Loads face-api's recognition net on tfjs' wasm backend (cpu as a fallback). */
export async function loadTeacher(): Promise<Teacher> {
  const req = createRequire(import.meta.url);
  const faceapi = req('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const tf = faceapi.tf;
  try {
    await tf.setBackend('wasm');
    await tf.ready();
  } catch {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const modelDir = join(dirname(req.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const net = faceapi.nets.faceRecognitionNet;
  return {
    backend: tf.getBackend(),
    async describe(chips) {
      const n = chips.length;
      // face-api takes a batch as an array of [150, 150, 3] tensors.
      const ts = chips.map((c) => tf.tensor3d(Float32Array.from(c), [150, 150, 3]));
      const out = await net.forward(n === 1 ? ts[0] : ts);
      const d = new Float32Array(await out.data());
      if (d.length !== n * 128) throw new InterpretFrError(`teacher returned ${d.length} numbers for ${n} chips, expected ${n * 128}`);
      tf.dispose([...ts, out]);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < 128; k++) s += d[i * 128 + k]! ** 2;
        const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
        for (let k = 0; k < 128; k++) d[i * 128 + k]! *= inv;
      }
      return d;
    },
  };
}

/** One line of the teacher cache (`descriptors.jsonl`). */
interface CacheLine {
  id: string;
  d: number[];
}

/** Reads the append-only teacher cache: id → descriptor (later lines win; a torn last line is ignored). */
export async function readTeacherCache(file: string): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  if (!existsSync(file)) return out;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as CacheLine;
      if (typeof o.id === 'string' && Array.isArray(o.d) && o.d.length === 128) out.set(o.id, Float32Array.from(o.d));
    } catch {
      // torn last line of an interrupted run
    }
  }
  return out;
}

/**
 * Runs the teacher over `ids` (LFW ids under `root`) in order, skipping those already in the cache
 * file, appending each batch's descriptors as JSON lines (resumable at any point).
 */
export async function extractTeacher(
  teacher: Teacher,
  root: string,
  ids: string[],
  crop: TeacherCrop,
  cacheFile: string,
  onProgress: (done: number, total: number) => void = () => {},
  batch = 8,
): Promise<Map<string, Float32Array>> {
  const have = await readTeacherCache(cacheFile);
  const todo = ids.filter((id) => !have.has(id));
  await mkdir(dirname(cacheFile), { recursive: true });
  let done = ids.length - todo.length;
  for (let i = 0; i < todo.length; i += batch) {
    const part = todo.slice(i, i + batch);
    const chips = await Promise.all(part.map((id) => teacherChip(join(root, id), crop)));
    const d = await teacher.describe(chips);
    const lines = part.map((id, k) => {
      const v = Array.from(d.subarray(k * 128, (k + 1) * 128), (x) => Number(x.toFixed(6)));
      have.set(id, Float32Array.from(v));
      return JSON.stringify({ id, d: v });
    });
    await appendFile(cacheFile, lines.join('\n') + '\n');
    done += part.length;
    onProgress(done, ids.length);
  }
  return have;
}

/**
 * The order in which the teacher visits images, so that an interrupted extraction is still useful:
 * `firstTrain` training images of people with ≥ 2 images (deterministic shuffle), then every DevTest
 * image, then every DevTrain image, then the remaining training images.
 */
export function teacherOrder(train: { id: string; person: string }[], devTest: string[], devTrain: string[], firstTrain = 3000): string[] {
  const count = new Map<string, number>();
  for (const im of train) count.set(im.person, (count.get(im.person) ?? 0) + 1);
  const multi = train.filter((im) => count.get(im.person)! >= 2).map((im) => im.id);
  // Deterministic shuffle (LCG), so reruns visit the same order.
  let s = 12345;
  for (let i = multi.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [multi[i], multi[j]] = [multi[j]!, multi[i]!];
  }
  const first = multi.slice(0, firstTrain);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of [...first, ...devTest, ...devTrain, ...multi.slice(firstTrain), ...train.map((im) => im.id)]) {
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}
