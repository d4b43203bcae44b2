/**
 * The second clean test: AT&T/ORL (40 people × 10 images, none of them in LFW), aligned by
 * `interpret-fr-prepare` like LFW-a (`<cache>/orl-aligned`), the centre 96 of each crop fed to the model.
 *
 * - **Closed-set rank-1**: gallery = image 1 of each person (40), probes = the other 360 images; a probe is
 *   right when its most similar gallery image (cosine) is its own person's.
 * - **Verification**: every pair of the 400 images (79,800 pairs, 1,800 genuine): AUC, EER, TAR@FAR = 1e-2
 *   (tie-grouped reading) from eval's `verificationMetrics`.
 *
 * Nothing is tuned on ORL: it is read once per model.
 *
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cropPixels, FRAME_SIZE, InterpretFrError, l2NormalizeRows, type Embedder, type Pixels } from '@interpret-fr/core';
import { decodeImageFile, verificationMetrics } from '@interpret-fr/eval/node';
import { EVAL_SIZE } from './prepare.ts';

/** `orl/report.json`. */
export interface OrlReadout {
  images: number;
  people: number;
  rank1: number;
  probes: number;
  verification: { pairs: number; genuine: number; auc: number; eer: number; tarAtFar1e2: number };
}

/** Rank-1 and verification from L2-normalised features (rows) and person labels; gallery = the first image of each person. */
export function orlMetrics(f: Float32Array, labels: Int32Array, dim: number): Omit<OrlReadout, 'images'> {
  const n = labels.length;
  const dotRows = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += f[i * dim + k]! * f[j * dim + k]!;
    return s;
  };
  const gallery = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!gallery.has(labels[i]!)) gallery.set(labels[i]!, i);
  const galleryRows = [...gallery.values()];
  let right = 0;
  let probes = 0;
  for (let i = 0; i < n; i++) {
    if (gallery.get(labels[i]!) === i) continue;
    probes++;
    let best = -Infinity;
    let who = -1;
    for (const g of galleryRows) {
      const s = dotRows(i, g);
      if (s > best) {
        best = s;
        who = labels[g]!;
      }
    }
    if (who === labels[i]) right++;
  }
  const pairs = (n * (n - 1)) / 2;
  const scores = new Float32Array(pairs);
  const same = new Uint8Array(pairs);
  let q = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++, q++) {
      scores[q] = dotRows(i, j);
      same[q] = labels[i] === labels[j] ? 1 : 0;
    }
  const m = verificationMetrics(scores, same, { farTargets: [1e-2] });
  let genuine = 0;
  for (const v of same) genuine += v;
  return {
    people: gallery.size,
    rank1: right / probes,
    probes,
    verification: { pairs, genuine, auc: m.auc, eer: m.eer, tarAtFar1e2: m.tarAtFar[0]!.nearest.tar },
  };
}

/** Embeds every aligned ORL image with the model and writes `<outDir>/report.json`. */
export async function orlEval(onnx: string, orlAligned: string, outDir: string): Promise<OrlReadout> {
  const listFile = join(orlAligned, 'list.txt');
  const lines = (await readFile(listFile, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
  if (lines.length === 0) throw new InterpretFrError(`${listFile}: no images`);
  const off = (FRAME_SIZE - EVAL_SIZE) / 2;
  const images: Pixels[] = [];
  const labels = new Int32Array(lines.length);
  for (const [i, l] of lines.entries()) {
    const [path, label] = l.split(',');
    const lab = Number(label);
    if (!path || !Number.isInteger(lab)) throw new InterpretFrError(`${listFile}:${i + 1}: expected 'crops/…png,label,…'`);
    const px = await decodeImageFile(join(orlAligned, path));
    images.push(cropPixels(px, off, off, EVAL_SIZE, EVAL_SIZE));
    labels[i] = lab;
  }
  const { createRecognizer } = await import('@interpret-fr/inference/node');
  const rec = (await createRecognizer(onnx)) as unknown as Embedder & { dispose?: () => Promise<void> };
  try {
    const rows: Float32Array[] = [];
    let dim = 0;
    for (let i = 0; i < images.length; i += 64) {
      const e = await rec.embed(images.slice(i, i + 64));
      dim = e.dim;
      rows.push(e.data.slice(0, e.n * e.dim));
    }
    const all = new Float32Array(images.length * dim);
    let o = 0;
    for (const r of rows) {
      all.set(r, o);
      o += r.length;
    }
    const f = l2NormalizeRows(all, images.length, dim);
    const out: OrlReadout = { images: images.length, ...orlMetrics(f, labels, dim) };
    await mkdir(outDir, { recursive: true });
    await writeFile(
      join(outDir, 'report.json'),
      `${JSON.stringify({ protocol: 'AT&T/ORL, aligned by interpret-fr-prepare, centre 96; rank-1: gallery = image 1 of each person, probes = the rest; verification: all pairs', model: onnx, ...out }, null, 2)}\n`,
    );
    return out;
  } finally {
    await rec.dispose?.();
  }
}
