/**
 * The study's stages and the runner behind `pnpm study:lfw`. Every stage looks at its own outputs:
 * done → skipped; a training with a checkpoint → resumed (`--resume`); nothing → started. Trainings,
 * exports and evaluations run as child processes of the packages' own CLIs (the commands the results
 * page quotes), with their output in `<cache>/logs/`.
 *
 * A training can be given a wall-clock budget (`--train-minutes`): when it runs out the trainer is sent
 * SIGINT, saves a checkpoint and stops; the stages after it use that checkpoint, and the results page
 * says how many of the planned steps were run. The next `pnpm study:lfw` resumes it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InterpretFrError } from '@interpret-fr/core';
import { lfwSplit } from './lfw.ts';
import { buildStudySets } from './prepare.ts';
import { TRAININGS, type TrainPlan } from './plan.ts';
import { TEACHER_CROPS, extractTeacher, loadTeacher, readTeacherCache, teacherOrder } from './teacher.ts';
import { lbpBaseline } from './lbp-eval.ts';
import { teacherBaseline } from './teacher-eval.ts';
import { writeResults } from './results.ts';
import { shipBest } from './ship.ts';
import { occlusionOnDevTest } from './occlusion-eval.ts';
import { orlEval } from './orl-eval.ts';

/** Stage names, in order. */
export const STAGES: string[] = [
  'prepare',
  ...TRAININGS.flatMap((t) => [...(t.teacher && t === TRAININGS.find((u) => u.teacher) ? ['teacher'] : []), `train-${t.name}`, `export-${t.name}`, `eval-${t.name}`]),
  'lbp',
  'teacher-eval',
  'results',
  'ship',
];

/** Options of {@link runStudy}. */
export interface StudyOptions {
  repo: string;
  lfw: string;
  cache: string;
  runs: string;
  results: string;
  only: string[] | null;
  dryRun: boolean;
  /** Wall-clock budget per training stage in minutes (null = run to the planned step count). */
  trainMinutes?: number | null;
  /** Wall-clock budget of the teacher stage in minutes (null = every image). */
  teacherMinutes?: number | null;
  log: (s: string) => void;
}

/** The teacher crop used by the study (see teacher.ts). */
export const TEACHER_CROP = TEACHER_CROPS[1]!;

const req = createRequire(import.meta.url);
/**
 * Node arguments that run a TypeScript entry in this process (`--import tsx`): no wrapper process, so a
 * SIGINT reaches the trainer itself, which saves a checkpoint (through the tsx CLI the signal was relayed
 * and the run died without one).
 */
// The trainer runs from its TypeScript sources: the tsx loader plus the workspace's source export condition.
const tsxImport = (): string[] => ['--conditions=@interpret-fr/source', '--import', pathToFileURL(req.resolve('tsx/esm')).href];
/** Root folder of a workspace package (its entry is <root>/src/index.ts or <root>/dist/index.js). */
const pkgDir = (name: string): string => dirname(dirname(req.resolve(name)));

/** Paths of the study, derived from the options. */
export function studyPaths(o: Pick<StudyOptions, 'cache' | 'runs' | 'lfw'>) {
  return {
    aligned: join(o.cache, 'aligned'),
    orlAligned: join(o.cache, 'orl-aligned'),
    orl: join(o.lfw, '..', 'att-orl-faces'),
    list: join(o.cache, 'train-multi', 'list.txt'),
    teacherCache: join(o.cache, 'teacher', TEACHER_CROP.name, 'descriptors.jsonl'),
    teacherTrain: join(o.cache, 'train-multi', `teacher-${TEACHER_CROP.name}.f32`),
    eval96: join(o.cache, 'eval96'),
    devTestSet: join(o.cache, 'devtest-set'),
    devTest: join(o.lfw, 'pairsDevTest.txt'),
    devTrain: join(o.lfw, 'pairsDevTrain.txt'),
    run: (name: string) => join(o.runs, name),
    logs: join(o.cache, 'logs'),
  };
}

/** Runs a child process, appending its output to `logFile`; resolves with the exit code. */
export function runLogged(cmd: string, args: string[], logFile: string, cwd: string, opts: { minutes?: number | null; log?: (s: string) => void } = {}): Promise<number> {
  return new Promise((resolveP, reject) => {
    void mkdir(dirname(logFile), { recursive: true }).then(() => {
      const out = createWriteStream(logFile, { flags: 'a' });
      out.write(`\n# ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
      const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      let timer: NodeJS.Timeout | null = null;
      if (opts.minutes && opts.minutes > 0) {
        timer = setTimeout(() => {
          opts.log?.(`time budget of ${opts.minutes} min reached: SIGINT (the trainer saves a checkpoint)`);
          child.kill('SIGINT');
        }, opts.minutes * 60_000);
      }
      child.on('error', reject);
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        out.end();
        resolveP(code ?? 1);
      });
    }, reject);
  });
}

/** State of a training run directory. */
export interface RunState {
  state: 'missing' | 'partial' | 'done';
  step: number;
  totalSteps: number | null;
}

/** Reads a run directory's state from `summary.json` / the checkpoint pointer. */
export async function runState(runDir: string, plannedSteps: number): Promise<RunState> {
  const sumPath = join(runDir, 'summary.json');
  if (existsSync(sumPath)) {
    const s = JSON.parse(await readFile(sumPath, 'utf8')) as { reason?: string; step?: number; totalSteps?: number };
    if (s.reason === 'completed' && (s.step ?? 0) >= plannedSteps) return { state: 'done', step: s.step ?? 0, totalSteps: s.totalSteps ?? null };
    return { state: 'partial', step: s.step ?? 0, totalSteps: s.totalSteps ?? null };
  }
  if (existsSync(join(runDir, 'checkpoint'))) {
    const ck = (await readFile(join(runDir, 'checkpoint'), 'utf8')).trim();
    const m = /step-(\d+)/.exec(ck);
    return { state: 'partial', step: m ? Number(m[1]) : 0, totalSteps: null };
  }
  return { state: 'missing', step: 0, totalSteps: null };
}

/** The trainer arguments of a fresh run of `t` (the exact command the results page quotes). */
export function trainArgs(t: TrainPlan, p: ReturnType<typeof studyPaths>, teacherFile: string | null): string[] {
  const a = ['--preset', t.preset, '--data', p.list, '--out', p.run(t.name), '--steps', String(t.steps), '--json'];
  if (t.from) a.push('--set', `init.from=${p.run(t.from)}`);
  if (t.teacher) {
    if (!teacherFile) throw new InterpretFrError(`training ${t.name} needs the teacher descriptors (stage "teacher")`);
    a.push('--set', 'model.distillDim=128', '--set', `loss.distill=${t.distillWeight ?? 1}`, '--set', `data.teacher=${teacherFile}`);
  }
  for (const s of t.sets) a.push('--set', s);
  return a;
}

/** Writes the teacher table of the training list (NaN rows for images without a descriptor); returns rows with one. */
export async function writeTeacherTable(listFile: string, cacheFile: string, out: string): Promise<number> {
  const cache = await readTeacherCache(cacheFile);
  const lines = (await readFile(listFile, 'utf8')).split('\n').filter((l) => l.trim());
  const data = new Float32Array(lines.length * 128).fill(Number.NaN);
  let have = 0;
  lines.forEach((l, i) => {
    const id = l
      .split(',')[0]!
      .replace(/^\.\.\/aligned\/crops\//, '')
      .replace(/\.png$/, '.jpg');
    const d = cache.get(id);
    if (d) {
      data.set(d, i * 128);
      have++;
    }
  });
  await writeFile(out, new Uint8Array(data.buffer));
  return have;
}

/** Whether the run's model has response maps (the interpretable specs; the base CNN pools its last conv). */
export const hasMaps = (t: TrainPlan): boolean => t.preset !== 'small-base';

const isNewer = async (a: string, b: string): Promise<boolean> => existsSync(a) && existsSync(b) && (await stat(a)).mtimeMs >= (await stat(b)).mtimeMs;

/** Runs the study (see the module doc). */
export async function runStudy(o: StudyOptions): Promise<void> {
  const p = studyPaths(o);
  const want = (s: string): boolean => !o.only || o.only.includes(s);
  const node = process.execPath;
  const trainerBin = join(pkgDir('@interpret-fr/trainer'), 'src', 'bin.ts');
  const exportBin = join(pkgDir('@interpret-fr/model-export'), 'bin', 'interpret-fr-export.mjs');
  const evalBin = join(pkgDir('@interpret-fr/eval'), 'bin', 'interpret-fr-eval.mjs');
  const prepareBin = join(pkgDir('@interpret-fr/align'), 'bin', 'interpret-fr-prepare.mjs');
  const log = o.log;

  if (want('prepare')) {
    const orlReport = join(p.orlAligned, 'report.json');
    if (existsSync(orlReport)) log('prepare: ORL done');
    else if (!existsSync(p.orl)) log(`prepare: no ORL at ${p.orl}: its read-outs are skipped`);
    else if (!o.dryRun) {
      const plog = join(p.logs, 'prepare-orl.log');
      const code = await runLogged(node, [prepareBin, '--images', p.orl, '--out', p.orlAligned], plog, o.repo);
      if (code !== 0) throw new InterpretFrError(`prepare: interpret-fr-prepare (ORL) exited with ${code}; see ${plog}`);
      const r = JSON.parse(await readFile(orlReport, 'utf8')) as { images: number; aligned: number; fallback: number; failed: number };
      log(`prepare: ORL ${r.aligned} aligned, ${r.fallback} fallback, ${r.failed} failed of ${r.images}`);
    }
    if (existsSync(join(o.cache, 'prepare.json'))) log('prepare: done (prepare.json)');
    else if (o.dryRun) log('prepare: to do');
    else {
      // interpret-fr-prepare is resumable: a rerun skips the images it finished.
      const plog = join(p.logs, 'prepare.log');
      log(`prepare: interpret-fr-prepare --images ${relative(o.repo, join(o.lfw, 'lfw-a'))} --out ${relative(o.repo, p.aligned)}; log ${relative(o.repo, plog)}`);
      const code = await runLogged(node, [prepareBin, '--images', join(o.lfw, 'lfw-a'), '--out', p.aligned], plog, o.repo);
      if (code !== 0) throw new InterpretFrError(`prepare: interpret-fr-prepare exited with ${code}; see ${plog}`);
      const s = await buildStudySets(o.lfw, o.cache, (d, t, w) => log(`prepare: ${w} ${d}/${t}`));
      log(
        `prepare: ${s.aligned.aligned} aligned, ${s.aligned.fallback} fallback, ${s.aligned.failed} failed of ${s.aligned.images}; training list ${s.trainMultiImages} images of ${s.multiImagePeople} people; ${s.evalImages} evaluation crops`,
      );
    }
  }
  const teacherStage = async (): Promise<void> => {
    const split = await lfwSplit(o.lfw);
    const ids = teacherOrder(split.train, [...new Set([...split.devTest.a, ...split.devTest.b])].sort(), [...new Set([...split.devTrain.a, ...split.devTrain.b])].sort());
    const have = await readTeacherCache(p.teacherCache);
    const missing = ids.filter((id) => !have.has(id)).length;
    if (missing === 0) log(`teacher: done (${ids.length} descriptors)`);
    else if (o.dryRun) log(`teacher: ${ids.length - missing}/${ids.length} descriptors`);
    else {
      const teacher = await loadTeacher();
      const t0 = Date.now();
      const stopAt = o.teacherMinutes ? t0 + o.teacherMinutes * 60_000 : Infinity;
      log(`teacher: face-api recognition net on ${teacher.backend}, ${missing} of ${ids.length} images to do`);
      for (let i = 0; i < ids.length && Date.now() < stopAt; i += 400) {
        await extractTeacher(teacher, join(o.lfw, 'lfw-a'), ids.slice(0, i + 400), TEACHER_CROP, p.teacherCache, (d, n) => {
          if (d % 200 === 0) log(`teacher: ${d}/${n}`);
        });
      }
    }
  };
  for (const t of TRAININGS) {
    if (t.teacher && t === TRAININGS.find((u) => u.teacher) && want('teacher')) await teacherStage();
    const runDir = p.run(t.name);
    if (want(`train-${t.name}`)) {
      const st = await runState(runDir, t.steps);
      if (st.state === 'done') log(`train-${t.name}: done (${st.step} steps)`);
      else if (o.dryRun) log(`train-${t.name}: ${st.state} (${st.step}/${t.steps} steps)`);
      else {
        let args: string[];
        if (st.state === 'partial') args = ['--resume', '--out', runDir, '--steps', String(t.steps), '--json'];
        else {
          let teacherFile: string | null = null;
          if (t.teacher) {
            const n = await writeTeacherTable(p.list, p.teacherCache, p.teacherTrain);
            log(`train-${t.name}: teacher descriptors for ${n} training images`);
            teacherFile = p.teacherTrain;
          }
          if (t.from && (await runState(p.run(t.from), 0)).state === 'missing')
            throw new InterpretFrError(`train-${t.name}: its initialisation run ${p.run(t.from)} does not exist yet (run train-${t.from} first)`);
          args = trainArgs(t, p, teacherFile);
        }
        log(
          `train-${t.name}: ${st.state === 'partial' ? `resuming at step ${st.step}` : 'starting'} → ${t.steps} steps${o.trainMinutes ? ` (budget ${o.trainMinutes} min)` : ''}; log ${relative(o.repo, join(p.logs, `train-${t.name}.log`))}`,
        );
        const code = await runLogged(node, [...tsxImport(), trainerBin, ...args], join(p.logs, `train-${t.name}.log`), o.repo, { minutes: o.trainMinutes, log });
        const after = await runState(runDir, t.steps);
        if (code !== 0 && code !== 130) throw new InterpretFrError(`train-${t.name}: trainer exited with ${code}; see ${join(p.logs, `train-${t.name}.log`)}`);
        log(`train-${t.name}: ${after.state} at step ${after.step}/${t.steps}`);
      }
    }
    const onnx = join(runDir, 'model.onnx');
    if (want(`export-${t.name}`)) {
      const ptr = join(runDir, 'checkpoint');
      if (!existsSync(ptr)) log(`export-${t.name}: no checkpoint yet`);
      else if (await isNewer(onnx, ptr)) log(`export-${t.name}: done`);
      else if (o.dryRun) log(`export-${t.name}: to do`);
      else {
        const code = await runLogged(node, [exportBin, runDir, '-o', onnx, ...(hasMaps(t) ? ['--maps'] : [])], join(p.logs, `export-${t.name}.log`), o.repo);
        if (code !== 0) throw new InterpretFrError(`export-${t.name}: exporter exited with ${code}; see ${join(p.logs, `export-${t.name}.log`)}`);
        log(`export-${t.name}: ${relative(o.repo, onnx)}`);
      }
    }
    if (want(`eval-${t.name}`)) {
      const evalDir = join(runDir, 'eval');
      const last = join(evalDir, hasMaps(t) ? 'peaks' : 'occlusion-devtest', 'report.json');
      const orlOut = join(evalDir, 'orl');
      if (!existsSync(onnx)) log(`eval-${t.name}: no model yet`);
      else if ((await isNewer(last, onnx)) && !(await isNewer(join(orlOut, 'report.json'), onnx)) && existsSync(join(p.orlAligned, 'list.txt')) && !o.dryRun) {
        const r = await orlEval(onnx, p.orlAligned, orlOut);
        log(`eval-${t.name}: ORL rank-1 ${(100 * r.rank1).toFixed(2)} %, AUC ${(100 * r.verification.auc).toFixed(2)} %`);
      } else if (await isNewer(last, onnx)) log(`eval-${t.name}: done`);
      else if (o.dryRun) log(`eval-${t.name}: to do`);
      else {
        const set = p.devTestSet;
        const elog = join(p.logs, `eval-${t.name}.log`);
        const steps: [string, string[]][] = [
          [
            'pairs',
            [
              'pairs',
              '--pairs',
              p.devTest,
              '--train-pairs',
              p.devTrain,
              '--model',
              onnx,
              '--images',
              p.eval96,
              '--out',
              join(evalDir, 'pairs'),
              '--cache',
              join(evalDir, 'features-cache'),
            ],
          ],
          ...(hasMaps(t)
            ? [
                ['peaks', ['peaks', '--model', onnx, '--name', t.name, '--data', set, '--out', join(evalDir, 'peaks'), '--max-images', '1000', '--allow-outside-root']] as [
                  string,
                  string[],
                ],
              ]
            : []),
        ];
        for (const [what, args] of steps) {
          const code = await runLogged(node, [evalBin, ...args], elog, o.repo);
          if (code !== 0) throw new InterpretFrError(`eval-${t.name} (${what}): exited with ${code}; see ${elog}`);
          log(`eval-${t.name}: ${what} done`);
          if (what === 'pairs' && existsSync(join(p.orlAligned, 'list.txt'))) {
            const r = await orlEval(onnx, p.orlAligned, orlOut);
            log(`eval-${t.name}: ORL rank-1 ${(100 * r.rank1).toFixed(2)} %, AUC ${(100 * r.verification.auc).toFixed(2)} %`);
          }
          if (what === 'pairs') {
            const rep = JSON.parse(await readFile(join(evalDir, 'pairs', 'report.json'), 'utf8')) as { trainThreshold: { threshold: number } };
            const occ = await occlusionOnDevTest(onnx, o.lfw, o.cache, rep.trainThreshold.threshold, join(evalDir, 'occlusion-devtest'));
            log(`eval-${t.name}: occlusion on DevTest: clean ${(100 * occ.clean.accuracy).toFixed(2)} %, mean drop ${(100 * occ.meanDrop).toFixed(2)} points`);
          }
        }
      }
    }
  }
  if (want('lbp')) {
    const out = join(o.cache, 'baselines', 'lbp', 'report.json');
    if (existsSync(out)) log('lbp: done');
    else if (o.dryRun) log('lbp: to do');
    else {
      const r = await lbpBaseline(o.lfw, p.eval96, dirname(out));
      log(`lbp: DevTest accuracy ${(100 * r.accuracy).toFixed(2)} % (threshold from DevTrain)`);
    }
  }
  if (want('teacher-eval')) {
    const out = join(o.cache, 'baselines', 'teacher', 'report.json');
    if (existsSync(out)) log('teacher-eval: done');
    else if (o.dryRun) log('teacher-eval: to do');
    else {
      const r = await teacherBaseline(o.lfw, p.teacherCache, dirname(out), evalBin, o.repo);
      log(`teacher-eval: ${r}`);
    }
  }
  if (want('results')) {
    if (o.dryRun) log('results: to do');
    else {
      const files = await writeResults(o);
      log(`results: ${files.map((f) => relative(o.repo, f)).join(', ')}`);
    }
  }
  if (want('ship')) {
    if (o.dryRun) log('ship: to do');
    else {
      const r = await shipBest(o);
      log(`ship: ${r.plan.name} (DevTrain ${(100 * r.devTrainAccuracy).toFixed(2)} %) → ${relative(o.repo, r.model)} (${r.bytes} bytes), card ${relative(o.repo, r.card)}`);
    }
  }
}
