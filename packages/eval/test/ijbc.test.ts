import { describe, expect, it } from 'vitest';
import { syntheticIjbc } from '../src/protocols/ijbc-synthetic.ts';
import { evaluateIjbc11, parseFaceTidMid, parseTemplatePairs } from '../src/protocols/ijbc.ts';
import { featureTable } from '../src/protocols/ijba.ts';
import { verificationMetrics } from '../src/metrics/roc.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('IJB-C 1:1 (insightface meta files)', () => {
  it('parses the meta files from text and equals a direct media-pool computation', () => {
    const syn = syntheticIjbc({ seed: 2, templates: 60, pairs: 900, genuinePairs: 120, dim: 8, noise: 1.5 });
    const tidText = syn.meta.names.map((n, i) => `${n} ${syn.meta.templateId[i]} ${syn.meta.mediaId[i]}`).join('\n') + '\n';
    const pairText = Array.from(syn.pairs.a, (a, p) => `${a} ${syn.pairs.b[p]} ${syn.pairs.label[p]}`).join('\r\n');
    const meta = parseFaceTidMid(enc(tidText), 'tid.txt');
    const pairs = parseTemplatePairs(enc(pairText), 'pairs.txt');
    expect(meta.names).toEqual(syn.meta.names);
    expect(Array.from(pairs.b)).toEqual(Array.from(syn.pairs.b));
    // Drop one image's feature: its template may become empty or just smaller.
    const keep = syn.ids.map((_, i) => i).filter((i) => i !== 5);
    const feats = new Float32Array(keep.length * 8);
    keep.forEach((src, i) => feats.set(syn.features.subarray(src * 8, src * 8 + 8), i * 8));
    const table = featureTable(
      { data: feats, n: keep.length, dim: 8 },
      keep.map((i) => syn.ids[i]!),
    );
    const r = evaluateIjbc11(meta, pairs, table, { blockSize: 64 });
    expect(r.imagesWithoutFeature).toBe(1);
    // Direct reference: per template, per media mean of unit features, summed, normalised.
    const unit = (v: number[]) => {
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const tf = new Map<number, number[]>();
    const byT = new Map<number, { m: number; f: number[] }[]>();
    syn.meta.names.forEach((_, i) => {
      if (i === 5) return;
      const t = syn.meta.templateId[i]!;
      if (!byT.has(t)) byT.set(t, []);
      byT.get(t)!.push({ m: syn.meta.mediaId[i]!, f: unit(Array.from(syn.features.subarray(i * 8, i * 8 + 8))) });
    });
    for (const [t, imgs] of byT) {
      const sum = new Array(8).fill(0);
      for (const m of new Set(imgs.map((x) => x.m))) {
        const sel = imgs.filter((x) => x.m === m);
        for (let k = 0; k < 8; k++) sum[k] += sel.reduce((s, x) => s + x.f[k]!, 0) / sel.length;
      }
      tf.set(t, unit(sum));
    }
    const s: number[] = [],
      l: number[] = [];
    for (let p = 0; p < pairs.a.length; p++) {
      const x = tf.get(pairs.a[p]!),
        y = tf.get(pairs.b[p]!);
      if (!x || !y) continue;
      s.push(x.reduce((acc, v, k) => acc + v * y[k]!, 0));
      l.push(pairs.label[p]!);
    }
    const want = verificationMetrics(Float64Array.from(s), Uint8Array.from(l), { farTargets: [1e-3, 1e-2, 1e-1] });
    const got = evaluateIjbc11(meta, pairs, table, { farTargets: [1e-3, 1e-2, 1e-1] });
    expect(got.pairs).toBe(s.length);
    expect(got.metrics.auc).toBeCloseTo(want.auc, 5);
    got.metrics.tarAtFar.forEach((t, j) => {
      expect(t.nearest.tar).toBeCloseTo(want.tarAtFar[j]!.nearest.tar, 5);
      expect(t.interpolated).toBeCloseTo(want.tarAtFar[j]!.interpolated, 4);
    });
    expect(got.metrics.auc).toBeGreaterThan(0.7);
  });
  it('errors name the file and line', () => {
    expect(() => parseTemplatePairs(enc('1 2 1\n3 x 0\n'), 'p.txt')).toThrow(/p\.txt:2: field 2 'x' is not an integer/);
    expect(() => parseTemplatePairs(enc('1 2 1\n3 4 2\n'), 'p.txt')).toThrow(/p\.txt:2: label 2/);
    expect(() => parseFaceTidMid(enc('a.jpg 1 1\nb.jpg 2\n'), 't.txt')).toThrow(/t\.txt:2: 2 fields, expected 3/);
    const syn = syntheticIjbc({ seed: 1, templates: 4, templatesPerSubject: 2, pairs: 3, genuinePairs: 1, dim: 4 });
    const table = featureTable({ data: syn.features, n: syn.ids.length, dim: 4 }, syn.ids);
    expect(() => evaluateIjbc11(syn.meta, { file: 'p.txt', a: Int32Array.of(1, 99), b: Int32Array.of(2, 1), label: Uint8Array.of(1, 0) }, table)).toThrow(
      /p\.txt:2: template 99 is not in/,
    );
  });
});

describe('IJB-C 1:N (protocol CSVs)', async () => {
  const { parseTemplateCsv, evaluateIjbc1N } = await import('../src/protocols/ijbc-1n.ts');
  const { cmc, tpirAtFpir } = await import('../src/metrics/identification.ts');
  it('equals a direct computation per gallery (mean-feature and media-pool)', () => {
    const syn = syntheticIjbc({ seed: 7, templates: 120, templatesPerSubject: 4, pairs: 10, genuinePairs: 5, dim: 16, noise: 1.2 });
    // Subjects = t mod 30. G1: first template of even subjects, G2: of odd subjects < 20; probes: all other templates.
    const nSubj = 30;
    const rowsOf = (t: number) => syn.meta.names.map((_, i) => i).filter((i) => syn.meta.templateId[i] === t + 1);
    const csv = (ts: number[]) =>
      ['TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID', ...ts.flatMap((t) => rowsOf(t).map((i) => `${t + 1},${t % nSubj},loose_crop/${syn.meta.names[i]},${i}`))].join('\n');
    const g1 = Array.from({ length: 15 }, (_, k) => 2 * k),
      g2 = Array.from({ length: 10 }, (_, k) => 2 * k + 1);
    const probes = Array.from({ length: 120 }, (_, t) => t).filter((t) => t >= nSubj);
    const table = featureTable({ data: syn.features, n: syn.ids.length, dim: 16 }, syn.ids);
    const P = parseTemplateCsv(csv(probes), 'probe.csv');
    for (const score of ['mean-feature', 'media-pool'] as const) {
      const r = evaluateIjbc1N(
        P,
        [
          { name: 'G1', csv: parseTemplateCsv(csv(g1), 'g1.csv') },
          { name: 'G2', csv: parseTemplateCsv(csv(g2), 'g2.csv') },
        ],
        table,
        { score, media: syn.meta },
      );
      const unit = (v: number[]) => {
        const n = Math.hypot(...v);
        return v.map((x) => x / n);
      };
      const feat = (t: number) => {
        const imgs = rowsOf(t).map((i) => ({ m: syn.meta.mediaId[i]!, f: unit(Array.from(syn.features.subarray(i * 16, i * 16 + 16))) }));
        const groups = score === 'mean-feature' ? [imgs] : [...new Set(imgs.map((x) => x.m))].map((m) => imgs.filter((x) => x.m === m));
        const sum = new Array(16).fill(0);
        for (const g of groups) for (let k = 0; k < 16; k++) sum[k] += g.reduce((a, x) => a + x.f[k]!, 0) / (score === 'mean-feature' ? 1 : g.length);
        return unit(sum);
      };
      [g1, g2].forEach((gal, gi) => {
        const S = Float64Array.from(probes.flatMap((p) => gal.map((g) => feat(p).reduce((a, v, k) => a + v * feat(g)[k]!, 0))));
        const ps = probes.map((p) => p % nSubj),
          gs = gal.map((g) => g % nSubj);
        const c = cmc(S, ps, gs, [1, 5, 10]);
        const t = tpirAtFpir(S, ps, gs, [0.01, 0.1]);
        r.galleries[gi]!.rates.forEach((x, j) => expect(x).toBeCloseTo(c.rates[j]!, 6));
        r.galleries[gi]!.tpir.forEach((x, j) => expect(x.tpir).toBeCloseTo(t[j]!.tpir, 6));
        expect(r.galleries[gi]!.mated).toBe(c.nMated);
      });
      expect(r.mean['rank-1']).toBeCloseTo((r.galleries[0]!.rates[0]! + r.galleries[1]!.rates[0]!) / 2, 12);
      expect(r.galleries[0]!.rates[0]).toBeGreaterThan(0.3);
    }
    expect(() => parseTemplateCsv('TEMPLATE_ID,FILENAME\n1,a.jpg', 'x.csv')).toThrow(/x\.csv:1: header .* has no SUBJECT_ID column/);
    expect(() => parseTemplateCsv('TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,z,a.jpg', 'x.csv')).toThrow(/x\.csv:2: SUBJECT_ID 'z'/);
  });
});
