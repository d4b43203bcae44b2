/**
 * A synthetic IJB-A protocol with the real protocol's size distribution (issue 14, method.md §6.4):
 * 500 subjects and ~25.8k unique sightings shared by all splits (stills and video frames; videos are
 * heavy-tailed, up to hundreds of frames), 320-d features; per split 167 test subjects, ≈ 18k verify
 * sightings in ≈ 1.9k templates, ≈ 11.7k comparisons (≈ 1.8k genuine), a closed-set gallery of 112
 * templates (≈ 2.8k sightings) and ≈ 1.8k probe templates (≈ 14k sightings). Templates are unions of
 * whole media (all frames of a video), so their sizes are heavy-tailed as in IJB-A. Bench-only.
 */
import { Rng } from '@interpret-fr/core';
import { formatIjbaMetadata, type IjbaComparisons, type IjbaMetadata, type IjbaRow } from '../src/protocols/ijba-csv.ts';
import type { IjbaSplitData } from '../src/protocols/ijba.ts';

interface Media {
  id: number;
  subject: number;
  sightings: number[];
}

export interface RealSizeIjba {
  splits: IjbaSplitData[];
  features: Float32Array;
  ids: string[];
  dim: number;
  /** CSV files of the protocol (relative path → text), for the CLI. */
  files(): Map<string, string>;
  stats: {
    sightings: number;
    perSplit: {
      verifyRows: number;
      verifyTemplates: number;
      pairs: number;
      genuine: number;
      probeRows: number;
      probeTemplates: number;
      galleryRows: number;
      galleryTemplates: number;
      maxTemplate: number;
      searchImagePairsM: number;
    }[];
  };
}

export function realSizeIjba(seed = 1, nSplits = 10, dim = 320): RealSizeIjba {
  const rng = new Rng(seed);
  const S = 500;
  // Media per subject: ~8 stills and ~5 videos whose frame counts are heavy-tailed (Pareto α ≈ 1.3, capped at 600).
  const media: Media[][] = [];
  const sightingSubject: number[] = [];
  const sightingMedia: number[] = [];
  let mediaId = 1;
  for (let s = 0; s < S; s++) {
    const ms: Media[] = [];
    const stills = 3 + rng.int(11);
    const videos = rng.int(11);
    for (let k = 0; k < stills + videos; k++) {
      const n = k < stills ? 1 : Math.min(600, Math.floor(2.6 / (1 - rng.float()) ** (1 / 1.3)));
      const m: Media = { id: mediaId++, subject: s, sightings: [] };
      for (let f = 0; f < n; f++) {
        m.sightings.push(sightingSubject.length);
        sightingSubject.push(s);
        sightingMedia.push(m.id);
      }
      ms.push(m);
    }
    media.push(ms);
  }
  const N = sightingSubject.length;
  // Features: subject centre + media offset + frame noise (cosines spread like a mid-quality model).
  const features = new Float32Array(N * dim);
  const centre = new Float32Array(dim);
  const off = new Float32Array(dim);
  for (let s = 0; s < S; s++) {
    for (let q = 0; q < dim; q++) centre[q] = rng.normal();
    for (const m of media[s]!) {
      for (let q = 0; q < dim; q++) off[q] = 2.5 * rng.normal();
      for (const i of m.sightings) for (let q = 0; q < dim; q++) features[i * dim + q] = centre[q]! + off[q]! + 2 * rng.normal();
    }
  }
  const ids = Array.from({ length: N }, (_, i) => String(100000 + i));
  let templateId = 1;
  const splits: IjbaSplitData[] = [];
  const rowsOf: { verify: IjbaRow[]; probe: IjbaRow[]; gallery: IjbaRow[]; pairs: [number, number][] }[] = [];
  const stats: RealSizeIjba['stats'] = { sightings: N, perSplit: [] };
  const template = (s: number, k: number): number[] => {
    const ms = media[s]!;
    const pick = new Set<number>();
    while (pick.size < Math.min(k, ms.length)) pick.add(rng.int(ms.length));
    return [...pick].flatMap((i) => ms[i]!.sightings);
  };
  const nMedia = (mean: number): number => {
    let k = 1;
    while (rng.float() < (mean - 1) / mean) k++;
    return k;
  };
  for (let sp = 1; sp <= nSplits; sp++) {
    const order = Array.from({ length: S }, (_, i) => i);
    for (let i = S - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const test = order.slice(0, 167);
    const gallerySubj = test.slice(0, 112);
    // Verify: ~11.5 templates per test subject, ~2.5 media each.
    const vT: { id: number; s: number; rows: number[] }[] = [];
    for (const s of test) {
      const n = 8 + rng.int(8);
      for (let t = 0; t < n; t++) vT.push({ id: templateId++, s, rows: template(s, nMedia(2.5)) });
    }
    const bySubj = new Map<number, number[]>();
    vT.forEach((t, i) => {
      if (!bySubj.has(t.s)) bySubj.set(t.s, []);
      bySubj.get(t.s)!.push(i);
    });
    const pairs: [number, number][] = [];
    let genuine = 0;
    while (genuine < 1800) {
      const s = test[rng.int(test.length)]!;
      const l = bySubj.get(s)!;
      const a = l[rng.int(l.length)]!;
      const b = l[rng.int(l.length)]!;
      if (a !== b) {
        pairs.push([vT[a]!.id, vT[b]!.id]);
        genuine++;
      }
    }
    while (pairs.length < 11_700) {
      const a = rng.int(vT.length);
      const b = rng.int(vT.length);
      if (vT[a]!.s !== vT[b]!.s) pairs.push([vT[a]!.id, vT[b]!.id]);
    }
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
    }
    // Search: one gallery template per gallery subject (~8.5 media), probes ~1.8k templates (~2 media).
    const gT = gallerySubj.map((s) => ({ id: templateId++, s, rows: template(s, nMedia(8.5)) }));
    const pT: { id: number; s: number; rows: number[] }[] = [];
    for (const s of test) {
      const n = 7 + rng.int(9);
      for (let t = 0; t < n; t++) pT.push({ id: templateId++, s, rows: template(s, nMedia(2.05)) });
    }
    const rowsFor = (ts: { id: number; s: number; rows: number[] }[]): IjbaRow[] =>
      ts.flatMap((t) =>
        t.rows.map((i) => ({
          templateId: t.id,
          subjectId: t.s + 1,
          file: `img/${ids[i]}.jpg`,
          mediaId: sightingMedia[i]!,
          sightingId: Number(ids[i]),
          frame: Number.NaN,
          bbox: [10, 10, 100, 120],
          landmarks: [40, 50, 80, 50, 60, 75],
          yaw: 0,
          visibility: [1, 1, 1],
        })),
      );
    const vr = rowsFor(vT);
    const pr = rowsFor(pT);
    const gr = rowsFor(gT);
    rowsOf.push({ verify: vr, probe: pr, gallery: gr, pairs });
    const meta = (rows: IjbaRow[], file: string): IjbaMetadata => {
      const n = rows.length;
      return {
        file,
        n,
        templateId: Int32Array.from(rows, (r) => r.templateId),
        subjectId: Int32Array.from(rows, (r) => r.subjectId),
        mediaId: Int32Array.from(rows, (r) => r.mediaId),
        sightingId: Int32Array.from(rows, (r) => r.sightingId),
        filename: rows.map((r) => r.file),
        frame: new Float64Array(n).fill(Number.NaN),
        bbox: new Float32Array(4 * n),
        landmarks: new Float32Array(6 * n),
        yaw: new Float32Array(n),
        visibility: new Float32Array(3 * n).fill(1),
        attributes: new Float32Array(5 * n).fill(Number.NaN),
        line: Int32Array.from({ length: n }, (_, i) => i + 2),
      };
    };
    const comparisons: IjbaComparisons = {
      file: `split${sp}/verify_comparisons_${sp}.csv`,
      a: Int32Array.from(pairs, (p) => p[0]),
      b: Int32Array.from(pairs, (p) => p[1]),
      line: Int32Array.from(pairs, (_, i) => i + 1),
    };
    splits.push({
      split: sp,
      verifyMetadata: meta(vr, `split${sp}/verify_metadata_${sp}.csv`),
      comparisons,
      probe: meta(pr, `split${sp}/search_probe_${sp}.csv`),
      gallery: meta(gr, `split${sp}/search_gallery_${sp}.csv`),
    });
    stats.perSplit.push({
      verifyRows: vr.length,
      verifyTemplates: vT.length,
      pairs: pairs.length,
      genuine,
      probeRows: pr.length,
      probeTemplates: pT.length,
      galleryRows: gr.length,
      galleryTemplates: gT.length,
      maxTemplate: Math.max(...[...vT, ...pT, ...gT].map((t) => t.rows.length)),
      searchImagePairsM: (pr.length * gr.length) / 1e6,
    });
  }
  return {
    splits,
    features,
    ids,
    dim,
    stats,
    files() {
      const m = new Map<string, string>();
      rowsOf.forEach((r, i) => {
        const s = i + 1;
        m.set(`split${s}/verify_metadata_${s}.csv`, formatIjbaMetadata(r.verify));
        m.set(`split${s}/search_probe_${s}.csv`, formatIjbaMetadata(r.probe));
        m.set(`split${s}/search_gallery_${s}.csv`, formatIjbaMetadata(r.gallery));
        m.set(`split${s}/verify_comparisons_${s}.csv`, r.pairs.map((p) => `${p[0]},${p[1]}`).join('\n') + '\n');
      });
      return m;
    },
  };
}
