/**
 * Stage "results": one table of read-outs for every model (labels only / with the pretrained teacher,
 * never mixed), the baselines beside them, the per-filter occlusion sensitivity and the peak figures,
 * from the reports the other stages wrote. Missing reports are shown as "–" with the reason (stage not
 * run yet), never as a number.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OCCLUSION_REGIONS, OCCLUSION_WINDOW } from '@interpret-fr/eval';
import type { OcclusionReadout } from './occlusion-eval.ts';
import { TRAININGS, type TrainPlan } from './plan.ts';
import type { PrepareSummary } from './prepare.ts';
import type { OrlReadout } from './orl-eval.ts';
import { runState, studyPaths, type StudyOptions } from './pipeline.ts';

/** The parts of an `interpret-fr-eval pairs` report (and of the LBP report) the table uses. */
interface PairsJson {
  auc?: number;
  verify?: Record<string, { nearest: number }>;
  trainThreshold?: { accuracy: number; threshold: number } | null;
  counts?: { pairs?: number };
}

/** `occlusion-devtest/report.json` (see occlusion-eval.ts). */
type OccJson = OcclusionReadout;

/** The parts of an `interpret-fr-eval peaks` report the table uses. */
interface PeaksJson {
  models?: { peaks?: { positive?: { d?: number; mean?: ArrayLike<number | null> | Record<string, number | null> }; negative?: { d?: number } } }[];
}

async function readJson<T>(path: string): Promise<T | null> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as T) : null;
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(2));
const signed = (x: number): string => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(1)}` : '–');
const num = (x: number | null | undefined, d = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/**
 * Per-filter occlusion sensitivity: for each region, the filters whose average positive peak location
 * μ_j lies in the region's window (grown by `margin` px) are "local"; the ratio is their mean |Δf| over
 * the mean |Δf| of all filters (> 1: occluding the region moves its own filters most).
 */
export function sensitivity(
  meanAbsDelta: Record<string, number[]>,
  mu: ArrayLike<number>,
  margin = 6,
): { perRegion: Record<string, { local: number; ratio: number }>; meanRatio: number } {
  const perRegion: Record<string, { local: number; ratio: number }> = {};
  let sum = 0;
  let n = 0;
  for (const [region, delta] of Object.entries(meanAbsDelta)) {
    const [c, r] = OCCLUSION_REGIONS[region as keyof typeof OCCLUSION_REGIONS];
    const [w, h] = OCCLUSION_WINDOW;
    let all = 0;
    let loc = 0;
    let k = 0;
    for (let j = 0; j < delta.length; j++) {
      all += delta[j]!;
      const x = mu[2 * j]!;
      const y = mu[2 * j + 1]!;
      if (Number.isFinite(x) && x >= c - margin && x <= c + w + margin && y >= r - margin && y <= r + h + margin) {
        loc += delta[j]!;
        k++;
      }
    }
    const ratio = k > 0 && all > 0 ? loc / k / (all / delta.length) : Number.NaN;
    perRegion[region] = { local: k, ratio };
    if (Number.isFinite(ratio)) {
      sum += ratio;
      n++;
    }
  }
  return { perRegion, meanRatio: n ? sum / n : Number.NaN };
}

interface Row {
  plan: TrainPlan | null;
  label: string;
  steps: string;
  accuracy: number | null;
  auc: number | null;
  tar: number | null;
  occ: OccJson | null;
  dPos: number | null;
  dNeg: number | null;
  sens: ReturnType<typeof sensitivity> | null;
  orl: OrlReadout | null;
}

/** Writes `<results>/README.md`, `results.json` and the figures; returns the files written. */
export async function writeResults(o: Pick<StudyOptions, 'cache' | 'runs' | 'lfw' | 'results' | 'repo'>): Promise<string[]> {
  const p = studyPaths(o);
  await mkdir(o.results, { recursive: true });
  const files: string[] = [];
  const rows: Row[] = [];
  const figures: string[] = [];
  for (const t of TRAININGS) {
    const dir = p.run(t.name);
    const st = await runState(dir, t.steps);
    const pairs = await readJson<PairsJson>(join(dir, 'eval', 'pairs', 'report.json'));
    const occ = await readJson<OccJson>(join(dir, 'eval', 'occlusion-devtest', 'report.json'));
    const peaks = await readJson<PeaksJson>(join(dir, 'eval', 'peaks', 'report.json'));
    const orl = await readJson<OrlReadout>(join(dir, 'eval', 'orl', 'report.json'));
    const pk = peaks?.models?.[0]?.peaks;
    const mu = pk?.positive?.mean ? Object.values(pk.positive.mean).map((v) => (v === null ? Number.NaN : Number(v))) : null;
    const sens = occ && mu ? sensitivity(Object.fromEntries(Object.entries(occ.regions).map(([k, v]) => [k, v.meanAbsDelta])), mu) : null;
    const fig = join(dir, 'eval', 'peaks', 'peaks.svg');
    if (existsSync(fig)) {
      const dst = join(o.results, `peaks-${t.name}.svg`);
      await copyFile(fig, dst);
      figures.push(`peaks-${t.name}.svg`);
    }
    rows.push({
      plan: t,
      label: t.label,
      steps: `${st.step}/${t.steps}${st.state === 'done' ? '' : st.state === 'missing' ? ' (not started)' : ' (partial)'}`,
      accuracy: pairs?.trainThreshold?.accuracy ?? null,
      auc: pairs?.auc ?? null,
      tar: pairs?.verify?.['tar@far=0.01']?.nearest ?? null,
      occ,
      dPos: pk?.positive?.d ?? null,
      dNeg: pk?.negative?.d ?? null,
      sens,
      orl,
    });
  }
  const lbp = await readJson<PairsJson>(join(o.cache, 'baselines', 'lbp', 'report.json'));
  const teacher = await readJson<PairsJson>(join(o.cache, 'baselines', 'teacher', 'report.json'));
  const base: Row = { plan: null, label: '', steps: '', accuracy: null, auc: null, tar: null, occ: null, dPos: null, dNeg: null, sens: null, orl: null };
  const lbpRow: Row = {
    ...base,
    label: 'LBP u2 P8 R2, 7×7, χ² (baseline)',
    steps: 'no training',
    accuracy: lbp?.trainThreshold?.accuracy ?? null,
    auc: lbp?.auc ?? null,
    tar: lbp?.verify?.['tar@far=0.01']?.nearest ?? null,
  };
  const teacherRow: Row = {
    ...base,
    label: 'teacher: face-api 128-d (pretrained, outside data)',
    steps: `pairs scored ${teacher?.counts?.pairs ?? '–'}/1000`,
    accuracy: teacher?.trainThreshold?.accuracy ?? null,
    auc: teacher?.auc ?? null,
    tar: teacher?.verify?.['tar@far=0.01']?.nearest ?? null,
  };

  const regions = Object.keys(OCCLUSION_REGIONS);
  const head = `| model | steps run / planned | DevTest acc. (%) | AUC (%) | TAR@FAR=1e-2 (%) | mean occlusion drop (points) | d pos / neg (px) | sensitivity ratio | ORL rank-1 (%) | ORL AUC (%) |`;
  const sep = '|---|---|---|---|---|---|---|---|---|---|';
  const line = (r: Row): string =>
    `| ${r.label} | ${r.steps} | ${pct(r.accuracy)} | ${pct(r.auc)} | ${pct(r.tar)} | ${r.occ ? num(100 * r.occ.meanDrop, 2) : '–'} | ${num(r.dPos)} / ${num(r.dNeg)} | ${r.sens ? num(r.sens.meanRatio, 2) : '–'} | ${pct(r.orl?.rank1)} | ${pct(r.orl?.verification.auc)} |`;
  const labelsOnly = rows.filter((r) => !r.plan?.teacher);
  const withTeacher = rows.filter((r) => r.plan?.teacher);
  const occTable = [
    `| model | clean | ${regions.join(' | ')} |`,
    `|---|---|${regions.map(() => '---').join('|')}|`,
    ...rows
      .filter((r) => r.occ)
      .map(
        (r) =>
          `| ${r.label} | ${pct(r.occ!.clean.accuracy)} | ${regions.map((g) => `${pct(r.occ!.regions[g]?.accuracy)} (${signed(-100 * (r.occ!.regions[g]?.drop ?? Number.NaN))})`).join(' | ')} |`,
      ),
  ];
  const sensTable = [
    `| model | ${regions.map((g) => `${g}: local filters, ratio`).join(' | ')} |`,
    `|---|${regions.map(() => '---').join('|')}|`,
    ...rows.filter((r) => r.sens).map((r) => `| ${r.label} | ${regions.map((g) => `${r.sens!.perRegion[g]?.local ?? 0}, ${num(r.sens!.perRegion[g]?.ratio, 2)}`).join(' | ')} |`),
  ];
  const prep = await readJson<PrepareSummary>(join(o.cache, 'prepare.json'));
  const md = [
    '# Real faces: the LFW-a study (issue 13)',
    '',
    'Written by `pnpm study:lfw` (stage `results`) from the reports of the other stages; rerun it to refresh. Numbers are',
    'fractions of the LFW View 1 **DevTest** pairs (1,000 pairs, 963 people, none of them trained on). Every threshold is',
    'chosen on **DevTrain** (`interpret-fr-eval pairs --pairs pairsDevTest.txt --train-pairs pairsDevTrain.txt`); nothing is',
    'tuned on DevTest.',
    '',
    '## Trained on LFW-a labels only',
    '',
    head,
    sep,
    ...labelsOnly.map(line),
    line(lbpRow),
    '',
    "## Trained with a pretrained teacher (outside knowledge: face-api's recognition net, trained on ~3 M faces)",
    '',
    head,
    sep,
    ...withTeacher.map(line),
    line(teacherRow),
    '',
    '## Occlusion: accuracy with a black 32 × 12 window on the second image of each pair (change from clean, points)',
    '',
    ...occTable,
    '',
    '## Per-filter occlusion sensitivity',
    '',
    'For each region, "local" filters are those whose average positive peak location μ_j lies in the window (± 6 px);',
    'ratio = their mean |Δf| / the mean |Δf| of all filters (L2-normalised features, DevTest images). A ratio above 1',
    'means occluding a region moves the filters that live there more than the others.',
    '',
    ...sensTable,
    '',
    '## Average peak locations',
    '',
    "d = mean distance of the filters' average peak locations μ_j from their centroid, in pixels of the 96 × 96 frame",
    '(evaluation.md; the paper reports 6.9 / 17.1 / 18.7 for base / SAD / SAD+FAD at 320 filters, 96 × 96).',
    '',
    ...figures.map((f) => `![${f}](${f})`),
    '',
    '## Setup',
    '',
    `- Data: ${prep ? `${prep.trainImages} training images of ${prep.trainPeople} people not in DevTest (${prep.multiImagePeople} with ≥ 2 images); the trainings use the people with ≥ 2 images (${prep.trainMultiImages} images, ${prep.multiImagePeople} classes)` : 'not prepared yet'}.`,
    `- Crops: every LFW-a image aligned by \`interpret-fr-prepare\`${prep ? ` (${prep.aligned.aligned} detected, ${prep.aligned.fallback} centred-box fallback, ${prep.aligned.failed} failed of ${prep.aligned.images})` : ''}: 110 × 110 template frame for training (random 96 crops), its centre 96 × 96 for evaluation (exactly what \`interpret-fr-eval pairs --align detect\` feeds the model); the models see it at 48 × 48.`,
    `- Landmarks: ${prep?.landmarkSource ?? '–'}.`,
    '- Models: the `small` presets (48 × 48 input, 1/4 width, 80 filters on 12 × 12 maps); SAD, SAD+FAD and the teacher',
    "  variant are fine-tuned from the base run's backbone, as in the paper.",
    '- ORL (second clean test, 40 people never trained on, aligned the same way): closed-set rank-1 with image 1 of each',
    '  person as the gallery (360 probes) and the AUC over all 79,800 pairs (`eval/orl/report.json` of each run).',
    '- "steps run / planned": a run stopped by the session\'s time budget is marked partial; `pnpm study:lfw` resumes it.',
    '',
  ].join('\n');
  // Hand-written notes about the runs (what limited them), kept across regenerations.
  const notesPath = join(o.results, 'NOTES.md');
  const notes = existsSync(notesPath) ? (await readFile(notesPath, 'utf8')).trim() : '';
  const full = notes ? `${md}\n## Notes on these runs (NOTES.md)\n\n${notes}\n` : md;
  const mdPath = join(o.results, 'README.md');
  await writeFile(mdPath, full);
  files.push(mdPath);
  const json = {
    rows: [...rows, lbpRow, teacherRow].map((r) => ({
      label: r.label,
      teacher: r.plan?.teacher ?? null,
      steps: r.steps,
      accuracy: r.accuracy,
      auc: r.auc,
      tarAtFar1e2: r.tar,
      meanOcclusionDrop: r.occ?.meanDrop ?? null,
      occlusion: r.occ
        ? {
            clean: r.occ.clean,
            regions: Object.fromEntries(Object.entries(r.occ.regions).map(([k, v]) => [k, { accuracy: v.accuracy, drop: v.drop }])),
          }
        : null,
      dPositive: r.dPos,
      dNegative: r.dNeg,
      sensitivity: r.sens,
      orl: r.orl ? { rank1: r.orl.rank1, probes: r.orl.probes, ...r.orl.verification } : null,
    })),
  };
  const jsonPath = join(o.results, 'results.json');
  await writeFile(jsonPath, JSON.stringify(json, null, 2) + '\n');
  files.push(jsonPath, ...figures.map((f) => join(o.results, f)));
  return files;
}
