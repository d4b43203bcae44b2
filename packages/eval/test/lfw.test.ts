import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '@interpret-fr/core';
import { evaluatePairScores, parseLfwPairs, parsePairList, PairsFormatError } from '../src/protocols/pairs.ts';

const root = resolve(__dirname, '../../..');
const data = process.env.INTERPRET_FR_DATA ?? resolve(root, '../shared/data');
const lfw = join(data, 'lfw');
const have = existsSync(join(lfw, 'pairs.txt'));
if (!have) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`INTERPRET_FR_REQUIRE_DATA=1 but ${lfw}/pairs.txt is missing`);
  console.warn(`[eval] SKIPPING LFW tests: ${lfw}/pairs.txt not found (set INTERPRET_FR_DATA)`);
}

describe.skipIf(!have)('LFW pairs on the real protocol files', () => {
  it('View 2: 6,000 pairs in 10 folds, every image present', () => {
    const p = parseLfwPairs(readFileSync(join(lfw, 'pairs.txt'), 'utf8'), 'pairs.txt');
    expect(p.a.length).toBe(6000);
    expect(p.nFolds).toBe(10);
    for (let f = 0; f < 10; f++) {
      let same = 0,
        all = 0;
      for (let k = 0; k < 6000; k++)
        if (p.fold[k] === f) {
          all++;
          same += p.label[k]!;
        }
      expect([all, same]).toEqual([600, 300]);
    }
    expect(p.a[0]).toBe('Abel_Pacheco/Abel_Pacheco_0001.jpg');
    expect(p.b[300]).toBe('Dean_Barker/Dean_Barker_0001.jpg');
    const missing = [...new Set([...p.a, ...p.b])].filter((x) => !existsSync(join(lfw, 'lfw-a', x)));
    expect(missing).toEqual([]);
  });
  it('View 1: DevTrain 2,200 and DevTest 1,000 pairs with disjoint people', () => {
    const tr = parseLfwPairs(readFileSync(join(lfw, 'pairsDevTrain.txt'), 'utf8'), 'pairsDevTrain.txt');
    const te = parseLfwPairs(readFileSync(join(lfw, 'pairsDevTest.txt'), 'utf8'), 'pairsDevTest.txt');
    expect([tr.a.length, te.a.length, tr.nFolds]).toEqual([2200, 1000, 1]);
    const people = (p: typeof tr) => new Set([...p.a, ...p.b].map((x) => x.split('/')[0]));
    const a = people(tr);
    expect([...people(te)].filter((x) => a.has(x))).toEqual([]);
  });
  it('a perfect scorer gives 100 %, a random one about 50 %', () => {
    const p = parseLfwPairs(readFileSync(join(lfw, 'pairs.txt'), 'utf8'), 'pairs.txt');
    const perfect = evaluatePairScores(
      Float32Array.from(p.label, (l) => l + 0.1),
      p.label,
      p.fold,
      10,
    );
    expect(perfect.accuracy!.mean).toBe(1);
    expect(perfect.accuracy!.std).toBe(0);
    expect(perfect.auc).toBe(1);
    expect(perfect.eer).toBe(0);
    const rng = new Rng(1);
    const rnd = evaluatePairScores(
      Float32Array.from(p.label, () => rng.float()),
      p.label,
      p.fold,
      10,
    );
    expect(rnd.accuracy!.mean).toBeGreaterThan(0.46);
    expect(rnd.accuracy!.mean).toBeLessThan(0.54);
    expect(Math.abs(rnd.auc - 0.5)).toBeLessThan(0.03);
  });
});

describe('pairs file errors', () => {
  it('names the file and line', () => {
    expect(() => parseLfwPairs('2\t1\nA 1 2\nA 1 B 2\nC 1 2\nC 1\n', 'p.txt')).toThrow(/p\.txt:5: 2 fields, expected 'name1 i name2 j'/);
    expect(() => parseLfwPairs('2\t1\nA 1 2\nA 1 B 2\n', 'p.txt')).toThrow(/2 pair lines, the header promises 2 × 2 × 1 = 4/);
    expect(() => parseLfwPairs('1\nA x 2\nA 1 B 2\n', 'p.txt')).toThrow(/p\.txt:2: image number 'x'/);
    expect(() => parsePairList('a.jpg b.jpg 1\na.jpg,c.jpg,2\n', 'l.txt')).toThrow(PairsFormatError);
    const g = parsePairList('# masked pairs\na.jpg b.jpg 1\na.jpg,c.jpg,0,1\n', 'l.txt');
    expect([g.a, g.b, Array.from(g.label), Array.from(g.fold), g.nFolds]).toEqual([['a.jpg', 'a.jpg'], ['b.jpg', 'c.jpg'], [1, 0], [0, 1], 2]);
  });
});
