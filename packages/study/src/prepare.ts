/**
 * Stage "prepare": writes the study's cache (never committed) from LFW-a:
 *
 * ```
 * <cache>/crops110/<Name>/<Name>_NNNN.png   110×110 training frame of every training image (PNG, lossless)
 * <cache>/eval96/<Name>/<Name>_NNNN.jpg     96×96 evaluation frame (centre of the 110 frame) of every DevTest and
 *                                           DevTrain image, JPEG quality 100, under the LFW file names so that the
 *                                           pairs files work unchanged with `interpret-fr-eval pairs --images`
 * <cache>/train/list.txt                    `../crops110/Name/Name_NNNN.png,label` (trainer list-file format)
 * <cache>/train/landmarks.txt               68 landmarks per line, in the 110 frame (see `landmarkSource`)
 * <cache>/train/people.txt                  label → person
 * <cache>/prepare.json                      counts and the crop used; its presence marks the stage done
 * ```
 *
 * Resumable: an existing output file is kept (written atomically: temp name + rename).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { TEMPLATE_68 } from '@interpret-fr/core';
import { LFW_A_CROP, lfwSplit } from './lfw.ts';

/** Progress of a stage. */
export type ProgressFn = (done: number, total: number, what: string) => void;

/** The 110×110 training frame of an LFW-a image (grey → 3 equal channels when read by the trainer). */
export async function cropLfwA(file: string): Promise<Buffer> {
  const c = LFW_A_CROP;
  return sharp(file).greyscale().extract({ left: c.x, top: c.y, width: c.size, height: c.size }).resize(c.frame, c.frame, { kernel: 'lanczos3' }).png().toBuffer();
}

async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Runs `f` over `items` with `n` concurrent workers. */
async function pool<T>(items: T[], n: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

/** Result of {@link prepareLfw}. */
export interface PrepareSummary {
  trainImages: number;
  trainPeople: number;
  multiImagePeople: number;
  evalImages: number;
  testPeople: number;
  crop: typeof LFW_A_CROP;
  landmarkSource: string;
}

/** Writes the cache described in the module doc. */
export async function prepareLfw(lfwDir: string, cache: string, onProgress: ProgressFn = () => {}): Promise<PrepareSummary> {
  const split = await lfwSplit(lfwDir);
  const root = join(lfwDir, 'lfw-a');
  const png = (id: string): string => id.replace(/\.jpg$/i, '.png');
  let done = 0;
  await pool(split.train, 2, async (im) => {
    const out = join(cache, 'crops110', png(im.id));
    if (!existsSync(out)) await writeAtomic(out, await cropLfwA(join(root, im.id)));
    if (++done % 200 === 0 || done === split.train.length) onProgress(done, split.train.length, 'training crops');
  });
  const evalIds = [...new Set([...split.devTest.a, ...split.devTest.b, ...split.devTrain.a, ...split.devTrain.b])].sort();
  done = 0;
  await pool(evalIds, 2, async (id) => {
    const out = join(cache, 'eval96', id);
    if (!existsSync(out)) {
      const f110 = await cropLfwA(join(root, id));
      const o = (LFW_A_CROP.frame - 96) / 2;
      await writeAtomic(out, await sharp(f110).extract({ left: o, top: o, width: 96, height: 96 }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer());
    }
    if (++done % 200 === 0 || done === evalIds.length) onProgress(done, evalIds.length, 'evaluation crops');
  });
  const lmLine = Array.from(TEMPLATE_68, (v) => v.toFixed(3)).join(',');
  await writeAtomic(join(cache, 'train', 'list.txt'), split.train.map((im, i) => `../crops110/${png(im.id)},${split.labels[i]}`).join('\n') + '\n');
  await writeAtomic(join(cache, 'train', 'landmarks.txt'), split.train.map(() => lmLine).join('\n') + '\n');
  await writeAtomic(join(cache, 'train', 'people.txt'), split.people.join('\n') + '\n');
  // The people with ≥ 2 images only (1,262 people, 6,968 images), labels renumbered 0..C−1.
  const count = new Map<string, number>();
  for (const im of split.train) count.set(im.person, (count.get(im.person) ?? 0) + 1);
  const multi = split.train.filter((im) => count.get(im.person)! >= 2);
  const mp = [...new Set(multi.map((im) => im.person))].sort();
  const ml = new Map(mp.map((n, i) => [n, i]));
  await writeAtomic(join(cache, 'train-multi', 'list.txt'), multi.map((im) => `../crops110/${png(im.id)},${ml.get(im.person)}`).join('\n') + '\n');
  await writeAtomic(join(cache, 'train-multi', 'landmarks.txt'), multi.map(() => lmLine).join('\n') + '\n');
  await writeAtomic(join(cache, 'train-multi', 'people.txt'), mp.join('\n') + '\n');
  const summary: PrepareSummary = {
    trainImages: split.train.length,
    trainPeople: split.people.length,
    multiImagePeople: split.multiImagePeople,
    evalImages: evalIds.length,
    testPeople: split.testPeople.size,
    crop: LFW_A_CROP,
    landmarkSource: 'core frontal template (TEMPLATE_68, 110 frame) for every image: fixed centre crop, no detector',
  };
  await writeAtomic(join(cache, 'prepare.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
