/**
 * Stage "ship": copies the best evaluated model to `models/interpret-fr-lfw.onnx` and writes its model
 * card `models/README.md`. "Best" = the highest accuracy on **DevTrain** at its own threshold (the
 * `trainThreshold.trainAccuracy` of its pairs report) among the interpretable models (those exported
 * with their response maps: the issue ships the model with its maps output, so the demo can show what each
 * filter looks at); the selection never looks at DevTest.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';
import { hasMaps, runState, studyPaths, trainArgs, type StudyOptions } from './pipeline.ts';
import { TRAININGS, type TrainPlan } from './plan.ts';

/** The pick of {@link shipBest}. */
export interface ShipResult {
  plan: TrainPlan;
  devTrainAccuracy: number;
  devTestAccuracy: number;
  bytes: number;
  model: string;
  card: string;
}

interface PairsJson {
  trainThreshold?: { accuracy: number; trainAccuracy: number; threshold: number } | null;
  auc?: number;
  verify?: Record<string, { nearest: number }>;
}

/** Picks, copies and documents the shipped model; `resultsMd` is the study's results page (its tables are quoted). */
export async function shipBest(o: Pick<StudyOptions, 'cache' | 'runs' | 'lfw' | 'results' | 'repo'>): Promise<ShipResult> {
  const p = studyPaths(o);
  let best: { plan: TrainPlan; rep: PairsJson; onnx: string } | null = null;
  for (const t of TRAININGS) {
    if (!hasMaps(t)) continue;
    const f = join(p.run(t.name), 'eval', 'pairs', 'report.json');
    const onnx = join(p.run(t.name), 'model.onnx');
    if (!existsSync(f) || !existsSync(onnx)) continue;
    const rep = JSON.parse(await readFile(f, 'utf8')) as PairsJson;
    if (!rep.trainThreshold) continue;
    if (!best || rep.trainThreshold.trainAccuracy > best.rep.trainThreshold!.trainAccuracy) best = { plan: t, rep, onnx };
  }
  if (!best) throw new InterpretFrError('ship: no evaluated model yet (run the eval-<model> stages first)');
  const bytes = (await stat(best.onnx)).size;
  if (bytes > 10 * 1024 * 1024) throw new InterpretFrError(`ship: ${best.onnx} is ${bytes} bytes, over the 10 MB limit`);
  const dir = join(o.repo, 'models');
  await mkdir(dir, { recursive: true });
  const model = join(dir, 'interpret-fr-lfw.onnx');
  await copyFile(best.onnx, model);
  const st = await runState(p.run(best.plan.name), best.plan.steps);
  const results = existsSync(join(o.results, 'README.md')) ? await readFile(join(o.results, 'README.md'), 'utf8') : '';
  const section = (title: string): string => {
    const i = results.indexOf(`## ${title}`);
    if (i < 0) return '(not available: run `pnpm study:lfw -- --only results`)';
    const j = results.indexOf('\n## ', i + 3);
    return results
      .slice(i, j < 0 ? undefined : j)
      .split('\n')
      .slice(1)
      .join('\n')
      .trim();
  };
  const chain: TrainPlan[] = [];
  for (let t: TrainPlan | undefined = best.plan; t; t = t.from ? TRAININGS.find((u) => u.name === t!.from) : undefined) chain.unshift(t);
  const cmd = chain.map(
    (t) =>
      `pnpm exec interpret-fr-train ${trainArgs(t, { ...p, run: (n: string) => `runs/study-lfw/${n}`, list: '.cache/study-lfw/train-multi/list.txt', aligned: '.cache/study-lfw/aligned' }, t.teacher ? '.cache/study-lfw/train-multi/teacher-chip.f32' : null).join(' ')}`,
  );
  const tt = best.rep.trainThreshold!;
  const card = `# models/interpret-fr-lfw.onnx: model card

The real-face model of the project, written by \`pnpm study:lfw\` (stage \`ship\`): the study's model with the best
**DevTrain** accuracy (never selected on DevTest). Regenerate with \`pnpm study:lfw\`; the numbers below are copied from
[\`docs/results/lfw/README.md\`](../docs/results/lfw/README.md).

| | |
|---|---|
| model | ${best.plan.label} (run \`${best.plan.name}\`, ${st.step} of ${best.plan.steps} planned steps${st.state === 'done' ? '' : ": stopped by the session's time budget; resumable"}) |
| architecture | \`${best.plan.preset}\` preset: ${best.plan.preset === 'small-base' ? 'casia-net-small (CASIA-Net backbone at 1/4 width, global average pool, 80-d embedding)' : "interpretable-small (backbone at 1/4 width + the paper's interpretable head: 80 filters on 12 × 12 top-k maps, 80-d embedding)"}, 48 × 48 input |
| outputs | \`embedding\` (80-d, compare by cosine)${hasMaps(best.plan) ? ', `maps` (the top-k-masked response maps)' : '; no `maps` output: the base CNN pools its last conv (3 × 3 at this size) and has no interpretable maps, so the demo shows no filter panel for it'} |
| input | a 96 × 96 aligned face crop (the recognizer resizes it to 48 × 48), grey replicated to 3 channels, x / 127.5 − 1: the centre 96 of the 110 × 110 template alignment that \`@interpret-fr/align\` makes from a photo (\`createFacePipeline\`, \`interpret-fr-prepare\`, \`interpret-fr-eval --align detect\`) |
| size | ${(bytes / 1024).toFixed(0)} KiB (exported by \`interpret-fr-export\`) |
| DevTest accuracy | **${(100 * tt.accuracy).toFixed(2)} %** at the DevTrain threshold ${tt.threshold.toFixed(4)} (DevTrain accuracy ${(100 * tt.trainAccuracy).toFixed(2)} %); AUC ${(100 * (best.rep.auc ?? Number.NaN)).toFixed(2)} %; TAR@FAR=1e-2 ${(100 * (best.rep.verify?.['tar@far=0.01']?.nearest ?? Number.NaN)).toFixed(2)} % |
| outside knowledge | ${best.plan.teacher ? "YES: trained with a pretrained teacher (distillation towards face-api's 128-d descriptor; see below)" : 'none: trained on LFW-a identity labels only'} |

## Data and protocol

- LFW-a (grayscale, 250 × 250, aligned by in-plane rotation), research use only: **LFW is not licensed for commercial
  use; neither is this model.** Test: LFW View 1 \`pairsDevTest.txt\` (1,000 pairs, 963 people), never trained on.
  Training: the 1,262 people with ≥ 2 images among the 4,786 people not in DevTest (6,968 images). Thresholds and the
  choice of this model: \`pairsDevTrain.txt\` only (people disjoint from DevTest).
- Crops: every image aligned by \`interpret-fr-prepare\` (face-api TinyFaceDetector + 68 landmarks, least-squares
  similarity onto the 68-point template, 110 × 110; training takes random 96 × 96 crops, evaluation the centre one);
  FAD's occluders are warped through each image's own detected landmarks.

## Results (DevTest, threshold from DevTrain)

### Trained on LFW-a labels only

${section('Trained on LFW-a labels only')}

### Trained with a pretrained teacher

${section("Trained with a pretrained teacher (outside knowledge: face-api's recognition net, trained on ~3 M faces)")}

## Reproduce the DevTest row

From the raw LFW-a photos (detection, landmarks and alignment included):

\`\`\`sh
pnpm exec interpret-fr-eval pairs --pairs ../shared/data/lfw/pairsDevTest.txt \\
  --train-pairs ../shared/data/lfw/pairsDevTrain.txt --model models/interpret-fr-lfw.onnx \\
  --images ../shared/data/lfw/lfw-a --align detect --out /tmp/lfw-devtest   # report.json trainThreshold.accuracy
\`\`\`

The study evaluates the same pixels from its cache (\`.cache/study-lfw/eval96\`: the centre 96 of each
\`interpret-fr-prepare\` crop, stored losslessly), which is why both give the same row.

## How it was trained (exact commands, from the repository root)

\`\`\`sh
pnpm study:lfw        # everything below, resumable; or stage by stage:
${cmd.join('\n')}
node packages/model-export/bin/interpret-fr-export.mjs runs/study-lfw/${best.plan.name} -o models/interpret-fr-lfw.onnx${hasMaps(best.plan) ? ' --maps' : ''}
\`\`\`

The steps column of the tables says how far each run got (a run stopped by a \`--train-minutes\` budget is marked
partial and resumes with the next \`pnpm study:lfw\`).

## Teacher

${best.plan.teacher ? '' : '(Not used by this model; the study reports it apart.) '}face-api's face recognition net (\`@vladmandic/face-api\` 1.7.15,
**MIT licence**; weights \`model/face_recognition_model.bin\` shipped in the npm package, a port of dlib's
\`dlib_face_recognition_resnet_model_v1\` (trained by Davis King on about 3 million faces; the original weights' terms are in the dlib-models repository)),
run once over the training crops (150 × 150 chips cut from the 250 × 250 images, cached) and over the dev images.
The distillation term is mean over images with a descriptor of 1 − cos(W·f + b, t) with a learned linear head
(\`loss.distill\`, training only; the exported ONNX does not contain the head or the teacher).

## Known limits

- Small model (48 × 48 input, 80-d) and little training (CPU time on 2 shared cores): far below the accuracy of
  published LFW models (≈ 99 %); the full 96 × 96 model on a GPU, more data (CASIA-WebFace) and more epochs are what
  would close the gap.
- Grayscale training only; colour inputs are converted by averaging the channels the way the recognizer preprocesses.
- Trained on 6,968 LFW images of 1,262 mostly white, male, adult public figures: expect worse results on other
  demographics and on non-frontal, low-resolution or occluded faces.
- Research and demonstration use only (LFW's terms). Do not use it to identify people.
`;
  const cardPath = join(dir, 'README.md');
  await writeFile(cardPath, card);
  return { plan: best.plan, devTrainAccuracy: tt.trainAccuracy, devTestAccuracy: tt.accuracy, bytes, model, card: cardPath };
}
