/**
 * Stage "prepare": the study's cache (never committed), built on the align package's output.
 *
 * First `interpret-fr-prepare --images <lfw>/lfw-a --out <cache>/aligned` (run by the pipeline: face-api
 * TinyFaceDetector + 68 landmarks, least-squares similarity onto core's template, 110×110 PNG crops,
 * landmarks in the crop frame, resumable). Then {@link buildStudySets} derives:
 *
 * ```
 * <cache>/train-multi/list.txt    `../aligned/crops/Name/Name_NNNN.png,label,x1,y1,…,x68,y68`: the training people
 *                                 with ≥ 2 images (labels 0..C−1 by sorted name), per-image landmarks (110 frame)
 * <cache>/train-multi/people.txt  label → person
 * <cache>/eval96/Name/Name_NNNN.jpg   centre 96×96 of the aligned 110 crop of every DevTest and DevTrain image,
 *                                 stored losslessly (PNG bytes; the decoder reads the format from the bytes, the
 *                                 LFW file name is kept so the pairs files work unchanged with `--images`). The
 *                                 pixels are exactly what `interpret-fr-eval pairs --align detect` feeds the model.
 * <cache>/devtest-set/list.txt    the DevTest images (`../eval96/…,label,landmarks` in the 96 frame) for peaks
 * <cache>/prepare.json            counts and where the landmarks came from; its presence marks the stage done
 * ```
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { FRAME_SIZE, InterpretFrError } from '@interpret-fr/core';
import { writeFileAtomic } from '@interpret-fr/core/node';

const write = async (path: string, data: string | Uint8Array): Promise<void> => {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, data);
};
import { lfwSplit, personOf } from './lfw.ts';

/** Progress of a stage. */
export type ProgressFn = (done: number, total: number, what: string) => void;

/** The evaluation frame: the centre 96 of the 110 training frame (the models' input crop). */
export const EVAL_SIZE = 96;
const OFF = (FRAME_SIZE - EVAL_SIZE) / 2;

/** The evaluation crop of an aligned 110 × 110 PNG: its centre 96 × 96, as PNG bytes (lossless). */
export async function evalCrop(alignedPng: string): Promise<Buffer> {
  return sharp(alignedPng).extract({ left: OFF, top: OFF, width: EVAL_SIZE, height: EVAL_SIZE }).png({ compressionLevel: 6 }).toBuffer();
}

/** One aligned image of `<cache>/aligned/list.txt`. */
export interface AlignedImage {
  /** Crop path relative to the aligned folder (`crops/Name/Name_0001.png`). */
  crop: string;
  /** 68 landmarks (x, y) in the 110 crop frame. */
  landmarks: Float32Array;
}

/** Reads `interpret-fr-prepare`'s list → LFW id (`Name/Name_0001.jpg`) → crop and landmarks. */
export async function readAligned(alignedDir: string): Promise<Map<string, AlignedImage>> {
  const file = join(alignedDir, 'list.txt');
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const out = new Map<string, AlignedImage>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const f = line.split(',');
    const m = /^crops\/([^/]+\/[^/]+)\.png$/.exec(f[0] ?? '');
    const lm = f.slice(2).map(Number);
    if (!m || lm.length !== 136 || lm.some((v) => !Number.isFinite(v)))
      throw new InterpretFrError(`${file}:${i + 1}: expected 'crops/Name/Name_NNNN.png,label,' and 136 finite landmark numbers`);
    out.set(`${m[1]}.jpg`, { crop: f[0]!, landmarks: Float32Array.from(lm) });
  });
  return out;
}

/** Result of {@link buildStudySets}: `prepare.json`. */
export interface PrepareSummary {
  trainImages: number;
  trainPeople: number;
  multiImagePeople: number;
  /** Training images of people with ≥ 2 images (the trainings' list). */
  trainMultiImages: number;
  evalImages: number;
  testPeople: number;
  /** From `<cache>/aligned/report.json`. */
  aligned: { images: number; aligned: number; fallback: number; failed: number };
  landmarkSource: string;
}

const fmt = (v: number): string => String(Math.round(v * 1000) / 1000);

/** Writes the training list, the evaluation crops and prepare.json from `<cache>/aligned` (see the module doc). */
export async function buildStudySets(lfwDir: string, cache: string, onProgress: ProgressFn = () => {}): Promise<PrepareSummary> {
  const alignedDir = join(cache, 'aligned');
  const report = JSON.parse(await readFile(join(alignedDir, 'report.json'), 'utf8')) as PrepareSummary['aligned'] & { pending: number };
  if (report.pending > 0) throw new InterpretFrError(`${alignedDir}/report.json: ${report.pending} images still pending; rerun the prepare stage`);
  const aligned = await readAligned(alignedDir);
  const split = await lfwSplit(lfwDir);
  const get = (id: string): AlignedImage => {
    const a = aligned.get(id);
    if (!a) throw new InterpretFrError(`${id}: not in ${alignedDir}/list.txt (failed to align: see report.json)`);
    return a;
  };
  // Training: the people with ≥ 2 images (1,262 people, 6,968 images), labels renumbered 0..C−1.
  const count = new Map<string, number>();
  for (const im of split.train) if (aligned.has(im.id)) count.set(im.person, (count.get(im.person) ?? 0) + 1);
  const multi = split.train.filter((im) => (count.get(im.person) ?? 0) >= 2);
  const people = [...new Set(multi.map((im) => im.person))].sort();
  const label = new Map(people.map((n, i) => [n, i]));
  const line = (im: { id: string; person: string }): string => {
    const a = get(im.id);
    return `../aligned/${a.crop},${label.get(im.person)},${Array.from(a.landmarks, fmt).join(',')}`;
  };
  await write(join(cache, 'train-multi', 'list.txt'), `${multi.map(line).join('\n')}\n`);
  await write(join(cache, 'train-multi', 'people.txt'), `${people.join('\n')}\n`);
  // Evaluation crops: the centre 96 of each aligned 110 crop, lossless.
  const evalIds = [...new Set([...split.devTest.a, ...split.devTest.b, ...split.devTrain.a, ...split.devTrain.b])].sort();
  let done = 0;
  for (const id of evalIds) {
    const out = join(cache, 'eval96', id);
    if (!existsSync(out)) {
      await write(out, await evalCrop(join(alignedDir, get(id).crop)));
    }
    if (++done % 500 === 0 || done === evalIds.length) onProgress(done, evalIds.length, 'evaluation crops');
  }
  // DevTest set for peaks and occlusion: landmarks moved into the 96 frame.
  const testIds = [...new Set([...split.devTest.a, ...split.devTest.b])].sort();
  const testPeople = [...new Set(testIds.map(personOf))].sort();
  const tl = new Map(testPeople.map((n, i) => [n, i]));
  await write(
    join(cache, 'devtest-set', 'list.txt'),
    `${testIds.map((id) => `../eval96/${id},${tl.get(personOf(id))},${Array.from(get(id).landmarks, (v) => fmt(v - OFF)).join(',')}`).join('\n')}\n`,
  );
  const summary: PrepareSummary = {
    trainImages: split.train.length,
    trainPeople: split.people.length,
    multiImagePeople: people.length,
    trainMultiImages: multi.length,
    evalImages: evalIds.length,
    testPeople: split.testPeople.size,
    aligned: { images: report.images, aligned: report.aligned, fallback: report.fallback, failed: report.failed },
    landmarkSource:
      'interpret-fr-prepare: face-api TinyFaceDetector + 68 landmarks, least-squares similarity onto the core template, 110×110 crop (centred-box fallback when no face is found, flagged in aligned/report.json)',
  };
  await write(join(cache, 'prepare.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** DevTest landmarks in the 96 evaluation frame, by LFW id (for the occlusion windows). */
export async function devTestLandmarks(cache: string): Promise<Map<string, Float32Array>> {
  const aligned = await readAligned(join(cache, 'aligned'));
  const out = new Map<string, Float32Array>();
  for (const [id, a] of aligned)
    out.set(
      id,
      Float32Array.from(a.landmarks, (v) => v - OFF),
    );
  return out;
}
