import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';
import { readFeatures, readIjbaProtocol, writeFeatures, writeFileMap } from '../src/io/files.ts';
import { evaluateIjba, featureTable, numericFeatureTable, numericIds } from '../src/protocols/ijba.ts';
import { evaluateIjbaParallel } from '../src/protocols/ijba-parallel.ts';
import { InterpretFrError } from '@interpret-fr/core';
import { tiedProtocol } from './helpers/tied-protocol.ts';
import { IjbaFormatError, parseIjbaComparisons, parseIjbaMetadata, IJBA_COLUMNS } from '../src/protocols/ijba-csv.ts';
import { TEMPLATE_SCORES } from '../src/scores/template-scores.ts';
import { verificationMetrics } from '../src/metrics/roc.ts';
import { cmc } from '../src/metrics/identification.ts';

describe('IJB-A on a synthetic split with known metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ijba-'));
  const syn = syntheticIjba({ seed: 1, splits: 3, subjects: 24, gallerySubjects: 14, templatesPerSubject: 4, missingTemplates: 1 });
  await writeFileMap(join(dir, 'protocol'), syn.files);
  await writeFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'), { data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
  const splits = await readIjbaProtocol(join(dir, 'protocol'), [1, 2, 3]);
  const { features, ids } = await readFeatures(join(dir, 'f.npy'), join(dir, 'ids.txt'));
  const table = featureTable(features, ids);

  for (const score of TEMPLATE_SCORES) {
    for (const subset of ['all', 'natural-occlusion'] as const) {
      it(`${score}, ${subset}: every metric equals the closed form`, () => {
        const { summary, perSplit } = evaluateIjba(splits, table, { score, subset });
        const exp = subset === 'all' ? syn.expected.all : syn.expected.naturalOcclusion;
        perSplit.forEach((r, s) => {
          const e = exp[s]!;
          expect(e.tar).toBeLessThan(1); // the split really has bad genuine pairs
          for (const t of r.verify.tarAtFar) {
            expect(t.nearest.tar).toBeCloseTo(e.tar, 9);
            expect(t.interpolated).toBeCloseTo(e.tar, 9);
          }
          expect(r.verify.auc).toBeCloseTo(e.auc, 9);
          expect(r.verify.eer).toBeCloseTo(e.eer, 9);
          expect(r.verify.pairs).toBe(e.pairs);
          expect(r.verify.skippedPairs).toBe(e.skippedPairs);
          expect(r.verify.skippedPairs).toBeGreaterThan(0);
          expect(r.search.probes).toBe(e.probes);
          expect(r.search.mated).toBe(e.mated);
          expect(r.search.skippedProbes).toBe(e.skippedProbes);
          r.search.ranks.forEach((k, j) => expect(r.search.rates[j]).toBeCloseTo(e.rank(k), 12));
          for (const t of r.search.tpir) expect(t.tpir).toBeCloseTo(e.tpir, 12);
        });
        const tars = exp.map((e) => e.tar);
        const mean = tars.reduce((a, b) => a + b, 0) / tars.length;
        expect(summary.verify['tar@far=0.01']!.nearest.mean).toBeCloseTo(mean, 9);
        expect(summary.verify['tar@far=0.001']!.interpolated.splits).toHaveLength(3);
        const sd = Math.sqrt(tars.reduce((a, b) => a + (b - mean) ** 2, 0) / (tars.length - 1));
        expect(summary.verify['tar@far=0.001']!.nearest.std).toBeCloseTo(sd, 9);
        expect(summary.search['rank-1']!.mean).toBeCloseTo(exp.reduce((a, e) => a + e.rank(1), 0) / 3, 12);
        expect(Object.keys(summary.search)).toEqual(['rank-1', 'rank-5', 'rank-10', 'tpir@fpir=0.01', 'tpir@fpir=0.1']);
      });
    }
  }

  it('a subset that leaves no genuine or no impostor pair is a data error naming the comparisons file and the split, not a crash', async () => {
    // Every image fully visible: --subset natural-occlusion keeps no image, so every comparison has an empty template.
    const visible = splits.map((s) => ({ ...s, verifyMetadata: { ...s.verifyMetadata, visibility: new Float32Array(s.verifyMetadata.visibility.length).fill(1) } }));
    const message = `${visible[0]!.comparisons.file}: split 1: 0 genuine and 0 impostor pairs left to score (${visible[0]!.comparisons.a.length} of ${visible[0]!.comparisons.a.length} compare a template with no image in --subset natural-occlusion); TAR@FAR needs both`;
    const inProcess = (() => {
      try {
        evaluateIjba(visible, table, { subset: 'natural-occlusion' });
      } catch (e) {
        return e;
      }
    })();
    expect(inProcess).toBeInstanceOf(InterpretFrError);
    expect((inProcess as InterpretFrError).code).toBe('data');
    expect((inProcess as Error).message).toBe(message);
    const pooled = await evaluateIjbaParallel(visible, table, { subset: 'natural-occlusion' }, { threads: 2 }).catch((e: unknown) => e);
    expect(pooled).toBeInstanceOf(InterpretFrError);
    expect((pooled as Error).message).toBe(message);
  }, 60_000);

  it('noisy features: the pipeline equals a direct computation (brute-force template loops + metrics)', () => {
    const noisy = syntheticIjba({ seed: 4, splits: 1, subjects: 12, gallerySubjects: 8, mode: 'noisy', noise: 0.08, dim: 16, missingTemplates: 0 });
    const sp = [
      {
        split: 1,
        verifyMetadata: parseIjbaMetadata(noisy.files.get('split1/verify_metadata_1.csv')!, 'vm'),
        comparisons: parseIjbaComparisons(noisy.files.get('split1/verify_comparisons_1.csv')!, 'vc'),
        probe: parseIjbaMetadata(noisy.files.get('split1/search_probe_1.csv')!, 'sp'),
        gallery: parseIjbaMetadata(noisy.files.get('split1/search_gallery_1.csv')!, 'sg'),
      },
    ];
    const tab = featureTable({ data: noisy.features, n: noisy.ids.length, dim: noisy.dim }, noisy.ids);
    const r = evaluateIjba(sp, tab, { score: 'set-min-mean' }).perSplit[0]!;
    // Direct: template → list of unit features, s3 by loops.
    const feat = (sid: number) => {
      const i = tab.index.get(String(sid))!;
      const v = Array.from(noisy.features.subarray(i * 16, i * 16 + 16));
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const group = (m: (typeof sp)[0]['probe']) => {
      const g = new Map<number, { subj: number; f: number[][] }>();
      for (let i = 0; i < m.n; i++) {
        const t = m.templateId[i]!;
        if (!g.has(t)) g.set(t, { subj: m.subjectId[i]!, f: [] });
        g.get(t)!.f.push(feat(m.sightingId[i]!));
      }
      return g;
    };
    const s3 = (A: number[][], B: number[][]) => {
      const C = A.map((a) => B.map((b) => a.reduce((s, v, k) => s + v * b[k]!, 0)));
      const r1 = C.map((row) => Math.max(...row));
      const c1 = B.map((_, j) => Math.max(...C.map((row) => row[j]!)));
      return [...r1, ...c1].reduce((s, v) => s + v, 0) / (A.length + B.length);
    };
    const V = group(sp[0]!.verifyMetadata);
    const c = sp[0]!.comparisons;
    const scores = Float64Array.from(c.a, (a, p) => s3(V.get(a)!.f, V.get(c.b[p]!)!.f));
    const labels = Uint8Array.from(c.a, (a, p) => (V.get(a)!.subj === V.get(c.b[p]!)!.subj ? 1 : 0));
    const vm = verificationMetrics(scores, labels, { farTargets: [1e-2, 1e-3] });
    r.verify.tarAtFar.forEach((t, j) => {
      expect(t.nearest.tar).toBeCloseTo(vm.tarAtFar[j]!.nearest.tar, 6);
      expect(t.interpolated).toBeCloseTo(vm.tarAtFar[j]!.interpolated, 4);
    });
    expect(r.verify.auc).toBeCloseTo(vm.auc, 5);
    const P = [...group(sp[0]!.probe).values()],
      G = [...group(sp[0]!.gallery).values()];
    const M = Float64Array.from(P.flatMap((p) => G.map((g) => s3(p.f, g.f))));
    const c1 = cmc(
      M,
      P.map((p) => p.subj),
      G.map((g) => g.subj),
      [1, 5, 10],
    );
    expect(r.search.rates).toEqual(c1.rates);
    expect(r.verify.tarAtFar[0]!.nearest.tar).toBeGreaterThan(0.2);
  });
});

describe('IJB-A CSV errors name the file and the line', () => {
  const header = IJBA_COLUMNS.join(',');
  const good = '1,2,img/1.jpg,3,4,,10,10,50,50,,,,,,,,1,1,1,,,,,';
  it('parses empty fields as NaN / -1', () => {
    const m = parseIjbaMetadata(`${header}\n${good}\n`, 'm.csv');
    expect(m.n).toBe(1);
    expect(m.frame[0]).toBeNaN();
    expect(m.landmarks[0]).toBeNaN();
    expect(Array.from(m.bbox)).toEqual([10, 10, 50, 50]);
  });
  it.each([
    [`${header}\n${good}\n1,2,img/1.jpg,3`, /m\.csv:3: 4 fields, expected 25/],
    [`${header}\n${good}\nx,2,img/1.jpg,3,4,,10,10,50,50,,,,,,,,1,1,1,,,,,`, /m\.csv:3: TEMPLATE_ID = 'x', expected an integer/],
    [`${header}\n1,2,img/1.jpg,3,4,,10,abc,50,50,,,,,,,,1,1,1,,,,,`, /m\.csv:2: FACE_Y = 'abc'/],
    [`${header}\n1,,img/1.jpg,3,4,,10,10,50,50,,,,,,,,1,1,1,,,,,`, /m\.csv:2: SUBJECT_ID is empty/],
    [`TEMPLATE_ID,SUBJECT\n${good}`, /m\.csv:1: header is/],
  ])('malformed metadata %#', (text, re) => {
    expect(() => parseIjbaMetadata(text, 'm.csv')).toThrow(IjbaFormatError);
    expect(() => parseIjbaMetadata(text, 'm.csv')).toThrow(re);
  });
  it('malformed comparisons', () => {
    expect(() => parseIjbaComparisons('1,2\n3,4,5\n', 'c.csv')).toThrow(/c\.csv:2: 3 fields/);
    expect(() => parseIjbaComparisons('1,2\n\n3,z\n', 'c.csv')).toThrow(/c\.csv:3: second TEMPLATE_ID = 'z'/);
  });
  it('a missing split file is named', async () => {
    await expect(readIjbaProtocol('/nonexistent-ijba', [2])).rejects.toThrow(/split2\/verify_metadata_2\.csv/);
  });
  it('npy round trip and header validation', async () => {
    const { encodeNpy, decodeNpy } = await import('../src/io/npy.ts');
    const a = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 1);
    const b = encodeNpy(a, 3, 4);
    expect((10 + new DataView(b.buffer).getUint16(8, true)) % 64).toBe(0);
    const d = decodeNpy(b);
    expect(d.n).toBe(3);
    expect(d.dim).toBe(4);
    expect(Array.from(d.data)).toEqual(Array.from(a));
    const bad = new Uint8Array(b);
    const txt = new TextDecoder().decode(bad.subarray(10, 60)).replace('<f4', '<f8');
    bad.set(new TextEncoder().encode(txt), 10);
    expect(() => decodeNpy(bad, 'x.npy')).toThrow(/x\.npy: dtype '<f8', expected '<f4'/);
    const fo = new Uint8Array(b);
    fo.set(new TextEncoder().encode(new TextDecoder().decode(fo.subarray(10, 60)).replace('False', 'True ')), 10);
    expect(() => decodeNpy(fo, 'y.npy')).toThrow(/fortran_order is True/);
    expect(() => decodeNpy(b.subarray(0, b.length - 4), 'z.npy')).toThrow(/z\.npy: data has 44 bytes/);
    // A file written by NumPy 1.x (header from np.save of np.zeros((2,3), np.float32)).
    const h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const np = new Uint8Array(128 + 24);
    np.set([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
    np.set(new TextEncoder().encode(h.padEnd(117, ' ') + '\n'), 10);
    expect(decodeNpy(np).n).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    writeFileSync(join(dir, 'a.npy'), b);
    writeFileSync(join(dir, 'a.txt'), 'x\ny\n');
    await expect(readFeatures(join(dir, 'a.npy'), join(dir, 'a.txt'))).rejects.toThrow(/2 ids but .*a\.npy has 3 rows/);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('x\ny\n');
  });
});

describe('numeric sighting ids (numericIds, numericFeatureTable)', () => {
  it('reads canonical integer ids as numbers, and nothing else', () => {
    const f = { data: new Float32Array(3 * 2), n: 3, dim: 2 };
    expect(Array.from(numericIds(featureTable(f, ['12', '0', '123456789'])) ?? [])).toEqual([12, 0, 123456789]);
    for (const odd of ['007', '1e3', 'x', ' 5', '5.0', '9007199254740993']) expect(numericIds(featureTable(f, ['1', odd, '2']))).toBeNull();
  });
  it('a table over numeric ids gives the same report as a table looked up by string, with dense or sparse ids', () => {
    const { splits, table } = tiedProtocol(8, 2);
    const byRow = [...table.index].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    const { data, dim } = table.features;
    // The reference looks ids up as strings: one extra (zero) row with a non-numeric id makes numericIds null.
    const stringTable = (rows: number[], ids: string[]) => {
      const d = new Float32Array((rows.length + 1) * dim);
      rows.forEach((r, i) => d.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
      const t = featureTable({ data: d, n: rows.length + 1, dim }, [...ids, 'not-a-number']);
      expect(numericIds(t)).toBeNull();
      return t;
    };
    const all = byRow.map((_, r) => r);
    // All ids: the synthetic protocol has one far id (9·10⁸), so the numeric index is a Map.
    const want = evaluateIjba(splits, stringTable(all, byRow));
    const sparse = numericFeatureTable(table.features, numericIds(table)!);
    expect(Math.max(...numericIds(table)!)).toBeGreaterThan(1e8);
    expect(evaluateIjba(splits, sparse)).toEqual(want);
    expect(evaluateIjba(splits, table)).toEqual(want);
    // The string index is built on demand, with the same entries.
    expect([...sparse.index]).toEqual(byRow.map((id, r) => [id, r]));
    // Without the far id (a feature row no sighting uses): a dense table.
    const near = all.filter((r) => Number(byRow[r]) < 1e6);
    const nearIds = near.map((r) => byRow[r]!);
    const sub = { data: Float32Array.from(near.flatMap((r) => Array.from(data.subarray(r * dim, (r + 1) * dim)))), n: near.length, dim };
    const dense = numericFeatureTable(sub, Float64Array.from(nearIds, Number));
    const got = evaluateIjba(splits, dense);
    expect(got).toEqual(evaluateIjba(splits, stringTable(near, nearIds)));
    expect(got).toEqual(want);
  });
});
