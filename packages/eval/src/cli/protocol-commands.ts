/**
 * `interpret-fr-eval ijba | pairs | ijbc`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InterpretFrError } from '@interpret-fr/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alignIjba } from '../align.ts';
import { decodeImageFile } from '../io/images.ts';
import { readIjbaProtocol } from '../io/files.ts';
import { summarizeIjba, type IjbaSplitData, type IjbaSplitResult, type IjbaSubset } from '../protocols/ijba.ts';
import { ijbaPool, settleInOrder } from '../protocols/ijba-parallel.ts';
import { createPairDotsPool, type PairDotsPool } from '../scores/pair-dots-pool.ts';
import { evaluateIjbc11, parseFaceTidMid } from '../protocols/ijbc.ts';
import { readTemplatePairs } from '../protocols/ijbc-pairs-parallel.ts';
import { evaluateIjbc1N, parseTemplateCsv } from '../protocols/ijbc-1n.ts';
import { evaluatePairs, parseLfwPairs, parsePairList } from '../protocols/pairs.ts';
import { DEFINITIONS, ijbaFigures, ijbaMarkdown, ijbaReport, pairsMarkdown, pairsReport } from '../report/reports.ts';
import { lineChartSvg } from '@interpret-fr/core';
import { checksums, writeReport } from '../report/write.ts';
import { TEMPLATE_SCORES } from '../scores/template-scores.ts';
import { choiceOption, defineCli, intOption, requireOption, usageError } from '@interpret-fr/core/node';
import type { CliContext, ParsedCli } from '@interpret-fr/core/node';
import { PathOutsideRootError, resolveUnderRoot, staysUnderRoot } from '@interpret-fr/core/node';
import { ALIGN_DETECT_DESCRIPTION, createDetectAligner, EXTRACT_OPTIONS, FEATURE_OPTIONS, featuresFrom, OUTSIDE_ROOT_OPTION, splitsOption } from './common.ts';

const OUT = { out: { type: 'string', arg: 'DIR', description: 'report folder (required)' } } as const;

/** `interpret-fr-eval ijba`. */
export const IJBA_CLI = defineCli({
  name: 'interpret-fr-eval ijba',
  summary: 'IJB-A 1:1 + 1:N over 10 splits (precomputed .npy features or a model + images)',
  usage:
    "--protocol <dir: split{N}/*_N.csv, or the original release's {verify,search}/split{N}/*_N.mat> (--features <file.npy> --ids <ids.txt> | --model <file.onnx> --images <root>) --out <dir> [options]",
  options: {
    protocol: {
      type: 'string',
      arg: 'DIR',
      description:
        "split{N}/*_N.csv, or the original release's {verify,search}/split{N}/*_N.mat (required); with --features, CSVs are\nread for the columns scoring uses (TEMPLATE_ID, SUBJECT_ID, FILE, MEDIA_ID, SIGHTING_ID, *_VISIBLE): the others\n(FRAME, box, landmarks, yaw, attributes) are not checked",
    },
    ...FEATURE_OPTIONS,
    ...EXTRACT_OPTIONS,
    align: {
      type: 'string',
      arg: 'NAME',
      description:
        'ijba-similarity | detect | pass-through: alignment when extracting (default ijba-similarity;\ndetect: face-api detector + 68 landmarks onto the template, the face overlapping the metadata box)',
    },
    ...OUT,
    score: { type: 'string', arg: 'NAME', description: `${TEMPLATE_SCORES.join(' | ')}: template score (default set-min-mean)` },
    subset: { type: 'string', arg: 'NAME', description: 'all | natural-occlusion: images kept (default all)' },
    splits: { type: 'string', arg: '1,2,…', description: 'splits to evaluate, each once (default 1..10)' },
    gemm: {
      type: 'string',
      arg: 'NAME',
      description:
        "native | wasm: dot-product kernel: onnxruntime-node's MLAS (default; wasm SIMD when the binding cannot load) or the wasm SIMD kernel; the metrics are identical to the bit",
    },
    threads: {
      type: 'string',
      arg: 'N',
      description:
        "worker threads scoring the splits, each split's verification and search as separate jobs (default: the cores;\n1 = in this thread, all cores on the GEMM); the report is the same whatever N",
    },
    ...OUTSIDE_ROOT_OPTION,
  },
  epilog: `Writes <out>/report.json (verify["tar@far=0.01"|"tar@far=0.001"][matlab|nearest|interpolated] = {mean,std,splits},
search["rank-1"|"rank-5"|"rank-10"|"tpir@fpir=0.01"|"tpir@fpir=0.1"], auc, eer; fractions in [0,1]), report.md, roc.svg, cmc.svg.`,
});

/** `ijba` subcommand. */
export async function ijbaCommand({ values: v }: ParsedCli<typeof IJBA_CLI.options>, ctx: CliContext): Promise<number> {
  const protocol = requireOption(v.protocol, 'protocol');
  const out = requireOption(v.out, 'out');
  const score = choiceOption(v.score, 'score', TEMPLATE_SCORES, 'set-min-mean');
  const subset: IjbaSubset = choiceOption(v.subset, 'subset', ['all', 'natural-occlusion'], 'all');
  const splitList = splitsOption(v.splits, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const gemmName = choiceOption(v.gemm, 'gemm', ['native', 'wasm'], 'native');
  const threads = intOption(v.threads, 'threads', availableParallelism(), { min: 1, max: 256 });
  const align = v.model !== undefined ? choiceOption(v.align, 'align', ['ijba-similarity', 'detect', 'pass-through'], 'ijba-similarity') : 'precomputed features';
  const detectCounts: Record<string, number> = {};
  const detect = align === 'detect' ? await createDetectAligner(detectCounts) : null;
  // One row of metadata per sighting, for extraction (only built when a model extracts features).
  const rows = new Map<string, { file: string; where: string; bbox: Float32Array; lm: Float32Array }>();
  const allowOutside = v['allow-outside-root'] === true;
  const checkRows = (s: IjbaSplitData): void => {
    for (const m of [s.verifyMetadata, s.probe, s.gallery])
      for (let r = 0; r < m.n; r++) {
        const fn = m.filename[r];
        // Read for scoring, a plain relative FILE is a hole (IjbaColumns 'scoring'): it stays under the root.
        if (fn === undefined) continue;
        // Checked on every row (not only the one extracted): a FILE that leaves the root is a broken protocol.
        // (A plain relative path is one scan of its characters: cheaper than remembering the FILEs already seen.)
        if (!allowOutside && !staysUnderRoot(fn)) throw new PathOutsideRootError(`${m.file}:${m.line[r]} (FILE)`, fn, v.images ?? '--images');
        if (v.model === undefined) continue;
        const id = String(m.sightingId[r]);
        if (!rows.has(id)) rows.set(id, { file: fn, where: `${m.file}:${m.line[r]}`, bbox: m.bbox.slice(4 * r, 4 * r + 4), lm: m.landmarks.slice(6 * r, 6 * r + 6) });
      }
  };
  // With a model, every split is read first (its sightings are extracted before any scoring).
  const splits = v.model !== undefined ? await readIjbaProtocol(protocol, splitList) : [];
  splits.forEach(checkRows);
  const features = featuresFrom(
    v,
    ctx,
    out,
    async () => [...rows.keys()],
    (mdl) => async (id) => {
      const row = rows.get(id)!;
      const px = await decodeImageFile(resolveUnderRoot(v.images!, row.file, { where: `${row.where} (FILE)`, allowOutsideRoot: allowOutside }));
      if (detect) return detect(px, `${row.where} (FILE ${row.file})`, row.bbox);
      return align === 'pass-through' ? px : alignIjba(px, row.bbox, row.lm, mdl.inputSize);
    },
    { cacheTag: align === 'detect' ? 'detect' : undefined },
  );
  // The workers start now (their start-up overlaps reading the features) and score each split as soon as it
  // is read: with precomputed features, reading and parsing split s + 1 overlaps the scoring of split s. The
  // inputs' checksums (for the report) are computed meanwhile too.
  const opts = { score, subset };
  const pool = ijbaPool(
    features.then((f) => f.table),
    opts,
    // Features read from --features are used by nothing else here: the workers normalise them in place.
    { gemm: gemmName, threads: Math.min(threads, splitList.length), overwriteFeatures: v.features !== undefined },
  );
  const sums = features.then((f) => checksums({ ...f.data, protocol }));
  sums.catch(() => {}); // awaited below, after the features' own error
  const progress = ctx.progress();
  let done = 0;
  const results: Promise<IjbaSplitResult>[] = [];
  const submit = (s: IjbaSplitData): void => {
    const split = s.split; // (not the split's data: its columns and FILE strings are garbage once sent)
    const r = pool.submit(s).then((x) => {
      done++;
      progress.update({ what: 'ijba', split, done, total: splitList.length }, `ijba: ${done}/${splitList.length} splits scored`, { final: done === splitList.length });
      return x;
    });
    r.catch(() => {}); // observed by settleInOrder (or dropped when a later read fails first)
    results.push(r);
  };
  let perSplit: IjbaSplitResult[];
  try {
    // The features first (their error, e.g. a missing --ids, is reported before a protocol file's; and the
    // workers need them before any split): read while the workers start.
    await features;
    if (splits.length) splits.forEach(submit);
    else
      for (const n of splitList) {
        const [s] = await readIjbaProtocol(protocol, [n], 'scoring');
        checkRows(s!);
        submit(s!);
      }
    perSplit = await settleInOrder(results);
  } catch (e) {
    await pool.close();
    throw e;
  }
  // The workers release their native sessions and end while the report is written.
  const closing = pool.close();
  const { model, skippedImages } = await features;
  const { summary } = summarizeIjba(perSplit, opts);
  const rctx = {
    alignment: detect ? `${ALIGN_DETECT_DESCRIPTION}; faces ${JSON.stringify(detectCounts)}` : align,
    model,
    data: await sums,
    skippedImages,
  };
  const files = await writeReport(out, ijbaReport(summary, perSplit, rctx), ijbaMarkdown(summary, rctx), ijbaFigures(perSplit));
  await closing;
  ctx.io.stdout.write(`${ijbaMarkdown(summary, rctx)}\nwrote ${files.join(', ')}\n`);
  return 0;
}

/** `interpret-fr-eval pairs`. */
export const PAIRS_CLI = defineCli({
  name: 'interpret-fr-eval pairs',
  summary: 'LFW View 1/2 pairs.txt or a generic pair list: 10-fold accuracy, AUC, EER, TAR@FAR',
  usage: '--pairs <pairs.txt> (--features <file.npy> --ids <ids.txt> | --model <file.onnx> --images <root>) --out <dir> [options]',
  options: {
    pairs: { type: 'string', arg: 'FILE', description: 'the pair list (required)' },
    ...FEATURE_OPTIONS,
    ...EXTRACT_OPTIONS,
    ...OUT,
    format: {
      type: 'string',
      arg: 'NAME',
      description: "lfw | list: pairs.txt View 1/2 (header '10\\t300' or '1100'), or a generic\n'path1 path2 label [fold]' list (default: lfw when the first line is a header)",
    },
    'train-pairs': {
      type: 'string',
      arg: 'FILE',
      description:
        'choose the accuracy threshold on this list (e.g. LFW View 1 pairsDevTrain.txt, same format)\nand report the --pairs accuracy at it (report.json trainThreshold)',
    },
    align: {
      type: 'string',
      arg: 'NAME',
      description:
        'pass-through | detect: alignment when extracting (default pass-through: images are aligned crops;\ndetect: face-api detector + 68 landmarks onto the template, centre 96 of the 110 crop)',
    },
    ...OUTSIDE_ROOT_OPTION,
  },
  epilog: `ids are image paths relative to the data root (Name/Name_0001.jpg); --images <root> is that root.
Writes <out>/report.json (accuracy = {mean,std,folds} with std N-1, auc, eer, verify["tar@far=…"]), report.md, roc.svg.`,
});

/** `pairs` subcommand. */
export async function pairsCommand({ values: v }: ParsedCli<typeof PAIRS_CLI.options>, ctx: CliContext): Promise<number> {
  const pairsPath = requireOption(v.pairs, 'pairs');
  const out = requireOption(v.out, 'out');
  const text = await readFile(pairsPath, 'utf8');
  const fmt = choiceOption(v.format, 'format', ['lfw', 'list'], /^\s*\d+(\s+\d+)?\s*$/.test(text.split(/\r?\n/)[0] ?? '') ? 'lfw' : 'list');
  const parse = (t: string, f: string) => (fmt === 'lfw' ? parseLfwPairs(t, f) : parsePairList(t, f));
  const pairs = parse(text, pairsPath);
  const trainPath = v['train-pairs'];
  const train = trainPath ? parse(await readFile(trainPath, 'utf8'), trainPath) : undefined;
  const allowOutside = v['allow-outside-root'] === true;
  const whereOf = new Map<string, string>();
  pairs.a.forEach((id, k) => {
    if (!whereOf.has(id)) whereOf.set(id, `${pairsPath}:${pairs.line[k]}`);
  });
  pairs.b.forEach((id, k) => {
    if (!whereOf.has(id)) whereOf.set(id, `${pairsPath}:${pairs.line[k]}`);
  });
  if (train) {
    for (const side of [train.a, train.b]) {
      side.forEach((id, k) => {
        if (!whereOf.has(id)) whereOf.set(id, `${trainPath}:${train.line[k]}`);
      });
    }
  }
  if (!allowOutside) for (const [id, where] of whereOf) if (!staysUnderRoot(id)) throw new PathOutsideRootError(where, id, v.images ?? '--images');
  const align = v.model !== undefined ? choiceOption(v.align, 'align', ['pass-through', 'detect'], 'pass-through') : 'precomputed features';
  const detectCounts: Record<string, number> = {};
  const detect = align === 'detect' ? await createDetectAligner(detectCounts) : null;
  const { table, model, data, skippedImages } = await featuresFrom(
    v,
    ctx,
    out,
    async () => [...whereOf.keys()],
    () => async (id) => {
      const px = await decodeImageFile(resolveUnderRoot(v.images!, id, { where: whereOf.get(id)!, allowOutsideRoot: allowOutside }));
      return detect ? detect(px, `${whereOf.get(id)!} (${id})`) : px;
    },
    { cacheTag: detect ? 'detect' : undefined },
  );
  const r = evaluatePairs(pairs, table, undefined, train);
  const rctx = {
    protocol: fmt === 'lfw' ? (pairs.nFolds === 10 ? 'lfw-view2' : 'lfw-view1') : 'pair-list',
    alignment: detect ? `${ALIGN_DETECT_DESCRIPTION}; faces ${JSON.stringify(detectCounts)}` : align,
    model,
    data: await checksums({ ...data, pairs: pairsPath, ...(trainPath ? { trainPairs: trainPath } : {}) }),
    skippedImages,
  };
  const roc = lineChartSvg([{ name: rctx.protocol, x: r.curve.far, y: r.curve.tar }], { title: 'ROC', xLabel: 'FAR', yLabel: 'TAR', xLog: true, xMin: 1e-3, xMax: 1 });
  const files = await writeReport(out, pairsReport(r, rctx), pairsMarkdown(r, rctx), { 'roc.svg': roc });
  ctx.io.stdout.write(`${pairsMarkdown(r, rctx)}\nwrote ${files.join(', ')}\n`);
  return 0;
}

/** `interpret-fr-eval ijbc`. */
export const IJBC_CLI = defineCli({
  name: 'interpret-fr-eval ijbc',
  summary: 'IJB-B/C 1:1 from insightface meta files: TAR@FAR 1e-6 … 1e-1 (and 1:N with --search)',
  usage: '--meta <dir with ijbc_face_tid_mid.txt and ijbc_template_pair_label.txt> --features <file.npy> --ids <ids.txt> --out <dir> [options]',
  options: {
    meta: { type: 'string', arg: 'DIR', description: 'folder with the insightface meta files (required)' },
    ...FEATURE_OPTIONS,
    ...OUT,
    prefix: { type: 'string', arg: 'NAME', description: 'ijbc | ijbb: file name prefix (default ijbc)' },
    score: { type: 'string', arg: 'NAME', description: `${TEMPLATE_SCORES.join(' | ')} (default media-pool, insightface)` },
    search: { type: 'boolean', description: 'also 1:N from <prefix>_1N_probe_mixed.csv and <prefix>_1N_gallery_G1.csv / _G2.csv in --meta' },
    threads: { type: 'string', arg: 'N', description: 'threads for the 1:1 pooled dot products (default: every core; the scores do not depend on it)' },
  },
  epilog: `ids are the image names of the tid/mid file. Writes report.json (verify["tar@far=1e-6 … 0.1"][matlab|nearest|interpolated], auc, eer;
with --search: search["rank-1"|"rank-5"|"rank-10"|"tpir@fpir=0.01"|"tpir@fpir=0.1"] averaged over G1 and G2, searchPerGallery), report.md, roc.svg.`,
});

/** `ijbc` subcommand (1:1, and 1:N with --search). */
export async function ijbcCommand(parsed: ParsedCli<typeof IJBC_CLI.options>, ctx: CliContext): Promise<number> {
  const v = parsed.values;
  const files = { meta: requireOption(v.meta, 'meta'), out: requireOption(v.out, 'out'), prefix: choiceOption(v.prefix, 'prefix', ['ijbc', 'ijbb'], 'ijbc') };
  const threads = intOption(v.threads, 'threads', availableParallelism(), { min: 1, max: 256 });
  // The pair dots' worker threads start first: they boot while the inputs are read and parsed.
  const pool = existsSync(join(files.meta, `${files.prefix}_template_pair_label.txt`)) ? createPairDotsPool({ workers: threads - 1 }) : null;
  try {
    return await ijbcRun(v, ctx, files, pool, threads);
  } finally {
    await pool?.close();
  }
}

/** {@link ijbcCommand} once its options are read and its pair-dots pool is started (null: no 1:1 pair file). */
async function ijbcRun(
  v: ParsedCli<typeof IJBC_CLI.options>['values'],
  ctx: CliContext,
  { meta, out, prefix }: { meta: string; out: string; prefix: 'ijbc' | 'ijbb' },
  pool: PairDotsPool | null,
  threads: number,
): Promise<number> {
  const score = choiceOption(v.score, 'score', TEMPLATE_SCORES, 'media-pool');
  const tidPath = join(meta, `${prefix}_face_tid_mid.txt`);
  const pairPath = join(meta, `${prefix}_template_pair_label.txt`);
  // readFile's Buffer is a Uint8Array: parsed in place, not copied.
  const tid = parseFaceTidMid(await readFile(tidPath), tidPath);
  if (v.features === undefined) throw usageError('--features <file.npy> --ids <ids.txt> are required (ijbc reads precomputed features only)');
  const { table, data } = await featuresFrom(
    v,
    ctx,
    out,
    async () => [],
    () => () => {
      throw usageError('ijbc reads precomputed features only');
    },
  );
  // The inputs' checksums (on a worker thread for large inputs) while the evaluation runs; in the report when done.
  const sums = checksums({ ...data, meta });
  sums.catch(() => {}); // awaited below
  const json: Record<string, unknown> = {
    protocol: `${prefix}`,
    score,
    alignment: 'precomputed features',
    model: null,
    data: null,
    definitions: DEFINITIONS,
  };
  const md: string[] = [`# ${prefix.toUpperCase()} (${score})`, ''];
  const figures: Record<string, string> = {};
  if (pool) {
    // The pair file's second half is scanned on a worker thread meanwhile (same result and errors).
    const pairs = await readTemplatePairs(pairPath, { threads });
    // The pooled scores' dot products on every core (same bits as one thread).
    const r = evaluateIjbc11(tid, pairs, table, { score, pairDots: pool });
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
  } else if (!v.search) throw new InterpretFrError('not found and --search not given: nothing to evaluate', { code: 'usage', file: pairPath });
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
  json.data = await sums;
  const files = await writeReport(out, json, md.join('\n'), figures);
  ctx.io.stdout.write(`${md.join('\n')}\nwrote ${files.join(', ')}\n`);
  return 0;
}
