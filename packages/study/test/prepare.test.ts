import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildStudySets, devTestLandmarks, readAligned } from '../src/prepare.ts';

/** A tiny LFW folder + an interpret-fr-prepare output for it (random 110×110 crops, landmarks i + 0.5). */
async function fixture(): Promise<{ lfw: string; cache: string; crops: Map<string, Buffer> }> {
  const root = mkdtempSync(join(tmpdir(), 'study-prepare-'));
  const lfw = join(root, 'lfw');
  const cache = join(root, 'cache');
  const people: Record<string, number> = { Ann: 2, Bob: 1, Cid: 3, Dev: 2, Tess: 2, Tom: 1 };
  const ids: string[] = [];
  for (const [p, n] of Object.entries(people)) {
    await mkdir(join(lfw, 'lfw-a', p), { recursive: true });
    for (let k = 1; k <= n; k++) {
      const id = `${p}/${p}_${String(k).padStart(4, '0')}.jpg`;
      await writeFile(join(lfw, 'lfw-a', id), 'not read by buildStudySets');
      ids.push(id);
    }
  }
  // DevTest: Tess (same) + Tess/Tom (different); DevTrain: Dev (same) + Dev/Ann (different).
  await writeFile(join(lfw, 'pairsDevTest.txt'), '1\nTess\t1\t2\nTess\t1\tTom\t1\n');
  await writeFile(join(lfw, 'pairsDevTrain.txt'), '1\nDev\t1\t2\nDev\t1\tAnn\t1\n');
  const crops = new Map<string, Buffer>();
  const lines: string[] = [];
  let seed = 7;
  for (const [i, id] of ids.entries()) {
    const px = Buffer.alloc(110 * 110 * 3);
    for (let j = 0; j < px.length; j++) px[j] = seed = (seed * 1103515245 + 12345) & 0xff;
    const png = await sharp(px, { raw: { width: 110, height: 110, channels: 3 } })
      .png()
      .toBuffer();
    const crop = `crops/${id.replace(/\.jpg$/, '.png')}`;
    await mkdir(join(cache, 'aligned', crop, '..'), { recursive: true });
    await writeFile(join(cache, 'aligned', crop), png);
    crops.set(id, px);
    lines.push(`${crop},${i},${Array.from({ length: 136 }, (_, q) => q + 0.5 + i).join(',')}`);
  }
  await writeFile(join(cache, 'aligned', 'list.txt'), `${lines.join('\n')}\n`);
  await writeFile(join(cache, 'aligned', 'report.json'), JSON.stringify({ images: ids.length, aligned: ids.length - 1, fallback: 1, failed: 0, pending: 0 }));
  return { lfw, cache, crops };
}

describe('study prepare: sets from interpret-fr-prepare output', () => {
  it('lists multi-image training people with per-image landmarks, writes lossless centre-96 eval crops and 96-frame DevTest landmarks', async () => {
    const { lfw, cache, crops } = await fixture();
    const s = await buildStudySets(lfw, cache);
    // Training people: everyone not in DevTest (Tess, Tom) → Ann 2, Bob 1, Cid 3, Dev 2; multi-image: Ann, Cid, Dev.
    expect(s).toMatchObject({ trainImages: 8, trainPeople: 4, multiImagePeople: 3, trainMultiImages: 7, evalImages: 6, testPeople: 2 });
    expect(s.aligned).toEqual({ images: 11, aligned: 10, fallback: 1, failed: 0 });
    const list = readFileSync(join(cache, 'train-multi', 'list.txt'), 'utf8')
      .trim()
      .split('\n');
    expect(list.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '../aligned/crops/Ann/Ann_0001.png,0',
      '../aligned/crops/Ann/Ann_0002.png,0',
      '../aligned/crops/Cid/Cid_0001.png,1',
      '../aligned/crops/Cid/Cid_0002.png,1',
      '../aligned/crops/Cid/Cid_0003.png,1',
      '../aligned/crops/Dev/Dev_0001.png,2',
      '../aligned/crops/Dev/Dev_0002.png,2',
    ]);
    // Ann_0001 is line 0 of the aligned list: landmark q = q + 0.5.
    expect(list[0]!.split(',').slice(2).map(Number)).toEqual(Array.from({ length: 136 }, (_, q) => q + 0.5));
    expect(readFileSync(join(cache, 'train-multi', 'people.txt'), 'utf8')).toBe('Ann\nCid\nDev\n');
    // Eval crop = the centre 96 of the aligned crop, bit for bit.
    const { data, info } = await sharp(join(cache, 'eval96', 'Tess/Tess_0002.jpg'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([96, 96, 3]);
    const src = crops.get('Tess/Tess_0002.jpg')!;
    let diff = 0;
    for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) for (let c = 0; c < 3; c++) diff += Math.abs(data[(y * 96 + x) * 3 + c]! - src[((y + 7) * 110 + x + 7) * 3 + c]!);
    expect(diff).toBe(0);
    const dt = readFileSync(join(cache, 'devtest-set', 'list.txt'), 'utf8')
      .trim()
      .split('\n');
    expect(dt.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['../eval96/Tess/Tess_0001.jpg,0', '../eval96/Tess/Tess_0002.jpg,0', '../eval96/Tom/Tom_0001.jpg,1']);
    const lm = await devTestLandmarks(cache);
    expect(Number(dt[0]!.split(',')[2])).toBeCloseTo(lm.get('Tess/Tess_0001.jpg')![0]!, 3);
    expect(lm.get('Tess/Tess_0001.jpg')![0]).toBeCloseTo((await readAligned(join(cache, 'aligned'))).get('Tess/Tess_0001.jpg')!.landmarks[0]! - 7, 6);
  });
  it('refuses a DevTest image that failed to align, naming it', async () => {
    const { lfw, cache } = await fixture();
    const list = readFileSync(join(cache, 'aligned', 'list.txt'), 'utf8').split('\n');
    await writeFile(join(cache, 'aligned', 'list.txt'), list.filter((l) => !l.includes('Tom_0001')).join('\n'));
    await expect(buildStudySets(lfw, cache)).rejects.toThrow(/Tom\/Tom_0001\.jpg: not in .*list\.txt/);
  });
  it('refuses a malformed aligned list line with file and line', async () => {
    const { cache } = await fixture();
    await writeFile(join(cache, 'aligned', 'list.txt'), 'crops/A/A_0001.png,0,1,2\n');
    await expect(readAligned(join(cache, 'aligned'))).rejects.toThrow(/list\.txt:1: expected/);
  });
});
