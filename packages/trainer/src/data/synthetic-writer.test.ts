import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { syntheticSample } from '@interpret-fr/core';
import { writeSyntheticDataset, type SyntheticProgressEvent } from './synthetic-writer.ts';
import { openListFile } from './list-file.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opts = { seed: 9, identities: 3, imagesPerIdentity: 4, occluderRate: 0.5 };

describe('writeSyntheticDataset', () => {
  it('writes images, list, landmarks, occluders and dataset.json matching the generator exactly', async () => {
    const dir = join(root, 'a');
    const events: SyntheticProgressEvent[] = [];
    const r = await writeSyntheticDataset(dir, { ...opts, onProgress: (e) => events.push(e) });
    expect(r).toMatchObject({ count: 12, skipped: false });
    expect(events.at(-1)).toEqual({ type: 'synthetic-progress', done: 12, total: 12 });
    const list = readFileSync(join(dir, 'list.txt'), 'utf8').trimEnd().split('\n');
    const lms = readFileSync(join(dir, 'landmarks.txt'), 'utf8').trimEnd().split('\n');
    const occ = readFileSync(join(dir, 'occluders.txt'), 'utf8').trimEnd().split('\n');
    expect(list.length).toBe(12);
    expect(lms.length).toBe(12);
    expect(occ.length).toBe(12);
    expect(list[0]).toBe('images/0000/0000.png,0');
    expect(list[7]).toBe('images/0001/0003.png,1');
    for (let k = 0; k < 12; k++) {
      const id = Math.floor(k / 4),
        n = k % 4;
      const s = syntheticSample(opts, id, n);
      const nums = lms[k]!.split(',').map(Number);
      expect(nums.length).toBe(136);
      for (let i = 0; i < 136; i++) expect(Math.abs(nums[i]! - s.landmarks[i]!)).toBeLessThanOrEqual(0.0005 + 1e-9);
      expect(occ[k]).toBe(s.occluder);
      const { data, info } = await sharp(join(dir, list[k]!.split(',')[0]!))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([110, 110, 3]);
      expect(Buffer.compare(data, Buffer.from(s.pixels))).toBe(0); // lossless
    }
    expect(new Set(occ).size).toBeGreaterThan(1);
    const manifest = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ generator: 'interpret-fr-synthetic', seed: 9, identities: 3, imagesPerIdentity: 4, occluderRate: 0.5, count: 12 });
    // no temp files left behind
    expect(readdirSync(dir).sort()).toEqual(['dataset.json', 'images', 'landmarks.txt', 'list.txt', 'occluders.txt']);
  });

  it('is byte-identical across runs (fixed PNG options) and skips an existing identical set', async () => {
    const a = join(root, 'a'),
      b = join(root, 'b');
    await writeSyntheticDataset(b, opts);
    for (const f of ['list.txt', 'landmarks.txt', 'occluders.txt', 'dataset.json', 'images/0002/0003.png', 'images/0000/0001.png']) {
      expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f))), f).toBe(0);
    }
    const before = statSync(join(b, 'images/0001/0001.png')).mtimeMs;
    const again = await writeSyntheticDataset(b, opts);
    expect(again.skipped).toBe(true);
    expect(statSync(join(b, 'images/0001/0001.png')).mtimeMs).toBe(before);
    // different parameters regenerate in place
    const other = await writeSyntheticDataset(b, { ...opts, seed: 10 });
    expect(other.skipped).toBe(false);
    expect(JSON.parse(readFileSync(join(b, 'dataset.json'), 'utf8')).seed).toBe(10);
    expect(Buffer.compare(readFileSync(join(a, 'images/0000/0000.png')), readFileSync(join(b, 'images/0000/0000.png')))).not.toBe(0);
  });

  it('is read back by the trainer list-file reader with labels and landmarks', async () => {
    const dir = join(root, 'a');
    const src = await openListFile(join(dir, 'list.txt'), { landmarks: join(dir, 'landmarks.txt'), numClasses: 3 });
    expect(src.count).toBe(12);
    expect(Array.from(src.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const s = syntheticSample(opts, 2, 1);
    expect(src.landmarks![9 * 136 + 60]).toBeCloseTo(s.landmarks[60]!, 3);
  });

  it('rejects invalid options before writing anything', async () => {
    const dir = join(root, 'bad');
    await expect(writeSyntheticDataset(dir, { ...opts, imagesPerIdentity: 0 })).rejects.toThrow(/imagesPerIdentity must be an integer ≥ 1/);
  });
});
