import { existsSync, mkdtempSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareImages } from '@interpret-fr/align/node';
import { preprocess, type Pixels } from '@interpret-fr/core';
import { createDetectAligner, decodeImageFile } from '@interpret-fr/eval/node';
import { writeFileAtomic } from '@interpret-fr/core/node';
import { evalCrop } from '../src/prepare.ts';

const LFW = new URL('../../../../shared/data/lfw/lfw-a', import.meta.url).pathname;
const IDS = ['Aaron_Peirsol/Aaron_Peirsol_0001.jpg', 'Aaron_Peirsol/Aaron_Peirsol_0002.jpg', 'Colin_Montgomerie/Colin_Montgomerie_0004.jpg', 'Abdullah_Gul/Abdullah_Gul_0001.jpg'];

/** The model input the recognizer makes of a 96 crop (48 × 48 for the small models). */
const input = (p: Pixels): Float32Array => preprocess(p, new Float32Array(3 * 48 * 48), { layout: 'NCHW', size: 48, fit: 'center-square' });

describe.skipIf(!existsSync(LFW) && process.env.INTERPRET_FR_REQUIRE_DATA !== '1')('study eval crops = eval --align detect (real LFW-a images)', () => {
  it('gives the model bit-identical inputs from the cached crop and from the raw photo', { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'study-align-eq-'));
    for (const id of IDS) {
      mkdirSync(join(root, 'lfw-a', id, '..'), { recursive: true });
      copyFileSync(join(LFW, id), join(root, 'lfw-a', id));
    }
    await prepareImages({ images: join(root, 'lfw-a'), out: join(root, 'aligned'), workers: 0 });
    const detect = await createDetectAligner();
    for (const id of IDS) {
      const cached = join(root, 'eval96', id);
      mkdirSync(join(cached, '..'), { recursive: true });
      await writeFileAtomic(cached, await evalCrop(join(root, 'aligned', 'crops', id.replace(/\.jpg$/, '.png'))));
      const fromCache = await decodeImageFile(cached);
      const fromPhoto = await detect(await decodeImageFile(join(root, 'lfw-a', id)), id);
      expect([fromCache.width, fromCache.height]).toEqual([96, 96]);
      expect([fromPhoto.width, fromPhoto.height]).toEqual([96, 96]);
      const a = input(fromCache);
      const b = input(fromPhoto);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      expect(diff, id).toBe(0);
    }
    // The one LFW-a image of these where the detector finds nothing takes the same centred-box fallback in both paths.
    expect(JSON.parse(readFileSync(join(root, 'aligned', 'report.json'), 'utf8')).fallback).toBe(1);
  });
});
