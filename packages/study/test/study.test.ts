import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OCCLUSION_REGIONS } from '@interpret-fr/eval';
import { chiSquare, LBP_BINS, lbpCodes, lbpDescriptor, U2_TABLE } from '../src/lbp.ts';
import { lfwSplit, personOf } from '../src/lfw.ts';
import { sensitivity } from '../src/results.ts';
import { teacherOrder } from '../src/teacher.ts';
import { trainArgs, studyPaths } from '../src/pipeline.ts';
import { TRAININGS } from '../src/plan.ts';

const LFW = new URL('../../../../shared/data/lfw', import.meta.url).pathname;

describe('LBP u2 (P8, R2)', () => {
  it('has 58 uniform patterns and one bin for the rest', () => {
    const uniform = new Set<number>();
    let other = 0;
    for (let c = 0; c < 256; c++) U2_TABLE[c]! < 58 ? uniform.add(U2_TABLE[c]!) : other++;
    expect(uniform.size).toBe(58);
    expect(other).toBe(256 - 58);
    expect(U2_TABLE[0]).toBe(0); // 00000000: first uniform pattern
    expect(U2_TABLE[0b01010101]).toBe(58); // 8 transitions
  });
  it('codes a flat image as all-ones (every sample >= centre) and skips the border', () => {
    const w = 9,
      h = 7;
    const c = lbpCodes(new Uint8Array(w * h).fill(100), w, h);
    expect(c[0]).toBe(-1);
    expect(c[3 * w + 4]).toBe(U2_TABLE[255]);
  });
  it('codes a bright right half: the centre just left of the edge sees samples 0 (east) and the diagonals 1, 7 above it', () => {
    const w = 9,
      h = 9;
    const g = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 5; x < w; x++) g[y * w + x] = 200;
    const c = lbpCodes(g, w, h);
    // At (4,4) the centre is 0; every sample is >= 0, so all 8 bits are set.
    expect(c[4 * w + 4]).toBe(U2_TABLE[255]);
    // At (5,4) (bright centre 200): east (7,4) = 200 ✓; north (5,2), south (5,6) = 200 ✓; west (3,4) = 0 ✗;
    // NE/SE at x = 6.41 → 200 ✓; NW/SW at x = 3.59 → bilinear between columns 3 and 4 (both 0) ✗.
    // bits: 0 (E), 1 (NE), 2 (N), 6 (S), 7 (SE) → 0b11000111, uniform.
    expect(c[4 * w + 5]).toBe(U2_TABLE[0b11000111]);
    expect(U2_TABLE[0b11000111]).toBeLessThan(58);
  });
  it('normalises each of the 7×7 cell histograms to 1 and measures χ² by hand', () => {
    const g = Uint8Array.from({ length: 96 * 96 }, (_, i) => (i * 37) % 251);
    const d = lbpDescriptor(g, 96, 96);
    expect(d.length).toBe(49 * LBP_BINS);
    for (let cell = 0; cell < 49; cell++) {
      let s = 0;
      for (let b = 0; b < LBP_BINS; b++) s += d[cell * LBP_BINS + b]!;
      expect(s).toBeCloseTo(1, 5);
    }
    expect(chiSquare([1, 0, 0.5], [0, 0, 0.5])).toBeCloseTo(1, 12); // (1)²/1 + skip + 0
    expect(chiSquare([0.2, 0.8], [0.6, 0.4])).toBeCloseTo(0.16 / 0.8 + 0.16 / 1.2, 12);
    expect(chiSquare(d, d)).toBe(0);
  });
});

describe('per-filter occlusion sensitivity', () => {
  it('is the mean |Δf| of the filters whose average location lies in the window over the mean of all', () => {
    const [c, r] = OCCLUSION_REGIONS.nose;
    // filter 0 inside the nose window, filter 1 far away, filter 2 never peaked.
    const mu = [c + 5, r + 5, 2, 2, Number.NaN, Number.NaN];
    const s = sensitivity({ nose: [0.3, 0.1, 0.2] }, mu);
    expect(s.perRegion.nose!.local).toBe(1);
    expect(s.perRegion.nose!.ratio).toBeCloseTo(0.3 / 0.2, 12);
    expect(s.meanRatio).toBeCloseTo(1.5, 12);
    const none = sensitivity({ forehead: [0.3, 0.1] }, [90, 90, 90, 90]);
    expect(Number.isNaN(none.perRegion.forehead!.ratio)).toBe(true);
  });
});

describe('teacher visiting order', () => {
  it('visits training images of multi-image people first, then DevTest, DevTrain, the rest; each once', () => {
    const train = [
      { id: 'A/A_0001.jpg', person: 'A' },
      { id: 'A/A_0002.jpg', person: 'A' },
      { id: 'B/B_0001.jpg', person: 'B' },
      { id: 'C/C_0001.jpg', person: 'C' },
      { id: 'C/C_0002.jpg', person: 'C' },
    ];
    const o = teacherOrder(train, ['T/T_0001.jpg'], ['C/C_0001.jpg', 'D/D_0001.jpg'], 2);
    expect(new Set(o).size).toBe(o.length);
    expect(o.length).toBe(7);
    expect(o.slice(0, 2).every((id) => ['A', 'C'].includes(personOf(id)))).toBe(true);
    expect(o[2]).toBe('T/T_0001.jpg');
    expect(o.indexOf('B/B_0001.jpg')).toBe(6);
    expect(teacherOrder(train, ['T/T_0001.jpg'], [], 2)).toEqual(teacherOrder(train, ['T/T_0001.jpg'], [], 2));
  });
});

describe('trainer command of the plan', () => {
  it('fine-tunes from the base run and adds the distillation keys only for the teacher run', () => {
    const p = studyPaths({ cache: '/c', runs: '/r', lfw: '/l' });
    const sf = trainArgs(TRAININGS.find((t) => t.name === 'sad-fad')!, p, null);
    expect(sf).toContain(`init.from=/r/base`);
    expect(sf.join(' ')).not.toContain('distill');
    const tt = TRAININGS.find((t) => t.teacher)!;
    expect(() => trainArgs(tt, p, null)).toThrow(/teacher descriptors/);
    expect(trainArgs(tt, p, '/c/t.f32')).toEqual(expect.arrayContaining(['model.distillDim=128', 'data.teacher=/c/t.f32']));
  });
});

describe.skipIf(!existsSync(LFW) && process.env.INTERPRET_FR_REQUIRE_DATA !== '1')('LFW-a protocol split (real data)', () => {
  it('trains on every person not in DevTest: 4,786 people, 10,492 images, 1,262 with >= 2', async () => {
    const s = await lfwSplit(LFW);
    expect(s.train.length).toBe(10492);
    expect(s.people.length).toBe(4786);
    expect(s.multiImagePeople).toBe(1262);
    expect(s.testPeople.size).toBe(963);
    for (const im of s.train) expect(s.testPeople.has(im.person)).toBe(false);
    // DevTrain's people are disjoint from DevTest's.
    for (const id of [...s.devTrain.a, ...s.devTrain.b]) expect(s.testPeople.has(personOf(id))).toBe(false);
  });
});
