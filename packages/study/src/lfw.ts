/**
 * The LFW-a protocol of the study (issue 13): who may be trained on.
 *
 * - Test: View 1 `pairsDevTest.txt`. Train: every person NOT named in it (4,786 people, 10,492 images).
 *   Threshold selection only on `pairsDevTrain.txt` (its people are disjoint from DevTest's).
 * - Crops: aligned by `interpret-fr-prepare` (see prepare.ts).
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';
import { parseLfwPairs, type PairList } from '@interpret-fr/eval';

/** One image of the LFW tree. */
export interface LfwImage {
  /** `Name/Name_0001.jpg`, relative to the LFW-a root (the id used by the pairs files). */
  id: string;
  person: string;
}

/** The study split. */
export interface LfwSplit {
  /** Training images (people not in DevTest), sorted by person then file. */
  train: LfwImage[];
  /** Training label of each training image (index of its person among the training people, sorted). */
  labels: Int32Array;
  /** Training people, sorted (label = index). */
  people: string[];
  /** People with ≥ 2 training images. */
  multiImagePeople: number;
  devTest: PairList;
  devTrain: PairList;
  /** People named in DevTest (never trained on). */
  testPeople: Set<string>;
}

/** Person name of an LFW id `Name/Name_0001.jpg`. */
export const personOf = (id: string): string => id.slice(0, id.indexOf('/'));

/** Lists every image of an LFW-a tree (`<root>/<Name>/<Name>_NNNN.jpg`), sorted. */
export async function listLfw(root: string): Promise<LfwImage[]> {
  const people = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const out: LfwImage[] = [];
  for (const p of people) {
    const files = (await readdir(join(root, p))).filter((f) => f.toLowerCase().endsWith('.jpg')).sort();
    for (const f of files) out.push({ id: `${p}/${f}`, person: p });
  }
  if (out.length === 0) throw new InterpretFrError(`${root}: no LFW images (<Name>/<Name>_NNNN.jpg) found`);
  return out;
}

/**
 * Builds the study split from an LFW folder holding `lfw-a/`, `pairsDevTest.txt` and `pairsDevTrain.txt`.
 * Throws if a DevTest person leaks into training (checked, not assumed).
 */
export async function lfwSplit(lfwDir: string): Promise<LfwSplit> {
  const devTestPath = join(lfwDir, 'pairsDevTest.txt');
  const devTrainPath = join(lfwDir, 'pairsDevTrain.txt');
  const devTest = parseLfwPairs(await readFile(devTestPath, 'utf8'), devTestPath);
  const devTrain = parseLfwPairs(await readFile(devTrainPath, 'utf8'), devTrainPath);
  const testPeople = new Set<string>([...devTest.a, ...devTest.b].map(personOf));
  const all = await listLfw(join(lfwDir, 'lfw-a'));
  const train = all.filter((im) => !testPeople.has(im.person));
  const people = [...new Set(train.map((im) => im.person))].sort();
  const index = new Map(people.map((p, i) => [p, i]));
  const labels = Int32Array.from(train, (im) => index.get(im.person)!);
  const counts = new Map<string, number>();
  for (const im of train) counts.set(im.person, (counts.get(im.person) ?? 0) + 1);
  let multi = 0;
  for (const c of counts.values()) if (c >= 2) multi++;
  for (const im of train) if (testPeople.has(im.person)) throw new InterpretFrError(`protocol violation: DevTest person ${im.person} in the training set`);
  return { train, labels, people, multiImagePeople: multi, devTest, devTrain, testPeople };
}
