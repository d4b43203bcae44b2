/**
 * Stage "teacher-eval": the pretrained teacher itself on the DevTest pairs, through
 * `interpret-fr-eval pairs --features --ids --train-pairs` (the same metrics code as the CNNs), from the
 * cached descriptors. A pair whose images have no descriptor yet is skipped and counted by the report.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { InterpretFrError } from '@interpret-fr/core';
import { join } from 'node:path';
import { writeFeatures } from '@interpret-fr/eval/node';
import { readTeacherCache } from './teacher.ts';
import { runLogged } from './pipeline.ts';

/** Writes the features and runs the evaluation; returns a one-line summary. */
export async function teacherBaseline(lfw: string, cacheFile: string, outDir: string, evalBin: string, repo: string): Promise<string> {
  const cache = await readTeacherCache(cacheFile);
  const ids = [...cache.keys()].sort();
  const data = new Float32Array(ids.length * 128);
  ids.forEach((id, i) => data.set(cache.get(id)!, i * 128));
  await mkdir(outDir, { recursive: true });
  const npy = join(outDir, 'features.npy');
  const idsFile = join(outDir, 'ids.txt');
  await writeFeatures(npy, idsFile, { data, n: ids.length, dim: 128 }, ids);
  const code = await runLogged(
    process.execPath,
    [evalBin, 'pairs', '--pairs', join(lfw, 'pairsDevTest.txt'), '--train-pairs', join(lfw, 'pairsDevTrain.txt'), '--features', npy, '--ids', idsFile, '--out', outDir],
    join(outDir, 'eval.log'),
    repo,
  );
  if (code !== 0) throw new InterpretFrError(`teacher-eval: interpret-fr-eval exited with ${code}; see ${join(outDir, 'eval.log')}`);
  return `${ids.length} descriptors; report ${join(outDir, 'report.json')}`;
}
