/**
 * IJB-B/C 1:N identification from the protocol CSVs as insightface ships them
 * (`ijbc_1N_probe_mixed.csv`, `ijbc_1N_gallery_G1.csv`, `ijbc_1N_gallery_G2.csv`; header with at least
 * TEMPLATE_ID, SUBJECT_ID, FILENAME). Features are looked up by FILENAME, then by its base name (the
 * insightface loose crops are named by base name); media ids come from the tid/mid file when given.
 * Each gallery is evaluated on its own (closed-set CMC over the probes of its subjects, open-set
 * TPIR@FPIR with all other probes as non-mated), and the report averages the galleries.
 *
 * @module
 */
import { cmc, probeRanks, tpirAtFpir, type TpirAtFpir } from '../metrics/identification.ts';
import { buildTemplates } from '../scores/templates.ts';
import { prepareTemplates, scoreTemplateMatrix, type TemplateScore } from '../scores/template-scores.ts';
import { unitRows } from '../scores/simd.ts';
import type { FeatureTable } from './ijba.ts';
import { IjbcFormatError, type FaceTidMid } from './ijbc.ts';

/** One 1:N protocol CSV (one row per image). */
export interface TemplateCsv {
  file: string;
  templateId: Int32Array;
  subjectId: Int32Array;
  filename: string[];
}

/** Parses a 1:N CSV (columns found by header name; other columns ignored). */
export function parseTemplateCsv(text: string, file: string): TemplateCsv {
  const ls = text.split(/\r?\n/);
  const head = (ls[0] ?? '')
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toUpperCase());
  const col = (n: string): number => {
    const i = head.indexOf(n);
    if (i < 0) throw new IjbcFormatError(file, 1, `header '${ls[0]}' has no ${n} column`);
    return i;
  };
  const [ct, cs, cf] = [col('TEMPLATE_ID'), col('SUBJECT_ID'), col('FILENAME')];
  const t: number[] = [];
  const s: number[] = [];
  const f: string[] = [];
  for (let i = 1; i < ls.length; i++) {
    if (ls[i]!.trim() === '') continue;
    const v = ls[i]!.split(',');
    if (v.length < head.length) throw new IjbcFormatError(file, i + 1, `${v.length} fields, the header has ${head.length}`);
    const tid = Number(v[ct]);
    const sid = Number(v[cs]);
    const i32 = (x: number): boolean => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
    if (!i32(tid)) throw new IjbcFormatError(file, i + 1, `TEMPLATE_ID '${v[ct]}' is not a 32-bit integer`);
    if (!i32(sid)) throw new IjbcFormatError(file, i + 1, `SUBJECT_ID '${v[cs]}' is not a 32-bit integer`);
    t.push(tid);
    s.push(sid);
    f.push(v[cf]!.trim());
  }
  return { file, templateId: Int32Array.from(t), subjectId: Int32Array.from(s), filename: f };
}

/** Per-gallery and averaged 1:N results. */
export interface Ijbc1NResult {
  protocol: 'ijbc-1:N';
  score: TemplateScore;
  galleries: { name: string; ranks: number[]; rates: number[]; tpir: TpirAtFpir[]; probes: number; mated: number; gallery: number }[];
  mean: Record<string, number>;
  imagesWithoutFeature: number;
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** 1:N over each gallery (see module doc). */
export function evaluateIjbc1N(
  probe: TemplateCsv,
  galleries: readonly { name: string; csv: TemplateCsv }[],
  table: FeatureTable,
  opts: { score?: TemplateScore; media?: FaceTidMid; ranks?: readonly number[]; fpirTargets?: readonly number[] } = {},
): Ijbc1NResult {
  const score = opts.score ?? 'media-pool';
  const ranks = opts.ranks ?? [1, 5, 10];
  const fpir = opts.fpirTargets ?? [0.01, 0.1];
  const mediaByName = new Map<string, number>();
  if (opts.media) opts.media.names.forEach((n, i) => mediaByName.set(base(n), opts.media!.mediaId[i]!));
  let missing = 0;
  const f = table.features;
  const unit = unitRows(f.data, f.n, f.dim);
  const templates = (c: TemplateCsv) => {
    const rows = new Int32Array(c.filename.length);
    const media = new Int32Array(c.filename.length);
    c.filename.forEach((name, i) => {
      const r = table.index.get(name) ?? table.index.get(base(name));
      rows[i] = r ?? -1;
      if (r === undefined) missing++;
      media[i] = mediaByName.get(base(name)) ?? -1;
    });
    const T = buildTemplates(c.templateId, rows, media);
    const subj = new Map<number, number>();
    c.templateId.forEach((t, i) => subj.set(t, c.subjectId[i]!));
    return { T, subjects: Int32Array.from(T.ids, (id) => subj.get(id)!) };
  };
  const P = templates(probe);
  const pp = prepareTemplates(f, P.T, score, unit);
  const out: Ijbc1NResult['galleries'] = [];
  for (const g of galleries) {
    const G = templates(g.csv);
    const M = scoreTemplateMatrix(pp, prepareTemplates(f, G.T, score, unit));
    // Templates with no feature at all (NaN rows/columns) are dropped.
    const nG = G.subjects.length;
    const okP: number[] = [];
    for (let p = 0; p < P.subjects.length; p++) if (P.T.offsets[p + 1]! > P.T.offsets[p]!) okP.push(p);
    const okG: number[] = [];
    for (let q = 0; q < nG; q++) if (G.T.offsets[q + 1]! > G.T.offsets[q]!) okG.push(q);
    const S = new Float32Array(okP.length * okG.length);
    okP.forEach((p, i) =>
      okG.forEach((q, j) => {
        S[i * okG.length + j] = M[p * nG + q]!;
      }),
    );
    const ps = Int32Array.from(okP, (p) => P.subjects[p]!);
    const gs = Int32Array.from(okG, (q) => G.subjects[q]!);
    const c = cmc(S, ps, gs, ranks);
    const pr = probeRanks(S, ps, gs);
    const tp = pr.nMated < ps.length ? tpirAtFpir(S, ps, gs, fpir, pr) : fpir.map((target) => ({ target, tpir: Number.NaN, fpir: Number.NaN, threshold: Number.NaN }));
    out.push({ name: g.name, ranks: [...ranks], rates: c.rates, tpir: tp, probes: ps.length, mated: c.nMated, gallery: gs.length });
  }
  const mean: Record<string, number> = {};
  ranks.forEach((k, j) => {
    mean[`rank-${k}`] = out.reduce((a, g) => a + g.rates[j]!, 0) / out.length;
  });
  fpir.forEach((t, j) => {
    mean[`tpir@fpir=${t}`] = out.reduce((a, g) => a + g.tpir[j]!.tpir, 0) / out.length;
  });
  return { protocol: 'ijbc-1:N', score, galleries: out, mean, imagesWithoutFeature: missing };
}
