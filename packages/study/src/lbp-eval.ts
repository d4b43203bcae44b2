/**
 * Stage "lbp": the LBP baseline on the same DevTest pairs and evaluation crops as the CNNs, the
 * threshold chosen on DevTrain, scores = −χ². Writes `report.json` / `report.md` with the keys of an
 * `interpret-fr-eval pairs` report (auc, verify, trainThreshold).
 *
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseLfwPairs, trainTestAccuracy, verificationMetrics, type PairList } from '@interpret-fr/eval';
import { chiSquare, lbpDescriptor } from './lbp.ts';

async function greyOf(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

function scores(p: PairList, desc: Map<string, Float32Array>): { s: Float64Array; l: Uint8Array } {
  const s = new Float64Array(p.a.length);
  for (let k = 0; k < p.a.length; k++) s[k] = -chiSquare(desc.get(p.a[k]!)!, desc.get(p.b[k]!)!);
  return { s, l: p.label };
}

/** Runs the baseline; returns the DevTest accuracy at the DevTrain threshold, AUC and TAR@FAR=1e-2. */
export async function lbpBaseline(lfw: string, eval96: string, outDir: string): Promise<{ accuracy: number; auc: number; tar: number }> {
  const read = async (f: string) => parseLfwPairs(await readFile(join(lfw, f), 'utf8'), join(lfw, f));
  const test = await read('pairsDevTest.txt');
  const train = await read('pairsDevTrain.txt');
  const ids = [...new Set([...test.a, ...test.b, ...train.a, ...train.b])];
  const desc = new Map<string, Float32Array>();
  for (const id of ids) {
    const g = await greyOf(join(eval96, id));
    desc.set(id, lbpDescriptor(g.data, g.width, g.height));
  }
  const te = scores(test, desc);
  const tr = scores(train, desc);
  const tt = trainTestAccuracy(tr.s, tr.l, te.s, te.l);
  const vm = verificationMetrics(te.s, te.l, { farTargets: [1e-3, 1e-2] });
  const verify: Record<string, { nearest: number; interpolated: number }> = {};
  for (const t of vm.tarAtFar) verify[`tar@far=${t.target}`] = { nearest: t.nearest.tar, interpolated: t.interpolated };
  const report = {
    protocol: 'lfw-view1',
    method: 'LBP u2 P8 R2, 7x7 cells, per-cell normalised histograms, chi-square distance (score = -chi2)',
    images: 'study eval crops (96x96 centre of the 110 frame)',
    auc: vm.auc,
    eer: vm.eer,
    verify,
    trainThreshold: { file: train.file, pairs: train.a.length, skippedPairs: 0, ...tt },
    counts: { pairs: test.a.length },
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(
    join(outDir, 'report.md'),
    `# LBP baseline (DevTest)\n\n${report.method}\n\nAccuracy at the DevTrain threshold: **${(100 * tt.accuracy).toFixed(2)} %** (train ${(100 * tt.trainAccuracy).toFixed(2)} %); AUC ${(100 * vm.auc).toFixed(2)} %; TAR@FAR=1e-2 ${(100 * (verify['tar@far=0.01']?.nearest ?? NaN)).toFixed(2)} %\n`,
  );
  return { accuracy: tt.accuracy, auc: vm.auc, tar: verify['tar@far=0.01']?.nearest ?? Number.NaN };
}
