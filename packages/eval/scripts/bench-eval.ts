/**
 * `pnpm bench:eval [--json] [--only ijba|ijbc] [--score set-min-mean]`: evaluation speed from cached (in-memory)
 * features on synthetic data of the real protocols' sizes.
 * - IJB-A: 10 splits, each 167 subjects (112 in the gallery), ~11 templates per subject, ~4.6 images per template,
 *   1.8k genuine + 10k impostor pairs, 320-d; verification + identification, all read-outs.
 * - IJB-C 1:1: 23,124 templates, 15,658,489 template pairs (19,557 genuine), ~3 images per template, 512-d, media-pool.
 * Generation is not timed; CSV parsing is timed separately. Prints a table (or JSON with --json).
 */
import { parseArgs } from 'node:util';
import { syntheticIjba } from '../src/protocols/ijba-synthetic.ts';
import { parseIjbaComparisons, parseIjbaMetadata } from '../src/protocols/ijba-csv.ts';
import { evaluateIjba, featureTable, type IjbaSplitData } from '../src/protocols/ijba.ts';
import { syntheticIjbc } from '../src/protocols/ijbc-synthetic.ts';
import { evaluateIjbc11 } from '../src/protocols/ijbc.ts';
import type { TemplateScore } from '../src/scores/template-scores.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, only: { type: 'string' }, score: { type: 'string' } } });
const rows: Record<string, unknown>[] = [];
const mb = (b: number): number => Math.round(b / 2 ** 20);
const gc = (globalThis as { gc?: () => void }).gc;

if (values.only !== 'ijbc') {
  const syn = syntheticIjba({
    seed: 1,
    splits: 10,
    subjects: 167,
    gallerySubjects: 112,
    templatesPerSubject: 11,
    meanExtraImages: 3.6,
    dim: 320,
    mode: 'noisy',
    noise: 0.11,
    genuinePairs: 1800,
    impostorPairs: 10000,
    missingTemplates: 0,
  });
  let t = performance.now();
  const splits: IjbaSplitData[] = [];
  for (let s = 1; s <= 10; s++) {
    const f = (n: string) => syn.files.get(`split${s}/${n}_${s}.csv`)!;
    splits.push({
      split: s,
      verifyMetadata: parseIjbaMetadata(f('verify_metadata'), 'vm'),
      comparisons: parseIjbaComparisons(f('verify_comparisons'), 'vc'),
      probe: parseIjbaMetadata(f('search_probe'), 'sp'),
      gallery: parseIjbaMetadata(f('search_gallery'), 'sg'),
    });
  }
  const parseS = (performance.now() - t) / 1000;
  const table = featureTable({ data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
  const scores: TemplateScore[] = values.score ? [values.score as TemplateScore] : ['set-min-mean', 'mean-feature'];
  for (const score of scores) {
    t = performance.now();
    const c0 = process.cpuUsage();
    const r = evaluateIjba(splits, table, { score });
    const evalS = (performance.now() - t) / 1000;
    const cpuS = process.cpuUsage(c0).user / 1e6;
    const s0 = splits[0]!;
    let gImgs = 0,
      pImgs = 0;
    for (const s of splits) {
      gImgs += s.gallery.n;
      pImgs += s.probe.n;
    }
    rows.push({
      run: `IJB-A 10 splits (${score})`,
      evalSeconds: evalS,
      cpuSeconds: cpuS,
      parseSeconds: parseS,
      target: '< 2 s',
      size: `${syn.ids.length} images, ${r.summary.counts.pairs.reduce((a, b) => a + b, 0)} pairs, ${r.summary.counts.probes.reduce((a, b) => a + b, 0)} probe × ${r.perSplit[0]!.search.gallery} gallery templates; image pairs for search ≈ ${(((pImgs / 10) * (gImgs / 10)) / 1e6).toFixed(1)}M/split`,
      split1: { pairs: s0.comparisons.a.length, templatesVerify: r.perSplit[0]!.verify.templates },
      result: { 'tar@far=0.01': r.summary.verify['tar@far=0.01']!.nearest.mean, 'rank-1': r.summary.search['rank-1']!.mean },
    });
  }
}

if (values.only !== 'ijba') {
  const syn = syntheticIjbc({ seed: 2, templates: 23124, pairs: 15_658_489, genuinePairs: 19_557, dim: 512, meanImages: 3, noise: 2.5 });
  gc?.();
  const before = process.memoryUsage();
  const table = featureTable({ data: syn.features, n: syn.ids.length, dim: syn.dim }, syn.ids);
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t = performance.now();
  const c0 = process.cpuUsage();
  const r = evaluateIjbc11(syn.meta, syn.pairs, table, { score: 'media-pool' });
  const evalS = (performance.now() - t) / 1000;
  const cpuS = process.cpuUsage(c0).user / 1e6;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  rows.push({
    run: 'IJB-C 1:1 (media-pool)',
    evalSeconds: evalS,
    cpuSeconds: cpuS,
    target: '< 60 s',
    size: `${syn.ids.length} images, ${r.templates} templates, ${r.pairs} pairs, 512-d`,
    memory: { rssBeforeMiB: mb(before.rss), rssPeakMiB: mb(peak), inputsMiB: mb(syn.features.byteLength + syn.pairs.a.byteLength * 2 + syn.pairs.label.byteLength) },
    result: Object.fromEntries(r.metrics.tarAtFar.map((x) => [`tar@far=${x.target}`, x.nearest.tar])),
  });
}

if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('| run | eval wall (s) | eval CPU (s) | target | size | notes |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const notes = r.memory ? `RSS ${JSON.stringify(r.memory)}` : `CSV parse ${(r.parseSeconds as number).toFixed(2)} s`;
    console.log(
      `| ${r.run} | ${(r.evalSeconds as number).toFixed(2)} | ${(r.cpuSeconds as number).toFixed(2)} | ${r.target} | ${r.size} | ${notes}; ${JSON.stringify(r.result)} |`,
    );
  }
}
