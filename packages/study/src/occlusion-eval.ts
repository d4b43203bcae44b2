/**
 * Occlusion read-outs on the DevTest pairs themselves: the second image of every pair covered by the
 * black 32 × 12 window of each face region (eval's `occlusionStudy`, windows moved through the images'
 * detected landmarks, 96 frame), scored against the clean first image, and called "same" at the threshold chosen on
 * DevTrain (from the model's `pairs` report). Accuracy per region, the drop from clean, and the
 * per-filter mean |Δf| that the sensitivity analysis uses.
 *
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Embedder } from '@interpret-fr/core';
import { decodeImageFile, occlusionStudy, parseLfwPairs } from '@interpret-fr/eval/node';
import { devTestLandmarks } from './prepare.ts';

/** Per-region read-outs. */
export interface OcclusionReadout {
  threshold: number;
  clean: { accuracy: number; auc: number };
  regions: Record<string, { accuracy: number; drop: number; auc: number; meanAbsDelta: number[] }>;
  meanDrop: number;
  pairs: number;
}

const accuracyAt = (s: Float32Array, l: Uint8Array, t: number): number => {
  let ok = 0;
  for (let i = 0; i < s.length; i++) if ((s[i]! >= t ? 1 : 0) === l[i]) ok++;
  return ok / s.length;
};

/** Runs the study for one ONNX model on the study cache's DevTest crops and landmarks; `threshold` comes from DevTrain. */
export async function occlusionOnDevTest(onnx: string, lfw: string, cache: string, threshold: number, outDir: string): Promise<OcclusionReadout> {
  const file = join(lfw, 'pairsDevTest.txt');
  const p = parseLfwPairs(await readFile(file, 'utf8'), file);
  const ids = [...new Set([...p.a, ...p.b])].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const images = await Promise.all(ids.map((id) => decodeImageFile(join(cache, 'eval96', id))));
  const lms = await devTestLandmarks(cache);
  const landmarks = ids.map((id) => {
    const l = lms.get(id);
    if (!l) throw new Error(`${id}: no aligned landmarks in ${cache}/aligned/list.txt`);
    return l;
  });
  const { createRecognizer } = await import('@interpret-fr/inference/node');
  const rec = (await createRecognizer(onnx)) as unknown as Embedder & { dispose?: () => Promise<void> };
  try {
    const pairs = { a: Int32Array.from(p.a, (id) => index.get(id)!), b: Int32Array.from(p.b, (id) => index.get(id)!), label: p.label };
    const r = await occlusionStudy(rec, images, pairs, { landmarks });
    const clean = accuracyAt(r.cleanScores, p.label, threshold);
    const regions: OcclusionReadout['regions'] = {};
    let sum = 0;
    r.perRegion.forEach((q, k) => {
      const acc = accuracyAt(q.scores, p.label, threshold);
      sum += clean - acc;
      regions[q.region] = { accuracy: acc, drop: clean - acc, auc: q.metrics.auc, meanAbsDelta: Array.from(r.meanAbsDelta.subarray(k * r.dim, (k + 1) * r.dim)) };
    });
    const out: OcclusionReadout = { threshold, clean: { accuracy: clean, auc: r.clean.auc }, regions, meanDrop: sum / r.perRegion.length, pairs: p.a.length };
    await mkdir(outDir, { recursive: true });
    await writeFile(
      join(outDir, 'report.json'),
      JSON.stringify(
        {
          protocol: 'LFW View 1 DevTest pairs, second image covered (black 32x12 window, 96 frame, through per-image detected landmarks), threshold from DevTrain',
          model: onnx,
          ...out,
        },
        null,
        2,
      ) + '\n',
    );
    return out;
  } finally {
    await rec.dispose?.();
  }
}
