/**
 * `interpret-fr-eval ijba | pairs | ijbc`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alignIjba } from '../align.ts';
import { decodeImageFile } from '../io/images.ts';
import { readIjbaProtocol } from '../io/files.ts';
import { evaluateIjba, type IjbaSubset } from '../protocols/ijba.ts';
import { evaluateIjbc11, parseFaceTidMid, parseTemplatePairs } from '../protocols/ijbc.ts';
import { evaluateIjbc1N, parseTemplateCsv } from '../protocols/ijbc-1n.ts';
import { evaluatePairs, parseLfwPairs, parsePairList } from '../protocols/pairs.ts';
import { DEFINITIONS, ijbaFigures, ijbaMarkdown, ijbaReport, pairsMarkdown, pairsReport } from '../report/reports.ts';
import { lineChartSvg } from '../report/svg.ts';
import { checksums, writeReport } from '../report/write.ts';
import { TEMPLATE_SCORES, type TemplateScore } from '../scores/template-scores.ts';
import { PathOutsideRootError, resolveUnderRoot, staysUnderRoot } from '@interpret-fr/core/node';
import { args, featuresFrom, need, splitsOpt, UsageError, type CliIo } from './common.ts';

const EXTRACT = ['model', 'images', 'cache', 'batch', 'workers', 'align'];

function scoreOpt(v: Record<string, unknown>, def: TemplateScore): TemplateScore {
  const s = (v.score as string | undefined) ?? def;
  if (!TEMPLATE_SCORES.includes(s as TemplateScore)) throw new UsageError(`--score '${s}', expected one of ${TEMPLATE_SCORES.join(', ')}`);
  return s as TemplateScore;
}

export const IJBA_HELP = `interpret-fr-eval ijba --protocol <dir: split{N}/*_N.csv, or the original release's {verify,search}/split{N}/*_N.mat> (--features <file.npy> --ids <ids.txt> | --model <file.onnx> --images <root>) --out <dir>
  --score set-min-mean|set-min-mean-matlab|mean-feature|media-pool   template score (default set-min-mean)
  --subset all|natural-occlusion   images kept (default all)
  --splits 1,2,…                   splits to evaluate (default 1..10)
  --align ijba-similarity|pass-through   alignment when extracting (default ijba-similarity)
  --cache <dir> --batch <n> --workers <n>   extraction cache (default <out>/features-cache), batch, ORT workers
  --allow-outside-root             accept FILE paths with '..' or absolute paths (default: refused)
Writes <out>/report.json (verify["tar@far=0.01"|"tar@far=0.001"][matlab|nearest|interpolated] = {mean,std,splits},
search["rank-1"|"rank-5"|"rank-10"|"tpir@fpir=0.01"|"tpir@fpir=0.1"], auc, eer; fractions in [0,1]), report.md, roc.svg, cmc.svg.
`;

/** `ijba` subcommand. */
export async function ijbaCommand(argv: string[], io: CliIo): Promise<number> {
  const v = args(argv, ['protocol', 'features', 'ids', 'out', 'score', 'subset', 'splits', ...EXTRACT], ['allow-outside-root']);
  if (v.help) {
    io.out(IJBA_HELP);
    return 0;
  }
  const protocol = need(v, 'protocol');
  const out = need(v, 'out');
  const score = scoreOpt(v, 'set-min-mean');
  const subset = ((v.subset as string | undefined) ?? 'all') as IjbaSubset;
  if (subset !== 'all' && subset !== 'natural-occlusion') throw new UsageError(`--subset '${subset}', expected all or natural-occlusion`);
  const splitList = splitsOpt(v, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const splits = await readIjbaProtocol(protocol, splitList);
  const align = (v.align as string | undefined) ?? (typeof v.model === 'string' ? 'ijba-similarity' : 'precomputed features');
  if (typeof v.model === 'string' && align !== 'ijba-similarity' && align !== 'pass-through') throw new UsageError(`--align '${align}', expected ijba-similarity or pass-through`);
  // One row of metadata per sighting, for extraction.
  const rows = new Map<string, { file: string; where: string; bbox: Float32Array; lm: Float32Array }>();
  const allowOutside = v['allow-outside-root'] === true;
  for (const s of splits)
    for (const m of [s.verifyMetadata, s.probe, s.gallery])
      for (let r = 0; r < m.n; r++) {
        const id = String(m.sightingId[r]);
        const where = `${m.file}:${m.line[r]}`;
        // Checked on every row (not only the one extracted): a FILE that leaves the root is a broken protocol.
        if (!allowOutside && !staysUnderRoot(m.filename[r]!))
          throw new PathOutsideRootError(`${where} (FILE)`, m.filename[r]!, typeof v.images === 'string' ? v.images : '--images');
        if (!rows.has(id)) {
          rows.set(id, { file: m.filename[r]!, where, bbox: m.bbox.slice(4 * r, 4 * r + 4), lm: m.landmarks.slice(6 * r, 6 * r + 6) });
        }
      }
  const { table, model, data } = await featuresFrom(
    v,
    io,
    out,
    async () => [...rows.keys()],
    (mdl) => async (id) => {
      const row = rows.get(id)!;
      const px = await decodeImageFile(resolveUnderRoot(v.images as string, row.file, { where: `${row.where} (FILE)`, allowOutsideRoot: allowOutside }));
      return align === 'pass-through' ? px : alignIjba(px, row.bbox, row.lm, mdl.inputSize);
    },
  );
  const { summary, perSplit } = evaluateIjba(splits, table, { score, subset });
  const ctx = { alignment: align, model, data: await checksums({ ...data, protocol }) };
  const files = await writeReport(out, ijbaReport(summary, perSplit, ctx), ijbaMarkdown(summary, ctx), ijbaFigures(perSplit));
  io.out(`${ijbaMarkdown(summary, ctx)}\nwrote ${files.join(', ')}\n`);
  return 0;
}

export const PAIRS_HELP = `interpret-fr-eval pairs --pairs <pairs.txt> (--features <file.npy> --ids <ids.txt> | --model <file.onnx> --images <root>) --out <dir>
  --format lfw|list   pairs.txt View 1/2 (header '10\\t300' or '1100'), or a generic 'path1 path2 label [fold]' list (default: lfw
                      when the first line is a header)
  ids are image paths relative to the data root (Name/Name_0001.jpg); --images <root> is that root.
  --allow-outside-root   accept ids with '..' or absolute paths (default: refused)
Writes <out>/report.json (accuracy = {mean,std,folds} with std N-1, auc, eer, verify["tar@far=…"]), report.md, roc.svg.
`;

/** `pairs` subcommand. */
export async function pairsCommand(argv: string[], io: CliIo): Promise<number> {
  const v = args(argv, ['pairs', 'features', 'ids', 'out', 'format', ...EXTRACT], ['allow-outside-root']);
  if (v.help) {
    io.out(PAIRS_HELP);
    return 0;
  }
  const pairsPath = need(v, 'pairs');
  const out = need(v, 'out');
  const text = await readFile(pairsPath, 'utf8');
  const fmt = (v.format as string | undefined) ?? (/^\s*\d+(\s+\d+)?\s*$/.test(text.split(/\r?\n/)[0] ?? '') ? 'lfw' : 'list');
  if (fmt !== 'lfw' && fmt !== 'list') throw new UsageError(`--format '${fmt}', expected lfw or list`);
  const pairs = fmt === 'lfw' ? parseLfwPairs(text, pairsPath) : parsePairList(text, pairsPath);
  const allowOutside = v['allow-outside-root'] === true;
  const whereOf = new Map<string, string>();
  pairs.a.forEach((id, k) => {
    if (!whereOf.has(id)) whereOf.set(id, `${pairsPath}:${pairs.line[k]}`);
  });
  pairs.b.forEach((id, k) => {
    if (!whereOf.has(id)) whereOf.set(id, `${pairsPath}:${pairs.line[k]}`);
  });
  if (!allowOutside) for (const [id, where] of whereOf) if (!staysUnderRoot(id)) throw new PathOutsideRootError(where, id, typeof v.images === 'string' ? v.images : '--images');
  const { table, model, data } = await featuresFrom(
    v,
    io,
    out,
    async () => [...whereOf.keys()],
    () => (id) => decodeImageFile(resolveUnderRoot(v.images as string, id, { where: whereOf.get(id)!, allowOutsideRoot: allowOutside })),
  );
  const r = evaluatePairs(pairs, table);
  const ctx = {
    protocol: fmt === 'lfw' ? (pairs.nFolds === 10 ? 'lfw-view2' : 'lfw-view1') : 'pair-list',
    alignment: typeof v.model === 'string' ? 'pass-through' : 'precomputed features',
    model,
    data: await checksums({ ...data, pairs: pairsPath }),
  };
  const roc = lineChartSvg([{ name: ctx.protocol, x: r.curve.far, y: r.curve.tar }], { title: 'ROC', xLabel: 'FAR', yLabel: 'TAR', xLog: true, xMin: 1e-3, xMax: 1 });
  const files = await writeReport(out, pairsReport(r, ctx), pairsMarkdown(r, ctx), { 'roc.svg': roc });
  io.out(`${pairsMarkdown(r, ctx)}\nwrote ${files.join(', ')}\n`);
  return 0;
}

export const IJBC_HELP = `interpret-fr-eval ijbc --meta <dir with ijbc_face_tid_mid.txt and ijbc_template_pair_label.txt> --features <file.npy> --ids <ids.txt> --out <dir>
  --prefix ijbc|ijbb   file name prefix (default ijbc)
  --score media-pool|mean-feature|set-min-mean|set-min-mean-matlab   (default media-pool, insightface)
  --search             also 1:N from <prefix>_1N_probe_mixed.csv and <prefix>_1N_gallery_G1.csv / _G2.csv in --meta
ids are the image names of the tid/mid file. Writes report.json (verify["tar@far=1e-6 … 0.1"][matlab|nearest|interpolated], auc, eer;
with --search: search["rank-1"|"rank-5"|"rank-10"|"tpir@fpir=0.01"|"tpir@fpir=0.1"] averaged over G1 and G2, searchPerGallery), report.md, roc.svg.
`;

/** `ijbc` subcommand (1:1, and 1:N with --search). */
export async function ijbcCommand(argv: string[], io: CliIo): Promise<number> {
  const v = args(argv, ['meta', 'features', 'ids', 'out', 'score', 'prefix'], ['search']);
  if (v.help) {
    io.out(IJBC_HELP);
    return 0;
  }
  const meta = need(v, 'meta');
  const out = need(v, 'out');
  const prefix = (v.prefix as string | undefined) ?? 'ijbc';
  const score = scoreOpt(v, 'media-pool');
  const tidPath = join(meta, `${prefix}_face_tid_mid.txt`);
  const pairPath = join(meta, `${prefix}_template_pair_label.txt`);
  const tid = parseFaceTidMid(new Uint8Array(await readFile(tidPath)), tidPath);
  const { table, data } = await featuresFrom(
    v,
    io,
    out,
    async () => [],
    () => () => {
      throw new UsageError('ijbc extracts from precomputed features only');
    },
  );
  const json: Record<string, unknown> = {
    protocol: `${prefix}`,
    score,
    alignment: 'precomputed features',
    model: null,
    data: await checksums({ ...data, meta }),
    definitions: DEFINITIONS,
  };
  const md: string[] = [`# ${prefix.toUpperCase()} (${score})`, ''];
  const figures: Record<string, string> = {};
  if (existsSync(pairPath)) {
    const pairs = parseTemplatePairs(new Uint8Array(await readFile(pairPath)), pairPath);
    const r = evaluateIjbc11(tid, pairs, table, { score });
    const verify: Record<string, { nearest: number; matlab: number; interpolated: number }> = {};
    for (const t of r.metrics.tarAtFar) verify[`tar@far=${t.target}`] = { nearest: t.nearest.tar, matlab: t.matlab.tar, interpolated: t.interpolated };
    Object.assign(json, {
      verify,
      auc: r.metrics.auc,
      eer: r.metrics.eer,
      counts: {
        pairs: r.pairs,
        skippedPairs: r.skippedPairs,
        templates: r.templates,
        emptyTemplates: r.emptyTemplates,
        imagesWithoutFeature: r.imagesWithoutFeature,
        genuine: r.metrics.nGenuine,
        impostor: r.metrics.nImpostor,
      },
    });
    md.push(
      '## 1:1',
      '',
      `pairs ${r.pairs} (skipped ${r.skippedPairs}), templates ${r.templates} (empty ${r.emptyTemplates})`,
      '',
      '| FAR | TAR matlab (%) | TAR nearest, tie-grouped (%) | TAR interpolated (%) |',
      '|---|---|---|---|',
      ...r.metrics.tarAtFar.map((t) => `| ${t.target} | ${(100 * t.matlab.tar).toFixed(2)} | ${(100 * t.nearest.tar).toFixed(2)} | ${(100 * t.interpolated).toFixed(2)} |`),
      '',
      `AUC ${(100 * r.metrics.auc).toFixed(2)} %, EER ${(100 * r.metrics.eer).toFixed(2)} %`,
      '',
    );
    figures['roc.svg'] = lineChartSvg([{ name: prefix, x: r.metrics.curve.far, y: r.metrics.curve.tar }], {
      title: `${prefix.toUpperCase()} 1:1 ROC`,
      xLabel: 'FAR',
      yLabel: 'TAR',
      xLog: true,
      xMin: 1e-6,
      xMax: 1,
    });
  } else if (!v.search) throw new UsageError(`${pairPath} not found and --search not given: nothing to evaluate`);
  if (v.search) {
    const rd = async (n: string) => {
      const p = join(meta, `${prefix}_1N_${n}.csv`);
      return parseTemplateCsv(await readFile(p, 'utf8'), p);
    };
    const r = evaluateIjbc1N(
      await rd('probe_mixed'),
      [
        { name: 'G1', csv: await rd('gallery_G1') },
        { name: 'G2', csv: await rd('gallery_G2') },
      ],
      table,
      { score, media: tid },
    );
    json.search = r.mean;
    json.searchPerGallery = r.galleries;
    md.push('## 1:N (mean over G1, G2)', '', '| read-out | value (%) |', '|---|---|', ...Object.entries(r.mean).map(([k, x]) => `| ${k} | ${(100 * x).toFixed(2)} |`), '');
  }
  const files = await writeReport(out, json, md.join('\n'), figures);
  io.out(`${md.join('\n')}\nwrote ${files.join(', ')}\n`);
  return 0;
}
